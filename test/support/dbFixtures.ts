/**
 * Real databases for the integration tests: a fresh PostgreSQL schema, MariaDB/MySQL
 * database, or in-memory PGlite per run (unique names, so parallel runs never collide),
 * with the Jira and Confluence tables the snippets use and fixture users. Dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import mysql from 'mysql2/promise';
import { connectDatabase, type DatabaseConfig } from '../../src/core/db/connect';
import type { Driver } from '../../src/core/db/types';
import type { AuditEntry, AuditEntryInput, AuditSink } from '../../src/core/audit/types';
import type { InstanceProfile } from '../../src/core/profiles/schema';

export type Engine = 'postgres' | 'mysql' | 'mysql-lowercase' | 'pglite';

export const PG = { host: process.env.J2FA_TEST_PG_HOST ?? '127.0.0.1', port: Number(process.env.J2FA_TEST_PG_PORT ?? 5432), user: 'postgres', database: 'test' };
export const MY = { host: process.env.J2FA_TEST_MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.J2FA_TEST_MYSQL_PORT ?? 3306), user: 'root', password: '' };

export const ENROLLMENT = 'AO_ED669C_TOTP_USER_ENROLLMENT';
export const CODES = 'AO_ED669C_TOTP_CODES';

export interface EnrollmentRow {
  USER_KEY: string;
  SECRET: string;
  RECOVERY_CODE: string;
  CREATED_AT: string;
  MODIFIED_AT: string;
}

/** Jira users: [id, user_key, lower_user_name, enrolled]. */
export const JIRA_USERS: Array<[number, string, string, boolean]> = [
  [10100, 'JIRAUSER10100', 'alice', true],
  [10101, 'JIRAUSER10101', 'bob', true],
  [10102, 'JIRAUSER10102', 'carol', false],
  [10103, 'dave', 'dave', true], // an old account: the user key is the user name
  [10104, 'JIRAUSER10104', "o'brien", true],
  [10105, 'JIRAUSER10105', 'zoë', true],
  [10106, 'JIRAUSER10106', "robert'); drop table app_user;--", true],
];

/** Confluence users: [user_key, username, enrolled]. */
export const CONFLUENCE_USERS: Array<[string, string, boolean]> = [
  ['8a7f808a7b1c0001', 'Erin', true],
  ['8a7f808a7b1c0002', 'Frank', false],
  ['8a7f808a7b1c0003', 'Grace', true],
];

function enrollmentFor(key: string, n: number): EnrollmentRow {
  const us = String(100000 + n * 7919).slice(-6);
  return {
    USER_KEY: key,
    SECRET: `SECRET-${key}-JBSWY3DPEHPK3PXP`,
    RECOVERY_CODE: `RC-${key}-${n}`,
    CREATED_AT: `2024-0${(n % 9) + 1}-1${n % 10} 0${n % 10}:1${n % 6}:2${n % 10}.${us}`,
    MODIFIED_AT: `2024-1${n % 3}-2${n % 8} 1${n % 10}:3${n % 6}:4${n % 10}.${us.split('').reverse().join('')}`,
  };
}

export const ENROLLMENTS: EnrollmentRow[] = [
  ...JIRA_USERS.filter((u) => u[3]).map((u, i) => enrollmentFor(u[1], i + 1)),
  ...CONFLUENCE_USERS.filter((u) => u[2]).map((u, i) => enrollmentFor(u[0], i + 20)),
];

/** cwd_user rows: alice is in two directories (the lower id must win in lists). */
const CWD_USERS: Array<[number, number, string, string, string]> = [
  ...JIRA_USERS.map((u, i): [number, number, string, string, string] => [i + 1, 1, u[2], `${u[2]} (internal)`, `${i + 1}@example.com`]),
  [100, 10000, 'alice', 'alice (LDAP)', 'alice@ldap.example.com'],
  ...CONFLUENCE_USERS.map((u, i): [number, number, string, string, string] => [200 + i, 1, u[1].toLowerCase(), `${u[1]} (internal)`, `${u[1].toLowerCase()}@example.com`]),
];

export function ddl(engine: Engine): string[] {
  const enr = engine === 'mysql-lowercase' ? ENROLLMENT.toLowerCase() : ENROLLMENT;
  const codes = engine === 'mysql-lowercase' ? CODES.toLowerCase() : CODES;
  if (engine === 'mysql' || engine === 'mysql-lowercase') {
    const t = ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
    return [
      `CREATE TABLE app_user (id DECIMAL(18,0) PRIMARY KEY, user_key VARCHAR(255), lower_user_name VARCHAR(255), UNIQUE KEY uk_lower (lower_user_name))${t}`,
      `CREATE TABLE cwd_user (id DECIMAL(18,0) PRIMARY KEY, directory_id DECIMAL(18,0), user_name VARCHAR(255), lower_user_name VARCHAR(255), active INT, display_name VARCHAR(255), email_address VARCHAR(255))${t}`,
      `CREATE TABLE user_mapping (user_key VARCHAR(255) PRIMARY KEY, username VARCHAR(255), lower_username VARCHAR(255))${t}`,
      `CREATE TABLE \`${enr}\` (\`USER_KEY\` VARCHAR(255) NOT NULL PRIMARY KEY, \`SECRET\` LONGTEXT NOT NULL, \`RECOVERY_CODE\` VARCHAR(255) NOT NULL, \`CREATED_AT\` DATETIME(6) NOT NULL, \`MODIFIED_AT\` DATETIME(6) NOT NULL)${t}`,
      `CREATE TABLE \`${codes}\` (\`ID\` INT AUTO_INCREMENT PRIMARY KEY, \`USER_KEY\` VARCHAR(255), \`TOTP_CODE_HASH\` VARCHAR(255), \`EXPIRY_TIMESTAMP\` BIGINT)${t}`,
    ];
  }
  return [
    'CREATE TABLE app_user (id NUMERIC(18,0) PRIMARY KEY, user_key VARCHAR(255), lower_user_name VARCHAR(255) UNIQUE)',
    'CREATE TABLE cwd_user (id NUMERIC(18,0) PRIMARY KEY, directory_id NUMERIC(18,0), user_name VARCHAR(255), lower_user_name VARCHAR(255), active INTEGER, display_name VARCHAR(255), email_address VARCHAR(255))',
    'CREATE TABLE user_mapping (user_key VARCHAR(255) PRIMARY KEY, username VARCHAR(255), lower_username VARCHAR(255))',
    `CREATE TABLE "${enr}" ("USER_KEY" VARCHAR(255) NOT NULL PRIMARY KEY, "SECRET" TEXT NOT NULL, "RECOVERY_CODE" VARCHAR(255) NOT NULL, "CREATED_AT" TIMESTAMP NOT NULL, "MODIFIED_AT" TIMESTAMP NOT NULL)`,
    `CREATE TABLE "${codes}" ("ID" SERIAL PRIMARY KEY, "USER_KEY" VARCHAR(255), "TOTP_CODE_HASH" VARCHAR(255), "EXPIRY_TIMESTAMP" BIGINT)`,
  ];
}

/** Fills the tables through our own driver (bound parameters, dialect quoting). */
async function fill(d: Driver, engine: Engine): Promise<void> {
  const q = d.facts.quoteIdent;
  const enr = q(engine === 'mysql-lowercase' ? ENROLLMENT.toLowerCase() : ENROLLMENT);
  const codes = q(engine === 'mysql-lowercase' ? CODES.toLowerCase() : CODES);
  await d.transaction(async (tx) => {
    for (const [id, key, lower] of JIRA_USERS) {
      await tx.query('INSERT INTO app_user (id, user_key, lower_user_name) VALUES (:id, :key, :lower)', { id, key, lower });
    }
    for (const [key, name] of CONFLUENCE_USERS) {
      await tx.query('INSERT INTO user_mapping (user_key, username, lower_username) VALUES (:key, :name, :lower)', { key, name, lower: name.toLowerCase() });
    }
    for (const [id, dir, lower, display, email] of CWD_USERS) {
      await tx.query(
        'INSERT INTO cwd_user (id, directory_id, user_name, lower_user_name, active, display_name, email_address) VALUES (:id, :dir, :name, :lower, 1, :display, :email)',
        { id, dir, name: lower, lower, display, email },
      );
    }
    for (const e of ENROLLMENTS) {
      await tx.query(
        `INSERT INTO ${enr} (${['USER_KEY', 'SECRET', 'RECOVERY_CODE', 'CREATED_AT', 'MODIFIED_AT'].map(q).join(', ')}) VALUES (:k, :s, :r, :c, :m)`,
        { k: e.USER_KEY, s: e.SECRET, r: e.RECOVERY_CODE, c: e.CREATED_AT, m: e.MODIFIED_AT },
      );
    }
    for (const [i, key] of ['JIRAUSER10100', 'JIRAUSER10101'].entries()) {
      await tx.query(`INSERT INTO ${codes} (${q('USER_KEY')}, ${q('TOTP_CODE_HASH')}, ${q('EXPIRY_TIMESTAMP')}) VALUES (:k, :h, :e)`, {
        k: key,
        h: `hash-${i}`,
        e: 1700000000000 + i,
      });
    }
  });
}

export interface TestDatabase {
  engine: Engine;
  /** A profile whose database section points at the fixture database. */
  profile(readOnly: boolean, product?: 'jira' | 'confluence'): InstanceProfile;
  /** Opens a new session on the fixture database. */
  connect(): Promise<Driver>;
  /** The physical name of a table (the lowercase variant on mysql-lowercase). */
  table(name: string): string;
  /** All rows of the fixture tables, as text, in key order: to prove nothing else changed. */
  snapshot(): Promise<Record<string, string[][]>>;
  /** Ends another session from outside (pg_terminate_backend / KILL). */
  killSession(sessionId: string): Promise<void>;
  drop(): Promise<void>;
}

function uniqueName(): string {
  return `j2fa_t_${process.pid}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

function asText(v: unknown): string {
  if (v === null || v === undefined) return '<null>';
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

export interface TestDatabaseOptions {
  /**
   * PostgreSQL: a fresh database (tables in its public schema) instead of a fresh schema in
   * `test` (named by the profile's database.schema).
   */
  pgDatabase?: boolean;
  /** A name instead of a generated one (the e2e spec must know it before creating it). */
  name?: string;
}

export async function createTestDatabase(engine: Engine, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = options.name ?? uniqueName();
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad test database name ${name}`);
  let db: DatabaseConfig;
  let schema: string | undefined;
  let password: string | undefined;
  let pgliteDriver: Driver | undefined;
  let cleanup: () => Promise<void>;
  let kill: (id: string) => Promise<void>;

  if (engine === 'postgres' && options.pgDatabase) {
    const admin = new Client({ ...PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    db = { driver: 'postgres', host: PG.host, port: PG.port, database: name, user: PG.user, readOnly: true };
    cleanup = () => dropPgDatabase(name);
    kill = async (id) => {
      const c = new Client({ ...PG });
      await c.connect();
      await c.query('SELECT pg_terminate_backend($1::int)', [Number(id)]);
      await c.end();
    };
  } else if (engine === 'postgres') {
    const admin = new Client({ ...PG });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${name}"`);
    await admin.end();
    db = { driver: 'postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, readOnly: true };
    schema = name;
    cleanup = async () => {
      const c = new Client({ ...PG });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await c.end();
    };
    kill = async (id) => {
      const c = new Client({ ...PG });
      await c.connect();
      await c.query('SELECT pg_terminate_backend($1::int)', [Number(id)]);
      await c.end();
    };
  } else if (engine === 'mysql' || engine === 'mysql-lowercase') {
    const admin = await mysql.createConnection({ ...MY });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.end();
    db = { driver: 'mysql', host: MY.host, port: MY.port, database: name, user: MY.user, readOnly: true };
    password = MY.password;
    cleanup = async () => {
      const c = await mysql.createConnection({ ...MY });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    };
    kill = async (id) => {
      if (!/^\d+$/.test(id)) throw new Error(`bad session id ${id}`);
      const c = await mysql.createConnection({ ...MY });
      await c.query(`KILL CONNECTION ${id}`);
      await c.end();
    };
  } else {
    db = { driver: 'pglite', database: 'memory://', readOnly: true };
    cleanup = async () => undefined;
    kill = async () => {
      throw new Error('PGlite has no second session to kill from');
    };
  }

  const open = async () => connectDatabase(db, password, { schema });
  // PGlite in memory: one instance is the database; every "session" shares it.
  let setup: Driver;
  if (engine === 'pglite') {
    pgliteDriver = await open();
    setup = pgliteDriver;
  } else setup = await open();
  try {
    for (const stmt of ddl(engine)) await setup.query(stmt);
    await fill(setup, engine);
  } catch (e) {
    await cleanup().catch(() => undefined);
    throw e;
  } finally {
    if (engine !== 'pglite') await setup.close();
  }

  const shared = pgliteDriver;
  const connect = async (): Promise<Driver> => {
    if (!shared) return open();
    // Hand out a view whose close() does not close the shared in-memory database.
    return {
      name: shared.name,
      facts: shared.facts,
      serverVersion: shared.serverVersion,
      sessionId: shared.sessionId,
      schema: shared.schema,
      query: (sql, params, options) => shared.query(sql, params, options),
      transaction: (fn, options) => shared.transaction(fn, options),
      close: async () => undefined,
    };
  };

  const tableName = (t: string) => (engine === 'mysql-lowercase' && t.startsWith('AO_') ? t.toLowerCase() : t);

  return {
    engine,
    profile(readOnly, product = 'jira') {
      return {
        id: `fixture-${engine}`,
        name: `Fixture ${engine}`,
        product,
        baseUrl: 'https://jira.example.com',
        environment: 'test',
        auth: { type: 'pat' },
        tsvApiVersion: '1.0',
        tls: { allowSelfSigned: false },
        database: { ...db, ...(schema ? { schema } : {}), readOnly },
      } as InstanceProfile;
    },
    connect,
    table: tableName,
    async snapshot() {
      const d = await connect();
      try {
        const q = d.facts.quoteIdent;
        const out: Record<string, string[][]> = {};
        const tables: Array<[string, string]> = [
          ['app_user', 'id'],
          ['cwd_user', 'id'],
          ['user_mapping', 'user_key'],
          [ENROLLMENT, 'USER_KEY'],
          [CODES, 'ID'],
        ];
        for (const [t, key] of tables) {
          const r = await d.query(`SELECT * FROM ${q(tableName(t))} ORDER BY ${q(key)}`);
          out[t] = [r.columns.map((c) => c.name), ...r.rows.map((row) => row.map(asText))];
        }
        return out;
      } finally {
        await d.close();
      }
    },
    killSession: kill,
    async drop() {
      if (shared) await shared.close();
      await cleanup();
    },
  };
}

/** Drops a database made with { pgDatabase: true }, ending any session still on it. */
export async function dropPgDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad test database name ${name}`);
  const c = new Client({ ...PG });
  await c.connect();
  try {
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
  } finally {
    await c.end();
  }
}

/** An audit sink that keeps entries in memory. */
export class MemoryAudit implements AuditSink {
  entries: AuditEntry[] = [];
  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    const e: AuditEntry = { ...entry, id: `a${this.entries.length + 1}`, time: new Date().toISOString(), prevHash: '', hash: '' };
    this.entries.push(e);
    return e;
  }
  /** Counts batches so tests can check that a bulk run writes its entries in one. */
  batches = 0;
  async appendMany(entries: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
    this.batches++;
    const out: AuditEntry[] = [];
    for (const entry of entries) out.push(await this.append(entry));
    return out;
  }
}
