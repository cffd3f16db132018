// The shipped bundles, not the sources: each lazily loaded file must load on its own and find
// what it needs beside it (PGlite's WebAssembly), and the CLI must start. `npm test` builds
// before this suite runs; run `npm run build` first when running it alone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { NativeDriverModule } from '../../src/core/db/types';

const dist = path.resolve(__dirname, '../../dist');
const load = createRequire(__filename);

describe('built bundles (dist/)', function () {
  before(function () {
    assert.ok(existsSync(path.join(dist, 'extension.js')), 'dist/ is missing: run `npm run build` first');
  });

  it('the PGlite driver bundle finds its WebAssembly files and answers a query', async function () {
    this.timeout(60_000);
    const prev = process.env.JIRA2FA_BUNDLED;
    process.env.JIRA2FA_BUNDLED = '1'; // what esbuild defines inside the bundle; the asset check reads it
    try {
      const mod = load(path.join(dist, 'drivers/pglite.js')) as NativeDriverModule;
      const conn = await mod.driver.connect({ database: 'memory://', tls: false, connectTimeoutMs: 10_000, applicationName: 'test' });
      try {
        const r = await conn.execute('SELECT 40 + $1::int AS n', [{ value: 2 }], { maxRows: 10 });
        assert.equal(Number(r.rows[0][0]), 42);
        assert.match(conn.serverVersion, /PostgreSQL/);
      } finally {
        await conn.close();
      }
    } finally {
      if (prev === undefined) delete process.env.JIRA2FA_BUNDLED;
      else process.env.JIRA2FA_BUNDLED = prev;
    }
  });

  for (const name of ['postgres', 'mysql', 'mssql', 'oracle']) {
    it(`the ${name} driver bundle loads on its own`, function () {
      const mod = load(path.join(dist, `drivers/${name}.js`)) as NativeDriverModule;
      assert.equal(mod.driver.name, name);
    });
  }

  it('the CLI bundle starts and prints its version', function () {
    const out = execFileSync(process.execPath, [path.join(dist, 'cli.js'), '--version'], { encoding: 'utf8' });
    assert.match(out.trim(), /^\d+\.\d+\.\d+$/);
  });
});
