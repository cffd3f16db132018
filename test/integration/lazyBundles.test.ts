// The shipped lazy bundles. The Cloud bundle (dist/lazy/cloud.js, loaded by the extension on first use) must
// work on its own: find and diagnose a user against the simulator through it. Run
// `npm run build` first when running this file alone.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cloudProfile, CloudSimulator, ORG_KEY, POLICY_OPTIONAL, USERS } from '../support/cloudSimulator';
import { MemorySecretStore } from '../support/fakes';
import { testProfile } from '../support/jiraTestKit';
import { AppError, describeError } from '../../src/core/errors';

const bundle = path.resolve(__dirname, '../../dist/lazy/cloud.js');

describe('built Cloud bundle (dist/lazy/cloud.js)', () => {
  it('loads on its own and diagnoses a user in the designated recovery policy against the simulator', async function () {
    assert.ok(existsSync(bundle), 'dist/lazy/cloud.js is missing: run `npm run build` first');
    const api = createRequire(__filename)(bundle) as typeof import('../../src/core/cloud/index');
    const sim = await CloudSimulator.start();
    const secrets = new MemorySecretStore();
    const profile = cloudProfile(sim.baseUrl, { cloud: { recoveryPolicyId: POLICY_OPTIONAL } });
    await secrets.set(profile.id, 'orgApiKey', ORG_KEY);
    const client = await api.createCloudClient(profile, secrets, { env: {} });
    try {
      const r = await api.findAndDiagnose(client, USERS.optionalEnrolled.email);
      assert.ok(r.ok, r.ok ? '' : r.outcome.summary);
      assert.equal(r.value.users[0].diagnosis.code, 'reset-in-hub');
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});

describe('built lazy bundles and the main bundle', () => {
  const dist = path.resolve(__dirname, '../../dist');

  it('an AppError raised inside dist/lazy/jira.js keeps its kind and hint where source code catches it', async () => {
    const api = createRequire(__filename)(path.join(dist, 'lazy/jira.js')) as typeof import('../../src/core/jira/api');
    const profile = testProfile('https://jira.example.com');
    const e = await api.createJiraClient(profile, new MemorySecretStore()).then(
      () => assert.fail('a client without a stored token'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof AppError, 'the bundle\'s AppError is an AppError here');
    assert.equal(e.kind, 'input');
    assert.match(describeError(e), /No .* is stored for .*Set Credentials/);
  });

  it('the bulk flow lives in dist/lazy/bulk.js, not in the bundle activation reads', () => {
    const marker = 'Cancelled: the transaction was rolled back, nothing was changed.';
    assert.ok(readFileSync(path.join(dist, 'lazy/bulk.js'), 'utf8').includes(marker));
    assert.ok(!readFileSync(path.join(dist, 'extension.js'), 'utf8').includes(marker));
  });

  it('the "Recover a Cloud user" panel lives in dist/lazy/cloudPanel.js, not in the bundle activation reads', () => {
    const marker = 'The temporary policy must differ from the current one.';
    assert.ok(readFileSync(path.join(dist, 'lazy/cloudPanel.js'), 'utf8').includes(marker));
    assert.ok(!readFileSync(path.join(dist, 'extension.js'), 'utf8').includes(marker));
  });
});
