/**
 * Webview security in a real browser: the HTML that src/extension/panels/panelHost.ts builds
 * (its CSP with a fresh nonce, the panel's bundle from dist/webview) is served to headless
 * Chromium with a stand-in for the editor's acquireVsCodeApi. Injected inline scripts, an
 * inline event handler and a script from the allowed origin without the nonce do not run;
 * the panel's own bundle does. Malformed or unknown messages are refused on both sides:
 * from the webview by PanelHost (logged, on one line, handler not called), from the extension
 * by the page (console warning, nothing rendered). `npm test` builds dist/ first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PanelHost as PanelHostType } from '../../src/extension/panels/panelHost';
import type { ZodMiniType } from 'zod/mini';
import { FromAuditSchema } from '../../src/webview/auditLog/protocol';
import { FromFormSchema } from '../../src/webview/instanceForm/protocol';
import { FromRunSchema } from '../../src/webview/snippetRun/protocol';
import { FromUnenrollSchema, type FromUnenroll, type ToUnenroll } from '../../src/webview/unenroll/protocol';

/** Every panel bundle with the schema its PanelHost validates messages from the page with. */
const PANELS: Array<[string, ZodMiniType<unknown>]> = [
  ['unenroll', FromUnenrollSchema],
  ['auditLog', FromAuditSchema],
  ['instanceForm', FromFormSchema],
  ['snippetRun', FromRunSchema],
];

const root = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const load = createRequire(__filename);

interface StandInPanel {
  webview: { html: string };
  posted: unknown[];
  deliver(message: unknown): Promise<unknown>;
}
interface StandInModule {
  installStandIn(settings: unknown[], web: { origin: string; root: string }): { Uri: { file(p: string): unknown } };
  panels: StandInPanel[];
}

/**
 * What the editor's webview frame provides, as source text: a function would be rewritten
 * by the TypeScript loader (esbuild's __name helper) and fail in the page.
 */
const EDITOR_STAND_IN = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
  let state;
  const api = { postMessage: (m) => window.__toExtension(m), getState: () => state, setState: (s) => (state = s) };
  window.acquireVsCodeApi = () => api;
  window.__api = api;
`;

const INJECTED = [
  '<script>window.__inline = "ran"</script>',
  '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="window.__handler = \'ran\'" onerror="window.__handler = \'ran\'">',
  '<script src="/evil.js"></script>',
  '<a id="jsLink" href="javascript:window.__href=\'ran\'">x</a>',
].join('\n');

describe('webview security (headless Chromium)', function () {
  this.timeout(60_000);
  const web = { origin: '', root };
  let standIn: StandInModule;
  let server: http.Server;
  let browser: Browser;
  let PanelHost: typeof PanelHostType;
  const warnings: string[] = [];
  const log = { info: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m), show: () => undefined };

  before(async function () {
    if (!fs.existsSync(path.join(root, 'dist/webview/unenroll.js'))) throw new Error('dist/webview is missing: run `npm run build` first');
    if (!fs.existsSync(CHROMIUM)) {
      // Like the e2e run: on CI a machine without the browser is a failure, locally a skip.
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: the webview security suite needs Chromium`);
      this.skip();
    }
    standIn = load('../support/vscodeStandIn.cjs') as StandInModule;
    standIn.installStandIn([], web);
    // Required after the stand-in is installed: panelHost.ts imports `vscode`.
    PanelHost = (load('../../src/extension/panels/panelHost') as { PanelHost: typeof PanelHostType }).PanelHost;
    const pages = new Map<string, string>();
    server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      if (pages.has(url)) return void res.writeHead(200, { 'content-type': 'text/html' }).end(pages.get(url));
      if (url === '/evil.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.__external = "ran"');
      const file = path.join(root, decodeURIComponent(url));
      if (file.startsWith(path.join(root, 'dist/webview')) || file.startsWith(path.join(root, 'media'))) {
        if (fs.existsSync(file)) return void res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' }).end(fs.readFileSync(file));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    web.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    (server as http.Server & { pages?: Map<string, string> }).pages = pages;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  after(async () => {
    await browser?.close();
    if (server) await new Promise((r) => server.close(r));
  });

  /** Opens a panel through PanelHost, serves its HTML (plus `inject` before </body>) and loads it. */
  async function openPanel(inject = '', bundle = 'unenroll', fromWebview: ZodMiniType<unknown> = FromUnenrollSchema): Promise<{ page: Page; panel: StandInPanel; host: PanelHostType<FromUnenroll, ToUnenroll>; handled: FromUnenroll[]; console: string[] }> {
    const extensionUri = (load('vscode') as { Uri: { file(p: string): unknown } }).Uri.file(root);
    const host = new PanelHost<FromUnenroll, ToUnenroll>(extensionUri as never, log, { viewType: `jira2fa.${bundle}`, title: 'Unenroll <test>', bundle, fromWebview: fromWebview as ZodMiniType<FromUnenroll> });
    const panel = standIn.panels.at(-1)!;
    const handled: FromUnenroll[] = [];
    host.onMessage((m) => void handled.push(m));
    const pages = (server as http.Server & { pages: Map<string, string> }).pages;
    const url = `/panel-${standIn.panels.length}.html`;
    pages.set(url, panel.webview.html.replace('</body>', `${inject}\n</body>`));
    const page = await browser.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`page error: ${e.message}`));
    // The editor injects acquireVsCodeApi; messages to the extension go to PanelHost.
    await page.exposeBinding('__toExtension', (_source, message: unknown) => panel.deliver(message));
    await page.addInitScript(EDITOR_STAND_IN);
    await page.goto(`${web.origin}${url}`);
    // The bundle's first act is to say "ready"; wait for PanelHost to have handled it.
    for (let i = 0; i < 300 && !handled.length; i++) await new Promise((r) => setTimeout(r, 20));
    return { page, panel, host, handled, console: consoleLines };
  }

  it('builds a strict CSP with a fresh nonce per panel and escapes the title', async () => {
    const a = await openPanel();
    const b = await openPanel();
    const csp = (html: string) => /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const nonce = (html: string) => /'nonce-([^']+)'/.exec(html)?.[1];
    assert.match(csp(a.panel.webview.html), /default-src 'none'; .*script-src 'nonce-[A-Za-z0-9+/=]+'$/);
    assert.doesNotMatch(csp(a.panel.webview.html), /unsafe-inline|unsafe-eval|\*/);
    assert.notEqual(nonce(a.panel.webview.html), nonce(b.panel.webview.html));
    assert.match(a.panel.webview.html, /<title>Unenroll &#60;test&#62;<\/title>/);
    await a.page.close();
    await b.page.close();
  });

  for (const [bundle, schema] of PANELS) it(`${bundle}: runs the panel bundle but no injected inline script, event handler, javascript: link or script without the nonce`, async () => {
    const { page, handled } = await openPanel(INJECTED, bundle, schema);
    await page.click('#jsLink').catch(() => undefined);
    await page.waitForTimeout(200); // let the injected image load and any handler fire
    const flags = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return { inline: w.__inline, handler: w.__handler, external: w.__external, href: w.__href, violations: w.__violations as string[] };
    });
    assert.deepEqual(handled.map((m) => m.type), ['ready'], 'the nonce-carrying bundle ran and said ready');
    assert.deepEqual({ inline: flags.inline, handler: flags.handler, external: flags.external, href: flags.href }, { inline: undefined, handler: undefined, external: undefined, href: undefined });
    assert.ok(flags.violations.some((d) => d.startsWith('script-src')), `CSP violations seen: ${flags.violations.join(', ')}`);
    await page.close();
  });

  it('PanelHost refuses unknown and malformed messages from the webview, logs each on one line, and passes valid ones', async () => {
    const { page, handled } = await openPanel();
    warnings.length = 0;
    const bad: unknown[] = [
      { type: 'deleteEverything' },
      { type: 'send', username: 'jdoe', codeSource: 'typed', code: '12' },
      { type: 'send', username: 'jdoe', codeSource: 'typed', code: '123456', extra: 'smuggled' },
      { type: 'lookup', username: 'x'.repeat(5000) },
      { type: 'lookup' },
      { type: 'x\nERROR forged log line \u001b[31m' },
      'ready',
      null,
      42,
      [{ type: 'ready' }],
    ];
    for (const m of bad) await page.evaluate((msg) => (window as unknown as { __api: { postMessage(m: unknown): unknown } }).__api.postMessage(msg), m);
    // postMessage returns the binding's promise: each evaluate ends when PanelHost has handled it.
    await page.evaluate(() => (window as unknown as { __api: { postMessage(m: unknown): void } }).__api.postMessage({ type: 'lookup', username: 'jdoe' }));
    assert.deepEqual(handled, [{ type: 'ready' }, { type: 'lookup', username: 'jdoe' }], 'only valid messages reach the handler');
    assert.equal(warnings.length, bad.length, warnings.join('\n'));
    for (const w of warnings) {
      assert.match(w, /^jira2fa\.unenroll: rejected a malformed message from the webview/);
      assert.doesNotMatch(w, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, `a rejected message forged text in the log: ${JSON.stringify(w)}`);
      assert.ok(w.length < 400, 'the log line is bounded');
    }
    await page.close();
  });

  it('the page refuses unknown and malformed messages from the extension side and renders valid ones', async () => {
    const { page, console: lines } = await openPanel();
    const instance = { id: 'prod', name: 'Prod <b>Jira</b>', environment: 'production', product: 'jira', baseUrl: 'https://jira.example.com' };
    const post = (m: unknown) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
    await post({ type: 'init', instance: { ...instance, environment: 'hacked' }, seedStored: false, lookupAvailable: true });
    await post({ type: 'result', result: '<img src=x onerror=alert(1)>' });
    await post({ type: 'evil', html: '<script>alert(1)</script>' });
    // Messages are handled in order: once the valid init has rendered, the three before it were refused.
    await post({ type: 'init', instance, seedStored: false, lookupAvailable: true, request: { require: 'ticket', methods: ['In <i>person</i>'], ticketInstance: 'Prod', comment: true, projects: [] } });
    await page.waitForSelector('#instanceLine:not(:empty)', { state: 'attached' });
    assert.equal(lines.filter((l) => /ignored a malformed message/.test(l)).length, 3, lines.join('\n'));
    assert.equal(await page.textContent('#envBadge'), 'production', 'nothing rendered from the refused init');
    assert.equal(await page.textContent('#instanceLine'), 'Prod <b>Jira</b> · jira · https://jira.example.com', 'server text is shown as text, not HTML');
    assert.equal(await page.locator('#instanceLine b').count(), 0);
    await page.close();
  });
});
