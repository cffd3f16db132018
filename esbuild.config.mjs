// Builds every bundle: the extension (Node, `vscode` external), the CLI, one browser bundle
// per webview panel, and one file per database driver so that activation loads none of them.
//   node esbuild.config.mjs               development build (sourcemaps)
//   node esbuild.config.mjs --production  minified, no sourcemaps (what the VSIX ships)
//   node esbuild.config.mjs --watch
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.JIRA2FA_BUNDLED': '"1"' },
};

// ESM entry points first so esbuild can tree-shake libraries that ship both builds.
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'] };

// Modules that must stay outside a bundle: `vscode` is provided by the editor; keytar is a
// native, optional module the CLI loads only when present; drivers are separate files.
const nodeExternals = ['vscode', 'keytar'];

/** Webview panels: each folder under src/webview (except shared) with a main.ts. */
function webviewEntries() {
  const dir = path.join(root, 'src/webview');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'main.ts')))
    .map((d) => ({ in: path.join(dir, d.name, 'main.ts'), out: d.name }));
}

// ---- driver section (database drivers, one bundle each, loaded on first use) ----
/** Files under src/core/db/dialects/*.ts become dist/drivers/<name>.js. */
function driverEntries() {
  const dir = path.join(root, 'src/core/db/dialects');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => ({ in: path.join(dir, f), out: f.replace(/\.ts$/, '') }));
}
// ---- end driver section ----

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: nodeExternals },
  { ...node, entryPoints: { cli: 'src/cli/index.ts' }, outdir: 'dist', external: nodeExternals, banner: { js: '#!/usr/bin/env node' } },
  {
    ...common,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    entryPoints: webviewEntries(),
    outdir: 'dist/webview',
  },
];
// Loaded on first use by src/extension/lazy.ts: the HTTP client stays out of activation.
// They sit one folder down, so they find dist/drivers and media/ one level up (src/core/bundlePaths.ts).
const lazy = { ...node, outdir: 'dist/lazy', external: nodeExternals, define: { ...common.define, 'process.env.JIRA2FA_BUNDLE_DEPTH': '"1"' } };
builds.push({ ...lazy, entryPoints: { jira: 'src/core/jira/api.ts' } });
builds.push({ ...lazy, entryPoints: { cloud: 'src/core/cloud/index.ts' } });
builds.push({ ...lazy, entryPoints: { bulk: 'src/extension/bulk/lazyEntry.ts' } });
builds.push({ ...lazy, entryPoints: { cloudPanel: 'src/extension/cloud/panel.ts' } });
builds.push({ ...lazy, entryPoints: { teamAudit: 'src/extension/audit/teamLazy.ts' } });
const drivers = driverEntries();
if (drivers.length) builds.push({ ...node, entryPoints: drivers, outdir: 'dist/drivers', external: ['vscode'] });

/**
 * PGlite loads its WebAssembly and data files from beside the running script, so the ones the
 * package ships (*.wasm, *.data; not the optional extension tarballs) go next to
 * dist/drivers/pglite.js.
 */
function copyPgliteAssets() {
  const from = path.join(root, 'node_modules/@electric-sql/pglite/dist');
  const to = path.join(root, 'dist/drivers');
  if (!fs.existsSync(path.join(to, 'pglite.js'))) return;
  for (const f of fs.readdirSync(from)) {
    if (/\.(wasm|data)$/.test(f)) fs.copyFileSync(path.join(from, f), path.join(to, f));
  }
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (fs.existsSync(path.join(root, 'dist/cli.js'))) fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
  copyPgliteAssets();
  console.log(`esbuild: ${production ? 'production' : 'development'} build in ${Date.now() - started} ms`);
}
