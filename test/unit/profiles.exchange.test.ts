import assert from 'node:assert/strict';
import { applyImport, exportProfiles, importPreviewLines, previewImport, profileChanges, ProfilesFileError, readProfilesFile } from '../../src/core/profiles/exchange';
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

  it('a replaced entry lists its changes field by field: a new host first, then TLS, then the rest, each ⚠-marked (finding 2)', () => {
    // The reproduction of issue #13 finding 2: same id, a new baseUrl, allowSelfSigned, a new name.
    const prod = profile('prod', { name: 'Prod', database: { driver: 'postgres', host: 'db.example.com', database: 'jira' } });
    const evil = { ...prod, name: 'Prod (new)', baseUrl: 'https://jira.evil.example.net', tls: { allowSelfSigned: true }, database: { ...prod.database!, host: 'db.evil.example.net' } };
    const preview = previewImport(JSON.stringify({ version: 1, instances: [evil] }), [prod]);
    assert.deepEqual(preview.replaced.map((p) => p.id), ['prod']);
    assert.deepEqual(preview.changes[0].map((c) => [c.field, c.risk]), [
      ['baseUrl', 'destination'], ['database.host', 'destination'], ['tls.allowSelfSigned', 'tls'], ['name', 'other'],
    ]);
    assert.deepEqual(preview.changes[0][0], { id: 'prod', field: 'baseUrl', before: 'https://prod.example.com', after: 'https://jira.evil.example.net', risk: 'destination' });
    const { lines, moved, tlsChanged } = importPreviewLines(preview);
    assert.deepEqual(moved, ['prod']);
    assert.equal(tlsChanged, true);
    assert.match(lines[0], /^⚠ NEW HOST for prod: stored credentials are not sent there until you confirm/);
    assert.equal(lines[1], '⚠ prod: baseUrl https://prod.example.com → https://jira.evil.example.net (new destination: stored credentials are not sent there until you confirm the new host)');
    assert.match(lines[2], /^⚠ prod: database\.host db\.example\.com → db\.evil\.example\.net/);
    assert.equal(lines[3], '⚠ prod: tls.allowSelfSigned false → true (certificate trust)');
    assert.equal(lines[4], 'Replaced (1): prod');
    assert.equal(lines[5], '  prod: name Prod → Prod (new)');
  });

  it('field changes: nested, added and removed fields; key order alone is no change', () => {
    const a = profile('a', { proxy: 'http://proxy.example.com:3128' });
    const b = profile('a', { database: { driver: 'mysql', host: 'db', database: 'jira', ssl: { allowSelfSigned: true } } });
    assert.deepEqual(profileChanges(a, b).map((c) => [c.field, c.before, c.after, c.risk]), [
      ['proxy', 'http://proxy.example.com:3128', '(none)', 'destination'],
      ['database.driver', '(none)', 'mysql', 'destination'],
      ['database.host', '(none)', 'db', 'destination'],
      ['database.database', '(none)', 'jira', 'destination'],
      ['database.ssl.allowSelfSigned', '(none)', 'true', 'tls'],
      ['database.readOnly', '(none)', 'true', 'other'],
    ]);
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse()))) as typeof a;
    assert.deepEqual(profileChanges(a, reordered), []);
    assert.deepEqual(previewImport(JSON.stringify({ version: 1, instances: [reordered] }), [a]).unchanged.map((p) => p.id), ['a']);
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
