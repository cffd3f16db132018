// The batched restore on real PostgreSQL, MariaDB and PGlite: a 1,000-row backup (made by the
// real bulk disable) goes back in a few statements; one row enrolled again in the middle of it
// is named, and nothing of the 1,000 rows is restored until it is gone.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BackupStore } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/recovery/restore';
import { executeSqlBulk, newReport, parseUserList, previewSqlBulk } from '../../src/core/bulk';
import type { Driver, NativeDriver } from '../../src/core/db/types';
import { connectDatabase } from '../../src/core/db/connect';
import { loadDriver } from '../../src/core/db/loader';
import { AppError } from '../../src/core/errors';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { addBulkUsers } from '../support/bulkFixtures';
import { createTestDatabase, ENROLLMENT, MemoryAudit, type Engine, type TestDatabase } from '../support/dbFixtures';

const ENGINES: Engine[] = ['postgres', 'mysql', 'pglite'];

for (const engine of ENGINES) {
  describe(`batched restore on ${engine}`, function () {
    this.timeout(180_000);
    let tdb: TestDatabase;
    let driver: Driver;
    let dir: string;
    let names: string[];

    before(async () => {
      tdb = await createTestDatabase(engine);
      ({ names } = await addBulkUsers(tdb, 1000));
      driver = await tdb.connect();
      dir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-restore-'));
    });
    after(async () => {
      await driver?.close();
      await tdb?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('a conflict in the middle of a 1,000-row restore names the row and restores nothing; without it all 1,000 rows come back identical', async () => {
      const profile = tdb.profile(false) as InstanceProfile;
      const audit = new MemoryAudit();
      const backups = new BackupStore(path.join(dir, 'backups'));
      const report = newReport(profile, parseUserList(names.join('\n'), 'lines'), 'db', 'restore-admin');
      const ctx = { profile, driver, audit, admin: 'restore-admin', backups, runId: report.runId };
      const before = await tdb.snapshot();
      await previewSqlBulk(ctx, report);
      await executeSqlBulk(ctx, report);
      assert.equal(report.state, 'completed');
      const backup = await backups.load(report.backupId!);
      assert.equal(backup.rows.length, 1000);

      // bulk0500 enrolls again before the restore: its key (row 500 of the backup) exists now.
      const q = driver.facts.quoteIdent;
      const enr = q(tdb.table(ENROLLMENT));
      const keyCol = backup.columns.findIndex((c) => c.name.toUpperCase() === 'USER_KEY');
      const middle = backup.rows.findIndex((r) => r[keyCol] === 'JIRAUSER50500');
      assert.ok(middle > 0 && middle < 999, `the conflicting row is in the middle of the backup (row ${middle + 1})`);
      await driver.query(`INSERT INTO ${enr} (${['USER_KEY', 'SECRET', 'RECOVERY_CODE', 'CREATED_AT', 'MODIFIED_AT'].map(q).join(', ')}) VALUES (:k, :s, :r, :c, :m)`, {
        k: 'JIRAUSER50500',
        s: 'SECRET-NEW-ENROLLMENT',
        r: 'RC-NEW',
        c: '2026-01-01 00:00:00',
        m: '2026-01-01 00:00:00',
      });
      const withConflict = await tdb.snapshot();

      await assert.rejects(restoreBackup(ctx, backup.id), (e: AppError) => {
        assert.ok(e instanceof AppError, String(e));
        assert.equal(e.kind, 'refused');
        assert.match(e.message, /A row with USER_KEY = "JIRAUSER50500" already exists in .*: nothing was restored\./i);
        return true;
      });
      assert.deepEqual(await tdb.snapshot(), withConflict, 'not one of the 1,000 rows was restored');
      assert.equal((await backups.load(backup.id)).restores.length, 0);
      assert.equal(audit.entries.at(-1)!.action, 'backup.restore');
      assert.notEqual(audit.entries.at(-1)!.outcome, 'ok');

      // Once the new enrollment is gone, the same backup restores every row as it was.
      await driver.query(`DELETE FROM ${enr} WHERE ${q('USER_KEY')} = :k`, { k: 'JIRAUSER50500' });
      const restored = await restoreBackup(ctx, backup.id);
      assert.equal(restored.rowsRestored, 1000);
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('a 1,000-row restore takes a few statements, not two per row', async function () {
      if (engine === 'pglite') this.skip(); // counted through the native driver, which PGlite shares in the fixture
      const profile = tdb.profile(false) as InstanceProfile;
      const backups = new BackupStore(path.join(dir, 'backups-count'));
      const report = newReport(profile, parseUserList(names.slice(0, 1000).join('\n'), 'lines'), 'db', 'restore-admin');
      const base = { profile, audit: new MemoryAudit(), admin: 'restore-admin', backups, runId: report.runId };
      await previewSqlBulk({ ...base, driver }, report);
      await executeSqlBulk({ ...base, driver }, report);
      const real = await loadDriver(engine === 'mysql' ? 'mysql' : 'postgres');
      const statements: string[] = [];
      const counting: NativeDriver = {
        name: real.name,
        classifyError: (e) => real.classifyError(e),
        async connect(config) {
          const conn = await real.connect(config);
          return Object.assign(Object.create(conn), {
            execute: (sql: string, binds: Parameters<typeof conn.execute>[1], options: Parameters<typeof conn.execute>[2]) => {
              statements.push(sql);
              return conn.execute(sql, binds, options);
            },
            begin: conn.begin.bind(conn), commit: conn.commit.bind(conn), rollback: conn.rollback.bind(conn), close: conn.close.bind(conn),
          });
        },
      };
      const schema = engine === 'postgres' ? String((await driver.query('SELECT current_schema()')).rows[0][0]) : undefined;
      const counted = await connectDatabase(profile.database!, '', { ...(schema ? { schema } : {}), loadDriver: async () => counting });
      try {
        const restored = await restoreBackup({ ...base, driver: counted }, report.backupId!);
        assert.equal(restored.rowsRestored, 1000);
      } finally {
        await counted.close();
      }
      assert.equal(statements.filter((s) => /^INSERT/i.test(s)).length, 1, 'one INSERT of 1,000 rows');
      assert.equal(statements.filter((s) => /^SELECT .* IN \(/i.test(s)).length, 1, 'one key check of 1,000 keys');
    });
  });
}
