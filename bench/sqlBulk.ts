/**
 * Bulk by SQL on real PostgreSQL: disable two-step verification for 1,000 users with a backup,
 * then restore, against the bare route (one DELETE … WHERE "USER_KEY" IN (…) through psql, and
 * one INSERT … VALUES through psql to put the rows back).
 *
 * Ours, two ways the current core supports (bulk runs are a separate feature):
 *  - set-based: ONE guarded destructive snippet whose backup query and DELETE select the
 *    1,000 rows (expected-row guard @expect :count, row locks, backup file fsynced before the
 *    DELETE, audit entry), then restoreBackup() of that backup;
 *  - per-row: the built-in jira.disable-2sv snippet 1,000 times on one open connection (one
 *    transaction, backup file and audit entry per user), then 1,000 restores.
 * Each "ours" figure includes opening the database session, as psql does.
 */
import { parseSnippet } from '../src/core/snippets/parser';
import { builtinSnippet } from '../src/core/snippets/catalogue';
import { executeDestructiveSnippet } from '../src/core/recovery/runSnippet';
import { restoreBackup } from '../src/core/backup/restore';
import { ENROLLMENT } from '../test/support/dbFixtures';
import { createPgBench, insertSql, lit } from './lib/pgBench';
// @ts-expect-error plain ESM helper without types
import { emit, median, now } from './lib/stats.mjs';

const N = Number(process.env.BENCH_BULK_USERS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROW_ROUNDS = Number(process.env.BENCH_PER_ROW_ROUNDS ?? 1);

const SET_SNIPPET = parseSnippet(
  [
    '-- @name bench.disable-many',
    '-- @title Disable two-step verification for the bench users',
    '-- @products jira',
    '-- @dialects postgres',
    '-- @kind destructive',
    '-- @param prefix string "User name prefix" maxLength=20',
    '-- @param count integer "Users" min=1 max=100000',
    '-- @expect :count',
    `-- @backup-table ${ENROLLMENT}`,
    '-- @backup-key USER_KEY',
    '-- @query',
    `DELETE FROM "${ENROLLMENT}" WHERE "USER_KEY" IN (SELECT au.user_key FROM app_user au WHERE au.lower_user_name LIKE :prefix)`,
    '-- @backup',
    `SELECT totp.* FROM "${ENROLLMENT}" totp WHERE totp."USER_KEY" IN (SELECT au.user_key FROM app_user au WHERE au.lower_user_name LIKE :prefix)`,
  ].join('\n'),
);

async function main(): Promise<void> {
  if (!SET_SNIPPET.snippet) throw new Error(JSON.stringify(SET_SNIPPET.diagnostics));
  const setBased = SET_SNIPPET.snippet;
  const perRow = await builtinSnippet('jira.disable-2sv');
  const b = await createPgBench(N);
  const expectAll = async (n: number, what: string) => {
    const got = await b.enrolledBenchUsers();
    if (got !== n) throw new Error(`${what}: ${got} bench users enrolled, expected ${n}`);
  };
  const deleteSql = `DELETE FROM "${ENROLLMENT}" WHERE "USER_KEY" IN (${b.rows.map((r) => lit(r.USER_KEY)).join(', ')})`;
  const restoreSql = insertSql(b.rows);
  const out = { users: N, rounds: ROUNDS, ours: { disable: [] as number[], restore: [] as number[] }, psql: { disable: [] as number[], restore: [] as number[] }, perRow: { disable: [] as number[], restore: [] as number[] } };
  try {
    await expectAll(N, 'setup');
    for (let i = -1; i < ROUNDS; i++) {
      // ours, set-based
      let t = now();
      let driver = await b.tdb.connect();
      const done = await executeDestructiveSnippet(b.ctx(false, driver), setBased, { prefix: 'bench%', count: N });
      await driver.close();
      const oursDisable = now() - t;
      await expectAll(0, 'after our disable');
      t = now();
      driver = await b.tdb.connect();
      const restored = await restoreBackup(b.ctx(false, driver), done.backupId);
      await driver.close();
      const oursRestore = now() - t;
      if (restored.rowsRestored !== N) throw new Error('restore count');
      await expectAll(N, 'after our restore');
      // bare psql
      t = now();
      await b.psql(deleteSql);
      const psqlDisable = now() - t;
      await expectAll(0, 'after psql delete');
      t = now();
      await b.psql(restoreSql);
      const psqlRestore = now() - t;
      await expectAll(N, 'after psql insert');
      if (i < 0) continue; // warm-up round
      out.ours.disable.push(oursDisable);
      out.ours.restore.push(oursRestore);
      out.psql.disable.push(psqlDisable);
      out.psql.restore.push(psqlRestore);
    }
    for (let i = 0; i < PER_ROW_ROUNDS; i++) {
      let t = now();
      const driver = await b.tdb.connect();
      const ctx = b.ctx(false, driver);
      const ids: string[] = [];
      for (const u of b.users) ids.push((await executeDestructiveSnippet(ctx, perRow, { username: u })).backupId);
      out.perRow.disable.push(now() - t);
      await expectAll(0, 'after per-row disable');
      t = now();
      for (const id of ids) await restoreBackup(ctx, id);
      out.perRow.restore.push(now() - t);
      await driver.close();
      await expectAll(N, 'after per-row restore');
    }
  } finally {
    await b.cleanup();
  }
  const m = (xs: number[]) => (xs.length ? median(xs) : null);
  emit({
    users: N,
    rounds: ROUNDS,
    perRowRounds: PER_ROW_ROUNDS,
    oursDisableMs: m(out.ours.disable),
    oursRestoreMs: m(out.ours.restore),
    psqlDisableMs: m(out.psql.disable),
    psqlRestoreMs: m(out.psql.restore),
    perRowDisableMs: m(out.perRow.disable),
    perRowRestoreMs: m(out.perRow.restore),
    runs: out,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
