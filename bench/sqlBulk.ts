/**
 * Bulk by SQL on real PostgreSQL: disable two-step verification for 1,000 users with a backup,
 * then restore, against the bare route (one DELETE … WHERE "USER_KEY" IN (…) through psql, and
 * one INSERT … VALUES through psql to put the rows back).
 *
 * Ours is the real bulk feature, the code `jira2fa bulk --via db --commit` runs
 * (src/core/bulk/sql.ts): previewSqlBulk (the listed users looked up in one read-only
 * transaction, one SELECT … IN (…) per batch of names) then executeSqlBulk (per batch: the
 * lookup again and the rows locked, one fsynced backup of every row, one guarded DELETE per
 * batch, one commit, then one audit entry per user, all appended in one locked write with
 * one fsync while the backup is marked committed), then restoreBackup() of that backup
 * (batched key checks and multi-row INSERTs in one transaction). The time of each phase of
 * the bulk run is taken from its progress callback.
 *
 * As context (BENCH_PER_ROW_ROUNDS, default 1; 0 skips it): the built-in jira.disable-2sv
 * snippet run once per user on one open connection (one transaction, backup file and audit
 * entry per user), the route without the bulk feature.
 * Each "ours" figure includes opening the database session, as psql does.
 */
import { builtinSnippet } from '../src/core/snippets/catalogue';
import { executeDestructiveSnippet } from '../src/core/recovery/runSnippet';
import { restoreBackup } from '../src/core/recovery/restore';
import { executeSqlBulk, newReport, parseUserList, previewSqlBulk, type SqlBulkProgress } from '../src/core/bulk';
import { ENROLLMENT } from '../test/support/dbFixtures';
import { createPgBench, insertRowsWithPsql, insertSql, lit } from './lib/pgBench';
// @ts-expect-error plain ESM helper without types
import { emit, median, now } from './lib/stats.mjs';

const N = Number(process.env.BENCH_BULK_USERS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROW_ROUNDS = Number(process.env.BENCH_PER_ROW_ROUNDS ?? 1);

type Phase = 'connect' | 'lookup' | SqlBulkProgress['phase'] | 'close';

async function main(): Promise<void> {
  const perRow = await builtinSnippet('jira.disable-2sv');
  const b = await createPgBench(N);
  const expectAll = async (n: number, what: string) => {
    const got = await b.enrolledBenchUsers();
    if (got !== n) throw new Error(`${what}: ${got} bench users enrolled, expected ${n}`);
  };
  const deleteSql = `DELETE FROM "${ENROLLMENT}" WHERE "USER_KEY" IN (${b.rows.map((r) => lit(r.USER_KEY)).join(', ')})`;
  const restoreSql = insertSql(b.rows);
  const list = parseUserList(b.users.join('\n'), 'lines');
  const out = {
    ours: { disable: [] as number[], restore: [] as number[], phases: [] as Array<Partial<Record<Phase, number>>> },
    psql: { disable: [] as number[], restore: [] as number[] },
    perRow: { disable: [] as number[] },
  };
  try {
    await expectAll(N, 'setup');
    for (let i = -1; i < ROUNDS; i++) {
      // ours: the bulk run as the CLI does it (preview, then commit), then the restore
      const phases: Partial<Record<Phase, number>> = {};
      let mark = now();
      const t = mark;
      const phase = (p: Phase) => {
        const at = now();
        phases[p] = (phases[p] ?? 0) + at - mark;
        mark = at;
      };
      let driver = await b.tdb.connect();
      phase('connect');
      const profile = b.tdb.profile(false);
      const report = newReport(profile, list, 'db', 'bench-admin');
      const ctx = { ...b.ctx(false, driver), runId: report.runId };
      await previewSqlBulk(ctx, report);
      phase('lookup');
      let current: SqlBulkProgress['phase'] = 'backup';
      await executeSqlBulk(ctx, report, {
        onProgress: (p) => {
          if (p.phase === current) return;
          phase(current);
          current = p.phase;
        },
      });
      phase(current);
      await driver.close();
      phase('close');
      const oursDisable = now() - t;
      if (report.state !== 'completed' || !report.backupId) throw new Error(`bulk run ${report.state}: ${report.stateMessage}`);
      await expectAll(0, 'after our bulk disable');
      let t2 = now();
      driver = await b.tdb.connect();
      const restored = await restoreBackup(b.ctx(false, driver), report.backupId);
      await driver.close();
      const oursRestore = now() - t2;
      if (restored.rowsRestored !== N) throw new Error('restore count');
      await expectAll(N, 'after our restore');
      // bare psql
      t2 = now();
      await b.psql(deleteSql);
      const psqlDisable = now() - t2;
      await expectAll(0, 'after psql delete');
      t2 = now();
      await b.psql(restoreSql);
      const psqlRestore = now() - t2;
      await expectAll(N, 'after psql insert');
      if (i < 0) continue; // warm-up round
      out.ours.disable.push(oursDisable);
      out.ours.restore.push(oursRestore);
      out.ours.phases.push(phases);
      out.psql.disable.push(psqlDisable);
      out.psql.restore.push(psqlRestore);
    }
    for (let i = 0; i < PER_ROW_ROUNDS; i++) {
      const t = now();
      const driver = await b.tdb.connect();
      const ctx = b.ctx(false, driver);
      for (const u of b.users) await executeDestructiveSnippet(ctx, perRow, { username: u });
      await driver.close();
      out.perRow.disable.push(now() - t);
      await expectAll(0, 'after per-row disable');
      await insertRowsWithPsql(b); // put the rows back (not measured)
      await expectAll(N, 'after psql insert');
    }
  } finally {
    await b.cleanup();
  }
  const m = (xs: number[]) => (xs.length ? median(xs) : null);
  const phaseNames: Phase[] = ['connect', 'lookup', 'backup', 'change', 'audit', 'close'];
  emit({
    users: N,
    rounds: ROUNDS,
    perRowRounds: PER_ROW_ROUNDS,
    oursDisableMs: m(out.ours.disable),
    oursDisablePhasesMs: Object.fromEntries(phaseNames.map((p) => [p, m(out.ours.phases.map((x) => x[p] ?? 0))])),
    oursRestoreMs: m(out.ours.restore),
    psqlDisableMs: m(out.psql.disable),
    psqlRestoreMs: m(out.psql.restore),
    perRowDisableMs: m(out.perRow.disable),
    runs: out,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
