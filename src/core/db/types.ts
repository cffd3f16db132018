/**
 * Types shared by every database driver.
 *
 * Two levels:
 *  - `Driver` (public): what the rest of the product uses. Named parameters (`:username`),
 *    errors as AppError, one session, transactions. Implemented once, in connect.ts.
 *  - `NativeDriver` / `NativeConnection` (internal): what each file under dialects/ exports.
 *    A dialect file talks to its library only: it receives SQL that already carries the
 *    dialect's own placeholders plus the values to bind, and it never throws our own
 *    error classes (each dialect becomes its own bundle, so `instanceof` across bundles
 *    would not hold); it classifies its errors as plain data instead.
 *
 * This file holds types only, so a dialect bundle that imports it pulls in no code.
 */
import type { DbDriverName } from '../profiles/schema';

/** The SQL dialects we render snippets for. PGlite speaks `postgres`. */
export const DIALECTS = ['postgres', 'mysql', 'mssql', 'oracle'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** A portable description of a column's type, used to show values and to restore backups. */
export type ColumnKind =
  | 'text'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'float'
  | 'boolean'
  | 'timestamp'
  | 'timestamptz'
  | 'date'
  | 'time'
  | 'binary'
  | 'json'
  | 'other';

export interface Column {
  name: string;
  type: ColumnKind;
  /** The server's own type name, e.g. "varchar", "datetime2", "TIMESTAMP". */
  nativeType: string;
}

/** A value that can be bound to a placeholder. */
export type ParamValue = string | number | boolean | null | Date | Uint8Array | bigint;

/** A value with a type hint (needed for NULLs and binary/timestamp values on SQL Server). */
export interface TypedParam {
  value: ParamValue;
  kind: ColumnKind;
}

/**
 * A list of values for one parameter: only inside `IN (…)`, where the binder writes the
 * parenthesised expression once per item, each with its own bound placeholder
 * (`IN (LOWER(:names))` with two names → `IN (LOWER($1), LOWER($2))`). Never empty.
 */
export type ParamList = readonly ParamValue[];

export type ParamInput = ParamValue | TypedParam | ParamList;
export type NamedParams = Record<string, ParamInput>;

export interface QueryResult {
  columns: Column[];
  /** Rows as arrays, in column order (column names may repeat). */
  rows: unknown[][];
  /** Rows changed by INSERT/UPDATE/DELETE; rows returned by a query. */
  rowCount: number;
}

export interface QueryOptions {
  /** Fetch at most this many rows (the driver may stop early or cut the result). */
  maxRows?: number;
}

export interface TransactionOptions {
  /** Start a read-only transaction where the dialect has one (see DialectFacts). */
  readOnly?: boolean;
  /**
   * The transaction reads rows it will change: rows read must stay locked until the end.
   * Queries add FOR UPDATE where the dialect has it; SQL Server runs SERIALIZABLE.
   */
  forChange?: boolean;
}

export interface Queryable {
  /** Runs one statement. `:name` placeholders are bound from `params`, never pasted into the text. */
  query(sql: string, params?: NamedParams, options?: QueryOptions): Promise<QueryResult>;
}

export interface DialectFacts {
  dialect: Dialect;
  /** Human name for messages, e.g. "PostgreSQL". */
  label: string;
  /** How `:name` placeholders are written for the server. */
  placeholder: 'dollar' | 'question' | 'at' | 'colon';
  /** Quotes one identifier (table or column name) for this dialect. */
  quoteIdent(name: string): string;
  /** The server has a READ ONLY transaction mode. */
  readOnlyTransactions: boolean;
  /** How rows read in a change transaction are locked. */
  rowLocking: 'for-update' | 'serializable';
  /** The default TCP port. */
  defaultPort: number | undefined;
  /** Most values one statement may bind (batched statements are cut to fit). */
  maxBindParams: number;
  /** Most items in one `IN (…)` list, when the server has such a limit (Oracle: 1000). */
  maxInListItems?: number;
  /** Most rows in one `INSERT … VALUES (…), (…)`; 1 where there is no multi-row VALUES. */
  maxValuesRows?: number;
}

/** A connected session. One at a time: calls are queued, a transaction holds the session. */
export interface Driver extends Queryable {
  readonly name: DbDriverName;
  readonly facts: DialectFacts;
  /** e.g. "PostgreSQL 15.4 on x86_64-pc-linux-gnu". */
  readonly serverVersion: string;
  /** The server's id for this session (backend pid, connection id, SPID, SID). */
  readonly sessionId: string;
  /** database.schema: set on the session (PostgreSQL, PGlite, Oracle) or qualifying snippet tables (SQL Server). */
  readonly schema?: string;
  /** Runs `fn` in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// The contract between connect.ts and a dialect file (dialects/<driver>.ts).

export interface NativeTls {
  /** PEM text of the CA (or self-signed certificate) to trust; system CAs when absent. */
  ca?: string;
  /** Always verified (db/tls.ts): nothing turns certificate or host name checks off. */
  rejectUnauthorized: true;
}

export interface NativeConnectConfig {
  host?: string;
  port?: number;
  /** Database name; SQL Server database; Oracle service name; PGlite data directory or memory://. */
  database: string;
  user?: string;
  password?: string;
  tls: NativeTls | false;
  /** PostgreSQL/PGlite: the only schema on the search_path; Oracle: CURRENT_SCHEMA. SQL Server: unused (see qualifyTables). */
  schema?: string;
  connectTimeoutMs: number;
  applicationName: string;
}

export interface NativeBind {
  value: ParamValue;
  kind?: ColumnKind;
}

export interface NativeConnection {
  readonly serverVersion: string;
  readonly sessionId: string;
  /**
   * Runs SQL whose placeholders are already in the dialect's style: `$1` (binds[0]) for
   * postgres/pglite, `?` in order for mysql, `@p1` for mssql, `:b1` for oracle.
   */
  execute(sql: string, binds: NativeBind[], options: QueryOptions): Promise<QueryResult>;
  begin(options: { readOnly: boolean; forChange: boolean }): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

export type DbErrorCategory =
  | 'refused'
  | 'host-not-found'
  | 'timeout'
  | 'auth'
  | 'unknown-database'
  | 'tls'
  | 'connection-lost'
  | 'duplicate-key'
  | 'undefined-table'
  | 'read-only'
  | 'permission'
  | 'syntax'
  | 'other';

export interface DbErrorInfo {
  category: DbErrorCategory;
  /** The server's or library's code: SQLSTATE, ER_..., ORA-..., ELOGIN... */
  code?: string;
  /** The library's message, first line. Not yet redacted. */
  message: string;
}

export interface NativeDriver {
  readonly name: DbDriverName;
  connect(config: NativeConnectConfig): Promise<NativeConnection>;
  classifyError(error: unknown): DbErrorInfo;
}

/** What a dialect module (source file or bundle) exports. */
export interface NativeDriverModule {
  driver: NativeDriver;
}
