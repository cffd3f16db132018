/**
 * The Cloud API key's owner (issue 15, audit identity): the admin API does not say whose key it
 * is, so the admin names the owner in the profile (cloud.apiKeyOwner), the form and the profiles
 * file carry it, and Cloud audit entries record it as entered, not verified.
 */
import assert from 'node:assert/strict';
import { cloudIdentity } from '../../src/core/cloud/identity';
import { osUser } from '../../src/core/osUser';
import { exportProfiles, readProfilesFile } from '../../src/core/profiles/exchange';
import { checkProfile, type InstanceProfile } from '../../src/core/profiles/schema';
import { fromProfile, toProfileInput } from '../../src/webview/instanceForm/formModel';

const raw = { id: 'acme', name: 'Acme', product: 'cloud', baseUrl: 'https://api.atlassian.com', environment: 'production', orgId: 'o-1', cloud: { recoveryPolicyId: 'pol-1', apiKeyOwner: 'ops-bot@acme.example' } };

describe('Cloud API key owner', () => {
  it('is a profile field: checked, kept by the form and by export/import', () => {
    const c = checkProfile(raw);
    assert.ok(c.ok, JSON.stringify(c));
    const profile = c.profile as InstanceProfile;
    assert.equal(profile.cloud?.apiKeyOwner, 'ops-bot@acme.example');
    const form = fromProfile(profile);
    assert.equal(form.apiKeyOwner, 'ops-bot@acme.example');
    assert.deepEqual((toProfileInput(form).cloud as Record<string, unknown>).apiKeyOwner, 'ops-bot@acme.example');
    assert.equal((toProfileInput({ ...form, apiKeyOwner: '  ' }).cloud as Record<string, unknown>).apiKeyOwner, undefined);
    const back = readProfilesFile(exportProfiles([profile]));
    assert.equal(back.profiles[0].cloud?.apiKeyOwner, 'ops-bot@acme.example');
  });

  it('refuses control and direction characters (it is shown in audit entries)', () => {
    for (const bad of ['a\nb', 'ops\u202ebot']) {
      const c = checkProfile({ ...raw, cloud: { apiKeyOwner: bad } });
      assert.ok(!c.ok && c.errors.some((e) => e.field === 'cloud.apiKeyOwner'), bad);
    }
  });

  it('is the identity of Cloud entries, marked "(entered, not verified)"; an explicit admin wins; else the OS user', () => {
    assert.equal(cloudIdentity({ cloud: { apiKeyOwner: 'ops-bot@acme.example' } }), 'ops-bot@acme.example (entered, not verified)');
    assert.equal(cloudIdentity({ cloud: { apiKeyOwner: 'ops-bot@acme.example' } }, 'ada'), 'ada');
    assert.equal(cloudIdentity({}), osUser());
    assert.equal(cloudIdentity({ cloud: {} }), osUser());
  });
});
