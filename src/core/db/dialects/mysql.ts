/**
 * MySQL and MariaDB through `mysql2/promise`. Statements run as server-side prepared
 * statements (`execute`), so values travel separately from the SQL text.
 */
import mysql from 'mysql2/promise';
import type { ConnectionOptions, FieldPacket } from 'mysql2/promise';
import type { ColumnKind, DbErrorInfo, NativeBind, NativeConnectConfig, NativeConnection, NativeDriver, QueryResult } from '../types';
import { classifyNodeError, errorCode, firstLine, plainValue, serverLogin, setUpOrClose } from '../native/common';

/** mysql2 column type numbers (protocol values). */
const TYPES: Record<number, [string, ColumnKind]> = {
  0: ['decimal', 'decimal'],
  1: ['tinyint', 'integer'],
  2: ['smallint', 'integer'],
  3: ['int', 'integer'],
  4: ['float', 'float'],
  5: ['double', 'float'],
  7: ['timestamp', 'timestamp'],
  8: ['bigint', 'bigint'],
  9: ['mediumint', 'integer'],
  10: ['date', 'date'],
  11: ['time', 'time'],
  12: ['datetime', 'timestamp'],
  13: ['year', 'integer'],
  15: ['varchar', 'text'],
  16: ['bit', 'binary'],
  245: ['json', 'json'],
  246: ['decimal', 'decimal'],
  249: ['tinyblob', 'binary'],
  250: ['mediumblob', 'binary'],
  251: ['longblob', 'binary'],
  252: ['blob', 'binary'],
  253: ['varchar', 'text'],
  254: ['char', 'text'],
};
const BINARY_CHARSET = 63;
const TEXT_OF_BLOB: Record<string, string> = { tinyblob: 'tinytext', mediumblob: 'mediumtext', longblob: 'longtext', blob: 'text', varchar: 'varchar', char: 'char' };

export function mysqlColumnType(field: FieldPacket): { type: ColumnKind; nativeType: string } {
  const code = field.columnType ?? field.type ?? -1;
  const t = TYPES[code];
  if (!t) return { type: 'other', nativeType: `type:${code}` };
  const [name, kind] = t;
  if (kind === 'binary' && code !== 16 && field.characterSet !== BINARY_CHARSET) return { type: 'text', nativeType: TEXT_OF_BLOB[name] ?? name };
  if (kind === 'text' && field.characterSet === BINARY_CHARSET) return { type: 'binary', nativeType: code === 254 ? 'binary' : 'varbinary' };
  return { type: kind, nativeType: name };
}

/** The mysql2 options for a profile (exported for unit tests). */
export function connectionOptions(config: NativeConnectConfig): ConnectionOptions {
  return {
    ...serverLogin(config),
    // verifyIdentity: without it mysql2 verifies the chain but not the host name.
    ssl: config.tls ? { rejectUnauthorized: true, verifyIdentity: true, ...(config.tls.ca ? { ca: config.tls.ca } : {}) } : undefined,
    connectTimeout: config.connectTimeoutMs,
    charset: 'utf8mb4',
    // Exact values for backups: dates as the server's text, big numbers as strings.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    multipleStatements: false,
    connectAttributes: { program_name: config.applicationName },
  };
}

function bindValue(b: NativeBind): unknown {
  if (typeof b.value === 'boolean') return b.value ? 1 : 0;
  return plainValue(b.value);
}

class MysqlConnection implements NativeConnection {
  serverVersion = '';
  sessionId = '';
  private lost: Error | undefined;

  constructor(private readonly conn: mysql.Connection) {
    conn.on('error', (e: Error) => {
      this.lost = e;
    });
  }

  async execute(sql: string, binds: NativeBind[], options: { maxRows?: number }): Promise<QueryResult> {
    if (this.lost) throw this.lost;
    const [result, fields] = await this.conn.execute({ sql, rowsAsArray: true }, binds.map(bindValue) as never);
    if (!Array.isArray(result)) {
      return { columns: [], rows: [], rowCount: (result as { affectedRows?: number }).affectedRows ?? 0 };
    }
    const columns = (fields ?? []).map((f) => ({ name: f.name, ...mysqlColumnType(f) }));
    let rows = result as unknown as unknown[][];
    if (options.maxRows !== undefined && rows.length > options.maxRows) rows = rows.slice(0, options.maxRows);
    return { columns, rows, rowCount: rows.length };
  }

  async begin(options: { readOnly: boolean }): Promise<void> {
    if (this.lost) throw this.lost;
    await this.conn.query(options.readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
  }

  async commit(): Promise<void> {
    if (this.lost) throw this.lost;
    await this.conn.commit();
  }

  async rollback(): Promise<void> {
    if (this.lost) throw this.lost;
    await this.conn.rollback();
  }

  async close(): Promise<void> {
    if (this.lost) {
      this.conn.destroy();
      return;
    }
    await this.conn.end();
  }
}

const LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ER_QUERY_INTERRUPTED',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
]);

export function classifyMysqlError(error: unknown): DbErrorInfo {
  const code = errorCode(error);
  // "(using password: YES)" says nothing useful and looks like a secret to the redactor.
  const message = firstLine(error).replace(/\s*\(using password: (YES|NO)\)/, '');
  const errno = (error as { errno?: number } | undefined)?.errno;
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR' || errno === 1045) return { category: 'auth', code, message };
  if (code === 'ER_BAD_DB_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || errno === 1049 || errno === 1044) {
    return { category: 'unknown-database', code, message };
  }
  if ((code && LOST_CODES.has(code)) || errno === 1927 || errno === 4031 || /connection is in closed state|Connection lost/i.test(message)) {
    return { category: 'connection-lost', code, message };
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || code === 'HANDSHAKE_SSL_ERROR') return { category: 'tls', code, message };
  if (code === 'ER_DUP_ENTRY' || errno === 1062) return { category: 'duplicate-key', code, message };
  if (code === 'ER_NO_SUCH_TABLE' || errno === 1146) return { category: 'undefined-table', code, message };
  if (code === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION' || errno === 1792) return { category: 'read-only', code, message };
  if (code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR' || errno === 1142) return { category: 'permission', code, message };
  if (code === 'ER_PARSE_ERROR' || errno === 1064) return { category: 'syntax', code, message };
  const node = classifyNodeError(error);
  if (node) return node;
  return { category: 'other', code, message };
}

export const driver: NativeDriver = {
  name: 'mysql',
  async connect(config) {
    const conn = await mysql.createConnection(connectionOptions(config));
    const wrapped = new MysqlConnection(conn);
    await setUpOrClose(async () => {
      const [rows] = await conn.query({ sql: 'SELECT VERSION() AS v, CONNECTION_ID() AS id', rowsAsArray: true });
      const row = (rows as unknown as unknown[][])[0];
      wrapped.serverVersion = String(row[0]);
      wrapped.sessionId = String(row[1]);
    }, () => conn.destroy());
    return wrapped;
  },
  classifyError: classifyMysqlError,
};
