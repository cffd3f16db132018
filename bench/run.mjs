// `npm run bench`: builds the production bundles, runs each benchmark in its own process,
// and writes bench/results.json (raw runs, git-ignored) and bench/results.md (the table,
// committed). Every figure is measured next to its comparison in the same run; times are
// medians of several runs. Options (environment): BENCH_ROUNDS (default 5), BENCH_ONLY
// (comma list of parts: activation,rest,bulk,lookup,auditShip,view,vsix), and the per-part sizes documented
// at the top of each script.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MARK, median, round } from './lib/stats.mjs';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const want = (part) => !only || only.has(part);
const started = Date.now();

function runScript(cmd, args, label) {
  const t = Date.now();
  process.stderr.write(`bench: ${label}…`);
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, env: process.env });
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (r.status !== 0 || !line) {
    process.stderr.write(' FAILED\n');
    throw new Error(`${label} failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
  process.stderr.write(` ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  return JSON.parse(line.slice(MARK.length));
}

/**
 * What activation reads: dist/extension.js (the starter) and dist/esm/extension.mjs with every
 * chunk it imports statically (from the metafile of the production build configuration), and
 * those bytes per package or source folder.
 */
async function activationFiles() {
  const esbuild = await import('esbuild');
  const { nodeBuild } = await import('../esbuild.config.mjs');
  const r = await esbuild.build({ ...nodeBuild, minify: true, sourcemap: false, write: false, logLevel: 'silent' });
  const meta = r.metafile;
  const files = new Set();
  const visit = (o) => {
    if (files.has(o) || !meta.outputs[o]) return;
    files.add(o);
    for (const i of meta.outputs[o].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit('dist/esm/extension.mjs');
  const by = {};
  let bytes = fs.statSync(path.join(root, 'dist/extension.js')).size;
  for (const o of files) {
    bytes += meta.outputs[o].bytes;
    for (const [file, v] of Object.entries(meta.outputs[o].inputs)) {
      const key = file.replace(/^node_modules\/((@[^/]+\/)?[^/]+).*/, '$1').replace(/^src\/([^/]+\/[^/.]+).*/, 'src/$1');
      by[key] = (by[key] ?? 0) + v.bytesInOutput;
    }
  }
  // The HTTP clients as first use loads them: the client chunks and what they import that activation did not load.
  const firstUse = new Set();
  const visitFirstUse = (o) => {
    if (firstUse.has(o) || files.has(o) || !meta.outputs[o]) return;
    firstUse.add(o);
    for (const i of meta.outputs[o].imports) if (i.kind === 'import-statement' && !i.external) visitFirstUse(i.path);
  };
  for (const o of Object.keys(meta.outputs)) if (/\/chunks\/client-[A-Z0-9]+\.mjs$/.test(o)) visitFirstUse(o);
  const httpKB = [...firstUse].reduce((n, o) => n + meta.outputs[o].bytes, 0) / 1024;
  return { files: ['dist/extension.js', ...files], kb: bytes / 1024, httpKB, parts: Object.entries(by).sort((a, b) => b[1] - a[1]) };
}

const kb = (file) => fs.statSync(path.join(root, file)).size / 1024;

execFileSync(process.execPath, ['esbuild.config.mjs', '--production'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

const results = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGB: round(os.totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${os.release()}`, loadAverageAtStart: os.loadavg().map((x) => round(x, 1)) },
};
const rows = []; // [figure, ours, comparison, ratio, target, verdict]
const notes = [];
const ms = (n) => `${round(n, n < 10 ? 2 : 1)} ms`;
const ratio = (a, b) => `${round(a / b, a / b < 10 ? 2 : 0)}×`;
const verdict = (ok) => (ok ? 'met' : '**missed**');

if (want('activation')) {
  const ACT_RUNS = Number(process.env.BENCH_ACTIVATION_RUNS ?? 9);
  const lazy = [];
  const eager = [];
  const floor = [];
  runScript(process.execPath, ['bench/activation.cjs'], 'activation warm-up');
  for (let i = 0; i < ACT_RUNS; i++) {
    lazy.push(runScript(process.execPath, ['bench/activation.cjs'], `activation ${i + 1}/${ACT_RUNS}`));
    eager.push(runScript(process.execPath, ['bench/activation.cjs', '--eager'], `activation, eager comparison ${i + 1}/${ACT_RUNS}`));
    floor.push(runScript(process.execPath, ['bench/activation.cjs', '--floor'], `activation floor (an empty ES module) ${i + 1}/${ACT_RUNS}`));
  }
  const total = median(lazy.map((r) => r.totalMs));
  const eagerTotal = median(eager.map((r) => r.totalMs));
  const firstRows = median(lazy.map((r) => r.firstRowsMs));
  const eagerFirstRows = median(eager.map((r) => r.firstRowsMs));
  const started = median(lazy.map((r) => r.servicesMs));
  const floorMs = median(floor.map((r) => r.floorMs));
  const chunks = fs.readdirSync(path.join(root, 'dist/esm/chunks')).filter((f) => f.endsWith('.mjs'));
  const chunkKB = (re) => chunks.filter((f) => re.test(f)).reduce((n, f) => n + kb(`dist/esm/chunks/${f}`), 0);
  const act = await activationFiles();
  const sizes = {
    activation: act.kb,
    'HTTP clients (Jira + Cloud, with undici)': act.httpKB,
    'postgres driver chunk': chunkKB(/^postgres-/),
    'dist/esm/cli.mjs': kb('dist/esm/cli.mjs'),
    ...Object.fromEntries(fs.readdirSync(path.join(root, 'dist/webview')).filter((f) => f.endsWith('.js')).map((f) => [`dist/webview/${f}`, kb(`dist/webview/${f}`)])),
  };
  const forbidden = [...new Set(lazy.flatMap((r) => r.forbidden))];
  const builtins = [...new Set(lazy.flatMap((r) => r.builtins))];
  results.activation = { runs: ACT_RUNS, totalMs: total, firstRowsMs: firstRows, eagerFirstRowsMs: eagerFirstRows, servicesMs: started, floorMs, requireMs: median(lazy.map((r) => r.requireMs)), activateMs: median(lazy.map((r) => r.activateMs)), eagerTotalMs: eagerTotal, loaded: lazy[0].loaded, forbidden, builtins, standInGaps: [...new Set(lazy.flatMap((r) => r.missing))], sizesKB: sizes, raw: { lazy, eager } };
  rows.push(['Activation: load dist/extension.js (+ the ES module build it starts) + activate()', `${ms(total)} (best ${ms(Math.min(...lazy.map((r) => r.totalMs)))})`, `${ms(eagerTotal)} if activation also waited for what it defers (services, profile validation, every command handler) and loaded the Jira and Cloud clients and the PostgreSQL driver`, ratio(total, eagerTotal), '≤ 20 ms', verdict(total <= 20)]);
  rows.push(['Tree\'s first rows ready: activation + the root getChildren (waits for the profile validation chunk)', ms(firstRows), `${ms(eagerFirstRows)} eager`, ratio(firstRows, eagerFirstRows), '—', '—']);
  rows.push(['Services started after activation (audit log, sessions, tree rows under instances, walkthrough, reminders)', ms(started), `${ms(eagerTotal)} eager (inside activation there)`, ratio(started, eagerTotal), '—', '—']);
  rows.push([`Code activation reads (${act.files.length} files: the starter, dist/esm/extension.mjs and its static chunks)`, `${round(act.kb, 1)} KB`, `${round(sizes['HTTP clients (Jira + Cloud, with undici)'], 1)} KB HTTP clients + ${round(sizes['postgres driver chunk'], 1)} KB pg driver, loaded on first use`, '—', '≤ 80 KB', verdict(act.kb <= 80)]);
  rows.push(['CommonJS modules loaded by activation (require.cache)', results.activation.loaded.join(', '), 'no driver, no undici; no net/http/tls module', '—', 'none forbidden', verdict(forbidden.length === 0 && builtins.length === 0)]);
  const parts = act.parts;
  const firstUse = 'The command handlers, the services, the profile validation, the panels, the Jira and Cloud clients, the drivers, the bulk flow and the restore are chunks loaded by import() after activation or on first use (docs/architecture.md).';
  notes.push(`Read at activation (${round(act.kb, 1)} KB): ${parts.slice(0, 10).map(([k, v]) => `${k} ${round(v / 1024, 1)} KB`).join(', ')}.`);
  const split = `of the median, ${round(results.activation.requireMs, 1)} ms is Node loading the starter and the ES module graph of ${act.files.length} files (${round(act.kb, 0)} KB: reading, compiling, linking, evaluating) and ${round(results.activation.activateMs, 1)} ms is activate() itself; importing an empty ES module the same way (Node starting its ES module loader) takes ${round(floorMs, 1)} ms in the same run, the part no bundle size removes`;
  notes.push(`Deferred, not hidden: activate() registers the commands from the table and the view, and returns. The tree's first rows wait for the profile validation (the zod schema, its own chunk): ${ms(firstRows)} from the start, against ${ms(eagerFirstRows)} when everything loads at activation. The services (audit log, database and Cloud sessions, the rows under each instance, the walkthrough keys, the team audit status) start once the profiles are read, ${ms(started)} from the start; a command's handler module loads on its first call.`);
  if (total <= 20) notes.push(`Activation: ${split}. ${firstUse}`);
  if (act.kb > 80) {
    notes.push(`Code read at activation misses ≤ 80 KB (${round(act.kb, 1)} KB). Largest parts: ${parts.slice(0, 8).map(([k, v]) => `${k} ${round(v / 1024, 1)} KB`).join(', ')}.`);
  }
  results.activation.bundleParts = parts;
  if (total > 20) {
    notes.push(`Activation misses ≤ 20 ms in this run's median (${round(total, 1)} ms; best of ${ACT_RUNS} fresh processes ${round(Math.min(...lazy.map((r) => r.totalMs)), 1)} ms): ${split}. Both scale with CPU contention (see the load average above); the eager comparison shows what lazy loading saves in the same conditions. ${firstUse}`);
  }
  if (results.activation.standInGaps.length) notes.push(`The vscode stand-in lacked: ${results.activation.standInGaps.join(', ')} (activation touched them).`);
}

if (want('rest')) {
  const r = runScript(tsx, ['bench/rest.ts'], 'REST overhead');
  results.rest = r;
  for (const c of [1, 10]) {
    const x = r[`c${c}`];
    const extra = (x.oursMs - x.bareMs) / r.calls;
    rows.push([`REST: ${r.calls} user lookups, ${c} in flight (per call)`, ms(x.oursMs / r.calls), `${ms(x.bareMs / r.calls)} bare undici (extra ${round(extra, 3)} ms/call)`, ratio(x.oursMs, x.bareMs), '≤ 1 ms/call extra', verdict(extra <= 1)]);
  }
  const curl = r.curl.totalMs / r.curl.calls;
  rows.push([`REST: per call vs one curl process per call (${r.curl.calls} curl runs)`, ms(r.c1.oursMs / r.calls), `${ms(curl)} curl`, ratio(r.c1.oursMs / r.calls, curl), '—', '—']);
}

if (want('bulk')) {
  const r = runScript(tsx, ['bench/sqlBulk.ts'], 'bulk SQL on PostgreSQL');
  results.bulk = r;
  const d = r.oursDisableMs / r.psqlDisableMs;
  const s = r.oursRestoreMs / r.psqlRestoreMs;
  const ph = r.oursDisablePhasesMs;
  rows.push([`Bulk SQL: disable ${r.users} users with backup (bulk --via db --commit: preview + run)`, ms(r.oursDisableMs), `${ms(r.psqlDisableMs)} psql DELETE … IN (…)`, ratio(r.oursDisableMs, r.psqlDisableMs), '≤ 2×', verdict(d <= 2)]);
  rows.push([`Bulk SQL: restore those ${r.users} rows from the run's backup`, ms(r.oursRestoreMs), `${ms(r.psqlRestoreMs)} psql INSERT … VALUES`, ratio(r.oursRestoreMs, r.psqlRestoreMs), '≤ 2×', verdict(s <= 2)]);
  if (r.perRowDisableMs !== null) rows.push([`Context: disable ${r.users} without the bulk feature, one snippet run per user`, ms(r.perRowDisableMs), `${ms(r.psqlDisableMs)} psql`, ratio(r.perRowDisableMs, r.psqlDisableMs), '—', '—']);
  const per = (x) => round(x / r.users, 2);
  notes.push(
    `Bulk disable ${d > 2 ? `misses ≤ 2× (${round(d, 1)}×)` : `meets ≤ 2× (${round(d, 2)}×)`}. Where the ${ms(r.oursDisableMs)} go (medians): preview lookups ${ms(ph.lookup)} (one SELECT … IN (…) of up to 1000 bound names per batch in one read-only transaction, plus the preview's audit entry), ` +
      `locks and backup ${ms(ph.backup)} (per batch: the names' user keys looked up again and one SELECT … FOR UPDATE, each row matched to its user; then one fsynced backup file of all rows), DELETEs ${ms(ph.change)} (one DELETE per batch, checked to remove one row per user; then the commit), ` +
      `audit ${ms(ph.audit)} (${per(ph.audit)} ms per user: one hash-chained entry per listed user, all appended under one lock with one write and one fsync, while the backup file is marked committed), connect and close ${ms(ph.connect + ph.close)}. ` +
      'psql sends one DELETE and writes neither backup nor audit. The statements are now a few per batch of users; what remains is per-user work in our process (the audit entries: redaction checks, canonical JSON and one SHA-256 each for the chain; mapping rows to users) and the extra round trips (the lookup at preview, the lookup again and the locking SELECT inside the transaction, the backup file).',
  );
  if (s > 2) notes.push(`Restore misses ≤ 2× (${round(s, 1)}×).`);
  else notes.push(`Restore: keys checked ${r.users} per SELECT … IN (…) and rows put back ${r.users} per INSERT … VALUES (bound parameters, cut to each dialect's limits: SQL Server 2098 parameters and 1000 rows per VALUES, Oracle 1000 IN-list items and one INSERT per row), in one transaction that names a conflicting row and restores nothing; the time includes connecting, the audit entry and noting the restore in the backup file.`);
}

if (want('lookup')) {
  const r = runScript(tsx, ['bench/lookup.ts'], 'recovery-code lookups');
  results.lookup = r;
  const per = (t, n) => t / n;
  rows.push([`Recovery-code lookup ×${r.lookups} (per lookup), audited`, ms(per(r.oursMs, r.lookups)), `${ms(per(r.pgMs, r.lookups))} raw pg, one connection`, ratio(r.oursMs, r.pgMs), '—', '—']);
  rows.push([`Recovery-code lookup ×${r.lookups} (per lookup), audit in memory`, ms(per(r.oursMemoryAuditMs, r.lookups)), `${ms(per(r.pgMs, r.lookups))} raw pg`, ratio(r.oursMemoryAuditMs, r.pgMs), '—', '—']);
  rows.push([`Recovery-code lookup vs one psql process per lookup (${r.psqlLookups} runs)`, ms(per(r.oursMs, r.lookups)), `${ms(per(r.psqlMs, r.psqlLookups))} psql`, ratio(per(r.oursMs, r.lookups), per(r.psqlMs, r.psqlLookups)), '—', '—']);
  notes.push(`Lookups: of our ${round(per(r.oursMs, r.lookups), 2)} ms per lookup, about ${round(per(r.oursMs - r.oursMemoryAuditMs, r.lookups), 2)} ms is the audit entry (lock file, hash chain, fsync) that every read of a recovery code writes; the rest is the read-only transaction (BEGIN READ ONLY … ROLLBACK), the table-spelling lookup and parameter checks, against a single bound SELECT for raw pg.`);
}

if (want('auditShip')) {
  const r = runScript(tsx, ['bench/auditShip.ts'], 'audit shipping to the team store on PostgreSQL');
  results.auditShip = r;
  rows.push([`Team audit store: ship a backlog of ${r.entries} entries (PostgreSQL)`, ms(r.oursMs), `${ms(r.bareMs)} bare multi-row INSERT of the same rows`, ratio(r.oursMs, r.bareMs), '≤ 2000 ms', verdict(r.oursMs <= 2000)]);
  notes.push('Team audit store: ours reads the local log from the recorded position, numbers and chains each writer\'s records, connects, inserts with ON CONFLICT DO NOTHING, reads every row back to refuse a fork, commits and writes the position file (fsync); the bare figure is only the INSERTs and COMMIT on an open connection.');
}

if (want('view')) {
  const r = runScript(process.execPath, ['bench/resultsView.mjs'], 'results view in Chromium');
  results.view = r;
  rows.push([`Results view: ${r.rows} rows to first frame (headless Chromium)`, ms(r.oursMs), `${ms(r.plainMs)} plain <table> of the same rows`, ratio(r.oursMs, r.plainMs), '≤ 500 ms', verdict(r.oursMs <= 500)]);
  rows.push([`Results view: JS heap / DOM nodes after ${r.rows} rows`, `${round(r.oursHeapMB, 1)} MB / ${r.oursNodes} nodes`, `${round(r.plainHeapMB, 1)} MB / ${r.plainNodes} nodes (plain table)`, '—', '—', '—']);
  notes.push(`Results view: the virtualised grid keeps ${r.rows} rows as JS arrays (hence the larger JS heap) but only ${r.oursRenderedRows} rows in the DOM; the plain table keeps its text in ${r.plainNodes} DOM nodes, which the JS-heap figure does not count.`);
}

if (want('vsix')) {
  // The package as shipped, next to the previous one recorded in bench/vsix-previous.json.
  const { packageVsix } = await import('../scripts/package.mjs');
  const out = path.join(os.tmpdir(), `j2fa-bench-${process.pid}.vsix`);
  const r = await packageVsix({ root, out, build: false, log: () => undefined });
  fs.rmSync(out, { force: true });
  results.vsix = { sizeBytes: r.sizeBytes, entries: r.entries.length, largest: r.largest, previous: r.previous };
  const mb = (b) => `${round(b / 2 ** 20, 2)} MB`;
  rows.push([`VSIX packed (${r.entries.length} entries)`, mb(r.sizeBytes), r.previous ? `${mb(r.previous.sizeBytes)} (${r.previous.entries} entries): ${r.previous.what}` : 'no previous record', r.previous ? ratio(r.sizeBytes, r.previous.sizeBytes) : '—', '≤ 3 MB', verdict(r.sizeBytes <= 3 * 2 ** 20)]);
  notes.push(`VSIX: largest entries (packed / unpacked KB): ${r.largest.map((e) => `${e.name} ${round(e.compressedSize / 1024, 0)}/${round(e.size / 1024, 0)}`).join(', ')}.${r.previous ? ` Previous package's largest: ${r.previous.largest.slice(0, 4).map((e) => `${e.name} ${round(e.compressedSize / 1024, 0)}/${round(e.size / 1024, 0)}`).join(', ')}.` : ''} No PGlite (tests and sandbox only) and no README screenshots (no repository URL for vsce to point the marketplace at; they show on the repository).`);
}

results.totalSeconds = (Date.now() - started) / 1000;
const header = '| Figure | Ours | Comparison (same run) | Ratio | Target | |\n|---|---|---|---|---|---|\n';
const table = header + rows.map((r) => `| ${r.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`).join('\n');
const m = results.machine;
const md = `# Benchmarks

\`npm run bench\` on ${results.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, ${m.platform};
PostgreSQL on 127.0.0.1, headless Debian Chromium. Times are medians of ${process.env.BENCH_ROUNDS ?? 5} runs
(activation: ${results.activation?.runs ?? '-'} fresh processes); the whole bench took ${Math.round(results.totalSeconds)} s.
The machine is shared with other jobs (load average ${m.loadAverageAtStart.join(' / ')} at the start on ${m.cores} cores),
so small figures move between runs; every ratio compares two figures taken in the same minutes.

${table}

${notes.map((n) => `- ${n}`).join('\n')}

How each figure is measured: bench/activation.cjs, bench/rest.ts, bench/sqlBulk.ts, bench/lookup.ts,
bench/auditShip.ts, bench/resultsView.mjs (each says so at its top). Raw runs: bench/results.json (not committed).
Run it with \`npm run bench\` (needs PostgreSQL on 127.0.0.1:5432, psql, curl and /usr/bin/chromium);
BENCH_ROUNDS=n changes the number of runs, BENCH_ONLY=activation,rest,bulk,lookup,auditShip,view,vsix picks parts.
`;
fs.writeFileSync(path.join(root, 'bench/results.json'), JSON.stringify(results, null, 2));
fs.writeFileSync(path.join(root, 'bench/results.md'), md);
console.log(`\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\nbench: ${Math.round(results.totalSeconds)} s; wrote bench/results.md and bench/results.json`);
