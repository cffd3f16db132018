/**
 * Oracle through `oracledb` in thin mode (pure JavaScript, no Instant Client). `database` is
 * the service name. Dates, timestamps and numbers are fetched as text in a fixed session
 * format so that a backup restores exactly the same value.
 */
import * as oracledb from 'oracledb';
import type { ColumnKind, DbErrorInfo, NativeBind, NativeConnectConfig, NativeConnection, NativeDriver, QueryResult } from '../types';
import { classifyNodeError, errorCode, firstLine, namedColumnType, plainValue, setUpOrClose } from '../native/common';
import { quoteDouble } from '../dialect';

/** Session formats: ISO-like and with full fractional seconds. */
export const SESSION_SETUP =
  "ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD HH24:MI:SS' NLS_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF9' " +
  "NLS_TIMESTAMP_TZ_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM' NLS_NUMERIC_CHARACTERS = '.,'";

const KINDS: Record<string, ColumnKind> = {
  VARCHAR2: 'text',
  NVARCHAR2: 'text',
  CHAR: 'text',
  NCHAR: 'text',
  CLOB: 'text',
  NCLOB: 'text',
  LONG: 'text',
  NUMBER: 'decimal',
  BINARY_FLOAT: 'float',
  BINARY_DOUBLE: 'float',
  BINARY_INTEGER: 'integer',
  DATE: 'timestamp',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  'TIMESTAMP WITH LOCAL TIME ZONE': 'timestamptz',
  RAW: 'binary',
  'LONG RAW': 'binary',
  BLOB: 'binary',
  BOOLEAN: 'boolean',
  JSON: 'json',
};

export function oracleColumnType(dbTypeName: string | undefined): { type: ColumnKind; nativeType: string } {
  return namedColumnType(KINDS, (dbTypeName ?? 'UNKNOWN').toUpperCase());
}

const AS_TEXT = new Set<unknown>([
  oracledb.DB_TYPE_DATE,
  oracledb.DB_TYPE_TIMESTAMP,
  oracledb.DB_TYPE_TIMESTAMP_TZ,
  oracledb.DB_TYPE_TIMESTAMP_LTZ,
  oracledb.DB_TYPE_NUMBER,
  oracledb.DB_TYPE_CLOB,
  oracledb.DB_TYPE_NCLOB,
]);
const AS_BUFFER = new Set<unknown>([oracledb.DB_TYPE_BLOB]);

function fetchTypeHandler(meta: oracledb.Metadata): { type: unknown } | undefined {
  if (AS_TEXT.has(meta.dbType)) return { type: oracledb.STRING };
  if (AS_BUFFER.has(meta.dbType)) return { type: oracledb.BUFFER };
  return undefined;
}

/** Easy Connect string: [tcps://]host:port/service (exported for unit tests). */
export function connectString(config: NativeConnectConfig): string {
  const host = config.host ?? 'localhost';
  const port = config.port ?? (config.tls ? 2484 : 1521);
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${config.tls ? 'tcps://' : ''}${h}:${port}/${config.database}`;
}

/** The oracledb connection attributes (exported for unit tests). */
export function connectionAttributes(config: NativeConnectConfig): oracledb.ConnectionAttributes {
  return {
    user: config.user,
    password: config.password ?? '',
    connectString: connectString(config),
    connectTimeout: Math.max(1, Math.ceil(config.connectTimeoutMs / 1000)),
    ...(config.tls && config.tls.ca ? { walletContent: config.tls.ca } : {}),
    ...(config.tls ? { sslServerDNMatch: true } : {}),
    driverName: config.applicationName,
  };
}

export function oracleBinds(binds: NativeBind[]): Record<string, oracledb.BindParameter> {
  const out: Record<string, oracledb.BindParameter> = {};
  binds.forEach((b, i) => {
    let value = plainValue(b.value);
    if (typeof value === 'boolean') value = value ? 1 : 0;
    if (b.kind === 'binary' && typeof value === 'string') value = Buffer.from(value, 'base64');
    out[`b${i + 1}`] = value === null || value === undefined ? { val: null, type: b.kind === 'binary' ? oracledb.BUFFER : oracledb.STRING } : { val: value };
  });
  return out;
}

class OracleConnection implements NativeConnection {
  serverVersion = '';
  sessionId = '';

  constructor(private readonly conn: oracledb.Connection) {}

  async execute(sql: string, binds: NativeBind[], options: { maxRows?: number }): Promise<QueryResult> {
    const result = await this.conn.execute(sql, oracleBinds(binds), {
      outFormat: oracledb.OUT_FORMAT_ARRAY,
      autoCommit: false,
      fetchTypeHandler,
      ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
    });
    if (!result.metaData) return { columns: [], rows: [], rowCount: result.rowsAffected ?? 0 };
    const columns = result.metaData.map((m) => ({ name: m.name, ...oracleColumnType(m.dbTypeName) }));
    const rows = result.rows ?? [];
    return { columns, rows, rowCount: rows.length };
  }

  async begin(options: { readOnly: boolean }): Promise<void> {
    // A transaction starts with the first statement; READ ONLY must be that statement.
    if (options.readOnly) await this.conn.execute('SET TRANSACTION READ ONLY', {}, { autoCommit: false });
  }

  async commit(): Promise<void> {
    await this.conn.commit();
  }

  async rollback(): Promise<void> {
    await this.conn.rollback();
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

export function classifyOracleError(error: unknown): DbErrorInfo {
  const code = errorCode(error);
  const message = firstLine(error);
  const is = (...codes: string[]) => code !== undefined && codes.includes(code);
  if (is('ORA-01017', 'ORA-28000', 'ORA-01005', 'ORA-28001')) return { category: 'auth', code, message };
  if (is('ORA-12514', 'NJS-518', 'ORA-12505', 'NJS-519')) return { category: 'unknown-database', code, message };
  if (is('NJS-511', 'ORA-12541')) return { category: 'refused', code, message };
  if (is('NJS-503')) {
    // "connection to host ... could not be established": the cause says why, when known.
    const cause = classifyNodeError(error);
    return cause && cause.category !== 'connection-lost' ? { ...cause, code, message } : { category: 'refused', code, message };
  }
  if (is('NJS-530', 'ORA-12545')) return { category: 'host-not-found', code, message };
  if (is('NJS-510', 'ORA-12170')) return { category: 'timeout', code, message };
  if (is('NJS-505', 'NJS-506', 'NJS-507', 'NJS-508')) return { category: 'tls', code, message };
  if (is('NJS-500', 'NJS-501', 'NJS-521', 'NJS-003', 'ORA-03113', 'ORA-03114', 'ORA-03135', 'ORA-00028', 'ORA-02396', 'ORA-01012')) {
    return { category: 'connection-lost', code, message };
  }
  if (is('ORA-00001')) return { category: 'duplicate-key', code, message };
  if (is('ORA-00942')) return { category: 'undefined-table', code, message };
  if (is('ORA-01456')) return { category: 'read-only', code, message };
  if (is('ORA-01031', 'ORA-01749')) return { category: 'permission', code, message };
  if (is('ORA-00900', 'ORA-00933', 'ORA-00936', 'ORA-00923', 'ORA-00904')) return { category: 'syntax', code, message };
  const node = classifyNodeError(error);
  if (node) return node;
  return { category: 'other', code, message };
}

/** database.schema as the session's CURRENT_SCHEMA (exported for unit tests): always quoted. */
export function currentSchemaSql(schema: string): string {
  return `ALTER SESSION SET CURRENT_SCHEMA = ${quoteDouble(schema)}`;
}

export const driver: NativeDriver = {
  name: 'oracle',
  async connect(config) {
    const conn = await oracledb.getConnection(connectionAttributes(config));
    const wrapped = new OracleConnection(conn);
    await setUpOrClose(async () => {
      await conn.execute(SESSION_SETUP, {}, { autoCommit: false });
      if (config.schema) await conn.execute(currentSchemaSql(config.schema), {}, { autoCommit: false });
      const info = await conn.execute("SELECT SYS_CONTEXT('USERENV', 'SID') FROM DUAL", {}, { outFormat: oracledb.OUT_FORMAT_ARRAY, autoCommit: false });
      wrapped.serverVersion = `Oracle ${conn.oracleServerVersionString}`;
      wrapped.sessionId = String(info.rows?.[0]?.[0] ?? '');
    }, () => conn.close());
    return wrapped;
  },
  classifyError: classifyOracleError,
};
