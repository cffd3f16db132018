// The shipped bundles, not the sources: the CommonJS starters load the ES module build, the
// development build's PGlite chunk finds its WebAssembly files, the Cloud client chunk works on
// its own, and the CLI starts. `npm test` builds (development) before this suite runs; run
// `npm run build` first when running it alone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NativeDriverModule } from '../../src/core/db/types';
import { cloudProfile, CloudSimulator, ORG_KEY, POLICY_OPTIONAL, USERS } from '../support/cloudSimulator';
import { MemorySecretStore } from '../support/fakes';

const dist = path.resolve(__dirname, '../../dist');

/** A chunk that esbuild made for an `import()` of src/…/<name>.ts (named <name>-<hash>.mjs). */
async function importChunk<T>(name: string): Promise<T> {
  const dir = path.join(dist, 'esm/chunks');
  const files = readdirSync(dir).filter((f) => new RegExp(`^${name}-[A-Z0-9]+\\.mjs$`).test(f));
  assert.equal(files.length, 1, `one chunk named ${name}: ${files.join(', ')}`);
  return (await import(pathToFileURL(path.join(dir, files[0])).href)) as T;
}

describe('built bundles (dist/)', function () {
  before(function () {
    assert.ok(existsSync(path.join(dist, 'esm/extension.mjs')), 'dist/ is missing: run `npm run build` first');
  });

  it('the PGlite chunk (development build) finds its WebAssembly files and answers a query', async function () {
    this.timeout(60_000);
    const mod = await importChunk<NativeDriverModule>('pglite');
    const conn = await mod.driver.connect({ database: 'memory://', tls: false, connectTimeoutMs: 10_000, applicationName: 'test' });
    try {
      const r = await conn.execute('SELECT 40 + $1::int AS n', [{ value: 2 }], { maxRows: 10 });
      assert.equal(Number(r.rows[0][0]), 42);
      assert.match(conn.serverVersion, /PostgreSQL/);
    } finally {
      await conn.close();
    }
  });

  for (const name of ['postgres', 'mysql', 'mssql', 'oracle']) {
    it(`the ${name} driver chunk loads on its own`, async function () {
      const mod = await importChunk<NativeDriverModule>(name);
      assert.equal(mod.driver.name, name);
    });
  }

  it('the Cloud client chunk diagnoses a user in the designated recovery policy against the simulator', async function () {
    this.timeout(30_000);
    const dir = path.join(dist, 'esm/chunks');
    // Two chunks are called client-*: the Jira one and the Cloud one; the Cloud one exports createCloudClient.
    const clients = await Promise.all(readdirSync(dir).filter((f) => /^client-[A-Z0-9]+\.mjs$/.test(f)).map((f) => import(pathToFileURL(path.join(dir, f)).href)));
    const cloud = clients.find((m) => typeof m.createCloudClient === 'function') as typeof import('../../src/core/cloud/client');
    const { findAndDiagnose } = await importChunk<typeof import('../../src/core/cloud/diagnose')>('diagnose');
    const sim = await CloudSimulator.start();
    const secrets = new MemorySecretStore();
    const profile = cloudProfile(sim.baseUrl, { cloud: { recoveryPolicyId: POLICY_OPTIONAL } });
    await secrets.set(profile.id, 'orgApiKey', ORG_KEY);
    const client = await cloud.createCloudClient(profile, secrets, { env: {} });
    try {
      const r = await findAndDiagnose(client, USERS.optionalEnrolled.email);
      assert.ok(r.ok, r.ok ? '' : r.outcome.summary);
      assert.equal(r.value.users[0].diagnosis.code, 'reset-in-hub');
    } finally {
      await client.close();
      await sim.stop();
    }
  });

  it('bench/activation.cjs activates the built extension in the vscode stand-in: first rows, services, nothing forbidden', function () {
    // The bench (npm run bench) on this build, once, so a gap in the stand-in or a changed API breaks a test, not the next bench run.
    this.timeout(60_000);
    for (const mode of [[], ['--eager']]) {
      const out = execFileSync(process.execPath, [path.resolve(__dirname, '../../bench/activation.cjs'), ...mode], { encoding: 'utf8' });
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      assert.ok(line, `no BENCH_RESULT line in: ${out}`);
      const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>;
      assert.deepEqual(r.missing, [], 'the stand-in lacks what activation touched');
      assert.equal(r.rows, 3, 'the tree\'s first rows: the three instances of the bench settings');
      assert.equal(r.instances, 3);
      for (const k of ['totalMs', 'firstRowsMs', 'servicesMs']) assert.ok(typeof r[k] === 'number' && r[k] > 0, k);
      if (mode.length === 0) {
        assert.deepEqual(r.forbidden, [], 'no driver or HTTP client at activation');
        assert.deepEqual(r.builtins, [], 'no node:net, node:tls or node:http at activation');
      }
    }
  });

  it('the CLI starter starts the ES module build and prints its version', function () {
    const out = execFileSync(process.execPath, [path.join(dist, 'cli.js'), '--version'], { encoding: 'utf8' });
    assert.match(out.trim(), /^\d+\.\d+\.\d+$/);
  });
});
