// The one lazy-loading design (docs/architecture.md), checked on esbuild's metafile of the real
// build configuration: no source file is bundled twice, and what activation loads holds no
// network client, driver, panel or bulk flow.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { bundledTwice, staticClosure } from '../support/bundleGraph';

const root = path.resolve(__dirname, '../..');

async function metafileOf(which: 'nodeBuild' | 'webviewBuild'): Promise<esbuild.Metafile> {
  const config = (await import(pathToFileURL(path.join(root, 'esbuild.config.mjs')).href)) as Record<string, esbuild.BuildOptions>;
  const r = await esbuild.build({ ...config[which], write: false, sourcemap: false, minify: true, logLevel: 'silent' });
  return r.metafile as esbuild.Metafile;
}

describe('bundles (esbuild metafile)', function () {
  this.timeout(60_000);
  let node: esbuild.Metafile;
  let web: esbuild.Metafile;
  before(async () => {
    [node, web] = await Promise.all([metafileOf('nodeBuild'), metafileOf('webviewBuild')]);
  });

  it('the check finds a module bundled twice (two builds without splitting)', async () => {
    const r = await esbuild.build({
      absWorkingDir: root, entryPoints: ['src/core/errors.ts', 'src/core/printable.ts', 'test/support/bundleGraph.ts'], bundle: true, format: 'esm', platform: 'node',
      write: false, outdir: '/tmp/j2fa-twice', metafile: true, logLevel: 'silent', stdin: undefined,
      plugins: [{ name: 'import-errors-twice', setup: (b) => b.onLoad({ filter: /bundleGraph\.ts$/ }, () => ({ contents: "export * from '../../src/core/errors';", loader: 'ts', resolveDir: path.join(root, 'test/support') })) }],
    });
    assert.deepEqual(bundledTwice(r.metafile).map((d) => d.input), ['src/core/errors.ts']);
  });

  it('no source file of the extension and the CLI is in two outputs', () => {
    assert.deepEqual(bundledTwice(node), []);
  });

  it('no source file of the webview panels is in two outputs: @vscode-elements is shared', () => {
    assert.deepEqual(bundledTwice(web), []);
    const elements = Object.keys(web.inputs).filter((i) => i.includes('@vscode-elements'));
    assert.ok(elements.length > 0, 'the panels use @vscode-elements');
  });

  it('activation loads no HTTP client, driver, panel, bulk flow, restore, zod, service or command handler', () => {
    const loaded = staticClosure(node, 'dist/esm/extension.mjs');
    const inputs = loaded.flatMap((o) => Object.keys(node.outputs[o].inputs));
    const heavy = /node_modules\/(undici|otplib|@otplib|pg|pg-[a-z]+|mysql2|mssql|tedious|oracledb|@electric-sql)\/|src\/core\/db\/dialects\/|src\/extension\/(bulk\/flow|bulk\/vscodeUi|cloud\/panel|unenroll\/unenrollPanel|snippets\/snippetRunPanel|panels\/instanceFormPanel|audit\/auditPanel)\.ts|src\/core\/(jira\/client|cloud\/client|backup\/restore|bulk\/rest)\.ts/;
    assert.deepEqual(inputs.filter((i) => heavy.test(i)), []);
    // Nor what starts after activate() returns: zod (profile validation), the services, the
    // audit log, database sessions, snippets, and the command handler modules.
    const deferred = /node_modules\/zod\/|src\/extension\/(services|commands\/\w+|bulk\/command|cloud\/(commands|cloudTree)|audit\/(commands|recentActions|teamAudit)|snippets\/\w+|walkthroughContext)\.ts|src\/core\/(audit\/(log|read|head|entry|evidence)|db\/connect|snippets\/\w+|profiles\/(schema|exchange)|tlsPolicy|db\/tlsProbe)\.ts/;
    assert.deepEqual(inputs.filter((i) => deferred.test(i)), []);
    // The entry must still reach those through import(): one chunk each, loaded on first use.
    const dynamic = loaded.flatMap((o) => node.outputs[o].imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
    assert.ok(dynamic.length >= 10, `dynamic imports from activation: ${dynamic.length}`);
  });
});
