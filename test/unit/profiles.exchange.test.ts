import assert from 'node:assert/strict';
import { applyImport, exportProfiles, previewImport, ProfilesFileError, readProfilesFile } from '../../src/core/profiles/exchange';
import { checkProfile, type InstanceProfile } from '../../src/core/profiles/schema';

function profile(id: string, extra: Record<string, unknown> = {}): InstanceProfile {
  const r = checkProfile({ id, name: `Name ${id}`, product: 'jira', baseUrl: `https://${id}.example.com`, environment: 'test', ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
}

describe('profiles export / import', () => {
  const planted = ['tok-9f1c2a7e55', 'pw-b81d4c0e33', 'JBSWY3DPEHPK3PXPQ7Z'];

  it('round-trips the designated Cloud policies and refuses an unknown key in the cloud block', () => {
    const cloud = profile('c', { product: 'cloud', baseUrl: 'https://api.atlassian.com', orgId: 'org-1', cloud: { recoveryPolicyId: 'pol-rescue', defaultPolicyId: 'pol-staff' } });
    assert.deepEqual(readProfilesFile(exportProfiles([cloud])).profiles, [cloud]);
    const bad = checkProfile({ id: 'c', name: 'C', product: 'cloud', baseUrl: 'https://api.atlassian.com', environment: 'test', orgId: 'org-1', cloud: { recoveryPolicyId: 'p', apiKey: 'x' } });
    assert.ok(!bad.ok);
  });

  it('round-trips profiles and the file holds no secret', () => {
    const profiles = [profile('a', { auth: { type: 'basic', username: 'admin' }, database: { driver: 'postgres', host: 'db', database: 'jira' } }), profile('b')];
    const text = exportProfiles(profiles);
    for (const secret of planted) assert.ok(!text.includes(secret));
    assert.doesNotMatch(text, /"(token|password|secret|seed|dbPassword)"/i);
    const back = readProfilesFile(text);
    assert.deepEqual(back.profiles, profiles);
    assert.deepEqual(back.invalid, []);
    assert.equal(JSON.parse(text).version, 1);
  });

  it('refuses to import secrets smuggled into an entry', () => {
    const text = JSON.stringify({ version: 1, instances: [{ ...profile('a'), token: planted[0] }] });
    const preview = previewImport(text, []);
    assert.equal(preview.added.length, 0);
    assert.equal(preview.invalid.length, 1);
    assert.match(preview.invalid[0].errors[0].message, /secrets are never stored/);
    assert.ok(!JSON.stringify(preview.invalid).includes(planted[0]), 'the error must not echo the secret');
  });

  it('previews added, replaced, unchanged and invalid entries', () => {
    const existing = [profile('a'), profile('b')];
    const incoming = [profile('a'), { ...profile('b'), name: 'Renamed' }, profile('c'), { id: 'bad', baseUrl: 'javascript:1' }, profile('c')];
    const preview = previewImport(JSON.stringify({ version: 1, instances: incoming }), existing);
    assert.deepEqual(preview.unchanged.map((p) => p.id), ['a']);
    assert.deepEqual(preview.replaced.map((p) => p.id), ['b']);
    assert.deepEqual(preview.added.map((p) => p.id), ['c']);
    assert.deepEqual(preview.invalid.map((i) => i.label), ['bad', 'c']);
    assert.match(preview.invalid[1].errors[0].message, /duplicate id/);
    const merged = applyImport(existing, preview);
    assert.deepEqual(merged.map((p) => [p.id, p.name]), [['a', 'Name a'], ['b', 'Renamed'], ['c', 'Name c']]);
  });

  const badFiles: Array<[string, string, RegExp]> = [
    ['not JSON', '{nope', /not valid JSON/],
    ['an array', '[]', /must be an object/],
    ['a future version', '{"version":2,"instances":[]}', /Unsupported profiles file version 2/],
    ['no instances', '{"version":1}', /no "instances" array/],
    ['too large', ' '.repeat(5_000_001), /larger than 5 MB/],
  ];
  for (const [label, text, expected] of badFiles) {
    it(`rejects a file that is ${label}`, () => {
      assert.throws(() => readProfilesFile(text), (e: unknown) => e instanceof ProfilesFileError && expected.test(e.message));
    });
  }

  it('labels hostile entries without echoing control characters', () => {
    const preview = previewImport(JSON.stringify({ version: 1, instances: [{ id: 'x\u0007\u001b[31m', name: 'n' }] }), []);
    assert.equal(preview.invalid[0].label, 'n');
  });
});
