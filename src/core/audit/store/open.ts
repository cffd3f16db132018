/** Opening the team audit store, creating its table, and saying what state it is in. */
import { connectDatabase } from '../../db/connect';
import type { Driver } from '../../db/types';
import { storeDatabaseConfig, type StoreConfig } from './config';
import { initSql, STORE_TABLE } from './schema';

export function openStore(cfg: StoreConfig, password: string | undefined, connectTimeoutMs = 10_000): Promise<Driver> {
  return connectDatabase(storeDatabaseConfig(cfg), password, { connectTimeoutMs, applicationName: 'jira2fa-audit' });
}

/** Creates the table and its indexes when missing (each statement safe to run again). */
export async function initStore(d: Driver, cfg: StoreConfig): Promise<void> {
  for (const sql of initSql(cfg.driver)) await d.query(sql);
}

/** Rows and writers in the store (a read-only transaction). */
export async function storeCounts(d: Driver): Promise<{ rows: number; writers: number }> {
  const res = await d.transaction((tx) => tx.query(`SELECT COUNT(*), COUNT(DISTINCT writer) FROM ${STORE_TABLE}`), { readOnly: true });
  return { rows: Number(res.rows[0][0]), writers: Number(res.rows[0][1]) };
}
