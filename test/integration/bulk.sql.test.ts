// Bulk disable by SQL on real PostgreSQL and MariaDB: 1,000 users in one transaction with one
// backup, per-user report and audit entries, restore back to identical rows, and the guards
// (rows changed since the preview, read-only profile, production confirmation).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import { BackupStore } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/backup/restore';
import { countStatuses, executeSqlBulk, newReport, parseUserList, previewSqlBulk, type BulkReport, type SqlBulkContext } from '../../src/core/bulk';
import type { Driver } from '../../src/core/db/types';
import { AppError } from '../../src/core/errors';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { addBulkUsers } from '../support/bulkFixtures';
import { createTestDatabase, ENROLLMENT, MemoryAudit, type Engine, type TestDatabase } from '../support/dbFixtures';

const ENGINES: Engine[] = ['postgres', 'mysql'];

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

    function setup(text: string, opts: { readOnly?: boolean; environment?: InstanceProfile['environment'] } = {}): { ctx: SqlBulkContext; report: BulkReport } {
      const profile = { ...tdb.profile(opts.readOnly ?? false), ...(opts.environment ? { environment: opts.environment } : {}) } as InstanceProfile;
      const report = newReport(profile, parseUserList(text, 'lines'), 'db', 'bulk-admin');
      return { ctx: { profile, driver, audit, admin: 'bulk-admin', backups, runId: report.runId }, report };
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
