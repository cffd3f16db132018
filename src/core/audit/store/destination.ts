/**
 * The team audit store as a shipping destination: each delivery is one transaction of
 * multi-row INSERTs that skip rows already there (PostgreSQL ON CONFLICT DO NOTHING, MySQL /
 * MariaDB INSERT IGNORE), then a read-back of every row sent, compared with what was sent.
 * On PostgreSQL the rows travel as one bound JSON text per statement (json_to_recordset), so
 * that a batch costs one bind instead of fourteen per row; MySQL/MariaDB take multi-row VALUES.
 * Only an exact duplicate (same entry id, writer, number, hash and entry) passes; anything
 * else under the same entry id or the same (writer, seq) is a fork: the transaction is rolled
 * back and the fork reported, never silently dropped. The read-back also catches a row that
 * INSERT IGNORE would have cut short instead of refusing.
 */
import { AppError } from '../../errors';
import { connectDatabase, describeTarget } from '../../db/connect';
import { batches, rowsPerStatement } from '../../db/batching';
import type { Driver, NamedParams, Queryable } from '../../db/types';
import type { Destination } from '../ship/shipper';
import type { ShipRecord } from '../ship/records';
import { storeDatabaseConfig, storeId, type StoreConfig } from './config';
import { STORE_COLUMNS, STORE_TABLE } from './schema';

export class StoreForkError extends AppError {
  constructor(message: string) {
    super('refused', message, 'Two computers share one computer id (a copied state folder?), or the store was changed by hand: compare with "jira2fa audit verify --store". Nothing was written.');
    this.name = 'StoreForkError';
  }
}

export interface StoreDestinationOptions {
  connectTimeoutMs?: number;
  /** Called inside the transaction after the rows were sent, before COMMIT (fault tests). */
  beforeCommit?: (sessionId: string) => Promise<void>;
}

/** Rows per statement on PostgreSQL, where a statement binds one JSON text whatever its rows. */
const PG_ROWS_PER_STATEMENT = 5000;
const PG_RECORD_TYPES = 'writer varchar, seq bigint, entry_id varchar, prev_hash varchar, hash varchar, admin varchar, computer varchar, instance_id varchar, action varchar, target varchar, ticket varchar, outcome varchar, client_time varchar, entry text';

/** Code points in a text: what CHAR_LENGTH counts. */
function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function rowValues(r: ShipRecord): Array<string | number | null> {
  const e = r.entry;
  return [r.writer, r.seq, e.id, r.prevHash, r.hash, e.admin, r.computer, e.instance.id, e.action, e.target ?? null, r.ticket ?? null, e.outcome, e.time, r.line];
}

export class StoreDestination implements Destination {
  readonly id: string;
  readonly label: string;
  private driver?: Driver;

  constructor(private readonly cfg: StoreConfig, private readonly password: string | undefined, private readonly options: StoreDestinationOptions = {}) {
    this.id = storeId(cfg);
    this.label = `the team audit store (${describeTarget(storeDatabaseConfig(cfg))})`;
  }

  /** A session, opened on first use and again after one was lost. */
  async connect(): Promise<Driver> {
    this.driver ??= await connectDatabase(storeDatabaseConfig(this.cfg), this.password, {
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      applicationName: 'jira2fa-audit',
    });
    return this.driver;
  }

  async deliver(records: ShipRecord[]): Promise<void> {
    if (!records.length) return;
    const d = await this.connect();
    try {
      await d.transaction(async (tx) => {
        await this.insert(d, tx, records);
        await this.checkSent(d, tx, records);
        await this.options.beforeCommit?.(d.sessionId);
      });
    } catch (e) {
      // A lost session is not reused: the next delivery connects again.
      if (!(e instanceof StoreForkError)) await this.dropSession();
      throw e;
    }
  }

  private async insert(d: Driver, tx: Queryable, records: ShipRecord[]): Promise<void> {
    if (d.name === 'postgres') {
      for (const { items } of batches(records, PG_ROWS_PER_STATEMENT)) {
        const rows = items.map((r) => {
          const v = rowValues(r);
          const o: Record<string, string | number | null> = {};
          for (let c = 0; c < STORE_COLUMNS.length; c++) o[STORE_COLUMNS[c]] = v[c];
          return o;
        });
        await tx.query(`INSERT INTO ${STORE_TABLE} (${STORE_COLUMNS.join(', ')}) SELECT ${STORE_COLUMNS.join(', ')} FROM json_to_recordset(CAST(:rows AS json)) AS x(${PG_RECORD_TYPES}) ON CONFLICT DO NOTHING`, { rows: JSON.stringify(rows) });
      }
      return;
    }
    const per = rowsPerStatement(d.facts, STORE_COLUMNS.length, d.facts.maxValuesRows);
    const head = d.name === 'mysql' ? `INSERT IGNORE INTO ${STORE_TABLE}` : `INSERT INTO ${STORE_TABLE}`;
    const tail = d.name === 'mysql' ? '' : ' ON CONFLICT DO NOTHING';
    for (const { items } of batches(records, per)) {
      const params: NamedParams = {};
      const tuples: string[] = [];
      for (let r = 0; r < items.length; r++) {
        const values = rowValues(items[r]);
        const names: string[] = [];
        for (let c = 0; c < values.length; c++) {
          const name = `v${r}_${c}`;
          params[name] = values[c];
          names.push(`:${name}`);
        }
        tuples.push(`(${names.join(', ')})`);
      }
      await tx.query(`${head} (${STORE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}${tail}`, params);
    }
  }

  /** Every record sent must now be in the store exactly as sent. */
  private async checkSent(d: Driver, tx: Queryable, records: ShipRecord[]): Promise<void> {
    const pg = d.name === 'postgres';
    const per = pg ? PG_ROWS_PER_STATEMENT : rowsPerStatement(d.facts, 1, d.facts.maxInListItems);
    for (const { items } of batches(records, per)) {
      const ids = items.map((r) => r.entry.id);
      const res = await tx.query(
        `SELECT entry_id, writer, seq, hash, CHAR_LENGTH(entry) FROM ${STORE_TABLE} WHERE entry_id IN (${pg ? 'SELECT json_array_elements_text(CAST(:ids AS json))' : ':ids'})`,
        { ids: pg ? JSON.stringify(ids) : ids },
      );
      const found = new Map<string, unknown[]>();
      for (const row of res.rows) found.set(String(row[0]), row);
      for (const r of items) {
        const row = found.get(r.entry.id);
        if (!row) {
          const other = await tx.query(`SELECT entry_id, hash FROM ${STORE_TABLE} WHERE writer = :w AND seq = :s`, { w: r.writer, s: r.seq });
          const holder = other.rows[0];
          throw new StoreForkError(holder
            ? `Fork in the team audit store: writer ${r.writer} number ${r.seq} is already entry ${String(holder[0])} (hash ${String(holder[1]).slice(0, 12)}…), not entry ${r.entry.id} from this computer's log.`
            : `The team audit store did not keep entry ${r.entry.id} (writer ${r.writer} number ${r.seq}) and holds no other row in its place.`);
        }
        if (String(row[1]) !== r.writer || Number(row[2]) !== r.seq || String(row[3]) !== r.hash || Number(row[4]) !== codePoints(r.line)) {
          throw new StoreForkError(`Fork in the team audit store: entry ${r.entry.id} is already there as writer ${String(row[1])} number ${String(row[2])} with other content than writer ${r.writer} number ${r.seq} in this computer's log.`);
        }
      }
    }
  }

  private async dropSession(): Promise<void> {
    const d = this.driver;
    this.driver = undefined;
    await d?.close().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.dropSession();
  }
}
