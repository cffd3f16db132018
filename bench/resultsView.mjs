// Results view: 10,000 rows in headless Chromium. The real snippetRun webview bundle
// (dist/webview/snippetRun.js and the chunks it imports, built from src/webview/snippetRun) runs,
// as an ES module served over a routed http origin (module scripts do not load from file://), in a static page with
// a stand-in acquireVsCodeApi; we post it the same `init` and `rows` messages the extension
// sends and time from posting `rows` to the first frame after the grid is in the DOM
// (message validation included). The comparison, in the same browser and run: the same rows
// as a plain, non-virtualised <table>. Heap and DOM node counts come from the DevTools
// protocol after a forced garbage collection. Median of several fresh pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { emit, median } from './lib/stats.mjs';

const root = path.resolve(import.meta.dirname, '..');
const ROWS = Number(process.env.BENCH_GRID_ROWS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-bench-grid-'));
fs.cpSync(path.join(root, 'dist/webview'), dir, { recursive: true });
fs.copyFileSync(path.join(root, 'media/webview.css'), path.join(dir, 'webview.css'));
const page = (body) => `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><link rel="stylesheet" href="webview.css"><title>bench</title></head><body>${body}</body></html>`;
fs.writeFileSync(path.join(dir, 'ours.html'), page('<main id="app"></main><script type="module" src="snippetRun.js"></script>'));
fs.writeFileSync(path.join(dir, 'plain.html'), page('<main id="app"></main>'));

// The page keeps what the panel posts, so the bench can wait for "ready".
const STAND_IN = `window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });`;

const INIT = {
  type: 'init',
  instance: { id: 'bench', name: 'Bench Jira', environment: 'test', product: 'jira', baseUrl: 'https://jira.example.com' },
  snippet: { name: 'jira.list-enrolled', title: 'Enrolled users', description: 'Bench', kind: 'read', params: [] },
  rowLimit: ROWS,
  readOnly: true,
};

/** Builds the rows message inside the page (not timed) and returns how long the render took. */
async function renderIn(p, mode, rows) {
  return p.evaluate(
    async ({ mode, rows }) => {
      const columns = [
        { name: 'username', numeric: false },
        { name: 'display_name', numeric: false },
        { name: 'user_key', numeric: false },
        { name: 'created_at', numeric: false },
        { name: 'enrolled', numeric: true },
      ];
      const cells = Array.from({ length: rows }, (_, i) => [`user${i}`, `User Number ${i}`, `JIRAUSER${10000 + i}`, `2024-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00.000Z`, i % 7 === 0 ? null : '1']);
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const t0 = performance.now();
      if (mode === 'ours') {
        window.postMessage({ type: 'rows', columns, cells, truncated: false, rowLimit: rows, sql: 'SELECT …' }, '*');
        while (!document.querySelector('.grid-row')) await frame();
      } else {
        const table = document.createElement('table');
        const head = table.createTHead().insertRow();
        for (const c of columns) head.appendChild(document.createElement('th')).textContent = c.name;
        const body = table.createTBody();
        for (const row of cells) {
          const tr = body.insertRow();
          for (const v of row) tr.insertCell().textContent = v ?? 'NULL';
        }
        document.getElementById('app').append(table);
      }
      await frame();
      return { ms: performance.now() - t0, rendered: document.querySelectorAll('.grid-row, tr').length };
    },
    { mode, rows },
  );
}

async function metrics(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (n) => metrics.find((m) => m.name === n)?.value ?? NaN;
  return { heapMB: get('JSHeapUsedSize') / 1048576, nodes: get('Nodes') };
}

async function one(browser, mode) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const p = await context.newPage();
  await p.addInitScript(STAND_IN);
  await p.route('http://bench.invalid/**', (route) => {
    const file = path.join(dir, decodeURIComponent(new URL(route.request().url()).pathname));
    if (!file.startsWith(dir + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404 });
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
    return route.fulfill({ status: 200, contentType: type, body: fs.readFileSync(file) });
  });
  await p.goto(`http://bench.invalid/${mode === 'ours' ? 'ours.html' : 'plain.html'}`);
  if (mode === 'ours') {
    await p.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    await p.evaluate((init) => window.postMessage(init, '*'), INIT);
    await p.waitForSelector('#run');
  }
  const cdp = await context.newCDPSession(p);
  await cdp.send('Performance.enable');
  const before = await metrics(cdp);
  const r = await renderIn(p, mode, ROWS);
  const after = await metrics(cdp);
  if (mode === 'ours') {
    const status = await p.textContent('#status');
    if (!status?.includes(`${ROWS} rows`)) throw new Error(`the panel did not take the rows: ${status}`);
  }
  await context.close();
  return { ms: r.ms, rendered: r.rendered, heapMB: after.heapMB, heapGrowthMB: after.heapMB - before.heapMB, nodes: after.nodes };
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-precise-memory-info'] });
const runs = { ours: [], plain: [] };
try {
  await one(browser, 'ours'); // warm-up
  await one(browser, 'plain');
  for (let i = 0; i < ROUNDS; i++) {
    runs.ours.push(await one(browser, 'ours'));
    runs.plain.push(await one(browser, 'plain'));
  }
} finally {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
const pick = (xs, k) => median(xs.map((x) => x[k]));
emit({
  rows: ROWS,
  rounds: ROUNDS,
  oursMs: pick(runs.ours, 'ms'),
  plainMs: pick(runs.plain, 'ms'),
  oursHeapMB: pick(runs.ours, 'heapMB'),
  plainHeapMB: pick(runs.plain, 'heapMB'),
  oursHeapGrowthMB: pick(runs.ours, 'heapGrowthMB'),
  plainHeapGrowthMB: pick(runs.plain, 'heapGrowthMB'),
  oursNodes: pick(runs.ours, 'nodes'),
  plainNodes: pick(runs.plain, 'nodes'),
  oursRenderedRows: runs.ours[0].rendered,
  runs,
});
