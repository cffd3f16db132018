// Builds every bundle. One lazy-loading mechanism (docs/architecture.md): the extension and
// the CLI are ONE esbuild build of ES modules with code splitting, so every `await import()`
// in the source becomes a chunk loaded on first use, and a module used by several chunks sits
// in exactly one shared chunk (test/unit/bundle.metafile.test.ts proves it from the metafile).
//   dist/extension.js, dist/cli.js   small CommonJS starters (VS Code and `node` load these)
//   dist/esm/*.mjs                   the ES module build: entries, chunks/
//   dist/webview/*.js                the panels, also split: @vscode-elements sits in shared chunks
//   PGlite (tests, sandbox) is in the development build only: --production puts
//   src/core/db/pgliteNotPackaged.ts in its place, so the VSIX carries none of its 15 MB.
//   node esbuild.config.mjs               development build (sourcemaps, PGlite driver)
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
  absWorkingDir: root,
};

/**
 * `vscode` exists only for require() inside the extension host, not for an ES module import:
 * dist/extension.js requires it and hands it over under a process-wide symbol.
 */
const vscodeFromStarter = {
  name: 'vscode-from-starter',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, () => ({ path: 'vscode', namespace: 'vscode-starter' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-starter' }, () => ({
      contents: "module.exports = globalThis[Symbol.for('jira2fa.vscode')];",
      loader: 'js',
    }));
  },
};

// Bundled CommonJS libraries call require() for Node built-ins; ES modules have no require,
// __filename or __dirname, so every output file gets them from import.meta.url.
const esmBanner = [
  "import { createRequire as __j2faRequire } from 'node:module';",
  "import { fileURLToPath as __j2faPath } from 'node:url';",
  'const require = __j2faRequire(import.meta.url);',
  'const __filename = __j2faPath(import.meta.url);',
  "const __dirname = __j2faPath(new URL('.', import.meta.url));",
].join(' ');

/** --production: the PGlite dialect is replaced by a driver that says it is not packaged. */
const pgliteOnlyInDevelopment = {
  name: 'pglite-only-in-development',
  setup(build) {
    if (!production) return;
    build.onResolve({ filter: /[\\/]dialects[\\/]pglite(\.js)?$/ }, () => ({ path: path.join(root, 'src/core/db/pgliteNotPackaged.ts') }));
  },
};

/** The extension and the CLI: one ES module build, split into chunks. */
export const nodeBuild = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  // ESM entry points of libraries that ship both builds, so esbuild can tree-shake them.
  mainFields: ['module', 'main'],
  entryPoints: {
    extension: 'src/extension/extension.ts',
    cli: 'src/cli/index.ts',
  },
  outdir: 'dist/esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // keytar: a native, optional module the CLI loads only when present.
  external: ['keytar'],
  plugins: [vscodeFromStarter, pgliteOnlyInDevelopment],
  banner: { js: esmBanner },
  metafile: true,
};

/** Webview panels: each folder under src/webview (except shared) with a main.ts. */
function webviewEntries() {
  const dir = path.join(root, 'src/webview');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'main.ts')))
    .map((d) => ({ in: path.join(dir, d.name, 'main.ts'), out: d.name }));
}

/** Panels load as <script type="module" nonce>; their imports inherit the nonce (strict CSP stays). */
export const webviewBuild = {
  ...common,
  platform: 'browser',
  target: 'chrome120',
  format: 'esm',
  splitting: true,
  entryPoints: webviewEntries(),
  outdir: 'dist/webview',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
};

/** The CommonJS starters: VS Code loads extensions with require(), and the bin is a plain script. */
const STARTERS = {
  'extension.js': `"use strict";
// Starts the ES module build in dist/esm (docs/architecture.md). VS Code provides \`vscode\`
// only to require(), so it is handed over here.
globalThis[Symbol.for('jira2fa.vscode')] = require('vscode');
let loaded;
const main = () => (loaded ??= import('./esm/extension.mjs'));
exports.activate = (context) => main().then((m) => m.activate(context));
exports.deactivate = () => (loaded ? loaded.then((m) => m.deactivate()) : undefined);
`,
  'cli.js': `#!/usr/bin/env node
"use strict";
// The jira2fa executable: starts the ES module build in dist/esm.
import('./esm/cli.mjs').then((m) => m.run());
`,
};

function writeStarters() {
  for (const [name, text] of Object.entries(STARTERS)) fs.writeFileSync(path.join(root, 'dist', name), text);
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}

/** PGlite (development build only) loads its WebAssembly and data files from beside its chunk. */
function copyPgliteAssets() {
  if (production) return;
  const to = path.join(root, 'dist/esm/chunks');
  const from = path.join(root, 'node_modules/@electric-sql/pglite/dist');
  for (const f of fs.readdirSync(from)) {
    if (/\.(wasm|data)$/.test(f)) fs.copyFileSync(path.join(from, f), path.join(to, f));
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.join(root, 'esbuild.config.mjs');
if (isMain) {
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  writeStarters();
  if (watch) {
    for (const b of [nodeBuild, webviewBuild]) await (await esbuild.context(b)).watch();
    console.log('esbuild: watching');
  } else {
    const started = Date.now();
    await Promise.all([nodeBuild, webviewBuild].map((b) => esbuild.build(b)));
    copyPgliteAssets();
    console.log(`esbuild: ${production ? 'production' : 'development'} build in ${Date.now() - started} ms`);
  }
}
