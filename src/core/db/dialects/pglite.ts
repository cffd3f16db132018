/**
 * PGlite: PostgreSQL compiled to WebAssembly, in process. `database` is a data directory
 * (created when missing) or "memory://". Used for demos, tests and offline practice.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
// The CommonJS build on purpose: bundled into its chunk (development build only) it finds its files from
// __filename, where the ES module build would need import.meta.url.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import pgliteModule = require('@electric-sql/pglite');

const { PGlite } = pgliteModule;
type PGlite = InstanceType<typeof PGlite>;
import type { NativeConnection, NativeDriver, QueryResult } from '../types';
import { plainValue, setUpOrClose } from '../native/common';
import { PgTransactions, pgResult } from '../native/pgConnection';
import { quoteDouble } from '../dialect';
import { RAW_TEXT_OIDS, classifyPgError } from '../native/pgTypes';

const parsers: Record<number, (value: string) => unknown> = {};
for (const oid of RAW_TEXT_OIDS) parsers[oid] = (value: string) => value;

class PgliteConnection extends PgTransactions implements NativeConnection {
  serverVersion = '';
  readonly sessionId = 'pglite';

  constructor(private readonly db: PGlite) {
    super();
  }

  async execute(sql: string, binds: { value: unknown }[], options: { maxRows?: number }): Promise<QueryResult> {
    // query() is the extended protocol (one statement per message, with or without values);
    // exec() would be the simple protocol, which runs several statements in turn: never used.
    const result = await this.db.query<unknown[]>(sql, binds.map((b) => plainValue(b.value)), { rowMode: 'array', parsers });
    return pgResult(result, result.rowCount ?? result.affectedRows, options.maxRows);
  }

  protected run(sql: string): Promise<unknown> {
    return this.db.query(sql);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/** PGlite's run-time files, which the development build copies next to its chunk (dist/esm/chunks). */
export const PGLITE_ASSETS = ['pglite.wasm', 'initdb.wasm', 'pglite.data'] as const;

/** Bundled, PGlite loads its files from beside the bundle: say clearly when they are missing. */
function checkAssets(): void {
  if (process.env.JIRA2FA_BUNDLED !== '1') return;
  const missing = PGLITE_ASSETS.filter((f) => !existsSync(path.join(__dirname, f)));
  if (missing.length) throw new Error(`PGlite's files are missing next to ${__filename}: ${missing.join(', ')}`);
}

export const driver: NativeDriver = {
  name: 'pglite',
  async connect(config) {
    const location = config.database === 'memory://' ? 'memory://' : config.database;
    checkAssets();
    const db = new PGlite(location);
    await db.waitReady;
    const conn = new PgliteConnection(db);
    await setUpOrClose(async () => {
      if (config.schema) {
        await db.query("SELECT set_config('search_path', $1, false)", [quoteDouble(config.schema)]);
      }
      const info = await db.query<{ v: string }>('SELECT version() AS v');
      conn.serverVersion = String(info.rows[0].v);
    }, () => db.close());
    return conn;
  },
  classifyError(error) {
    const info = classifyPgError(error);
    if (info.category === 'other' && /PGlite is closed/i.test(info.message)) return { ...info, category: 'connection-lost' };
    return info;
  },
};
