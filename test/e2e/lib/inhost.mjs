// The in-host mocha suite (test/e2e/inhost/*.test.ts): bundling it, and running it inside
// code-server's extension host through the smoke-test driver (the test-electron replacement).
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import * as esbuild from 'esbuild';
import { launchBrowser } from './browser.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const INHOST_SRC = path.join(HERE, '..', 'inhost');

/** Bundles test/e2e/inhost/*.ts into outDir (index.js + *.test.js); `vscode` and mocha stay external. */
export async function buildInHostSuite(outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const entryPoints = fs
    .readdirSync(INHOST_SRC)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(INHOST_SRC, f));
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(outDir, 'index.js');
}

// Noise of a closed network / of code-server itself, not of our suite.
const NOISE = /open-vsx|ENOTFOUND|\[Service Worker\]|Creating a socket|AgentHost|AccountPolicyGate|marketplace|update\.code\.visualstudio|vscode-unpkg/i;

/**
 * Runs the bundled suite in the extension host of a running code-server (started with
 * smokeTestDriver: true), with `extensionPath` as extensionDevelopmentPath. Streams the suite's
 * console lines through `log`. Resolves { exitCode, result, timedOut, durationMs }; `result` is
 * the JSON the suite wrote to `resultFile` (undefined when it wrote none).
 */
export async function runInHost({ server, extensionPath, testsPath, resultFile, browserEnv, profileDir, timeoutMs = 180000, log = console.log, screenshot }) {
  const authority = new URL(server.url).host;
  const remote = (p) => `vscode-remote://${authority}${path.resolve(p)}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'],
  ]);
  const url = `${server.url}?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(payload)}`;
  fs.rmSync(resultFile, { force: true });
  const t0 = Date.now();
  const browser = await launchBrowser({ profileDir, env: browserEnv });
  const { page } = browser;
  let timer;
  try {
    let exitCode;
    const exited = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => {
        exitCode = code;
        resolve(code);
      });
    });
    page.on('console', async (m) => {
      // forwarded extension-host console calls arrive as ('%c INFO', 'color: …', fmt, ...args)
      const text = m.text();
      if (/^%c\s*(INFO|ERR|WARN)/.test(text)) {
        const values = await Promise.all(m.args().map((h) => h.jsonValue().catch(() => '?')));
        const line = util.format(...values.slice(2));
        if (!NOISE.test(line)) for (const l of line.split('\n')) log(`[ext-host] ${l}`);
      } else if (process.env.E2E_VERBOSE) {
        log(`[browser] ${text.slice(0, 400)}`);
      }
    });
    page.on('pageerror', (e) => process.env.E2E_VERBOSE && log(`[pageerror] ${e.message}`));
    await page.goto(url);
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([exited, timeout]);
    const timedOut = outcome === 'timeout';
    if (screenshot) await page.screenshot({ path: screenshot }).catch(() => {});
    let result;
    try {
      result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    } catch {
      result = undefined;
    }
    return { exitCode: timedOut ? undefined : exitCode, timedOut, result, durationMs: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
    await browser.close();
  }
}
