/**
 * The audited actions of src/core/actions, called as the extension and the CLI call them:
 * each attempt, whatever its outcome class (success, failure, refusal before any request),
 * ends in exactly one audit entry. Real parts: the Jira and Cloud simulators, PostgreSQL.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBulkDbExecute, runBulkDbPreview } from '../../src/core/actions/bulkDb';
import { runBulkRest } from '../../src/core/actions/bulkRest';
import { runCloudMove, runCloudMoveBack, type CloudMoveDeps } from '../../src/core/actions/cloud';
import { runRestore } from '../../src/core/actions/restore';
import { runSnippetChange, runSnippetPreview, runSnippetRead } from '../../src/core/actions/snippet';
import { runUnenroll } from '../../src/core/actions/unenroll';
import type { AuditEntryInput } from '../../src/core/audit/types';
import { BackupStore } from '../../src/core/backup/store';
import { newReport, parseUserList } from '../../src/core/bulk';
import { MemoryTrackerStorage, MoveTracker } from '../../src/core/cloud/tracker';
import { AppError } from '../../src/core/errors';
import { sharedDispatchers } from '../../src/core/jira/dispatcher';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { codeAt, decodeSeed, ReplayGuard } from '../../src/core/totp';
import { CloudSimulator, ORG_ID, ORG_KEY, POLICY_OPTIONAL, USERS } from '../support/cloudSimulator';
import { createTestDatabase, MemoryAudit, type TestDatabase } from '../support/dbFixtures';
import { MemorySecretStore } from '../support/fakes';
import { ADMIN_SEED, ADMIN_TOKEN, standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';

const brief = (e: AuditEntryInput) => [e.action, e.target ?? null, e.outcome];

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected the action to throw');
}

describe('core actions: exactly one audit entry per attempt', function () {
  this.timeout(60_000);
  let audit: MemoryAudit;
  let secrets: MemorySecretStore;
  beforeEach(() => {
    audit = new MemoryAudit();
    secrets = new MemorySecretStore();
  });
  afterEach(() => sharedDispatchers.closeAll());

  describe('runUnenroll', () => {
    let sim: JiraSimulator;
    let profile: InstanceProfile;
    let n = 0;
    beforeEach(async () => {
      sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures()) });
      profile = { id: `core-unenroll-${++n}`, name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test', auth: { type: 'pat' } } as InstanceProfile;
      await secrets.set(profile.id, 'token', ADMIN_TOKEN);
    });
    afterEach(() => sim.stop());
    const deps = () => ({ audit, secrets, replayGuard: new ReplayGuard(profile.id) });
    const code = () => codeAt(decodeSeed(ADMIN_SEED), Date.now());

    it('success: one "ok" entry, the client opened and closed inside', async () => {
      const r = await runUnenroll(deps(), { profile, username: 'jdoe', code: code() });
      assert.equal(r.ok, true, r.outcome.summary);
      assert.deepEqual(audit.entries.map(brief), [['unenroll', 'jdoe', 'ok']]);
      assert.equal(r.auditEntry?.id, audit.entries[0].id);
    });

    it('failure (the server refuses the code): one entry with the status', async () => {
      const wrong = String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
      const r = await runUnenroll(deps(), { profile, username: 'jdoe', code: wrong });
      assert.equal(r.outcome.status, 401);
      assert.deepEqual(audit.entries.map((e) => [e.action, e.status]), [['unenroll', 401]]);
    });

    const refusals: Array<[string, () => Promise<unknown>]> = [
      ['invalid user name', async () => ({ username: 'a\u0000b', code: '123456' })],
      ['production confirmation not typed', async () => {
        profile = { ...profile, environment: 'production' };
        return { username: 'jdoe', code: '123456' };
      }],
      ['bad code format', async () => ({ username: 'jdoe', code: '12x456' })],
      ['missing credential', async () => {
        await secrets.delete(profile.id, 'token');
        return { username: 'jdoe', code: '123456' };
      }],
    ];
    for (const [what, input] of refusals) {
      it(`refusal before any request (${what}): one "refused" entry, nothing sent`, async () => {
        const given = (await input()) as { username: string; code: string };
        const r = await runUnenroll(deps(), { profile, ...given });
        assert.equal(r.ok, false);
        assert.equal(r.outcome.kind, 'refusedByGuard');
        assert.deepEqual(audit.entries.map((e) => [e.action, e.outcome]), [['unenroll', 'refused']]);
        assert.equal(r.auditEntry?.id, audit.entries[0].id);
        assert.equal(sim.requests.length, 0);
      });
    }
  });

  describe('runCloudMove / runCloudMoveBack', () => {
    let sim: CloudSimulator;
    let profile: InstanceProfile;
    beforeEach(async () => {
      sim = await CloudSimulator.start({ pollsToFinish: 0 });
      profile = { id: 'acme', name: 'Acme', product: 'cloud', baseUrl: sim.baseUrl, environment: 'test', orgId: ORG_ID } as InstanceProfile;
      await secrets.set('acme', 'orgApiKey', ORG_KEY);
    });
    afterEach(() => sim.stop());
    const deps = (): CloudMoveDeps => ({ audit, secrets, tracker: new MoveTracker(new MemoryTrackerStorage()), admin: 'ada' });
    const email = USERS.enrolled.email;

    it('success: one "ok" entry for the move and one for the move back', async () => {
      const d = deps();
      assert.equal((await runCloudMove(d, { profile, email, toPolicyId: POLICY_OPTIONAL })).ok, true);
      assert.equal((await runCloudMoveBack(d, { profile, email })).ok, true);
      assert.deepEqual(audit.entries.map(brief), [['cloud.move', email, 'ok'], ['cloud.moveBack', email, 'ok']]);
    });

    it('failure (the API refuses the key): one entry', async () => {
      await secrets.set('acme', 'orgApiKey', `${ORG_KEY}x`);
      const r = await runCloudMove(deps(), { profile, email, toPolicyId: POLICY_OPTIONAL });
      assert.equal(r.ok, false);
      assert.equal(audit.entries.length, 1);
    });

    it('refusals before any request (no key stored; production confirmation not typed): one "refused" entry each', async () => {
      await secrets.delete('acme', 'orgApiKey');
      const noKey = await runCloudMove(deps(), { profile, email, toPolicyId: POLICY_OPTIONAL });
      assert.equal(noKey.outcome?.kind, 'refusedByGuard');
      assert.equal(noKey.auditEntry?.outcome, 'refused');
      const back = await runCloudMoveBack(deps(), { profile, email });
      assert.equal(back.tracker, 'kept');
      assert.match(back.next, /The record stays until a move back succeeds/);
      await secrets.set('acme', 'orgApiKey', ORG_KEY);
      const unconfirmed = await runCloudMove(deps(), { profile: { ...profile, environment: 'production' }, email, toPolicyId: POLICY_OPTIONAL });
      assert.equal(unconfirmed.ok, false);
      assert.deepEqual(audit.entries.map(brief), [['cloud.move', email, 'refused'], ['cloud.moveBack', email, 'refused'], ['cloud.move', email, 'refused']]);
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('snippets, restore and bulk by SQL on PostgreSQL', () => {
    let tdb: TestDatabase;
    let dir: string;
    before(async () => {
      tdb = await createTestDatabase('postgres', { pgDatabase: true });
    });
    after(async () => {
      await tdb?.drop();
    });
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-actions-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const writable = (): InstanceProfile => tdb.profile(false);
    const down = (): InstanceProfile => ({ ...writable(), database: { ...writable().database!, port: 1 } });
    // The default session: opened from the profile and the secrets, closed after the action.
    const deps = () => ({ audit, secrets, admin: 'ada', backups: new BackupStore(path.join(dir, 'backups')) });

    it('snippet read: success, failure (unreachable), refusal (a confirmation on a read) — one entry each', async () => {
      const snippet = await builtinSnippet('jira.is-enrolled');
      await runSnippetRead(deps(), { profile: writable(), snippet, params: { username: 'alice' } });
      const failed = await rejects(runSnippetRead(deps(), { profile: down(), snippet, params: { username: 'alice' } }));
      assert.ok(failed instanceof AppError && failed.kind === 'unreachable');
      await rejects(runSnippetRead(deps(), { profile: writable(), snippet, params: { username: 'alice' }, confirmation: 'alice' }));
      assert.deepEqual(audit.entries.map(brief), [['sql.run', 'alice', 'ok'], ['sql.run', 'alice', 'error'], ['sql.run', 'alice', 'refused']]);
    });

    it('snippet preview and change: success, failure (rows changed since the preview), refusals (production unconfirmed, no database section) — one entry each', async () => {
      const snippet = await builtinSnippet('jira.disable-2sv');
      const params = { username: 'alice' };
      const before = await tdb.snapshot();
      await rejects(runSnippetChange(deps(), { profile: { ...writable(), environment: 'production' }, snippet, params, request: { reason: 'lost phone' } }));
      await rejects(runSnippetChange(deps(), { profile: { ...writable(), database: undefined }, snippet, params }));
      await rejects(runSnippetChange(deps(), { profile: writable(), snippet, params, expectFingerprint: 'not-the-preview' }));
      assert.deepEqual(await tdb.snapshot(), before, 'nothing changed');
      const preview = await runSnippetPreview(deps(), { profile: writable(), snippet, params });
      const done = await runSnippetChange(deps(), { profile: { ...writable(), environment: 'production' }, snippet, params, confirmation: 'alice', expectFingerprint: preview.fingerprint, request: { reason: 'lost phone' } });
      assert.equal(done.affected, 1);
      assert.deepEqual(audit.entries.map(brief), [
        ['sql.change', 'alice', 'refused'],
        ['sql.change', 'alice', 'refused'],
        ['sql.change', 'alice', 'refused'],
        ['sql.preview', 'alice', 'ok'],
        ['sql.change', 'alice', 'ok'],
      ]);

      // Restore: failure (unreachable), success, refusal (already restored) — one entry each.
      audit.entries.length = 0;
      await rejects(runRestore(deps(), { profile: down(), backupId: done.backupId }));
      assert.equal((await runRestore(deps(), { profile: writable(), backupId: done.backupId })).rowsRestored, 1);
      await rejects(runRestore(deps(), { profile: writable(), backupId: done.backupId }));
      assert.deepEqual(audit.entries.map((e) => [e.action, e.outcome, e.backupId]), [
        ['backup.restore', 'error', done.backupId],
        ['backup.restore', 'ok', done.backupId],
        ['backup.restore', 'refused', done.backupId],
      ]);
      assert.deepEqual(await tdb.snapshot(), before, 'the row is back');
    });

    it('bulk by SQL: per-user entries with the run id; a run stopped before them gets one "bulk.run" entry', async () => {
      const report = () => newReport(writable(), parseUserList('alice\nghost\n', 'lines'), 'db', 'ada');
      const stopped = report();
      await rejects(runBulkDbPreview(deps(), { profile: down(), report: stopped }));
      assert.deepEqual(audit.entries.map((e) => [e.action, e.outcome, e.runId]), [['bulk.run', 'error', stopped.runId]]);

      audit.entries.length = 0;
      const unconfirmed = report();
      const prod = { ...writable(), environment: 'production' as const };
      await runBulkDbPreview(deps(), { profile: prod, report: unconfirmed });
      await rejects(runBulkDbExecute(deps(), { profile: prod, report: unconfirmed, confirmation: '7', request: { reason: 'phones replaced' } }));
      // The preview's entry, then one entry per listed user: the refusal was made inside the run.
      assert.deepEqual(audit.entries.map((e) => [e.action, e.target ?? null, e.outcome]), [['bulk.preview', null, 'ok'], ['bulk.sql.disable', 'alice', 'refused'], ['bulk.sql.disable', 'ghost', 'refused']]);
      assert.ok(audit.entries.every((e) => e.runId === unconfirmed.runId));
    });
  });

  describe('runBulkRest', () => {
    it('a run stopped before any user (no seed stored, no credential) ends in one "bulk.run" entry', async () => {
      const sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures()) });
      try {
        const profile = { id: 'core-bulk-rest', name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test', auth: { type: 'pat' } } as InstanceProfile;
        const report = newReport(profile, parseUserList('jdoe\n', 'lines'), 'rest', 'ada');
        const deps = { audit, secrets, replayGuard: new ReplayGuard(profile.id) };
        const noCredential = await rejects(runBulkRest(deps, { profile, report }));
        assert.ok(noCredential instanceof AppError);
        await secrets.set(profile.id, 'token', ADMIN_TOKEN);
        await rejects(runBulkRest(deps, { profile, report }));
        assert.deepEqual(audit.entries.map((e) => [e.action, e.outcome, e.runId]), [['bulk.run', 'refused', report.runId], ['bulk.run', 'refused', report.runId]]);
        assert.equal(sim.requests.length, 0);
      } finally {
        await sim.stop();
      }
    });
  });
});
