/**
 * Microsoft SQL Server through `mssql` (tedious, pure JavaScript). A pool of exactly one
 * connection stands for the session. SQL Server has no READ ONLY transaction; a change
 * transaction runs SERIALIZABLE so that rows read for the backup stay locked until commit.
 */
import * as sql from 'mssql';
import type { ColumnKind, DbErrorInfo, NativeBind, NativeConnectConfig, NativeConnection, NativeDriver, QueryResult } from '../types';
import { classifyNodeError, errorCode, firstLine, namedColumnType, plainValue, setUpOrClose } from '../native/common';

const KINDS: Record<string, ColumnKind> = {
  char: 'text',
  varchar: 'text',
  nchar: 'text',
  nvarchar: 'text',
  text: 'text',
  ntext: 'text',
  xml: 'text',
  uniqueidentifier: 'text',
  tinyint: 'integer',
  smallint: 'integer',
  int: 'integer',
  bigint: 'bigint',
  bit: 'boolean',
  decimal: 'decimal',
  numeric: 'decimal',
  money: 'decimal',
  smallmoney: 'decimal',
  real: 'float',
  float: 'float',
  date: 'date',
  time: 'time',
  datetime: 'timestamp',
  datetime2: 'timestamp',
  smalldatetime: 'timestamp',
  datetimeoffset: 'timestamptz',
  binary: 'binary',
  varbinary: 'binary',
  image: 'binary',
};

export function mssqlColumnType(declaration: string | undefined): { type: ColumnKind; nativeType: string } {
  return namedColumnType(KINDS, (declaration ?? 'unknown').toLowerCase());
}

/** The mssql pool options for a profile (exported for unit tests). */
export function poolConfig(config: NativeConnectConfig): sql.config {
  let server = config.host ?? 'localhost';
  let instanceName: string | undefined;
  const slash = server.indexOf('\\');
  if (slash > 0) {
    instanceName = server.slice(slash + 1);
    server = server.slice(0, slash);
  }
  return {
    server,
    port: instanceName ? undefined : config.port,
    database: config.database,
    user: config.user,
    password: config.password ?? '',
    connectionTimeout: config.connectTimeoutMs,
    requestTimeout: 120_000,
    pool: { max: 1, min: 0, idleTimeoutMillis: 600_000 },
    options: {
      encrypt: config.tls !== false,
      // Never trusted blindly: the certificate is verified against the system CAs or database.ssl.caFile.
      trustServerCertificate: false,
      ...(config.tls && config.tls.ca ? { cryptoCredentialsDetails: { ca: config.tls.ca } } : {}),
      appName: config.applicationName,
      instanceName,
      // datetime values are read and written as UTC instants, so a backup taken on one
      // machine restores the same value on another.
      useUTC: true,
    },
  };
}

/** The SQL type to declare for one bound value. */
export function mssqlParamType(bind: NativeBind): { type: sql.SqlType; value: unknown } {
  let value = plainValue(bind.value);
  const kind = bind.kind;
  if ((kind === 'timestamp' || kind === 'timestamptz' || kind === 'date') && typeof value === 'string') value = new globalThis.Date(value);
  if (kind === 'binary' && typeof value === 'string') value = Buffer.from(value, 'base64');
  if (value === null || value === undefined) {
    if (kind === 'binary') return { type: sql.VarBinary(sql.MAX), value: null };
    if (kind === 'timestamp') return { type: sql.DateTime2(7), value: null };
    if (kind === 'timestamptz') return { type: sql.DateTimeOffset(7), value: null };
    if (kind === 'integer') return { type: sql.Int, value: null };
    if (kind === 'bigint') return { type: sql.BigInt, value: null };
    if (kind === 'boolean') return { type: sql.Bit, value: null };
    return { type: sql.NVarChar(sql.MAX), value: null };
  }
  if (Buffer.isBuffer(value)) return { type: sql.VarBinary(sql.MAX), value };
  if (value instanceof globalThis.Date) return { type: kind === 'timestamptz' ? sql.DateTimeOffset(7) : sql.DateTime2(7), value };
  if (typeof value === 'boolean') return { type: sql.Bit, value };
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { type: Math.abs(value) > 2147483647 ? sql.BigInt : sql.Int, value };
    return { type: sql.Float, value };
  }
  const text = String(value);
  if (kind === 'bigint') return { type: sql.BigInt, value: text };
  if (kind === 'decimal') return { type: sql.NVarChar(100), value: text };
  return { type: text.length > 4000 ? sql.NVarChar(sql.MAX) : sql.NVarChar(4000), value: text };
}

class MssqlConnection implements NativeConnection {
  serverVersion = '';
  sessionId = '';
  private tx: sql.Transaction | undefined;
  private lost: Error | undefined;

  constructor(private readonly pool: sql.ConnectionPool) {
    pool.on('error', (e) => {
      this.lost = e;
    });
  }

  private request(): sql.Request {
    const request = this.tx ? new sql.Request(this.tx) : this.pool.request();
    request.arrayRowMode = true;
    return request;
  }

  async execute(text: string, binds: NativeBind[], options: { maxRows?: number }): Promise<QueryResult> {
    if (this.lost) throw this.lost;
    const request = this.request();
    binds.forEach((b, i) => {
      const { type, value } = mssqlParamType(b);
      request.input(`p${i + 1}`, type, value);
    });
    const result = await request.query(text);
    const meta = result.columns?.[0] ?? [];
    if (!result.recordset) {
      return { columns: [], rows: [], rowCount: result.rowsAffected.reduce((a, b) => a + b, 0) };
    }
    const columns = meta.map((c) => ({ name: c.name, ...mssqlColumnType(c.type?.declaration) }));
    let rows = [...result.recordset] as unknown[][];
    if (options.maxRows !== undefined && rows.length > options.maxRows) rows = rows.slice(0, options.maxRows);
    return { columns, rows, rowCount: rows.length };
  }

  async begin(options: { readOnly: boolean; forChange: boolean }): Promise<void> {
    if (this.lost) throw this.lost;
    const tx = new sql.Transaction(this.pool);
    await tx.begin(options.forChange ? sql.ISOLATION_LEVEL.SERIALIZABLE : sql.ISOLATION_LEVEL.READ_COMMITTED);
    this.tx = tx;
  }

  async commit(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    if (!tx) throw new Error('no transaction to commit');
    await tx.commit();
  }

  async rollback(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    if (tx) await tx.rollback();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

export function classifyMssqlError(error: unknown): DbErrorInfo {
  const code = errorCode(error);
  const message = firstLine(error);
  const inner = (error as { originalError?: unknown })?.originalError;
  const number = (error as { number?: number })?.number ?? (inner as { number?: number } | undefined)?.number;
  if (code === 'ELOGIN') {
    if (number === 4060 || /Cannot open database/i.test(message)) return { category: 'unknown-database', code, message };
    return { category: 'auth', code, message };
  }
  if (code === 'EINSTLOOKUP') return { category: 'host-not-found', code, message };
  if (code === 'ECONNCLOSED' || code === 'ENOTOPEN' || code === 'ENOCONN' || /Connection lost|connection is closed|socket hang up/i.test(message)) {
    return { category: 'connection-lost', code, message };
  }
  if (number === 2627 || number === 2601) return { category: 'duplicate-key', code, message };
  if (number === 208) return { category: 'undefined-table', code, message };
  if (number === 229 || number === 230) return { category: 'permission', code, message };
  if (number === 102 || number === 156) return { category: 'syntax', code, message };
  if (number === 6005 || number === 596 || number === 233) return { category: 'connection-lost', code, message };
  const node = classifyNodeError(error);
  if (node) return node;
  if (code === 'ETIMEOUT') return { category: 'timeout', code, message };
  if (code === 'ESOCKET') {
    if (/certificate|SSL|TLS|self[- ]signed/i.test(message)) return { category: 'tls', code, message };
    if (/ECONNREFUSED/.test(message)) return { category: 'refused', code, message };
    return { category: 'connection-lost', code, message };
  }
  if (/certificate|self[- ]signed/i.test(message)) return { category: 'tls', code, message };
  return { category: 'other', code, message };
}

export const driver: NativeDriver = {
  name: 'mssql',
  async connect(config) {
    const pool = new sql.ConnectionPool(poolConfig(config));
    const conn = new MssqlConnection(pool);
    await pool.connect();
    await setUpOrClose(async () => {
      const result = await conn.execute('SELECT @@VERSION AS v, @@SPID AS spid', [], {});
      conn.serverVersion = String(result.rows[0][0]).split('\n')[0].trim();
      conn.sessionId = String(result.rows[0][1]);
    }, () => pool.close());
    return conn;
  },
  classifyError: classifyMssqlError,
};
