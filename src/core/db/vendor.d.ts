/**
 * The parts of `mssql` and `oracledb` that our dialect files use. Neither package ships
 * TypeScript declarations and @types/mssql is not a dependency, so we declare only what we
 * call; a wrong declaration shows up in the dialect's unit tests.
 */
declare module 'mssql' {
  interface SqlType {
    declaration?: string;
    (...args: unknown[]): SqlType;
  }
  interface ColumnMetadata {
    index: number;
    name: string;
    type: SqlType;
    length?: number;
  }
  interface IResult {
    recordset?: unknown[][] & { columns?: unknown };
    recordsets?: unknown[];
    rowsAffected: number[];
    columns?: ColumnMetadata[][];
  }
  interface config {
    server: string;
    port?: number;
    database?: string;
    user?: string;
    password?: string;
    connectionTimeout?: number;
    requestTimeout?: number;
    pool?: { max?: number; min?: number; idleTimeoutMillis?: number };
    options?: {
      encrypt?: boolean;
      trustServerCertificate?: boolean;
      appName?: string;
      instanceName?: string;
      useUTC?: boolean;
      cryptoCredentialsDetails?: { ca?: string };
      enableArithAbort?: boolean;
    };
  }
  class ConnectionPool {
    constructor(config: config);
    connect(): Promise<ConnectionPool>;
    close(): Promise<void>;
    request(): Request;
    on(event: 'error', listener: (e: Error) => void): this;
  }
  class Transaction {
    constructor(pool: ConnectionPool);
    begin(isolationLevel?: number): Promise<Transaction>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
  }
  class Request {
    constructor(parent?: ConnectionPool | Transaction);
    arrayRowMode: boolean;
    input(name: string, type: SqlType, value: unknown): Request;
    query(command: string): Promise<IResult>;
  }
  const ISOLATION_LEVEL: { READ_COMMITTED: number; SERIALIZABLE: number; REPEATABLE_READ: number };
  const NVarChar: SqlType;
  const Int: SqlType;
  const BigInt: SqlType;
  const Float: SqlType;
  const Decimal: SqlType;
  const Bit: SqlType;
  const DateTime2: SqlType;
  const DateTimeOffset: SqlType;
  const Date: SqlType;
  const Time: SqlType;
  const VarBinary: SqlType;
  const MAX: number;
}

declare module 'oracledb' {
  interface Metadata {
    name: string;
    dbType?: unknown;
    dbTypeName?: string;
  }
  interface Result {
    metaData?: Metadata[];
    rows?: unknown[][];
    rowsAffected?: number;
  }
  interface ExecuteOptions {
    outFormat?: number;
    autoCommit?: boolean;
    maxRows?: number;
    fetchTypeHandler?: (metadata: Metadata) => { type: unknown } | undefined;
  }
  interface BindParameter {
    val: unknown;
    type?: unknown;
    dir?: number;
  }
  interface Connection {
    readonly oracleServerVersionString: string;
    execute(sql: string, binds: Record<string, BindParameter>, options: ExecuteOptions): Promise<Result>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
    close(): Promise<void>;
  }
  interface ConnectionAttributes {
    user?: string;
    password?: string;
    connectString: string;
    connectTimeout?: number;
    walletContent?: string;
    sslServerDNMatch?: boolean;
    driverName?: string;
    machine?: string;
  }
  function getConnection(attrs: ConnectionAttributes): Promise<Connection>;
  const OUT_FORMAT_ARRAY: number;
  const STRING: unknown;
  const BUFFER: unknown;
  const DB_TYPE_DATE: unknown;
  const DB_TYPE_TIMESTAMP: unknown;
  const DB_TYPE_TIMESTAMP_TZ: unknown;
  const DB_TYPE_TIMESTAMP_LTZ: unknown;
  const DB_TYPE_NUMBER: unknown;
  const DB_TYPE_CLOB: unknown;
  const DB_TYPE_NCLOB: unknown;
  const DB_TYPE_BLOB: unknown;
  const DB_TYPE_RAW: unknown;
  const DB_TYPE_VARCHAR: unknown;
}
