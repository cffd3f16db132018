// Bulk disable by SQL on real PostgreSQL and MariaDB: 1,000 users in one transaction with one
// backup, per-user report and audit entries, restore back to identical rows, and the guards
// (rows changed since the preview, read-only profile, production confirmation). The run is
// set-based: a driver wrapper counts the statements and lowers the IN-list limit so that
// batch boundaries are crossed with few users.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import type { AuditEntry, AuditEntryInput } from '../../src/core/audit/types';
import { BackupStore, type BackupRecord, type BackupState } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/recovery/restore';
import { countStatuses, executeSqlBulk, newReport, parseUserList, previewSqlBulk, type BulkReport, type SqlBulkContext } from '../../src/core/bulk';
import type { Driver, NamedParams, Queryable } from '../../src/core/db/types';
import { AppError } from '../../src/core/errors';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { addBulkUsers } from '../support/bulkFixtures';
import { createTestDatabase, ENROLLMENT, MemoryAudit, type Engine, type TestDatabase } from '../support/dbFixtures';

const ENGINES: Engine[] = ['postgres', 'mysql'];

interface Sent {
  sql: string;
  params?: NamedParams;
}

/**
 * The same session, with every statement recorded, `facts` overridden (a smaller IN-list limit
 * makes small batches) and optionally the parameters of a statement rewritten on the way.
 */
function wrapDriver(inner: Driver, opts: { maxInListItems?: number; rewrite?: (sql: string, params: NamedParams | undefined) => NamedParams | undefined } = {}): { driver: Driver; sent: Sent[] } {
  const sent: Sent[] = [];
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params, o) => {
      sent.push({ sql, params });
      return q.query(sql, opts.rewrite ? opts.rewrite(sql, params) : params, o);
    },
  });
  const facts = { ...inner.facts, ...(opts.maxInListItems ? { maxInListItems: opts.maxInListItems } : {}) };
  const driver: Driver = {
    name: inner.name,
    facts,
    serverVersion: inner.serverVersion,
    sessionId: inner.sessionId,
    query: (sql, params, o) => wrap(inner).query(sql, params, o),
    transaction: (fn, o) => inner.transaction((tx) => fn(wrap(tx)), o),
    close: () => inner.close(),
  };
  return { driver, sent };
}

const listSizes = (sent: Sent[], re: RegExp) => sent.filter((s) => re.test(s.sql)).map((s) => (s.params?.usernames as string[] | undefined)?.length);

for (const engine of ENGINES) {
  describe(`bulk disable by SQL on ${engine}`, function () {
    this.timeout(180_000);
    let tdb: TestDatabase;
    let driver: Driver;
    let backups: BackupStore;
    let backupDir: string;
    let audit: MemoryAudit;
    let bulkNames: string[];

    before(async () => {
      tdb = await createTestDatabase(engine);
      ({ names: bulkNames } = await addBulkUsers(tdb, 1000));
    });
    after(async () => {
      await tdb?.drop();
    });
    beforeEach(async () => {
      driver = await tdb.connect();
      backupDir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-bulk-'));
      backups = new BackupStore(backupDir);
      audit = new MemoryAudit();
    });
    afterEach(async () => {
      await driver.close();
      await rm(backupDir, { recursive: true, force: true });
    });

    function setup(
      text: string,
      opts: { readOnly?: boolean; environment?: InstanceProfile['environment']; driver?: Driver; product?: 'jira' | 'confluence'; backups?: BackupStore } = {},
    ): { ctx: SqlBulkContext; report: BulkReport } {
      const profile = { ...tdb.profile(opts.readOnly ?? false, opts.product), ...(opts.environment ? { environment: opts.environment } : {}) } as InstanceProfile;
      const report = newReport(profile, parseUserList(text, 'lines'), 'db', 'bulk-admin');
      return { ctx: { profile, driver: opts.driver ?? driver, audit, admin: 'bulk-admin', backups: opts.backups ?? backups, runId: report.runId }, report };
    }

    /** Runs statements on a second session (another admin, between preview and run). */
    async function elsewhere(...statements: Array<[string, NamedParams?]>): Promise<void> {
      const other = await tdb.connect();
      try {
        for (const [sql, params] of statements) await other.query(sql.replace(/"(\w+)"/g, (_, n: string) => other.facts.quoteIdent(n === ENROLLMENT ? tdb.table(ENROLLMENT) : n)), params);
      } finally {
        await other.close();
      }
    }

    async function enrolledCount(): Promise<number> {
      const r = await driver.query(`SELECT COUNT(*) FROM ${driver.facts.quoteIdent(tdb.table(ENROLLMENT))}`);
      return Number(r.rows[0][0]);
    }

    it('1,000 users in one transaction: per-user report, one backup, one audit entry per user; restore gives identical rows', async () => {
      const list = [...bulkNames, 'carol', 'ghost-user', '', 'BULK0001'].join('\n');
      const { ctx, report } = setup(list);
      assert.equal(report.users.length, 1002);
      assert.deepEqual(report.listProblems.map((p) => [p.kind, p.line]), [['blank', 1003], ['duplicate', 1004]]);
      const before = await tdb.snapshot();
      const enrolledBefore = await enrolledCount();

      await previewSqlBulk(ctx, report);
      let c = countStatuses(report);
      assert.deepEqual([c['would-disable'], c['not-enrolled'], c['not-found'], c.pending], [1000, 1, 1, 0]);
      assert.equal(report.users.find((u) => u.username === 'bulk0500')?.userKey, 'JIRAUSER50500');
      assert.deepEqual(await tdb.snapshot(), before, 'the preview changes nothing');
      assert.equal(audit.entries.length, 1);
      assert.equal(audit.entries[0].action, 'bulk.preview');

      const phases = new Set<string>();
      await executeSqlBulk(ctx, report, { onProgress: (p) => phases.add(p.phase) });
      c = countStatuses(report);
      assert.deepEqual([c.disabled, c['not-enrolled'], c['not-found'], c.failed], [1000, 1, 1, 0]);
      assert.equal(report.state, 'completed');
      assert.deepEqual([...phases].sort(), ['audit', 'backup', 'change']);
      assert.equal(await enrolledCount(), enrolledBefore - 1000);

      // ONE backup of all 1,000 rows
      const listing = await backups.list();
      assert.equal(listing.backups.length, 1);
      const backup = await backups.load(report.backupId!);
      assert.equal(backup.rows.length, 1000);
      assert.equal(backup.state, 'committed');
      assert.equal(backup.params.runId, report.runId);
      assert.deepEqual(new Set(backup.rows.map((r) => r[0])), new Set(bulkNames.map((_, i) => `JIRAUSER${50001 + i}`)));

      // one audit entry per listed user, linked to the run
      const perUser = audit.entries.filter((e) => e.action === 'bulk.sql.disable');
      assert.equal(perUser.length, 1002);
      assert.ok(audit.entries.every((e) => e.runId === report.runId));
      assert.equal(perUser.filter((e) => e.outcome === 'ok' && e.backupId === backup.id).length, 1000);
      assert.deepEqual(perUser.filter((e) => e.outcome !== 'ok').map((e) => e.target).sort(), ['carol', 'ghost-user']);
      for (const u of report.users) assert.equal(u.auditEntryIds.length, 1, `${u.username} has one audit entry`);
      assert.equal(audit.batches, 1, 'the per-user entries are written in one batch');

      // restore puts every row back: full rows identical
      const restored = await restoreBackup({ ...ctx, runId: report.runId }, backup.id);
      assert.equal(restored.rowsRestored, 1000);
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('rows changed since the preview: the whole run is refused before any backup or change, every user says why', async () => {
      const { ctx, report } = setup(bulkNames.slice(0, 20).join('\n'));
      await previewSqlBulk(ctx, report);
      // Someone disables one of the users in between (another session).
      const other = await tdb.connect();
      try {
        await other.query(`DELETE FROM ${other.facts.quoteIdent(tdb.table(ENROLLMENT))} WHERE ${other.facts.quoteIdent('USER_KEY')} = :k`, { k: 'JIRAUSER50007' });
      } finally {
        await other.close();
      }
      const snap = await tdb.snapshot();
      await assert.rejects(executeSqlBulk(ctx, report), (e: AppError) => e.kind === 'refused' && /bulk0007/.test(e.message));
      assert.deepEqual(await tdb.snapshot(), snap, 'nothing changed');
      assert.equal(report.state, 'failed');
      assert.equal(countStatuses(report).failed, 20);
      const listing = await backups.list();
      assert.equal(listing.backups.length, 0, 'the guard stops before the backup is written');
      assert.equal(audit.entries.filter((e) => e.action === 'bulk.sql.disable' && e.outcome === 'refused').length, 20);
      assert.equal(audit.batches, 1, 'the refusals are written in one batch');
      // put the row back for the other tests
      const fix = await tdb.connect();
      try {
        const q = fix.facts.quoteIdent;
        await fix.query(`INSERT INTO ${q(tdb.table(ENROLLMENT))} (${['USER_KEY', 'SECRET', 'RECOVERY_CODE', 'CREATED_AT', 'MODIFIED_AT'].map(q).join(', ')}) VALUES ('JIRAUSER50007', 's', 'r', '2024-01-01 00:00:00', '2024-01-01 00:00:00')`);
      } finally {
        await fix.close();
      }
    });

    it('an audit log that cannot be written: the committed change stands, the report says no entry was written', async () => {
      const snap = await tdb.snapshot();
      const { ctx, report } = setup(bulkNames.slice(0, 3).join('\n'));
      await previewSqlBulk(ctx, report);
      // A folder where the log file should be: the real file log refuses the whole batch.
      const broken = path.join(backupDir, 'audit-is-a-folder');
      await mkdir(broken);
      await executeSqlBulk({ ...ctx, audit: new AuditLog(broken) }, report);
      assert.equal(report.state, 'completed');
      assert.equal(countStatuses(report).disabled, 3);
      assert.match(report.stateMessage ?? '', /3 audit entries could not be written: The audit entry could not be written/);
      for (const u of report.users) assert.deepEqual(u.auditEntryIds, []);
      await restoreBackup(ctx, report.backupId!);
      assert.deepEqual(await tdb.snapshot(), snap);
    });

    it('after the commit, the audit entries are written while the backup is marked committed; both are done when the run returns', async () => {
      // The store holds the "committed" marking until the audit batch has arrived: were they
      // written one after the other, the marking would wait in vain (and say so).
      let batchArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (batchArrived = resolve));
      const seen: string[] = [];
      class GatedStore extends BackupStore {
        override async setState(id: string, state: BackupState, message?: string): Promise<BackupRecord> {
          if (state === 'committed') {
            const waited = await Promise.race([arrived.then(() => 'audit batch arrived'), new Promise<string>((r) => setTimeout(() => r('waited in vain'), 5000))]);
            seen.push(`marking: ${waited}`);
          }
          const r = await super.setState(id, state, message);
          seen.push(`marked ${state}`);
          return r;
        }
      }
      class SignallingAudit extends MemoryAudit {
        override async appendMany(entries: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
          seen.push(`audit batch of ${entries.length}`);
          batchArrived();
          return super.appendMany(entries);
        }
      }
      const snap = await tdb.snapshot();
      const store = new GatedStore(backupDir);
      const { ctx, report } = setup(bulkNames.slice(500, 505).join('\n'), { backups: store });
      ctx.audit = audit = new SignallingAudit();
      await previewSqlBulk(ctx, report);
      await executeSqlBulk(ctx, report);
      assert.equal(report.state, 'completed');
      assert.deepEqual(seen, ['audit batch of 5', 'marking: audit batch arrived', 'marked committed']);
      assert.equal((await store.load(report.backupId!)).state, 'committed');
      assert.equal(audit.entries.filter((e) => e.action === 'bulk.sql.disable' && e.outcome === 'ok' && e.backupId === report.backupId).length, 5);
      assert.doesNotMatch(report.stateMessage ?? '', /could not/);
      await restoreBackup(ctx, report.backupId!);
      assert.deepEqual(await tdb.snapshot(), snap);
    });

    it('batches: 20 users in IN-lists of at most 7 (lookup, lock + backup, DELETE per batch), progress per batch, one backup, restore identical', async () => {
      const { driver: small, sent } = wrapDriver(driver, { maxInListItems: 7 });
      const { ctx, report } = setup(bulkNames.slice(100, 120).join('\n'), { driver: small });
      const before = await tdb.snapshot();
      const lookups: number[] = [];
      await previewSqlBulk(ctx, report, (p) => lookups.push(p.done));
      assert.deepEqual(lookups, [7, 14, 20]);
      assert.deepEqual(listSizes(sent, /:usernames/), [7, 7, 6], 'the preview: one SELECT per batch');
      assert.ok(sent.every((s) => !s.params || !('username' in s.params)), 'no single-user lookup');
      assert.equal(countStatuses(report)['would-disable'], 20);
      sent.length = 0;
      const progress: string[] = [];
      await executeSqlBulk(ctx, report, { onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`) });
      assert.equal(report.state, 'completed', report.stateMessage);
      assert.deepEqual(progress, ['backup 0/20', 'backup 7/20', 'backup 14/20', 'backup 20/20', 'change 0/20', 'change 7/20', 'change 14/20', 'change 20/20', 'audit 0/20', 'audit 20/20']);
      // Set-based: per batch one lookup, one locking backup query, one DELETE; no per-user statement.
      assert.ok(sent.every((s) => !s.params || !('username' in s.params)), 'no single-user statement');
      assert.deepEqual(listSizes(sent, /^DELETE/), [7, 7, 6]);
      assert.deepEqual(listSizes(sent, /^SELECT totp\.\*/), [7, 7, 6]);
      assert.ok(sent.filter((s) => /^SELECT totp\.\*/.test(s.sql)).every((s) => /\nFOR UPDATE$/.test(s.sql)), 'the backup query locks its rows');
      assert.deepEqual(listSizes(sent, /^SELECT au\.lower_user_name/), [7, 7, 6]);
      assert.ok(sent.length <= 9 + 2, `${sent.length} statements for 20 users`);
      const backup = await backups.load(report.backupId!);
      assert.equal(backup.rows.length, 20);
      assert.equal(backup.state, 'committed');
      assert.equal(countStatuses(report).disabled, 20);
      await restoreBackup(ctx, backup.id);
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('more users than one batch at the real limit: 1,000 plus the rest in a second batch', async () => {
      // 1,000 enrolled users exist; with a limit of 600 per IN-list they take two batches.
      const { driver: small, sent } = wrapDriver(driver, { maxInListItems: 600 });
      const { ctx, report } = setup(bulkNames.join('\n'), { driver: small });
      const before = await tdb.snapshot();
      await previewSqlBulk(ctx, report);
      sent.length = 0;
      await executeSqlBulk(ctx, report);
      assert.equal(report.state, 'completed', report.stateMessage);
      assert.deepEqual(listSizes(sent, /^DELETE/), [600, 400]);
      assert.equal((await backups.load(report.backupId!)).rows.length, 1000);
      await restoreBackup(ctx, report.backupId!);
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('a user with two enrollment rows at execution (Confluence, two mappings of one name): refused, the user named, nothing changed', async () => {
      const { ctx, report } = setup('conf-a\nconf-b', { product: 'confluence' });
      const enr = (k: string): [string, NamedParams] => [`INSERT INTO "${ENROLLMENT}" ("USER_KEY", "SECRET", "RECOVERY_CODE", "CREATED_AT", "MODIFIED_AT") VALUES (:k, 's', 'r', '2024-01-01 00:00:00', '2024-01-01 00:00:00')`, { k }];
      const map = (k: string, name: string): [string, NamedParams] => ['INSERT INTO user_mapping (user_key, username, lower_username) VALUES (:k, :n, :l)', { k, n: name, l: name.toLowerCase() }];
      await elsewhere(map('CONFA', 'Conf-A'), map('CONFB1', 'Conf-B'), enr('CONFA'), enr('CONFB1'));
      try {
        await previewSqlBulk(ctx, report);
        assert.deepEqual(report.users.map((u) => [u.status, u.userKey]), [['would-disable', 'CONFA'], ['would-disable', 'CONFB1']]);
        // A second mapping of the same name, enrolled too, appears after the preview.
        await elsewhere(map('CONFB2', 'conf-b'), enr('CONFB2'));
        const snap = await tdb.snapshot();
        await assert.rejects(executeSqlBulk(ctx, report), (e: AppError) => e.kind === 'refused' && /finds 2 rows for "conf-b"/.test(e.message) && !/conf-a/.test(e.message));
        assert.deepEqual(await tdb.snapshot(), snap, 'nothing changed');
        assert.equal(report.state, 'failed');
        assert.equal((await backups.list()).backups.length, 0);
      } finally {
        await elsewhere([`DELETE FROM "${ENROLLMENT}" WHERE "USER_KEY" IN ('CONFA', 'CONFB1', 'CONFB2')`], ["DELETE FROM user_mapping WHERE user_key IN ('CONFA', 'CONFB1', 'CONFB2')"]);
      }
    });

    it('a user whose row changed since the preview (another user key, enrolled): refused, named, nothing changed', async () => {
      const { ctx, report } = setup(bulkNames.slice(200, 210).join('\n'));
      await previewSqlBulk(ctx, report);
      const name = bulkNames[204];
      const oldKey = report.users[4].userKey!;
      await elsewhere(
        ['UPDATE app_user SET user_key = :k WHERE lower_user_name = :n', { k: 'JIRAUSER77777', n: name }],
        [`INSERT INTO "${ENROLLMENT}" ("USER_KEY", "SECRET", "RECOVERY_CODE", "CREATED_AT", "MODIFIED_AT") VALUES ('JIRAUSER77777', 's', 'r', '2024-01-01 00:00:00', '2024-01-01 00:00:00')`],
      );
      try {
        const snap = await tdb.snapshot();
        await assert.rejects(executeSqlBulk(ctx, report), (e: AppError) => e.kind === 'refused' && e.message.includes(`user key of "${name}" is not the one the preview found`));
        assert.deepEqual(await tdb.snapshot(), snap, 'nothing changed');
        assert.equal(countStatuses(report).failed, 10);
        assert.equal((await backups.list()).backups.length, 0);
      } finally {
        await elsewhere([`DELETE FROM "${ENROLLMENT}" WHERE "USER_KEY" = 'JIRAUSER77777'`], ['UPDATE app_user SET user_key = :k WHERE lower_user_name = :n', { k: oldKey, n: name }]);
      }
    });

    it('the backup cannot be written (disk full): nothing is deleted, every user says why', async () => {
      class FullStore extends BackupStore {
        override async save(): Promise<never> {
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        }
      }
      const { driver: counted, sent } = wrapDriver(driver);
      const { ctx, report } = setup(bulkNames.slice(300, 310).join('\n'), { driver: counted, backups: new FullStore(backupDir) });
      await previewSqlBulk(ctx, report);
      const snap = await tdb.snapshot();
      await assert.rejects(executeSqlBulk(ctx, report), (e: AppError) => e.kind === 'refused' && /backup could not be written .*\(ENOSPC\): nothing was changed/.test(e.message));
      assert.ok(!sent.some((s) => /^DELETE/.test(s.sql)), 'no DELETE was sent');
      assert.deepEqual(await tdb.snapshot(), snap);
      assert.equal(report.state, 'failed');
      assert.ok(report.users.every((u) => u.status === 'failed' && /ENOSPC/.test(u.message ?? '')));
    });

    it('a DELETE that removes fewer rows than were locked: rolled back, the user whose row stayed is named, the backup marked rolled-back', async () => {
      // The wrapper drops the first name from the DELETE only: the statement and the backup disagree.
      const { driver: skewed } = wrapDriver(driver, {
        rewrite: (sql, params) => (/^DELETE/.test(sql) && params ? { ...params, usernames: (params.usernames as string[]).slice(1) } : params),
      });
      const names = bulkNames.slice(400, 403);
      const { ctx, report } = setup(names.join('\n'), { driver: skewed });
      await previewSqlBulk(ctx, report);
      const snap = await tdb.snapshot();
      await assert.rejects(executeSqlBulk(ctx, report), (e: AppError) => e.kind === 'refused' && e.message.includes(`changed 2 rows instead of 3 (not removed for "${names[0]}")`) && /rolled back/.test(e.message));
      assert.deepEqual(await tdb.snapshot(), snap, 'rolled back');
      const backup = await backups.load(report.backupId!);
      assert.equal(backup.state, 'rolled-back');
      assert.equal(backup.rows.length, 3, 'the backup was written before the DELETE');
    });

    it('a read-only profile and a wrong production confirmation are refused before any change', async () => {
      const snap = await tdb.snapshot();
      const ro = setup(bulkNames.slice(0, 3).join('\n'), { readOnly: true });
      await previewSqlBulk(ro.ctx, ro.report);
      await assert.rejects(executeSqlBulk(ro.ctx, ro.report), (e: AppError) => e.kind === 'refused' && /read-only/.test(e.message));

      const prod = setup(bulkNames.slice(0, 3).join('\n'), { environment: 'production' });
      await previewSqlBulk(prod.ctx, prod.report);
      await assert.rejects(executeSqlBulk(prod.ctx, prod.report, { confirmation: '2' }), (e: AppError) => e.kind === 'refused' && /does not match/.test(e.message));
      await assert.rejects(executeSqlBulk(prod.ctx, prod.report), (e: AppError) => e.kind === 'input' && /Preview the run first/.test(e.message), 'a failed run must be previewed again');
      assert.deepEqual(await tdb.snapshot(), snap);
      assert.equal((await backups.list()).backups.length, 0);

      const ok = setup(bulkNames.slice(0, 3).join('\n'), { environment: 'production' });
      await previewSqlBulk(ok.ctx, ok.report);
      await executeSqlBulk(ok.ctx, ok.report, { confirmation: '3' });
      assert.equal(countStatuses(ok.report).disabled, 3);
      await restoreBackup(ok.ctx, ok.report.backupId!);
      assert.deepEqual(await tdb.snapshot(), snap);
    });
  });
}
