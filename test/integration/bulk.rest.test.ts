// Bulk disable by REST against the simulator, which refuses a reused TOTP code: 50 users paced
// one code window each (fake clock, no real waiting), cancel and resume from the saved report,
// 429 with Retry-After honoured, per-user report and audit entries linked to the run.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { countStatuses, loadReport, newReport, parseUserList, reportToCsv, saveReport, type BulkReport } from '../../src/core/bulk';
import { runRestBulk, type RestBulkOptions, type RestBulkProgress } from '../../src/core/bulk/rest';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import type { UnenrollClient } from '../../src/core/unenroll';
import { redactor, SHORT_LIVED_MS } from '../../src/core/redact';
import { ReplayGuard, timeStep } from '../../src/core/totp';
import { FakeAuditSink, FakeClock, MemorySecretStore } from '../support/fakes';
import { ADMIN_SEED, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { DispatcherCache, T0, testClient, testProfile } from '../support/jiraTestKit';

const USERS = Array.from({ length: 50 }, (_, i) => `locked${String(i + 1).padStart(2, '0')}`);

describe('bulk disable by REST (simulator with replay protection)', function () {
  this.timeout(60_000);
  let sim: JiraSimulator;
  let clock: FakeClock;
  let audit: FakeAuditSink;
  let secrets: MemorySecretStore;
  let guard: ReplayGuard;
  let profile: InstanceProfile;
  let dir: string;
  const dispatchers = new DispatcherCache();

  beforeEach(async () => {
    clock = new FakeClock(T0);
    sim = await JiraSimulator.start({ now: () => clock.now(), store: new InMemorySimulatorStore(standardFixtures(USERS.map((username) => ({ username, seed: USER_SEED })))) });
    audit = new FakeAuditSink();
    secrets = new MemorySecretStore();
    await secrets.set('sim', 'totpSeed', ADMIN_SEED);
    guard = new ReplayGuard('sim', clock);
    profile = testProfile(sim.baseUrl);
    dir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-bulk-rest-'));
  });

  afterEach(async () => {
    // No audit entry may hold the seed or a code that was sent.
    const text = JSON.stringify(audit.entries);
    for (const secret of [ADMIN_SEED, ...sentCodes()]) assert.ok(!text.includes(`"${secret}"`) && !text.includes(` ${secret}`), 'an audit entry holds a code or the seed');
    await dispatchers.closeAll();
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const deletes = () => sim.requestsOf('DELETE');
  function sentCodes(): string[] {
    return deletes().map((r) => (JSON.parse(r.body) as { totpCode: string }).totpCode);
  }

  /** Every DELETE carried a code of its own window, never one used before (the server would refuse it). */
  function assertNoReusedCode(): void {
    const codes = sentCodes();
    assert.equal(new Set(codes).size, codes.length, `a code was sent twice: ${codes.join(',')}`);
  }

  function start(list: string, overrides: Partial<RestBulkOptions> = {}): { report: BulkReport; run: (o?: Partial<RestBulkOptions>) => Promise<BulkReport> } {
    const report = newReport(profile, parseUserList(list, 'lines'), 'rest', 'admin');
    const file = path.join(dir, `${report.runId}.json`);
    const client = overrides.client ?? testClient(profile, dispatchers);
    const run = (o: Partial<RestBulkOptions> = {}) =>
      runRestBulk({ profile, client, audit, secrets, guard, clock, report, persist: (r) => saveReport(file, r), ...overrides, ...o });
    return { report, run };
  }

  it('50 users: one fresh code per window, none reused, per-user report and audit entries', async () => {
    const list = [...USERS, 'ghost', 'nosv'].join('\n');
    const progress: RestBulkProgress[] = [];
    const { report, run } = start(list, { onProgress: (p) => progress.push(p) });
    await run();
    const c = countStatuses(report);
    assert.deepEqual([c.disabled, c['not-found'], c['not-enrolled'], c.failed, c.pending], [50, 1, 1, 0, 0]);
    assert.equal(report.state, 'completed');
    for (const u of USERS) assert.equal(await sim.store.enrollmentSeed(u), undefined, `${u} is still enrolled`);

    assert.equal(deletes().length, 52, 'one request per user, none refused and retried');
    assertNoReusedCode();
    // paced: each request in a later code window than the one before
    const steps = clock.sleeps.reduce<number[]>((acc, ms) => [...acc, (acc.at(-1) ?? T0) + ms], []);
    assert.equal(clock.sleeps.length, 51, 'one wait for a fresh window per user after the first');
    assert.ok(clock.sleeps.every((ms) => ms > 0 && ms <= 30_000));
    assert.equal(new Set(steps.map((t) => timeStep(t))).size, 51);

    const entries = audit.entries.filter((e) => e.action === 'unenroll');
    assert.equal(entries.length, 52);
    assert.ok(entries.every((e) => e.runId === report.runId));
    assert.deepEqual(entries.filter((e) => e.outcome === 'ok').map((e) => e.target), USERS);
    for (const u of report.users) assert.equal(u.auditEntryIds.length, 1);
    assert.equal(report.users.find((u) => u.username === 'ghost')?.httpStatus, 404);

    // progress counted up to the end with an ETA of one window per remaining user
    assert.deepEqual(progress.at(-1), { done: 52, total: 52, etaMs: 0 });
    assert.ok(progress.some((p) => p.done === 10 && p.etaMs === 42 * 30_000));
    assert.ok(progress.some((p) => p.waiting?.for === 'code'));

    // the CSV export: header + one line per user
    const csv = reportToCsv(report).trim().split('\n');
    assert.equal(csv.length, 53);
    assert.match(csv[0], /^username,status,message/);
    assert.match(csv[1], /^locked01,disabled,/);
  });

  it('the codes a run used are masked only for a while: a 6-digit user name equal to one prints plainly an hour later', async () => {
    // The shared redactor runs on the test's clock: an hour passes without waiting one.
    const previous = redactor.useClock(() => clock.now());
    try {
      const { run } = start(USERS.slice(0, 5).join('\n'));
      await run();
      const codes = sentCodes();
      assert.equal(codes.length, 5);
      const name = codes[codes.length - 1]; // a numeric user name (or id) that happens to equal a code
      assert.equal(redactor.redact(`user ${name}`), 'user ***', 'masked while the code is still worth something');
      clock.advance(SHORT_LIVED_MS + 1);
      assert.equal(redactor.redact(`user ${name}`), `user ${name}`, 'three minutes after its use');
      clock.advance(60 * 60 * 1000);
      for (const code of codes) assert.equal(redactor.redact(`user ${code} id ${code}`), `user ${code} id ${code}`, 'an hour after the bulk run');
    } finally {
      redactor.useClock(previous);
    }
  });

  it('cancel stops after the current user and leaves a report that resumes where it stopped', async () => {
    const ac = new AbortController();
    // the admin presses Cancel while the request for user 10 is in flight
    const base = testClient(profile, dispatchers);
    const client: UnenrollClient = {
      myself: (s) => base.myself(s),
      unenroll: (u, code, s) => {
        if (u === 'locked10') ac.abort();
        return base.unenroll(u, code, s);
      },
    };
    const { report, run } = start(USERS.join('\n'), { signal: ac.signal, client });
    await run();
    assert.equal(report.state, 'cancelled');
    let c = countStatuses(report);
    assert.deepEqual([c.disabled, c.pending], [10, 40], 'the user in flight was finished, the rest left pending');
    assert.equal(deletes().length, 10);

    // the saved report resumes in a new run (same run id), without the cancelled signal
    const file = path.join(dir, `${report.runId}.json`);
    const resumed = await loadReport(file);
    assert.equal(resumed.state, 'cancelled');
    assert.equal(countStatuses(resumed).pending, 40);
    await runRestBulk({ profile, client: base, audit, secrets, guard, clock, report: resumed, persist: (r) => saveReport(file, r) });
    c = countStatuses(resumed);
    assert.deepEqual([c.disabled, c.pending], [50, 0]);
    assert.equal(resumed.state, 'completed');
    assert.equal(resumed.runId, report.runId);
    // every user was sent exactly once, with a code of its own
    assert.deepEqual(
      deletes().map((r) => decodeURIComponent(r.rawPath.split('/').at(-1)!)),
      USERS,
    );
    assertNoReusedCode();
    assert.ok(audit.entries.every((e) => e.runId === report.runId));
    assert.equal((await loadReport(file)).state, 'completed');
  });

  it('cancel while waiting for the next code window sends nothing more', async () => {
    const ac = new AbortController();
    const { report, run } = start(USERS.slice(0, 5).join('\n'), {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.current === 'locked03' && p.waiting?.for === 'code') ac.abort();
      },
    });
    await run();
    assert.equal(report.state, 'cancelled');
    assert.deepEqual(report.users.map((u) => u.status), ['disabled', 'disabled', 'pending', 'pending', 'pending']);
    assert.equal(deletes().length, 2);
    assert.equal(audit.entries.at(-1)?.outcome, 'cancelled', 'the cancelled attempt is audited');
  });

  it('429: waits Retry-After and tries the same user again with a fresh code', async () => {
    sim.setFault({ type: 'rateLimit', retryAfter: '120' }, { path: /\/rest\/tsv\//, times: 2 });
    const { report, run } = start(USERS.slice(0, 6).join('\n'));
    await run();
    assert.equal(report.state, 'completed');
    assert.equal(countStatuses(report).disabled, 6);
    assert.equal(clock.sleeps.filter((ms) => ms === 120_000).length, 2, 'Retry-After honoured twice');
    assert.equal(deletes().length, 8);
    assertNoReusedCode();
    assert.equal(report.users[0].attempts, 3);
    assert.equal(report.users[0].auditEntryIds.length, 3, 'every attempt is audited');
  });

  it('a failure that would hit every user stops the run with that user still pending', async () => {
    const client = testClient(profile, dispatchers, { credentials: { type: 'pat', token: 'not-a-valid-token-at-all' } });
    const { report } = start(USERS.slice(0, 5).join('\n'));
    await runRestBulk({ profile, client, audit, secrets, guard, clock, report });
    assert.equal(report.state, 'stopped');
    assert.equal(countStatuses(report).pending, 5);
    assert.equal(deletes().length, 0, 'no code is spent when the credentials are refused');
  });

  it('a name no URL can carry ("..") fails for that user only, without spending a code', async () => {
    const { report, run } = start('..\nlocked01');
    await run();
    assert.deepEqual(report.users.map((u) => u.status), ['failed', 'disabled']);
    assert.match(report.users[0].message, /cannot be sent in a URL path/);
    assert.equal(deletes().length, 1);
    assert.equal(clock.sleeps.length, 0, 'the refused name took no code window');
  });

  it('production: refused without the number of pending users as confirmation', async () => {
    profile = { ...profile, environment: 'production' };
    const { run } = start(USERS.slice(0, 3).join('\n'));
    await assert.rejects(run(), /confirm with the number of users to change \(3\)/);
    await assert.rejects(run({ confirmation: '4' }), /does not match/);
    assert.equal(deletes().length, 0);
    const r = await run({ confirmation: '3' });
    assert.equal(countStatuses(r).disabled, 3);
  });
});
