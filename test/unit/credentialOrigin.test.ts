/**
 * Credentials are bound to the origin they were stored for (finding 2 of issue #13): every
 * path that reads a secret to send it refuses when the profile now points elsewhere, unless
 * the store's confirmNewOrigin accepts the new origin. On main these paths read the secret
 * with a plain get() and send it to whatever host the (imported, edited) profile names.
 */
import assert from 'node:assert/strict';
import { parseUserList } from '../../src/core/bulk/userList';
import { newReport } from '../../src/core/bulk/report';
import { runRestBulk } from '../../src/core/bulk/rest';
import { createCloudClient } from '../../src/core/cloud/client';
import {
  checkCredentialOrigin,
  credentialOrigin,
  CredentialOriginChangedError,
  databaseOrigin,
  readSecretFor,
  storeSecretFor,
  webOrigin,
  withOriginConfirmation,
} from '../../src/core/credentialOrigin';
import type { Driver } from '../../src/core/db/types';
import { loadCredentials } from '../../src/core/jira/credentials';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import type { OriginChange } from '../../src/core/secrets';
import { ReplayGuard } from '../../src/core/totp';
import { unenrollUser } from '../../src/core/unenroll';
import { EnvSecretStore } from '../../src/cli/secrets';
import { DatabaseSessions } from '../../src/extension/snippets/databaseSessions';
import { FakeAuditSink, MemorySecretStore } from '../support/fakes';

const SEED = 'JBSWY3DPEHPK3PXP';

function jira(baseUrl = 'https://jira.example.com'): InstanceProfile {
  return {
    id: 'prod', name: 'Prod', product: 'jira', baseUrl, environment: 'staging', auth: { type: 'pat' }, tsvApiVersion: '1.0', tls: { allowSelfSigned: false },
    database: { driver: 'postgres', host: 'db.example.com', database: 'jira', user: 'jira', readOnly: true },
  };
}
const moved = (p: InstanceProfile): InstanceProfile => ({ ...p, baseUrl: 'https://evil.example.net', tls: { allowSelfSigned: true } });

async function storedFor(profile: InstanceProfile): Promise<MemorySecretStore> {
  const s = new MemorySecretStore();
  for (const [kind, value] of [['token', 'tok-123'], ['password', 'pw-123'], ['totpSeed', SEED], ['dbPassword', 'dbpw-123'], ['orgApiKey', 'key-123']] as const) {
    await storeSecretFor(s, profile, kind, value);
  }
  return s;
}

describe('credential origin: which host a stored secret may go to', () => {
  it('canonical origins: scheme, lower-case host and explicit port; database driver, host, port, name', () => {
    assert.equal(webOrigin('https://JIRA.example.com/jira'), 'https://jira.example.com:443');
    assert.equal(webOrigin('http://jira.example.com:8080'), 'http://jira.example.com:8080');
    assert.equal(webOrigin('https://jira.example.com:443/'), 'https://jira.example.com:443');
    assert.notEqual(webOrigin('https://jira.example.com'), webOrigin('http://jira.example.com'));
    assert.equal(databaseOrigin({ driver: 'postgres', host: 'DB.example.com', database: 'jira' }), 'postgres://db.example.com:5432/jira');
    assert.equal(databaseOrigin({ driver: 'mysql', host: 'db', port: 3307, database: 'a/b' }), 'mysql://db:3307/a%2Fb');
    const p = jira();
    assert.equal(credentialOrigin(p, 'token'), 'https://jira.example.com:443');
    assert.equal(credentialOrigin(p, 'totpSeed'), 'https://jira.example.com:443', 'the seed makes codes for the Jira host');
    assert.equal(credentialOrigin(p, 'dbPassword'), 'postgres://db.example.com:5432/jira');
    assert.equal(credentialOrigin({ ...p, database: undefined }, 'dbPassword'), undefined);
    // A changed context path is the same server: the credential may still go there.
    assert.equal(credentialOrigin({ ...p, baseUrl: 'https://jira.example.com/other' }, 'token'), credentialOrigin(p, 'token'));
  });

  it('checkCredentialOrigin: same origin ok; none recorded binds to the current one; another origin is a change; environment secrets are not bound', () => {
    const p = jira();
    assert.deepEqual(checkCredentialOrigin(p, 'token', { origin: 'https://jira.example.com:443' }), { ok: true });
    assert.deepEqual(checkCredentialOrigin(p, 'token', {}), { ok: true, bind: 'https://jira.example.com:443' });
    assert.deepEqual(checkCredentialOrigin(p, 'token', { fromEnvironment: true }), { ok: true });
    const r = checkCredentialOrigin(moved(p), 'token', { origin: 'https://jira.example.com:443' });
    assert.deepEqual(r, { ok: false, change: { instanceId: 'prod', instanceName: 'Prod', kind: 'token', storedOrigin: 'https://jira.example.com:443', currentOrigin: 'https://evil.example.net:443' } });
    const db = checkCredentialOrigin({ ...p, database: { ...p.database!, port: 6543 } }, 'dbPassword', { origin: 'postgres://db.example.com:5432/jira' });
    assert.equal(db.ok, false);
  });

  it('readSecretFor: a moved profile gets a typed refusal naming both hosts and the fix; the secret is not returned', async () => {
    const s = await storedFor(jira());
    await assert.rejects(readSecretFor(s, moved(jira()), 'token'), (e: unknown) => {
      assert.ok(e instanceof CredentialOriginChangedError);
      assert.equal(e.kind, 'refused');
      assert.match(e.message, /stored for https:\/\/jira\.example\.com:443.*now points at https:\/\/evil\.example\.net:443.*not sent/);
      assert.match(e.hint ?? '', /jira2fa login --instance prod/);
      assert.match(e.hint ?? '', /--accept-new-host/);
      assert.ok(!e.message.includes('tok-123') && !(e.hint ?? '').includes('tok-123'));
      return true;
    });
    assert.equal(s.origins.get('prod:token'), 'https://jira.example.com:443', 'a refusal records nothing');
  });

  it('readSecretFor: confirmNewOrigin is asked with old and new; yes rebinds, no refuses', async () => {
    const s = await storedFor(jira());
    const asked: OriginChange[] = [];
    const no = withOriginConfirmation(s, async (c) => (asked.push(c), false));
    await assert.rejects(readSecretFor(no, moved(jira()), 'dbPassword').then(() => readSecretFor(no, moved(jira()), 'token')), CredentialOriginChangedError);
    assert.deepEqual(asked.map((c) => [c.kind, c.storedOrigin, c.currentOrigin]), [['token', 'https://jira.example.com:443', 'https://evil.example.net:443']]);
    const yes = withOriginConfirmation(s, async () => true);
    assert.equal(await readSecretFor(yes, moved(jira()), 'token'), 'tok-123');
    assert.equal(s.origins.get('prod:token'), 'https://evil.example.net:443');
    // and now the OLD host is the stranger
    await assert.rejects(readSecretFor(s, jira(), 'token'), CredentialOriginChangedError);
  });

  it('a secret stored before origins were recorded is bound to the profile on first use, then guarded', async () => {
    const s = new MemorySecretStore();
    await s.set('prod', 'token', 'legacy');
    assert.equal(await readSecretFor(s, jira(), 'token'), 'legacy');
    assert.equal(s.origins.get('prod:token'), 'https://jira.example.com:443');
    await assert.rejects(readSecretFor(s, moved(jira()), 'token'), CredentialOriginChangedError);
  });

  it('storing a secret again (set without an origin) drops a stale origin record', async () => {
    const s = await storedFor(jira());
    await s.set('prod', 'token', 'again');
    assert.equal(s.origins.has('prod:token'), false);
  });

  it('environment variables (CLI) are given for the run and not bound', async () => {
    const env = new EnvSecretStore({ JIRA2FA_TOKEN: 'env-tok' });
    assert.equal(await readSecretFor(env, moved(jira()), 'token'), 'env-tok');
  });

  describe('every path that sends a secret refuses a moved profile', () => {
    it('Jira personal access token and password (loadCredentials)', async () => {
      const s = await storedFor(jira());
      await assert.rejects(loadCredentials(moved(jira()), s), CredentialOriginChangedError);
      await assert.rejects(loadCredentials({ ...moved(jira()), auth: { type: 'basic', username: 'admin' } }, s), CredentialOriginChangedError);
      assert.deepEqual(await loadCredentials(jira(), s), { type: 'pat', token: 'tok-123' });
    });

    it('Cloud organization API key (createCloudClient)', async () => {
      const cloud = { ...jira('https://api.atlassian.com'), product: 'cloud' as const, orgId: 'org-1', database: undefined };
      const s = await storedFor(cloud);
      await assert.rejects(createCloudClient({ ...cloud, baseUrl: 'https://api.evil.example.net' }, s), CredentialOriginChangedError);
      await createCloudClient(cloud, s);
    });

    it('TOTP seed of an unenroll: refused by a guard before any request, one audit entry', async () => {
      const s = await storedFor(jira());
      const audit = new FakeAuditSink();
      let calls = 0;
      const client = { myself: async () => (calls++, { name: 'admin' }), unenroll: async () => (calls++, { kind: 'unenrolled' }) } as never;
      const r = await unenrollUser({ profile: moved(jira()), client, audit, secrets: s, replayGuard: new ReplayGuard('prod'), username: 'jdoe', useStoredSeed: true });
      assert.equal(r.ok, false);
      assert.equal(r.outcome.kind, 'refusedByGuard');
      assert.match(r.outcome.summary, /now points at https:\/\/evil\.example\.net:443/);
      assert.equal(calls, 0, 'nothing was sent');
      assert.equal(audit.entries.length, 1);
      assert.equal(audit.entries[0].outcome, 'refused');
    });

    it('TOTP seed of a bulk run over REST', async () => {
      const s = await storedFor(jira());
      const p = moved(jira());
      const report = newReport(p, parseUserList('jdoe\n', 'lines'), 'rest', 'admin');
      let calls = 0;
      const client = { myself: async () => (calls++, { name: 'admin' }), unenroll: async () => (calls++, { kind: 'unenrolled' }) } as never;
      await assert.rejects(runRestBulk({ profile: p, client, audit: new FakeAuditSink(), secrets: s, guard: new ReplayGuard('prod'), report }), CredentialOriginChangedError);
      assert.equal(calls, 0);
    });

    it('database password (the extension\'s DatabaseSessions): no connection is opened', async () => {
      const s = await storedFor(jira());
      const opened: Array<string | undefined> = [];
      const connect = async (_db: unknown, password: string | undefined): Promise<Driver> => {
        opened.push(password);
        return { close: async () => undefined } as unknown as Driver;
      };
      const p = jira();
      const other = { ...p, database: { ...p.database!, host: 'db.evil.example.net' } };
      const sessions = new DatabaseSessions(s, { connect });
      await assert.rejects(sessions.use(other, async () => 'ran'), CredentialOriginChangedError);
      assert.deepEqual(opened, []);
      assert.equal(await sessions.use(p, async () => 'ran'), 'ran');
      assert.deepEqual(opened, ['dbpw-123']);
      await sessions.close(p.id);
    });
  });
});
