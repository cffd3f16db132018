/**
 * The sandbox's database: an embedded PGlite (a data directory, or memory) with the Jira
 * tables, served over the PostgreSQL wire protocol on 127.0.0.1 (pgliteWire.ts), so the
 * extension, the CLI and the simulator all reach the same rows with the `postgres` driver.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { DatabaseConfig } from '../../src/core/db/connect';
import { ddl } from './dbFixtures';
import { servePglite, type PgliteWireServer } from './pgliteWire';

export interface ServedPglite {
  /** What a profile's `database` section needs to reach it (driver postgres, no password). */
  config: DatabaseConfig;
  wire: PgliteWireServer;
  /** True when the data directory already had the tables (a --keep run). */
  reused: boolean;
  close(): Promise<void>;
}

/** Opens (or creates) the PGlite database at `dataDir`, creates the Jira tables if missing, serves it. */
export async function servePgliteDatabase(dataDir: string, options: { port?: number } = {}): Promise<ServedPglite> {
  const existed = dataDir !== 'memory://' && existsSync(dataDir);
  if (!existed && dataDir !== 'memory://') mkdirSync(path.dirname(dataDir), { recursive: true });
  const db = new PGlite(dataDir);
  await db.waitReady;
  let reused = false;
  try {
    const found = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'AO_ED669C_TOTP_USER_ENROLLMENT'");
    reused = existed && found.rows[0].n > 0;
    if (!reused) for (const stmt of ddl('pglite')) await db.exec(stmt);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  const wire = await servePglite(db, { port: options.port });
  return {
    config: { driver: 'postgres', host: wire.host, port: wire.port, database: 'postgres', user: 'postgres', readOnly: false },
    wire,
    reused,
    async close() {
      await wire.close();
      if (!db.closed) await db.close();
    },
  };
}
