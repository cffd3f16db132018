import assert from 'node:assert/strict';
import { checkProfile, profileWarnings } from '../../src/core/profiles/schema';

const base = { id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com/jira', environment: 'production' };

function errorsOf(raw: unknown): string[] {
  const r = checkProfile(raw);
  assert.equal(r.ok, false, `expected ${JSON.stringify(raw).slice(0, 200)} to be rejected`);
  return r.ok ? [] : r.errors.map((e) => `${e.field}: ${e.message}`);
}

describe('instance profile schema', () => {
  it('accepts a minimal Data Center profile and fills defaults', () => {
    const r = checkProfile(base);
    assert.ok(r.ok);
    assert.deepEqual(r.profile.auth, { type: 'pat' });
    assert.equal(r.profile.tsvApiVersion, '1.0');
    assert.deepEqual(r.profile.tls, { allowSelfSigned: false });
    assert.deepEqual(r.warnings, []);
  });

  it('accepts basic auth, a database and a CA file', () => {
    const r = checkProfile({ ...base, auth: { type: 'basic', username: 'admin' }, tls: { caFile: '/etc/ssl/corp.pem' },
      database: { driver: 'postgres', host: 'db', port: 5432, database: 'jira', user: 'jira' } });
    assert.ok(r.ok);
    assert.equal(r.profile.database?.readOnly, true, 'database connections are read-only unless said otherwise');
  });

  it('warns about http and self-signed but accepts them', () => {
    const r = checkProfile({ ...base, baseUrl: 'http://jira.local', tls: { allowSelfSigned: true } });
    assert.ok(r.ok);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0], /unencrypted/);
    assert.deepEqual(profileWarnings(r.profile), r.warnings);
  });

  const hostile: Array<[string, unknown, RegExp]> = [
    ['credentials in the URL', { ...base, baseUrl: 'https://admin:hunter2@jira.example.com' }, /must not contain a user name or password/],
    ['javascript: scheme', { ...base, baseUrl: 'javascript:alert(1)' }, /must start with https/],
    ['file: scheme', { ...base, baseUrl: 'file:///etc/passwd' }, /must start with https/],
    ['data: scheme', { ...base, baseUrl: 'data:text/html,<script>' }, /must start with https/],
    ['query string', { ...base, baseUrl: 'https://jira.example.com/?next=evil' }, /query/],
    ['not a URL', { ...base, baseUrl: 'jira.example.com' }, /not a valid URL/],
    ['space in URL', { ...base, baseUrl: 'https://jira example.com' }, /spaces/],
    ['newline in name', { ...base, name: 'Prod\nJira' }, /control characters/],
    ['NUL in name', { ...base, name: 'Prod\u0000' }, /control characters/],
    ['bidi override in name', { ...base, name: 'gnp.\u202Eexe' }, /control characters/],
    ['10 kB name', { ...base, name: 'x'.repeat(10_000) }, /longer than 100/],
    ['10 kB URL', { ...base, baseUrl: 'https://a.example.com/' + 'x'.repeat(10_000) }, /longer than 2048/],
    ['empty name', { ...base, name: '   ' }, /name is required/],
    ['upper-case id', { ...base, id: 'Prod' }, /id must be/],
    ['path in id', { ...base, id: '../etc' }, /id must be/],
    ['unknown product', { ...base, product: 'jira-cloud' }, /product must be one of/],
    ['unknown environment', { ...base, environment: 'prod' }, /environment must be one of/],
    ['token in profile', { ...base, token: 'abc' }, /secrets are never stored in profiles/],
    ['password in auth', { ...base, auth: { type: 'basic', username: 'a', password: 'p' } }, /secrets are never stored/],
    ['unknown auth type', { ...base, auth: { type: 'oauth' } }, /auth.type must be/],
    ['cloud without orgId', { ...base, product: 'cloud', baseUrl: 'https://api.atlassian.com' }, /orgId is required/],
    ['relative CA path', { ...base, tls: { caFile: 'ca.pem' } }, /absolute path/],
    ['database without host', { ...base, database: { driver: 'mysql', database: 'jira' } }, /database.host is required/],
    ['database port out of range', { ...base, database: { driver: 'postgres', host: 'h', port: 70000, database: 'j' } }, /1-65535/],
    ['bad tsv version', { ...base, tsvApiVersion: '../../admin' }, /tsvApiVersion/],
    ['number instead of object', 42, /expected object|Invalid input/i],
  ];
  for (const [label, raw, expected] of hostile) {
    it(`rejects ${label} with a specific message`, () => {
      const errors = errorsOf(raw);
      assert.ok(errors.some((e) => expected.test(e)), `got: ${errors.join(' | ')}`);
    });
  }

  it('points each error at its field', () => {
    const r = checkProfile({ ...base, database: { driver: 'postgres', host: 'h', port: 0, database: 'j' } });
    assert.ok(!r.ok);
    assert.equal(r.errors[0].field, 'database.port');
  });
});
