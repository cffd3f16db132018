/**
 * Opens a database session for a profile and wraps the dialect's native connection in the
 * one `Driver` the product uses: named parameters bound per dialect, one statement at a
 * time, transactions that always end (commit or rollback), and errors as AppError with
 * clear, redacted messages.
 */
import { AppError, type FailureKind } from '../errors';
import type { DbDriverName, InstanceProfile } from '../profiles/schema';
import { expandHome } from '../platformPaths';
import { redactor } from '../redact';
import { resolveTls } from './tls';
import { checkSchemaName, dialectOf, driverFacts } from './dialect';
import { loadDriver } from './loader';
import { ParamBindError, bindNamed } from './bindParams';
import { describeReadProblem, readProblem } from './readOnlySql';
import type {
  DbErrorCategory,
  DbErrorInfo,
  DialectFacts,
  Driver,
  NamedParams,
  NativeConnection,
  NativeDriver,
  QueryOptions,
  QueryResult,
  Queryable,
  TransactionOptions,
} from './types';

export type DatabaseConfig = NonNullable<InstanceProfile['database']>;

export type DbPhase = 'connect' | 'query' | 'begin' | 'commit';

/** A database failure: an AppError that also says what kind and in which phase. */
export class DbError extends AppError {

  constructor(
    kind: FailureKind,
    message: string,
    hint: string | undefined,
    public readonly category: DbErrorCategory,
    public readonly phase: DbPhase,
    public readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(kind, message, hint, options);
    this.name = 'DbError';
  }
}

export interface ConnectOptions {
  /** Overrides database.schema: PostgreSQL/PGlite search_path, Oracle CURRENT_SCHEMA; SQL Server qualifies snippet tables with it. */
  schema?: string;
  connectTimeoutMs?: number;
  applicationName?: string;
  /** Replaces the lazy loader (tests). */
  loadDriver?: (name: DbDriverName) => Promise<NativeDriver>;
}


/** "PostgreSQL at db.example.com:5432, database "jira"" — for messages. */
export function describeTarget(db: DatabaseConfig): string {
  const facts = driverFacts(db.driver);
  if (db.driver === 'pglite') return db.database === 'memory://' ? 'the in-memory PGlite database' : `the PGlite database in ${db.database}`;
  const port = db.port ?? facts.defaultPort;
  const what = db.driver === 'oracle' ? 'service' : 'database';
  return `${facts.label} at ${db.host}${port ? `:${port}` : ''}, ${what} "${db.database}"`;
}

const CONNECT_REASONS: Partial<Record<DbErrorCategory, (db: DatabaseConfig) => [string, string]>> = {
  refused: () => ['the connection was refused', 'Check that the server is running and that host and port are right.'],
  'host-not-found': (db) => [`the host name "${db.host}" was not found`, 'Check database.host.'],
  timeout: () => ['the connection timed out', 'Check host, port and any firewall between you and the server.'],
  auth: (db) => [
    `authentication failed for user "${db.user ?? ''}"`,
    'Check database.user and the database password ("Set credentials…").',
  ],
  'unknown-database': (db) => [
    `the ${db.driver === 'oracle' ? 'service' : 'database'} "${db.database}" does not exist or this user may not open it`,
    'Check database.database.',
  ],
  tls: () => [
    'the TLS connection failed',
    'Check database.ssl: the server may not offer TLS, or its certificate is not trusted (set caFile, or allowSelfSigned for a test server).',
  ],
  'connection-lost': () => ['the server closed the connection', 'Check that the server accepts connections from this machine.'],
};

function clean(text: string): string {
  return redactor.redact(text);
}

/** Turns a driver error into a DbError with a message a person can act on. */
export function describeDbError(info: DbErrorInfo, phase: DbPhase, db: DatabaseConfig, cause?: unknown): DbError {
  const detail = clean(info.message);
  const mk = (kind: FailureKind, message: string, hint?: string) =>
    new DbError(kind, clean(message), hint, info.category, phase, info.code, { cause });
  if (phase === 'connect') {
    const reason = CONNECT_REASONS[info.category]?.(db);
    if (reason) return mk('unreachable', `Cannot connect to ${describeTarget(db)}: ${reason[0]} (${detail}).`, reason[1]);
    return mk('unreachable', `Cannot connect to ${describeTarget(db)}: ${detail}.`);
  }
  if (info.category === 'connection-lost' || info.category === 'timeout' || info.category === 'refused' || info.category === 'host-not-found') {
    if (phase === 'commit') {
      return mk(
        'unreachable',
        `The connection to ${describeTarget(db)} was lost while committing (${detail}): the change may or may not have been saved.`,
        'Check the data before trying again.',
      );
    }
    return mk(
      'unreachable',
      `The connection to ${describeTarget(db)} was lost (${detail}). The server rolls back an unfinished transaction: nothing of it was committed.`,
      'Reconnect and try again.',
    );
  }
  switch (info.category) {
    case 'duplicate-key':
      return mk('refused', `The database refused the statement: a row with the same key already exists (${detail}).`);
    case 'undefined-table':
      return mk(
        'refused',
        `The database refused the statement: a table does not exist (${detail}).`,
        "Check that this is the product's database and that the user's default schema holds its tables.",
      );
    case 'read-only':
      return mk('refused', `The database refused a change in a read-only transaction (${detail}).`);
    case 'permission':
      return mk('refused', `The database user may not do this (${detail}).`, 'Grant the needed rights or use another database user.');
    case 'syntax':
      return mk('refused', `The database could not run the SQL (${detail}).`);
    default:
      return mk('refused', `The database refused the statement (${detail}).`);
  }
}

class SqlDriver implements Driver {
  readonly facts: DialectFacts;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly name: DbDriverName,
    private readonly native: NativeConnection,
    private readonly impl: NativeDriver,
    private readonly db: DatabaseConfig,
    readonly schema?: string,
  ) {
    this.facts = driverFacts(name);
  }

  get serverVersion(): string {
    return this.native.serverVersion;
  }

  get sessionId(): string {
    return this.native.sessionId;
  }

  /** One caller at a time: a transaction holds the session until it ends. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => fn());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private fail(e: unknown, phase: DbPhase): AppError {
    if (e instanceof AppError) return e;
    return describeDbError(this.impl.classifyError(e), phase, this.db, e);
  }

  /** `read`: the statement runs in a read-only transaction and must be one query (readOnlySql.ts). */
  private async run(sql: string, params: NamedParams | undefined, options: QueryOptions | undefined, read = false): Promise<QueryResult> {
    if (this.closed) throw new AppError('unreachable', 'The database connection is closed.');
    let bound;
    try {
      bound = bindNamed(sql, dialectOf(this.name), params);
    } catch (e) {
      if (e instanceof ParamBindError) throw new AppError('input', `Cannot run the SQL: ${e.message}.`);
      throw e;
    }
    // Checked as sent (placeholders in place): the text the server's lexer will read.
    const problem = read ? readProblem(bound.text, dialectOf(this.name)) : undefined;
    if (problem) {
      throw new AppError(
        'refused',
        `Refused before sending: ${describeReadProblem(bound.text, problem)}. Nothing was sent to the database.`,
        'A read is one query (SELECT, or WITH … SELECT) and nothing else; see "Read-only guarantee" in docs/snippets.md.',
      );
    }
    try {
      return await this.native.execute(bound.text, bound.binds, options ?? {});
    } catch (e) {
      throw this.fail(e, 'query');
    }
  }

  query(sql: string, params?: NamedParams, options?: QueryOptions): Promise<QueryResult> {
    return this.exclusive(() => this.run(sql, params, options));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.exclusive(async () => {
      if (this.closed) throw new AppError('unreachable', 'The database connection is closed.');
      const readOnly = options.readOnly === true;
      try {
        await this.native.begin({ readOnly: readOnly && this.facts.readOnlyTransactions, forChange: options.forChange === true });
      } catch (e) {
        throw this.fail(e, 'begin');
      }
      let active = true;
      const tx: Queryable = {
        query: (sql, params, opts) => {
          if (!active) return Promise.reject(new Error('this transaction has ended'));
          return this.run(sql, params, opts, readOnly);
        },
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (e) {
        active = false;
        await this.native.rollback().catch(() => undefined);
        throw e;
      }
      active = false;
      if (readOnly) {
        // A read never keeps anything: end it with ROLLBACK (SQL Server has no read-only mode).
        await this.native.rollback().catch(() => undefined);
        return result;
      }
      try {
        await this.native.commit();
      } catch (e) {
        await this.native.rollback().catch(() => undefined);
        throw this.fail(e, 'commit');
      }
      return result;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.native.close().catch(() => undefined);
  }
}

/**
 * Connects to a profile's database. `password` comes from the secret store (kind dbPassword)
 * and is registered with the redactor so that no message repeats it.
 */
export async function connectDatabase(db: DatabaseConfig, password: string | undefined, options: ConnectOptions = {}): Promise<Driver> {
  if (password) redactor.add(password);
  if (db.driver !== 'pglite' && !db.host) throw new AppError('input', `database.host is required for ${db.driver}`);
  if (db.driver === 'pglite' && db.database !== 'memory://' && !/^(\/|[A-Za-z]:[\\/]|~\/)/.test(db.database)) {
    throw new AppError('input', 'For PGlite, database.database must be an absolute data directory or "memory://".');
  }
  const schema = options.schema ?? db.schema;
  if (schema !== undefined) checkSchemaName(schema, db.driver);
  const tls = await resolveTls(db, { timeoutMs: options.connectTimeoutMs });
  let impl: NativeDriver;
  try {
    impl = await (options.loadDriver ?? loadDriver)(db.driver);
  } catch (e) {
    throw new AppError('unreachable', clean(`The ${db.driver} database driver could not be loaded: ${(e as Error).message}`), 'Reinstall the extension or the CLI: a driver file may be missing.', { cause: e });
  }
  let native: NativeConnection;
  try {
    native = await impl.connect({
      host: db.host,
      port: db.port,
      database: db.driver === 'pglite' ? expandHome(db.database) : db.database,
      user: db.user,
      password,
      tls,
      schema,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      applicationName: options.applicationName ?? 'jira2fa',
    });
  } catch (e) {
    throw describeDbError(impl.classifyError(e), 'connect', db, e);
  }
  return new SqlDriver(db.driver, native, impl, db, schema);
}
