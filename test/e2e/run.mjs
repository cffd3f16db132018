#!/usr/bin/env node
// `npm run test:e2e`: the extension in a real VS Code (code-server 4.139.1 = VS Code 1.139.1).
//   1. ensure the editor can run (chromium, Node 24, code-server; cached in ~/.cache/jira2fa)
//   2. package the VSIX (scripts/package.mjs: production build + vsce + contents check)
//   3. in-host suite: test/e2e/inhost/*.test.ts run by mocha inside the extension host,
//      extensionDevelopmentPath = the repository
//   4. UI specs: test/e2e/specs/*.spec.mjs, in order, driving the workbench with playwright
//      against a code-server with the VSIX installed; screenshots in test-results/<spec>/
// Prints `N passed, M failed` last; exits 1 on any failure.
//
// Usage: node test/e2e/run.mjs [--inhost-only | --ui-only] [--no-package] [spec-filter ...]
//   spec-filter: substrings of spec file names, e.g. `npm run test:e2e -- --ui-only instances`
// Env: E2E_VERBOSE=1 (browser console), JIRA2FA_E2E_GREP (mocha grep for the in-host suite),
//      E2E_KEEP=1 (keep .e2e/run-<pid> after success), E2E_ALLOW_SKIP=1 (skip when the editor
//      cannot run; ignored when CI=true), JIRA2FA_CACHE (dependency cache).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { E2EDepsError, ensureDeps, killAll, reportDepsFailure, runEnv, startCodeServer } from './lib/codeServer.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { buildInHostSuite, runInHost } from './lib/inhost.mjs';
import { startMemSampler } from './lib/mem.mjs';
import { createWorkbench } from './lib/workbench.mjs';
import { pagesOf } from './lib/pages/index.mjs';
import { packageVsix } from '../../scripts/package.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
// The extension under test. E2E_ROOT is only for developing the harness against another extension.
const ROOT = path.resolve(process.env.E2E_ROOT || REPO);
const SCRATCH = path.join(REPO, '.e2e');
const RESULTS = path.join(REPO, 'test-results');
const SPECS = path.resolve(process.env.E2E_SPECS_DIR || path.join(HERE, 'specs')); // E2E_SPECS_DIR: for harness work

const args = process.argv.slice(2);
const inhostOnly = args.includes('--inhost-only');
const uiOnly = args.includes('--ui-only');
const noPackage = args.includes('--no-package');
const filters = args.filter((a) => !a.startsWith('--'));

const T0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`[e2e ${secs(Date.now() - T0).padStart(7)}] ${msg}`);

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
const CONTAINER_TITLE = manifest.contributes?.viewsContainers?.activitybar?.[0]?.title || manifest.displayName;

/** @type {{ suite: string, title: string, ok: boolean, error?: string, durationMs?: number }[]} */
const results = [];
const timings = {};
const cleanups = new Set();

async function cleanup() {
  for (const fn of [...cleanups].reverse()) await Promise.resolve().then(fn).catch(() => {});
  cleanups.clear();
  killAll();
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n[e2e] ${sig}: stopping code-server and chromium`);
    killAll();
    process.exit(130);
  });
}

/** Removes run dirs of earlier runs whose process is gone (concurrent runs keep theirs). */
function removeStaleRunDirs() {
  if (!fs.existsSync(SCRATCH)) return;
  for (const name of fs.readdirSync(SCRATCH)) {
    const m = /^run-(\d+)$/.exec(name);
    if (!m) continue;
    let alive = false;
    try {
      process.kill(Number(m[1]), 0);
      alive = Number(m[1]) !== process.pid;
    } catch {
      alive = false;
    }
    if (!alive) fs.rmSync(path.join(SCRATCH, name), { recursive: true, force: true });
  }
}

const slug = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'step';

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${secs(ms)}`)), ms))),
  ]);
}

// ---------------------------------------------------------------- in-host suite
async function runInHostPhase(runDir) {
  const t0 = Date.now();
  const dir = path.join(runDir, 'inhost');
  const testsPath = await buildInHostSuite(path.join(dir, 'suite'));
  const resultFile = path.join(dir, 'result.json');
  log(`in-host suite bundled (${path.relative(REPO, testsPath)}); starting code-server with the smoke-test driver`);
  const server = await startCodeServer({
    runDir: path.join(dir, 'cs'),
    smokeTestDriver: true,
    env: { JIRA2FA_E2E_RESULT: resultFile, JIRA2FA_E2E: '1' },
    log,
  });
  cleanups.add(server.stop);
  try {
    const shotDir = path.join(RESULTS, 'inhost');
    fs.rmSync(shotDir, { recursive: true, force: true });
    fs.mkdirSync(shotDir, { recursive: true });
    const run = await runInHost({
      server,
      extensionPath: ROOT,
      testsPath,
      resultFile,
      browserEnv: runEnv(server.dirs),
      profileDir: path.join(dir, 'chromium'),
      timeoutMs: Number(process.env.E2E_INHOST_TIMEOUT_MS || 180000),
      log,
      screenshot: path.join(shotDir, '01-after-suite.png'),
    });
    const r = run.result;
    if (!r) {
      results.push({
        suite: 'inhost',
        title: 'in-host suite',
        ok: false,
        error: run.timedOut
          ? `no result after ${secs(Number(process.env.E2E_INHOST_TIMEOUT_MS || 180000))} (did the extension host start? see ${server.dirs.log})`
          : `the suite wrote no result (exit code ${run.exitCode}); see the [ext-host] lines above and ${server.dirs.log}`,
      });
    } else {
      for (const t of r.tests || []) {
        if (t.state !== 'pending') results.push({ suite: 'inhost', title: t.title, ok: t.state === 'passed', error: t.error, durationMs: t.durationMs });
      }
      if (!r.tests?.length) results.push({ suite: 'inhost', title: 'in-host suite', ok: false, error: 'the suite ran no tests' });
      if (run.exitCode !== 0 && !r.failures) results.push({ suite: 'inhost', title: 'in-host suite exit code', ok: false, error: `codeAutomationExit(${run.exitCode}) although no test failed` });
    }
    log(`in-host suite done in ${secs(run.durationMs)} (exit code ${run.timedOut ? 'timeout' : run.exitCode})`);
  } finally {
    await server.stop();
    cleanups.delete(server.stop);
    timings.inhost = Date.now() - t0;
  }
}

// ---------------------------------------------------------------- UI specs
async function loadSpecs() {
  const files = fs
    .readdirSync(SPECS)
    .filter((f) => f.endsWith('.spec.mjs'))
    .sort()
    .filter((f) => !filters.length || filters.some((x) => f.includes(x)));
  const specs = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(path.join(SPECS, file)).href);
    if (typeof mod.run !== 'function') throw new Error(`${file} must export async function run(ctx)`);
    specs.push({
      file,
      key: file.replace(/\.spec\.mjs$/, ''),
      name: mod.name || file,
      run: mod.run,
      timeoutMs: mod.timeoutMs || 180000,
      fresh: Boolean(mod.freshServer || mod.settings),
      settings: mod.settings || {},
    });
  }
  return specs;
}

/** One code-server + one chromium for a group of specs. */
async function startUi(runDir, vsix, settings) {
  const server = await startCodeServer({ runDir, vsix, settings, env: { JIRA2FA_E2E: '1' }, log });
  cleanups.add(server.stop);
  const browser = await launchBrowser({ profileDir: path.join(runDir, 'chromium'), env: runEnv(server.dirs) });
  cleanups.add(browser.close);
  return {
    server,
    browser,
    async stop() {
      await browser.close();
      cleanups.delete(browser.close);
      await server.stop();
      cleanups.delete(server.stop);
    },
  };
}

async function runSpec(spec, ui) {
  const t0 = Date.now();
  const dir = path.join(RESULTS, spec.key);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const consoleLog = fs.openSync(path.join(dir, 'console.log'), 'w');
  const page = await ui.browser.context.newPage();
  page.on('console', (m) => fs.writeSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => fs.writeSync(consoleLog, `[pageerror] ${e.stack || e.message}\n`));
  let n = 0;
  const shot = async (step) => {
    const file = path.join(dir, `${String(++n).padStart(2, '0')}-${slug(step)}.png`);
    await page.screenshot({ path: file });
    log(`  [${spec.key}] screenshot ${path.relative(REPO, file)}`);
    return file;
  };
  const specLog = (m) => log(`  [${spec.key}] ${m}`);
  const wb = createWorkbench({ page, url: ui.server.url, extensionId: EXTENSION_ID, containerTitle: CONTAINER_TITLE, log: specLog });
  const ctx = {
    ...wb,
    wb,
    /** Page objects (test/e2e/lib/pages): what specs drive the editor with. */
    pages: pagesOf(wb, { containerTitle: CONTAINER_TITLE, log: specLog }),
    page,
    shot,
    log: specLog,
    assert,
    server: ui.server,
    extensionId: EXTENSION_ID,
    containerTitle: CONTAINER_TITLE,
    /** The user settings.json of this code-server (where application-scoped settings live). */
    readUserSettings: () => JSON.parse(fs.readFileSync(path.join(ui.server.dirs.data, 'User', 'settings.json'), 'utf8')),
    artifactsDir: dir,
  };
  log(`spec ${spec.file}: ${spec.name}`);
  try {
    await withTimeout(
      (async () => {
        await wb.open();
        await spec.run(ctx);
      })(),
      spec.timeoutMs,
      `spec ${spec.file}`,
    );
    results.push({ suite: 'ui', title: `${spec.key}: ${spec.name}`, ok: true, durationMs: Date.now() - t0 });
    log(`  ✓ ${spec.key} (${secs(Date.now() - t0)})`);
  } catch (e) {
    const file = await shot('failure').catch(() => undefined);
    results.push({ suite: 'ui', title: `${spec.key}: ${spec.name}`, ok: false, error: e?.stack || String(e), durationMs: Date.now() - t0 });
    log(`  ✗ ${spec.key} (${secs(Date.now() - t0)}): ${String(e?.message || e).split('\n')[0]}${file ? `  [${path.relative(REPO, file)}]` : ''}`);
  } finally {
    await page.close().catch(() => {});
    fs.closeSync(consoleLog);
  }
}

async function runUiPhase(runDir, vsix) {
  const t0 = Date.now();
  const specs = await loadSpecs();
  if (!specs.length) {
    log(`no UI specs${filters.length ? ' match ' + filters.join(', ') : ''}`);
    return;
  }
  let shared;
  let sharedError;
  const notRun = (spec, e) => results.push({ suite: 'ui', title: `${spec.key}: ${spec.name}`, ok: false, error: `not run, the editor did not start: ${e?.stack || e}` });
  try {
    for (const spec of specs) {
      if (spec.fresh) {
        // a spec with its own settings (or freshServer) gets its own code-server and browser
        let own;
        try {
          own = await startUi(path.join(runDir, `ui-${spec.key}`), vsix, spec.settings);
        } catch (e) {
          notRun(spec, e);
          continue;
        }
        try {
          await runSpec(spec, own);
        } finally {
          await own.stop();
        }
        continue;
      }
      if (!shared && !sharedError) {
        try {
          shared = await startUi(path.join(runDir, 'ui'), vsix, {});
          log(`UI specs share code-server ${shared.server.url}`);
        } catch (e) {
          sharedError = e;
        }
      }
      if (sharedError) notRun(spec, sharedError);
      else await runSpec(spec, shared);
    }
  } finally {
    if (shared) await shared.stop();
    timings.ui = Date.now() - t0;
  }
}

// ---------------------------------------------------------------- main
async function main() {
  removeStaleRunDirs();
  const runDir = path.join(SCRATCH, `run-${process.pid}`);
  fs.mkdirSync(runDir, { recursive: true });
  const mem = startMemSampler();
  log(`extension ${EXTENSION_ID} from ${ROOT}; scratch ${path.relative(REPO, runDir)}`);

  let t = Date.now();
  try {
    await ensureDeps({ log });
  } catch (e) {
    if (!(e instanceof E2EDepsError)) throw e;
    const code = reportDepsFailure(e, { what: 'e2e tests' });
    fs.rmSync(runDir, { recursive: true, force: true });
    if (code === 0) console.log('e2e skipped (E2E_ALLOW_SKIP=1)');
    console.log(code === 0 ? '0 passed, 0 failed' : '0 passed, 1 failed');
    return code;
  }
  timings.deps = Date.now() - t;

  // always build + package (~3 s): the in-host suite loads dist/ from the repo, the UI specs the VSIX
  let vsix;
  {
    t = Date.now();
    try {
      if (noPackage) {
        const existing = path.join(ROOT, `${manifest.name}-${manifest.version}.vsix`);
        if (!fs.existsSync(existing)) throw new Error(`--no-package: ${existing} does not exist (run npm run package)`);
        vsix = existing;
      } else {
        vsix = (await packageVsix({ root: ROOT, out: path.join(runDir, `${manifest.name}-${manifest.version}.vsix`), log })).vsix;
      }
    } catch (e) {
      results.push({ suite: 'package', title: 'package the VSIX', ok: false, error: e?.message || String(e) });
      log(`packaging failed: ${e?.message || e}`);
    }
    timings.package = Date.now() - t;
  }

  if (!uiOnly) {
    try {
      await runInHostPhase(runDir);
    } catch (e) {
      results.push({ suite: 'inhost', title: 'in-host suite', ok: false, error: e?.stack || String(e) });
    }
  }
  if (!inhostOnly && vsix) await runUiPhase(runDir, vsix);

  await cleanup();
  const peak = mem.stop();
  const failed = results.filter((r) => !r.ok);
  const passed = results.filter((r) => r.ok);

  console.log('\n──────── e2e results ────────');
  for (const r of results) console.log(`${r.ok ? '  ✓' : '  ✗'} [${r.suite}] ${r.title}${r.durationMs !== undefined ? ` (${secs(r.durationMs)})` : ''}`);
  for (const r of failed) console.log(`\n✗ [${r.suite}] ${r.title}\n${String(r.error || '').replace(/^/gm, '    ')}`);
  const total = Date.now() - T0;
  console.log(
    `\ntimings: total ${secs(total)}` +
      Object.entries(timings)
        .map(([k, v]) => `, ${k} ${secs(v)}`)
        .join('') +
      (peak?.pssMb ? ` | peak memory ${peak.pssMb} MB PSS (${peak.rssMb} MB RSS, ${peak.procs} processes)` : ''),
  );
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'e2e-results.json'), JSON.stringify({ passed: passed.length, failed: failed.length, timings, peakMemory: peak, results }, null, 2));
  if (failed.length === 0 && !process.env.E2E_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  else console.log(`logs kept in ${path.relative(REPO, runDir)} (code-server.log per server); screenshots in ${path.relative(REPO, RESULTS)}/`);
  if (results.length === 0) {
    console.log('nothing ran (no spec matched?)');
    console.log('0 passed, 1 failed');
    return 1;
  }
  console.log(`${passed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(`[e2e] harness error: ${e?.stack || e}`);
    await cleanup();
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
