import assert from 'node:assert/strict';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { ReplayGuard } from '../../src/core/totp';
import { testConnection } from '../../src/core/jira/testConnection';
import { unenrollUser, type UnenrollRequest } from '../../src/core/unenroll';
import { FakeAuditSink, FakeClock, MemorySecretStore } from '../support/fakes';
import { ADMIN2_TOKEN, ADMIN_PASSWORD, ADMIN_SEED, ADMIN_TOKEN, EXPIRED_TOKEN, HELPDESK_TOKEN, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { adminCode, DispatcherCache, T0, testClient, testProfile } from '../support/jiraTestKit';

describe('unenroll service', () => {
  let sim: JiraSimulator;
  let clock: FakeClock;
  let audit: FakeAuditSink;
  let secrets: MemorySecretStore;
  let guard: ReplayGuard;
  let profile: InstanceProfile;
  /** Every code handed to the client, to prove none reaches the audit log. */
  let codesSeen: string[];
  const dispatchers = new DispatcherCache();

  beforeEach(async () => {
    clock = new FakeClock(T0);
    sim = await JiraSimulator.start({ now: () => clock.now(), store: new InMemorySimulatorStore(standardFixtures([{ username: 'jsmith', seed: USER_SEED }])) });
    audit = new FakeAuditSink();
    secrets = new MemorySecretStore();
    await secrets.set('sim', 'totpSeed', ADMIN_SEED);
    guard = new ReplayGuard('sim', clock);
    profile = testProfile(sim.baseUrl);
    codesSeen = [];
  });

  afterEach(async function () {
    // No audit entry of any test may hold a credential, the seed or a code that was sent.
    const text = JSON.stringify(audit.entries);
    for (const secret of [ADMIN_TOKEN, HELPDESK_TOKEN, ADMIN2_TOKEN, EXPIRED_TOKEN, ADMIN_PASSWORD, ADMIN_SEED, ...codesSeen, ...sentCodes()]) {
      assert.ok(!text.includes(secret), `audit entries of "${this.currentTest?.title}" contain a secret or code`);
    }
    await dispatchers.closeAll();
    await sim.stop();
  });

  function sentCodes(): string[] {
    return sim.requestsOf('DELETE').map((r) => (JSON.parse(r.body) as { totpCode: string }).totpCode);
  }

  function run(overrides: Partial<UnenrollRequest> & { token?: string } = {}) {
    const { token = ADMIN_TOKEN, ...rest } = overrides;
    const p = rest.profile ?? profile;
    const client = testClient(p as InstanceProfile, dispatchers, p.auth.type === 'basic' ? { credentials: { type: 'basic', username: p.auth.username, password: ADMIN_PASSWORD } } : { credentials: { type: 'pat', token } });
    if (rest.code) codesSeen.push(rest.code);
    return unenrollUser({ profile: p, client, audit, secrets, replayGuard: guard, username: 'jdoe', ...rest });
  }

  it('unenrolls with a typed code and writes one audit entry without the code', async () => {
    const code = adminCode(clock.now());
    const r = await run({ code });
    assert.equal(r.ok, true);
    assert.equal(r.outcome.kind, 'unenrolled');
    assert.equal(audit.entries.length, 1);
    const e = audit.entries[0];
    assert.deepEqual(
      { admin: e.admin, action: e.action, target: e.target, outcome: e.outcome, status: e.status, instance: e.instance.id },
      { admin: 'admin', action: 'unenroll', target: 'jdoe', outcome: 'ok', status: 204, instance: 'sim' },
    );
    assert.equal(e.details?.codeSource, 'typed');
    assert.equal(e.details?.selfCheck, 'myself');
    assert.equal(r.auditEntry, e);
    assert.equal(await sim.store.enrollmentSeed('jdoe'), undefined, 'the enrollment is gone');
  });

  it('unenrolls with the stored seed', async () => {
    const r = await run({ useStoredSeed: true });
    assert.equal(r.outcome.kind, 'unenrolled');
    assert.deepEqual(sentCodes(), [adminCode(T0)]);
    assert.equal(audit.entries[0].details?.codeSource, 'storedSeed');
  });

  describe('user names as pasted, and users that are not there', () => {
    it('a padded name is trimmed: sent, shown and audited as the same string, with a note', async () => {
      const r = await run({ username: ' \tjdoe\u00a0 ', useStoredSeed: true });
      assert.equal(r.outcome.kind, 'unenrolled', r.outcome.summary);
      assert.match(r.outcome.summary, /Used "jdoe" without the spaces around it/);
      assert.deepEqual(sim.requestsOf('DELETE').map((q) => q.unenrollTarget), ['jdoe']);
      assert.equal(audit.entries[0].target, 'jdoe');
      assert.match(audit.entries[0].message, /without the spaces/);
    });

    it('a production confirmation is compared after the same trimming', async () => {
      const prod = testProfile(sim.baseUrl, { environment: 'production' });
      const r = await run({ profile: prod, username: 'jdoe ', confirmation: ' jdoe', useStoredSeed: true });
      assert.equal(r.outcome.kind, 'unenrolled', r.outcome.summary);
    });

    it('a zero-width space inside is refused with the reason, before any request', async () => {
      const r = await run({ username: 'jd\u200boe', useStoredSeed: true });
      assert.equal(r.outcome.kind === 'refusedByGuard' && r.outcome.guard, 'username');
      assert.match(r.outcome.summary, /invisible character/);
      assert.equal(sim.requests.length, 0);
    });

    it('lookUpFirst: an unknown user is refused without claiming or waiting for a code', async () => {
      const code = adminCode(clock.now());
      await guard.claimTypedCode(code); // this window is used: a stored-seed run would wait 30 s
      const waits: number[] = [];
      const r = await run({ username: 'nobody', useStoredSeed: true, lookUpFirst: true, onWaitForFreshCode: (ms) => waits.push(ms) });
      assert.equal(r.outcome.kind, 'noSuchUser');
      assert.match(r.outcome.summary, /There is no user "nobody"/);
      assert.deepEqual(waits, [], 'no wait for a code window');
      assert.equal(sim.requestsOf('DELETE').length, 0);
      assert.equal(audit.entries.length, 1);
      assert.equal(audit.entries[0].outcome, 'refused');
    });

    it('lookUpFirst: a known user goes on to the one DELETE', async () => {
      const r = await run({ username: ' jdoe ', useStoredSeed: true, lookUpFirst: true });
      assert.equal(r.outcome.kind, 'unenrolled', r.outcome.summary);
      assert.deepEqual(sim.requestsOf('DELETE').map((q) => q.unenrollTarget), ['jdoe']);
    });

    it('a user the database says is not enrolled is refused without a code', async () => {
      const asked: string[] = [];
      const r = await run({ username: ' jsmith ', code: adminCode(clock.now()), enrollment: async (u) => (asked.push(u), 'no') });
      assert.equal(r.outcome.kind, 'noEnrollment');
      assert.deepEqual(asked, ['jsmith']);
      assert.equal(sim.requestsOf('DELETE').length, 0);
      assert.equal(guard.wasUsed(adminCode(clock.now())), false, 'the code was not spent');
    });
  });

  describe('guards before any request', () => {
    for (const [label, username] of [['empty', ''], ['whitespace', ' \t '], ['control character', 'jdoe\r\nX-Injected: 1']] as const) {
      it(`refuses an ${label} user name with no request, audited`, async () => {
        const r = await run({ username, code: '123456' });
        assert.equal(r.ok, false);
        assert.equal(r.outcome.kind === 'refusedByGuard' && r.outcome.guard, 'username');
        assert.equal(r.outcome.failure, 'input');
        assert.equal(sim.requests.length, 0);
        assert.equal(audit.entries.length, 1);
        assert.equal(audit.entries[0].outcome, 'refused');
      });
    }

    it('refuses self-unenroll (case-insensitive): only "who am I" was asked, no DELETE', async () => {
      const r = await run({ username: 'ADMIN', code: adminCode(clock.now()) });
      assert.equal(r.outcome.kind === 'refusedByGuard' && r.outcome.guard, 'selfUnenroll');
      assert.deepEqual(sim.requests.map((q) => `${q.method} ${q.rawPath}`), ['GET /rest/api/2/myself']);
      assert.equal(audit.entries[0].outcome, 'refused');
      assert.equal(guard.wasUsed(adminCode(clock.now())), false, 'the code was not spent');
    });

    it('refuses self-unenroll with basic auth or a known identity without any request', async () => {
      const basic = testProfile(sim.baseUrl, { auth: { type: 'basic', username: 'Admin' } });
      const r1 = await run({ profile: basic, username: 'admin', code: '123456' });
      assert.equal(r1.outcome.kind === 'refusedByGuard' && r1.outcome.guard, 'selfUnenroll');
      const r2 = await run({ signedInAs: 'admin', username: 'aDmIn', useStoredSeed: true });
      assert.equal(r2.outcome.kind === 'refusedByGuard' && r2.outcome.guard, 'selfUnenroll');
      assert.equal(sim.requests.length, 0);
      assert.deepEqual(audit.entries.map((e) => e.details?.selfCheck), ['basicAuthUser', 'given']);
    });

    it('production needs the user name typed again, exactly', async () => {
      const prod = testProfile(sim.baseUrl, { environment: 'production' });
      const missing = await run({ profile: prod, code: '123456' });
      assert.equal(missing.outcome.kind === 'refusedByGuard' && missing.outcome.guard, 'confirmation');
      assert.match(missing.outcome.summary, /production instance/);
      const wrongCase = await run({ profile: prod, code: '123456', confirmation: 'JDOE' });
      assert.equal(wrongCase.outcome.kind === 'refusedByGuard' && wrongCase.outcome.guard, 'confirmation');
      assert.equal(sim.requests.length, 0);
      const ok = await run({ profile: prod, useStoredSeed: true, confirmation: 'jdoe' });
      assert.equal(ok.outcome.kind, 'unenrolled');
      assert.equal(audit.entries.length, 3);
      assert.deepEqual(audit.entries.map((e) => e.outcome), ['refused', 'refused', 'ok']);
    });

    it('refuses a missing seed, a bad seed, a malformed code, and two code sources', async () => {
      await secrets.delete('sim', 'totpSeed');
      const noSeed = await run({ useStoredSeed: true });
      assert.equal(noSeed.outcome.kind === 'refusedByGuard' && noSeed.outcome.guard, 'seed');
      await secrets.set('sim', 'totpSeed', 'NOT-A-SEED-0189');
      const badSeed = await run({ useStoredSeed: true });
      assert.match(badSeed.outcome.summary, /not base32/);
      const badCode = await run({ code: '12 34' });
      assert.equal(badCode.outcome.kind === 'refusedByGuard' && badCode.outcome.guard, 'code');
      const none = await run({});
      assert.match(none.outcome.summary, /No TOTP code was given/);
      const both = await run({ code: '123456', useStoredSeed: true });
      assert.match(both.outcome.summary, /not both/);
      assert.equal(sim.requests.length, 0);
      assert.equal(audit.entries.length, 5);
    });

    it('does not spend a code when the credentials are refused ("who am I" fails)', async () => {
      const r = await run({ token: EXPIRED_TOKEN, useStoredSeed: true });
      assert.equal(r.outcome.kind, 'authFailed');
      assert.equal(sim.requestsOf('DELETE').length, 0);
      assert.equal(audit.entries[0].outcome, 'refused');
    });
  });

  describe('replay protection', () => {
    it('a typed code is sent once; the second use is refused without a request', async () => {
      const code = adminCode(clock.now());
      assert.equal((await run({ code })).outcome.kind, 'unenrolled');
      const again = await run({ username: 'jsmith', code });
      assert.equal(again.outcome.kind === 'refusedByGuard' && again.outcome.guard, 'replay');
      assert.match(again.outcome.next, /Wait 25 s/);
      assert.equal(sim.requestsOf('DELETE').length, 1);
      assert.equal(audit.entries.length, 2);
    });

    it('the stored seed waits for the next window instead of reusing a code', async () => {
      const waits: number[] = [];
      const first = await run({ useStoredSeed: true });
      const second = await run({ username: 'jsmith', useStoredSeed: true, onWaitForFreshCode: (ms) => waits.push(ms) });
      assert.equal(first.outcome.kind, 'unenrolled');
      assert.equal(second.outcome.kind, 'unenrolled', 'the server accepted the fresh code');
      const [c1, c2] = sentCodes();
      assert.notEqual(c1, c2);
      assert.deepEqual(waits, [25_000]);
      assert.equal(audit.entries[1].details?.waitedForFreshCodeMs, 25_000);
    });

    it('after typing the code shown now, the seed does not send it again', async () => {
      const shown = adminCode(clock.now());
      await run({ code: shown });
      await run({ username: 'jsmith', useStoredSeed: true });
      assert.deepEqual(sentCodes(), [shown, adminCode(T0 + 25_000)]);
    });

    it('a code the admin already used elsewhere is refused by the server as invalid', async () => {
      await sim.store.setLastUsedStep('admin', Math.floor(clock.now() / 30_000));
      const r = await run({ code: adminCode(clock.now()) });
      assert.equal(r.outcome.kind, 'invalidCode');
      assert.equal(audit.entries[0].outcome, 'refused');
      assert.equal(audit.entries[0].status, 401);
    });
  });

  it('reports an audit failure without hiding the outcome', async () => {
    audit.failWith = new Error(`disk full while writing token ${ADMIN_TOKEN}`);
    const r = await run({ useStoredSeed: true });
    assert.equal(r.ok, true);
    assert.equal(r.auditEntry, undefined);
    assert.match(r.auditError ?? '', /audit log could not be written: disk full/);
    assert.ok(!r.auditError!.includes(ADMIN_TOKEN));
  });

  it('writes the server message verbatim in the audit entry, never the code', async () => {
    const r = await run({ username: 'nosv', useStoredSeed: true });
    assert.equal(r.outcome.kind, 'noEnrollment');
    assert.match(audit.entries[0].message, /Server said: "No enrollment found for the specified user\."/);
    assert.equal(audit.entries[0].details?.kind, 'noEnrollment');
  });

  it('refuses a replay guard that belongs to another instance', async () => {
    const r = await run({ replayGuard: new ReplayGuard('other', clock), code: '123456' });
    assert.equal(r.outcome.kind === 'refusedByGuard' && r.outcome.guard, 'config');
    assert.equal(sim.requests.length, 0);
  });
});

describe('test connection', () => {
  const dispatchers = new DispatcherCache();
  let sim: JiraSimulator;
  beforeEach(async () => {
    sim = await JiraSimulator.start();
  });
  afterEach(async () => {
    await dispatchers.closeAll();
    await sim.stop();
  });

  const test = (token: string) => {
    const profile = testProfile(sim.baseUrl);
    return testConnection(profile, testClient(profile, dispatchers, { credentials: { type: 'pat', token } }));
  };

  it('summarises a ready admin in one line', async () => {
    const r = await test(ADMIN_TOKEN);
    assert.equal(r.summary, 'Jira 10.3.2 · signed in as admin · system admin · your 2SV on');
    assert.deepEqual({ ok: r.ok, admin: r.isSysAdmin, tsv: r.own2svActive, warnings: r.warnings }, { ok: true, admin: true, tsv: true, warnings: [] });
  });

  it('warns up front when the account is not a system administrator', async () => {
    const r = await test(HELPDESK_TOKEN);
    assert.equal(r.summary, 'Jira 10.3.2 · signed in as helpdesk · NOT system admin · your 2SV on');
    assert.equal(r.isSysAdmin, false);
    assert.match(r.warnings.join(' '), /not a system administrator/);
  });

  it('warns up front when the admin has no 2SV of their own', async () => {
    const r = await test(ADMIN2_TOKEN);
    assert.equal(r.own2svActive, false);
    assert.match(r.warnings.join(' '), /set up 2SV on your account first/);
  });

  it('fails precisely on a bad token and when the server is gone', async () => {
    const bad = await test(EXPIRED_TOKEN);
    assert.equal(bad.ok, false);
    assert.equal(bad.failure?.kind, 'authFailed');
    assert.equal(bad.summary, bad.failure?.summary);
    await sim.stop();
    const gone = await test(ADMIN_TOKEN);
    assert.equal(gone.failure?.kind, 'connectionRefused');
    sim = await JiraSimulator.start(); // for afterEach
  });

  it('warns when the 2SV REST API is missing (old version or wrong context path)', async () => {
    sim.setFault({ type: 'status', status: 404, html: '<html><title>Not Found</title></html>' }, { path: /\/rest\/tsv\// });
    const r = await test(ADMIN_TOKEN);
    assert.equal(r.ok, true);
    assert.equal(r.own2svActive, undefined);
    assert.match(r.warnings.join(' '), /two-step verification REST API was not found/);
  });

  it('Confluence: no sysadmin check, still version, signed in and 2SV state', async () => {
    await sim.stop();
    sim = await JiraSimulator.start({ product: 'confluence', version: '9.2.3' });
    const profile = testProfile(sim.baseUrl, { product: 'confluence' });
    const r = await testConnection(profile, testClient(profile, dispatchers));
    assert.equal(r.summary, 'Confluence 9.2.3 · signed in as admin · your 2SV on');
    assert.equal(r.isSysAdmin, undefined);
  });
});
