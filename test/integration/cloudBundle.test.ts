// The shipped Cloud bundle (dist/lazy/cloud.js, loaded by the extension on first use) must
// work on its own: find and diagnose a user against the simulator through it. Run
// `npm run build` first when running this file alone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cloudProfile, CloudSimulator, ORG_KEY, USERS } from '../support/cloudSimulator';
import { MemorySecretStore } from '../support/fakes';

const bundle = path.resolve(__dirname, '../../dist/lazy/cloud.js');

describe('built Cloud bundle (dist/lazy/cloud.js)', () => {
  it('loads on its own and diagnoses a never-enrolled user against the simulator', async function () {
    assert.ok(existsSync(bundle), 'dist/lazy/cloud.js is missing: run `npm run build` first');
    const api = createRequire(__filename)(bundle) as typeof import('../../src/core/cloud/index');
    const sim = await CloudSimulator.start();
    const secrets = new MemorySecretStore();
    const profile = cloudProfile(sim.baseUrl);
    await secrets.set(profile.id, 'orgApiKey', ORG_KEY);
    const client = await api.createCloudClient(profile, secrets, { env: {} });
    try {
      const r = await api.findAndDiagnose(client, USERS.neverEnrolled.email);
      assert.ok(r.ok, r.ok ? '' : r.outcome.summary);
      assert.equal(r.value.users[0].diagnosis.code, 'never-enrolled');
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});
