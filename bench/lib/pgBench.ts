/**
 * A PostgreSQL schema for the database benches: the integration fixture tables
 * (test/support/dbFixtures.ts) plus `n` extra enrolled Jira users, and a psql runner bound to
 * the same schema for the "bare" comparisons.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AuditLog } from '../../src/core/audit';
import { BackupStore } from '../../src/core/backup/store';
import type { Driver } from '../../src/core/db/types';
import type { RecoveryContext } from '../../src/core/recovery/context';
import { ENROLLMENT, PG, createTestDatabase, type TestDatabase } from '../../test/support/dbFixtures';

const run = promisify(execFile);

export interface BenchRow {
  USER_KEY: string;
  SECRET: string;
  RECOVERY_CODE: string;
  CREATED_AT: string;
  MODIFIED_AT: string;
}

export interface PgBench {
  tdb: TestDatabase;
  driver: Driver;
  schema: string;
  users: string[];
  rows: BenchRow[];
  ctx(readOnly: boolean, driver?: Driver): RecoveryContext;
  psql(sql: string): Promise<string>;
  enrolledBenchUsers(): Promise<number>;
  cleanup(): Promise<void>;
}

export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function createPgBench(n: number): Promise<PgBench> {
  const tdb = await createTestDatabase('postgres');
  const driver = await tdb.connect();
  const schema = String((await driver.query('SELECT current_schema() AS s')).rows[0][0]);
  const users = Array.from({ length: n }, (_, i) => `bench${String(i).padStart(5, '0')}`);
  const rows: BenchRow[] = users.map((u, i) => ({
    USER_KEY: `JIRAUSERB${String(i).padStart(5, '0')}`,
    SECRET: `SECRET-${u}-JBSWY3DPEHPK3PXP`,
    RECOVERY_CODE: `RC-${u}-${i}`,
    CREATED_AT: '2024-03-01 10:00:00',
    MODIFIED_AT: '2024-03-02 11:00:00',
  }));
  await driver.transaction(async (tx) => {
    for (const [i, u] of users.entries()) {
      await tx.query('INSERT INTO app_user (id, user_key, lower_user_name) VALUES (:id, :key, :lower)', { id: 50_000 + i, key: rows[i].USER_KEY, lower: u });
    }
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-bench-db-'));
  const psql = async (sql: string) => {
    const { stdout } = await run('psql', ['-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', PG.database, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', `SET search_path TO "${schema}"; ${sql}`], { maxBuffer: 64 << 20 });
    return stdout;
  };
  const bench: PgBench = {
    tdb,
    driver,
    schema,
    users,
    rows,
    ctx: (readOnly, d = driver) => ({
      profile: tdb.profile(readOnly),
      driver: d,
      // The real thing: a hash-chained, fsynced audit file and backup files.
      audit: new AuditLog(path.join(dir, 'audit.jsonl')),
      admin: 'bench-admin',
      backups: new BackupStore(path.join(dir, 'backups')),
    }),
    psql,
    async enrolledBenchUsers() {
      const r = await driver.query(`SELECT COUNT(*) FROM "${ENROLLMENT}" WHERE "USER_KEY" LIKE 'JIRAUSERB%'`);
      return Number(r.rows[0][0]);
    },
    async cleanup() {
      await driver.close();
      await tdb.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await insertRowsWithPsql(bench);
  return bench;
}

/** The bare restore: one INSERT … VALUES with every row as literals, through psql. */
export function insertSql(rows: BenchRow[]): string {
  const cols = ['USER_KEY', 'SECRET', 'RECOVERY_CODE', 'CREATED_AT', 'MODIFIED_AT'] as const;
  return `INSERT INTO "${ENROLLMENT}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${rows.map((r) => `(${cols.map((c) => lit(r[c])).join(', ')})`).join(', ')}`;
}

export async function insertRowsWithPsql(b: PgBench): Promise<void> {
  await b.psql(insertSql(b.rows));
}
