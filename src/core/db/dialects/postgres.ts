/**
 * PostgreSQL through `pg` (one Client, not a pool: a transaction is one session).
 * A chunk of its own (imported by ../loader.ts); loaded only when a profile uses it.
 */
import { Client, types as pgTypes, type ClientConfig, type QueryArrayConfig } from 'pg';
import type { NativeConnectConfig, NativeConnection, NativeDriver, QueryResult } from '../types';
import { plainValue, serverLogin, setUpOrClose } from '../native/common';
import { PgTransactions, pgResult } from '../native/pgConnection';
import { quoteDouble } from '../dialect';
import { RAW_TEXT_OIDS, classifyPgError } from '../native/pgTypes';

const raw = new Set(RAW_TEXT_OIDS);
const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (raw.has(oid)) return (value: string) => value;
    return format === 'binary' ? pgTypes.getTypeParser(oid, 'binary') : pgTypes.getTypeParser(oid, 'text');
  },
} as ClientConfig['types'];

/** The pg client options for a profile (exported for unit tests). */
export function clientConfig(config: NativeConnectConfig): ClientConfig {
  return {
    ...serverLogin(config),
    ssl: config.tls ? { rejectUnauthorized: true, ...(config.tls.ca ? { ca: config.tls.ca } : {}) } : false,
    connectionTimeoutMillis: config.connectTimeoutMs,
    application_name: config.applicationName,
    types: typeParsers,
  };
}

class PgConnection extends PgTransactions implements NativeConnection {
  serverVersion = '';
  sessionId = '';
  private lost: Error | undefined;

  constructor(private readonly client: Client) {
    super();
    // A terminated session emits 'error' on the client; without a listener Node would crash.
    client.on('error', (e) => {
      this.lost = e;
    });
  }

  async execute(sql: string, binds: { value: unknown }[], options: { maxRows?: number }): Promise<QueryResult> {
    if (this.lost) throw this.lost;
    // Always the extended protocol, even without values: one statement per message, so a
    // text holding several statements is refused by the server instead of run in turn.
    const query = { text: sql, values: binds.map((b) => plainValue(b.value)), rowMode: 'array' as const, queryMode: 'extended' as const };
    const result = await this.client.query(query as typeof query & QueryArrayConfig);
    return pgResult(result, result.rowCount, options.maxRows);
  }

  protected run(sql: string): Promise<unknown> {
    return this.client.query(sql);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

export const driver: NativeDriver = {
  name: 'postgres',
  async connect(config) {
    const client = new Client(clientConfig(config));
    const conn = new PgConnection(client);
    await client.connect();
    await setUpOrClose(async () => {
      // One round trip: the search path is set by the same statement that reads the version.
      // The schema alone, without public: a table missing from it must fail, never be found
      // under the same name in public.
      const info = config.schema
        ? await client.query("SELECT set_config('search_path', $1, false) AS search_path, version() AS v, pg_backend_pid() AS pid", [quoteDouble(config.schema)])
        : await client.query('SELECT version() AS v, pg_backend_pid() AS pid');
      conn.serverVersion = String(info.rows[0].v);
      conn.sessionId = String(info.rows[0].pid);
    }, () => client.end());
    return conn;
  },
  classifyError: classifyPgError,
};
