// One activation measurement, in a fresh Node process (bench/run.mjs starts it several
// times): require dist/extension.js with the `vscode` stand-in (the starter imports the ES
// module build), await activate(), then the tree's first rows (the root getChildren, which
// waits for the profiles to be validated) and the services that start after activation, and
// list the files loaded. With --eager activation also waits for everything it defers (the
// services, the profile validation, every command handler module) and loads the Jira and
// Cloud clients with undici and the PostgreSQL driver, as the comparison. With --floor it only imports an
// empty ES module the same way: Node's own cost of starting the ES module loader, the part of
// activation no bundle size can remove.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { installStandIn, fakeContext, missing } = require('../test/support/vscodeStandIn.cjs');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const eager = process.argv.includes('--eager');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-bench-act-'));
process.env.JIRA2FA_AUDIT_FILE = path.join(tmp, 'audit.jsonl');
// Every other state file (audit head, Cloud list, backups, TOTP ledger) in the same temporary folder.
process.env.XDG_STATE_HOME = tmp;

// Three realistic instances in the user settings, one with a database section.
const settings = [
  { id: 'prod', name: 'Jira production', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'production' },
  { id: 'stage', name: 'Jira staging', product: 'jira', baseUrl: 'https://jira-stage.example.com/jira', environment: 'staging', database: { driver: 'postgres', host: 'db', database: 'jira', user: 'jira', readOnly: true } },
  { id: 'wiki', name: 'Confluence', product: 'confluence', baseUrl: 'https://wiki.example.com', environment: 'test' },
];
installStandIn(settings);
const before = new Set(Object.keys(require.cache));

const chunks = path.join(dist, 'esm', 'chunks');
/** Node's network modules loaded so far (none may be at activation). */
const builtinsLoaded = () => (process.moduleLoadList || []).filter((m) => /^NativeModule (undici|internal\/deps\/undici|tls|http|https|net)$/.test(m));
const chunk = (re) => fs.readdirSync(chunks).filter((f) => re.test(f)).map((f) => require('node:url').pathToFileURL(path.join(chunks, f)).href);

if (process.argv.includes('--floor')) {
  const empty = path.join(tmp, 'empty.mjs');
  fs.writeFileSync(empty, 'export function activate() { return {}; }\n');
  const t = performance.now();
  import(require('node:url').pathToFileURL(empty).href).then((m) => {
    m.activate();
    const floorMs = performance.now() - t;
    fs.rmSync(tmp, { recursive: true, force: true });
    process.stdout.write(`BENCH_RESULT ${JSON.stringify({ floorMs })}\n`);
  });
  return;
}

(async () => {
const t0 = performance.now();
const ext = require(path.join(dist, 'extension.js'));
await import(require('node:url').pathToFileURL(path.join(dist, 'esm', 'extension.mjs')).href);
const t1 = performance.now();
const context = fakeContext(root);
const apiOut = await ext.activate(context);
if (eager) {
  const deferred = chunk(/^(client|postgres|instances|credentials|dbConfigImport|sql|unenroll|view|command|commands)-[A-Z0-9]+\.mjs$/);
  await Promise.all([...deferred.map((u) => import(u)), apiOut.services(), apiOut.profiles.ready()]);
}
const t2 = performance.now();
const builtinsAtActivation = builtinsLoaded();
// The tree's first rows: what the admin sees first (VS Code calls the root getChildren once the view shows).
const rows = await apiOut.tree.getChildren();
const t3 = performance.now();
await apiOut.services();
const t4 = performance.now();

// CommonJS modules in require.cache (the ES module files activation reads: bench/run.mjs, from the metafile).
const loaded = Object.keys(require.cache).filter((k) => !before.has(k)).map((k) => path.relative(root, k));
// Database drivers and the HTTP client (undici) must not be among them.
const forbidden = loaded.filter((k) => /(^|[\\/])(drivers|lazy)[\\/]|node_modules[\\/](pg|pg-[a-z]+|mysql2|mssql|tedious|oracledb|@electric-sql|undici)[\\/]/.test(k));
const builtins = builtinsAtActivation;

// Built before process.stdout is touched: a piped stdout loads node:net.
const result = JSON.stringify({
  requireMs: t1 - t0,
  activateMs: t2 - t1,
  totalMs: t2 - t0,
  firstRowsMs: t3 - t0,
  rows: rows.length,
  servicesMs: t4 - t0,
  builtinsAfterStart: builtinsLoaded(),
  subscriptions: context.subscriptions.length,
  instances: apiOut.profiles.snapshot().profiles.length,
  loaded,
  forbidden,
  builtins,
  missing: [...missing],
});
process.stdout.write(`BENCH_RESULT ${result}\n`);
fs.rmSync(tmp, { recursive: true, force: true });
})();

