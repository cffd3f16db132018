import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import { readEntries } from '../../src/core/audit/read';
import type { AuditEntry } from '../../src/core/audit/types';
import { CloudAdminClient } from '../../src/core/cloud/client';
import { findAndDiagnose, type UserReport } from '../../src/core/cloud/diagnose';
import type { MoveResult, CloudMoveContext } from '../../src/core/cloud/moveResult';
import { moveBack, moveToTemporaryPolicy } from '../../src/core/cloud/recovery';
import { JsonFileTrackerStorage, MoveTracker } from '../../src/core/cloud/tracker';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { FakeAuditSink, FakeClock } from '../support/fakes';
import {
  cloudProfile,
  CloudSimulator,
  ORG_ID,
  ORG_KEY,
  POLICY_ENFORCED,
  POLICY_OPTIONAL,
  POLICY_UNKNOWN,
  BULK_FETCH_POLICY_FIELDS,
  singlePolicyFixtures,
  USERS,
} from '../support/cloudSimulator';
import { T0 } from '../support/jiraTestKit';

describe('cloud recovery against the simulator', () => {
  let sim: CloudSimulator;
  let clock: FakeClock;
  let dir: string;
  let trackerFile: string;
  let auditFile: string;
  let profile: InstanceProfile;
  const results: MoveResult[] = [];
  const dispatchers = new DispatcherCache();

  beforeEach(async () => {
    clock = new FakeClock(T0);
    sim = await CloudSimulator.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-cloud-'));
    trackerFile = path.join(dir, 'state', 'cloud-pending.json');
    auditFile = path.join(dir, 'audit.jsonl');
    // The admin designated the recovery (2SV optional) and usual policies: the API cannot tell.
    profile = cloudProfile(sim.baseUrl, { cloud: { recoveryPolicyId: POLICY_OPTIONAL, defaultPolicyId: POLICY_ENFORCED } });
    results.length = 0;
  });

  afterEach(async function () {
    // Whatever a test did, the API key never reaches the audit log, the tracker or a result.
    const texts = [fs.existsSync(auditFile) ? fs.readFileSync(auditFile, 'utf8') : '', fs.existsSync(trackerFile) ? fs.readFileSync(trackerFile, 'utf8') : '', JSON.stringify(results)];
    for (const t of texts) assert.ok(!t.includes(ORG_KEY), `"${this.currentTest?.title}" leaked the API key`);
    await dispatchers.closeAll();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function client(p: InstanceProfile = profile): CloudAdminClient {
    return new CloudAdminClient({ profile: p, apiKey: ORG_KEY, dispatchers, env: {}, clock });
  }

  /** A fresh tracker on the same file: what a new process (or a restart) sees. */
  function tracker(): MoveTracker {
    return new MoveTracker(new JsonFileTrackerStorage(trackerFile));
  }

  function ctx(overrides: Partial<CloudMoveContext> = {}): CloudMoveContext {
    return { profile, client: client(), tracker: tracker(), audit: new AuditLog(auditFile), admin: 'ada', clock, task: { intervalMs: 1000, timeoutMs: 30_000 }, ...overrides };
  }

  async function move(email: string, toPolicyId: string | undefined, extra: Partial<Parameters<typeof moveToTemporaryPolicy>[1]> = {}, c: Partial<CloudMoveContext> = {}): Promise<MoveResult> {
    const r = await moveToTemporaryPolicy(ctx(c), { email, ...(toPolicyId ? { toPolicyId } : {}), ...extra });
    results.push(r);
    return r;
  }

  async function back(email: string, c: Partial<CloudMoveContext> = {}): Promise<MoveResult> {
    const r = await moveBack(ctx(c), { email });
    results.push(r);
    return r;
  }

  async function audit(): Promise<AuditEntry[]> {
    return (await readEntries(auditFile)).entries;
  }

  async function report(query: string, c: CloudAdminClient = client()): Promise<UserReport> {
    const r = await findAndDiagnose(c, query, { pending: await tracker().list({ instanceId: profile.id }) });
    if (!r.ok) assert.fail(r.outcome.summary);
    assert.equal(r.value.users.length, 1, `one user for ${query}`);
    return r.value.users[0];
  }

  describe('diagnosis', () => {
    it('2SV on in the usual policy: undetermined (the API does not say it enforces 2SV), offers the recovery policy first', async () => {
      const u = await report('alice@example.com');
      assert.equal(u.diagnosis.code, 'undetermined');
      assert.equal(u.diagnosis.canMove, true);
      assert.deepEqual(u.diagnosis.targets.map((t) => [t.id, t.designation]), [[POLICY_OPTIONAL, 'recovery'], [POLICY_UNKNOWN, undefined]]);
      assert.equal(u.diagnosis.currentPolicy?.id, POLICY_ENFORCED);
      assert.equal(u.diagnosis.currentPolicy?.designation, 'usual');
      assert.match(u.diagnosis.summary, /whether it enforces 2SV is not given by the API/);
      assert.match(u.diagnosis.next, /"Recovery \(2SV optional\)" \(your recovery policy\)/);
      assert.ok(u.diagnosis.notes.some((n) => /"Legacy SSO" enforces 2SV is not given by the API/.test(n)));
      assert.deepEqual(u.membership, { known: true, policyId: POLICY_ENFORCED, source: 'api' });
    });

    it('2SV off in the usual policy: the move is offered too', async () => {
      const u = await report('bob@example.com');
      assert.equal(u.diagnosis.code, 'undetermined');
      assert.equal(u.diagnosis.canMove, true);
    });

    it('2SV on in the designated recovery policy: reset-in-hub with the admin hub link of the user', async () => {
      const u = await report('carol@example.com');
      assert.equal(u.diagnosis.code, 'reset-in-hub');
      assert.equal(u.diagnosis.canMove, false);
      assert.equal(u.diagnosis.hubLink, `https://admin.atlassian.com/o/${ORG_ID}/users/${encodeURIComponent(USERS.optionalEnrolled.accountId)}`);
      assert.ok(u.diagnosis.next.includes(u.diagnosis.hubLink));
      assert.equal(u.user.lastActive, '2026-11-01T08:00:00Z');
    });

    it('2SV off in the recovery policy: no-2sv-required (2SV is not the problem)', async () => {
      const u = await report('dave@example.com');
      assert.equal(u.diagnosis.code, 'no-2sv-required');
      assert.equal(u.diagnosis.canMove, false);
    });

    it('an unmanaged account: not-managed, nothing offered', async () => {
      const u = await report('erin@gmail.example');
      assert.equal(u.diagnosis.code, 'not-managed');
      assert.deepEqual(u.diagnosis.targets, []);
      assert.equal(u.diagnosis.canMove, false);
      assert.deepEqual(u.membership, { known: false, reason: 'the account is not managed by this organization' });
    });

    it('a policy whose 2SV enforcement the API does not state: undetermined, said explicitly', async () => {
      const u = await report('frank@example.com');
      assert.equal(u.diagnosis.code, 'undetermined');
      assert.match(u.diagnosis.summary, /whether it enforces 2SV is not given by the API/);
      assert.equal(u.diagnosis.canMove, true);
    });

    it('a single-policy organization (Standard plan): single-policy, explains the temporary relaxation', async () => {
      await sim.stop();
      sim = await CloudSimulator.start({ fixtures: singlePolicyFixtures() });
      profile = cloudProfile(sim.baseUrl);
      const u = await report('alice@example.com');
      assert.equal(u.diagnosis.code, 'single-policy');
      assert.equal(u.diagnosis.canMove, false);
      assert.match(u.diagnosis.next, /turn mandatory two-step verification off for a short time/);
      assert.equal(sim.requestsTo(/bulk-fetch/).length, 0, 'with one policy every user is in it');
    });

    for (const policyField of BULK_FETCH_POLICY_FIELDS) {
      it(`bulk-fetch entries with policy id field "${policyField}" (not documented): ${policyField === 'none' ? 'policy unknown, the admin names it' : 'the policy is read'}`, async () => {
        await sim.stop();
        sim = await CloudSimulator.start({ bulkFetch: { policyField } });
        profile = cloudProfile(sim.baseUrl, { cloud: profile.cloud });
        const u = await report('alice@example.com');
        if (policyField === 'none') {
          assert.deepEqual(u.membership, { known: false, reason: 'the API listed the user without a policy id it documents' });
          const refused = await move('alice@example.com', POLICY_OPTIONAL);
          assert.equal(refused.outcome?.guard, 'unknownSource');
          assert.match(refused.next, /--from POLICY\); if it is your usual policy, that is pol-2sv-required/);
          const r = await move('alice@example.com', POLICY_OPTIONAL, { fromPolicyId: POLICY_ENFORCED });
          assert.equal(r.ok, true, r.summary);
        } else {
          assert.deepEqual(u.membership, { known: true, policyId: POLICY_ENFORCED, source: 'api' });
          assert.equal((await move('alice@example.com', POLICY_OPTIONAL)).ok, true);
        }
        assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_OPTIONAL);
      });
    }

    it('bulk-fetch entries without the account id are matched by e-mail', async () => {
      await sim.stop();
      sim = await CloudSimulator.start({ bulkFetch: { accountId: false } });
      profile = cloudProfile(sim.baseUrl, { cloud: profile.cloud });
      assert.deepEqual((await report('alice@example.com')).membership, { known: true, policyId: POLICY_ENFORCED, source: 'api' });
    });

    it('bulk-fetch refused (its body is not documented): the policy is "unknown" with the server\'s words, and a warning', async () => {
      sim.setFault({ type: 'status', status: 400, json: { errors: [{ title: 'Bad Request', detail: 'userIds is required' }] } }, { path: /bulk-fetch/ });
      const r = await findAndDiagnose(client(), 'alice@example.com');
      assert.ok(r.ok);
      const u = r.value.users[0];
      assert.equal(u.diagnosis.code, 'undetermined');
      assert.equal(u.membership.known, false);
      assert.match(u.diagnosis.summary, /Could not tell which authentication policy/);
      assert.match(u.diagnosis.summary, /userIds is required/);
      assert.equal(r.value.warnings.length, 1);
    });
  });

  describe('move and move back', () => {
    it('moves to the temporary policy, records it, and moves back, removing the record only then', async () => {
      const moved = await move('alice@example.com', POLICY_OPTIONAL);
      assert.equal(moved.ok, true, moved.summary);
      assert.equal(moved.moved, 'yes');
      assert.equal(moved.tracker, 'recorded');
      assert.match(moved.summary, /moved from "Employees \(2SV required\)" to "Recovery \(2SV optional\)" \(your recovery policy\)/);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_OPTIONAL);
      const [entry] = await tracker().list();
      assert.deepEqual(entry, {
        orgId: ORG_ID, instanceId: 'sim-cloud', accountId: USERS.enrolled.accountId, email: 'alice@example.com',
        fromPolicyId: POLICY_ENFORCED, toPolicyId: POLICY_OPTIONAL, movedAt: new Date(clock.now()).toISOString(), state: 'moved',
        taskId: moved.taskId, fromPolicyName: 'Employees (2SV required)', toPolicyName: 'Recovery (2SV optional)', movedBy: 'ada',
      });

      // Now the hub offers the reset: the diagnosis follows, and mentions the pending move back.
      const u = await report('alice@example.com');
      assert.equal(u.diagnosis.code, 'reset-in-hub');
      assert.match(u.diagnosis.next, /move them back to Employees/);
      assert.equal(u.diagnosis.pending?.fromPolicyId, POLICY_ENFORCED);

      const returned = await back('alice@example.com');
      assert.equal(returned.ok, true, returned.summary);
      assert.equal(returned.tracker, 'removed');
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_ENFORCED);
      assert.deepEqual(await tracker().list(), []);

      const entries = await audit();
      assert.deepEqual(entries.map((e) => [e.action, e.outcome, e.target]), [['cloud.move', 'ok', 'alice@example.com'], ['cloud.moveBack', 'ok', 'alice@example.com']]);
      assert.equal(entries[0].details?.fromPolicyId, POLICY_ENFORCED);
      assert.equal(entries[0].details?.toPolicyId, POLICY_OPTIONAL);
      assert.equal(entries[0].details?.orgId, ORG_ID);
      assert.equal(entries[1].details?.toPolicyId, POLICY_ENFORCED);
      assert.equal(entries[0].admin, 'ada');
    });

    it('a never-enrolled user is moved too', async () => {
      const r = await move('bob@example.com', POLICY_OPTIONAL);
      assert.equal(r.ok, true);
      assert.equal(sim.policyOf(USERS.neverEnrolled.accountId), POLICY_OPTIONAL);
    });

    it('honours a 429 on the add-users call during a move', async () => {
      sim.setFault({ type: 'rateLimit', retryAfter: '3' }, { path: /add-users$/, times: 1 });
      const r = await move('alice@example.com', POLICY_OPTIONAL);
      assert.equal(r.ok, true, r.summary);
      assert.ok(clock.sleeps.includes(3000));
      assert.equal(sim.tasks.size, 1);
    });

    it('without a named target, the designated recovery policy is used; without either, refused (noTarget)', async () => {
      const r = await move('alice@example.com', undefined);
      assert.equal(r.ok, true, r.summary);
      assert.equal(r.toPolicy?.id, POLICY_OPTIONAL);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_OPTIONAL);
      const none = await moveToTemporaryPolicy(ctx({ profile: cloudProfile(sim.baseUrl) }), { email: 'bob@example.com' });
      assert.equal(none.outcome?.guard, 'noTarget');
      assert.equal(sim.requestsTo(/add-users/).length, 1);
    });

    it('a failed task: not moved, nothing recorded, audited as refused with the task error', async () => {
      sim.failNextTask('Policy service rejected the change');
      const r = await move('alice@example.com', POLICY_OPTIONAL);
      assert.equal(r.ok, false);
      assert.equal(r.moved, 'no');
      assert.equal(r.outcome?.kind, 'taskFailed');
      assert.equal(r.tracker, 'unchanged');
      assert.deepEqual(await tracker().list(), []);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_ENFORCED);
      const [e] = await audit();
      assert.deepEqual([e.action, e.outcome, e.details?.kind, e.details?.moved], ['cloud.move', 'refused', 'taskFailed', 'no']);
      assert.match(e.message, /Bad Request: Policy service rejected the change/);
      assert.equal(e.status, 400);
    });

    it('a task still running at the timeout: recorded as unconfirmed so the user is not forgotten', async () => {
      sim.pollsToFinish = Infinity;
      const r = await move('alice@example.com', POLICY_OPTIONAL, {}, { task: { intervalMs: 2000, timeoutMs: 6000 } });
      assert.equal(r.ok, false);
      assert.equal(r.moved, 'unknown');
      assert.equal(r.outcome?.kind, 'taskTimeout');
      assert.equal(r.tracker, 'recorded');
      assert.equal((await tracker().list())[0].state, 'unconfirmed');
      assert.match(r.next, /recorded as unconfirmed/);
      const [e] = await audit();
      assert.equal(e.outcome, 'error');
      // The move back clears it once it works.
      sim.pollsToFinish = 0;
      assert.equal((await back('alice@example.com')).ok, true);
      assert.deepEqual(await tracker().list(), []);
    });

    it('survives a restart between move and move back; a failed move back keeps the record until one succeeds', async () => {
      assert.equal((await move('alice@example.com', POLICY_OPTIONAL)).ok, true);
      // "Restart": a new client, tracker and audit log object on the same files.
      const afterRestart = tracker();
      assert.equal((await afterRestart.list())[0]?.email, 'alice@example.com');

      sim.failNextTask('Temporary failure');
      const failed = await back('alice@example.com', { tracker: afterRestart });
      assert.equal(failed.ok, false);
      assert.equal(failed.tracker, 'kept');
      assert.match(failed.next, /record stays until a move back succeeds/);
      assert.equal((await tracker().list()).length, 1, 'still on file');

      sim.setFault({ type: 'status', status: 500 }, { path: /add-users$/, times: 1 });
      const serverDown = await back('alice@example.com');
      assert.equal(serverDown.outcome?.kind, 'serverError');
      assert.equal((await tracker().list()).length, 1);

      const ok = await back('alice@example.com', { tracker: tracker() });
      assert.equal(ok.ok, true, ok.summary);
      assert.deepEqual(await tracker().list(), []);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_ENFORCED);
      assert.deepEqual((await audit()).map((e) => [e.action, e.outcome]), [['cloud.move', 'ok'], ['cloud.moveBack', 'refused'], ['cloud.moveBack', 'error'], ['cloud.moveBack', 'ok']]);
    });

    it('the current policy given by the admin is used when the API cannot tell it', async () => {
      sim.setFault({ type: 'status', status: 400, json: { message: 'Invalid body' } }, { path: /bulk-fetch/ });
      const refused = await move('alice@example.com', POLICY_OPTIONAL);
      assert.equal(refused.outcome?.guard, 'unknownSource');
      assert.equal(sim.requestsTo(/add-users/).length, 0);
      const r = await move('alice@example.com', POLICY_OPTIONAL, { fromPolicyId: POLICY_ENFORCED });
      assert.equal(r.ok, true, r.summary);
      assert.equal((await tracker().list())[0].fromPolicyId, POLICY_ENFORCED);
      const entries = await audit();
      assert.equal(entries[1].details?.membershipSource, 'admin');
    });
  });

  describe('guards: refused before any change, and audited', () => {
    const cases: Array<[string, () => Promise<MoveResult>, string]> = [
      ['a target that does not exist', () => move('alice@example.com', 'pol-nope'), 'noSuchPolicy'],
      ['a user that does not exist', () => move('nobody@example.com', POLICY_OPTIONAL), 'noSuchUser'],
      ['an unmanaged account', () => move('erin@gmail.example', POLICY_OPTIONAL), 'notManaged'],
      ['a user already in the target policy', () => move('carol@example.com', POLICY_OPTIONAL), 'samePolicy'],
      ['a current policy that contradicts the API', () => move('alice@example.com', POLICY_OPTIONAL, { fromPolicyId: POLICY_UNKNOWN }), 'sourceMismatch'],
      ['a malformed e-mail address', () => move('alice at example.com', POLICY_OPTIONAL), 'email'],
      ['a move back of a user never moved', () => back('alice@example.com'), 'notMoved'],
    ];
    for (const [label, run, guardName] of cases) {
      it(`refuses ${label} (${guardName})`, async () => {
        const r = await run();
        assert.equal(r.ok, false);
        assert.equal(r.outcome?.kind, 'refusedByGuard');
        assert.equal(r.outcome?.guard, guardName);
        assert.equal(sim.requestsTo(/add-users/).length, 0);
        const entries = await audit();
        assert.equal(entries.length, 1);
        assert.equal(entries[0].outcome, 'refused');
      });
    }

    it('refuses a second move while one is pending', async () => {
      assert.equal((await move('alice@example.com', POLICY_OPTIONAL)).ok, true);
      const again = await move('alice@example.com', POLICY_UNKNOWN);
      assert.equal(again.outcome?.guard, 'alreadyMoved');
      assert.match(again.next, /Move them back to Employees/);
      assert.equal(sim.requestsTo(/add-users/).length, 1);
    });

    it('production organizations need the e-mail address typed again', async () => {
      profile = cloudProfile(sim.baseUrl, { environment: 'production' });
      const none = await move('alice@example.com', POLICY_OPTIONAL);
      assert.equal(none.outcome?.guard, 'confirmation');
      const wrong = await move('alice@example.com', POLICY_OPTIONAL, { confirmation: 'bob@example.com' });
      assert.equal(wrong.outcome?.guard, 'confirmation');
      const ok = await move('alice@example.com', POLICY_OPTIONAL, { confirmation: 'Alice@Example.com' });
      assert.equal(ok.ok, true, ok.summary);
    });

    it('a single-policy organization cannot move anyone', async () => {
      await sim.stop();
      sim = await CloudSimulator.start({ fixtures: singlePolicyFixtures() });
      profile = cloudProfile(sim.baseUrl);
      const r = await move('alice@example.com', POLICY_ENFORCED);
      assert.equal(r.outcome?.guard, 'singlePolicy');
    });

    it('an unreadable tracker refuses the move (it could not be recorded) and is not overwritten', async () => {
      fs.mkdirSync(path.dirname(trackerFile), { recursive: true });
      fs.writeFileSync(trackerFile, '{"version":1,"entries":[{"email":');
      const r = await move('alice@example.com', POLICY_OPTIONAL);
      assert.equal(r.outcome?.guard, 'tracker');
      assert.equal(sim.requestsTo(/add-users/).length, 0);
      assert.equal(fs.readFileSync(trackerFile, 'utf8'), '{"version":1,"entries":[{"email":');
    });

    it('the service never hands the API key to the audit sink (checked before any redaction)', async () => {
      const sink = new FakeAuditSink();
      results.push(await move('alice@example.com', POLICY_OPTIONAL, {}, { audit: sink }));
      sim.failNextTask('nope');
      results.push(await back('alice@example.com', { audit: sink }));
      results.push(await back('alice@example.com', { audit: sink }));
      assert.deepEqual(sink.entries.map((e) => e.outcome), ['ok', 'refused', 'ok']);
      const raw = JSON.stringify(sink.entries);
      assert.ok(!raw.includes(ORG_KEY) && !/bearer/i.test(raw));
    });

    it('a bad API key: refused, audited, and the key is nowhere in the audit entry', async () => {
      const badKey = 'ATCTT3xFfGN0-wrong-key-for-audit-test-99';
      const c = new CloudAdminClient({ profile, apiKey: badKey, dispatchers, env: {}, clock });
      const r = await move('alice@example.com', POLICY_OPTIONAL, {}, { client: c });
      results.push(r);
      assert.equal(r.outcome?.kind, 'badKey');
      const text = fs.readFileSync(auditFile, 'utf8');
      assert.ok(!text.includes(badKey));
      assert.equal((await audit())[0].outcome, 'refused');
    });
  });
});
