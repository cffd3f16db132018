/**
 * The dialect files without servers: connection options and TLS, type mapping, parameter
 * binding for SQL Server and Oracle, error classification, lazy loading.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../../src/core/errors';
import { connectDatabase, describeDbError, type DatabaseConfig } from '../../src/core/db/connect';
import { resolveTls } from '../../src/core/db/tls';
import { DRIVER_LOADERS } from '../../src/core/db/loader';
import type { NativeConnectConfig } from '../../src/core/db/types';
import * as mssql from '../../src/core/db/dialects/mssql';
import * as oracle from '../../src/core/db/dialects/oracle';
import * as postgres from '../../src/core/db/dialects/postgres';
import * as mysql from '../../src/core/db/dialects/mysql';
import { classifyPgError } from '../../src/core/db/native/pgTypes';

const base: NativeConnectConfig = { host: 'db.example.com', port: 1234, database: 'jira', user: 'jira', password: 'pw', tls: false, connectTimeoutMs: 5000, applicationName: 'jira2fa' };
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('db: TLS settings per profile', () => {
  it('maps ssl true / caFile / allowSelfSigned: always verified; a CA file wins over allowSelfSigned', async () => {
    const pg = (ssl: DatabaseConfig['ssl']) => ({ driver: 'postgres' as const, host: 'db.example.com', ssl });
    const noProbe = async () => assert.fail('no probe expected');
    assert.equal(await resolveTls(pg(undefined)), false);
    assert.equal(await resolveTls({ driver: 'pglite', ssl: true }), false);
    assert.deepEqual(await resolveTls(pg(true)), { rejectUnauthorized: true });
    assert.deepEqual(await resolveTls(pg({ caFile: '/ca.pem', allowSelfSigned: false }), { read: async () => CA, probe: noProbe }), { ca: CA, rejectUnauthorized: true });
    // finding 5 of issue #13: on main this was { ca, rejectUnauthorized: false }, i.e. no check at all
    assert.deepEqual(await resolveTls(pg({ caFile: '/ca.pem', allowSelfSigned: true }), { read: async () => CA, probe: noProbe }), { ca: CA, rejectUnauthorized: true });
    await assert.rejects(resolveTls(pg({ caFile: '/nope.pem', allowSelfSigned: false })), (e: AppError) => e.kind === 'input' && /caFile cannot be read/.test(e.message));
    await assert.rejects(resolveTls(pg({ caFile: '/x', allowSelfSigned: false }), { read: async () => 'junk' }), /not a PEM/);
  });

  it('allowSelfSigned: the probed certificate becomes the only one trusted; a refused one or a dialect without a probe stops before connecting', async () => {
    const probed: unknown[] = [];
    const probe = async (dialect: 'postgres' | 'mysql', host: string, port: number) => (probed.push([dialect, host, port]), { pem: CA });
    assert.deepEqual(await resolveTls({ driver: 'postgres', host: 'db', ssl: { allowSelfSigned: true } }, { probe }), { ca: CA, rejectUnauthorized: true });
    assert.deepEqual(await resolveTls({ driver: 'mysql', host: 'db', port: 3307, ssl: { allowSelfSigned: true } }, { probe }), { ca: CA, rejectUnauthorized: true });
    assert.deepEqual(probed, [['postgres', 'db', 5432], ['mysql', 'db', 3307]]);
    const refusing = async () => ({ pem: CA, problem: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }) });
    await assert.rejects(resolveTls({ driver: 'postgres', host: 'db', ssl: { allowSelfSigned: true } }, { probe: refusing as never }), (e: AppError) => e.kind === 'refused' && /certificate has expired.*Nothing was sent/.test(e.message));
    for (const driver of ['mssql', 'oracle'] as const) {
      await assert.rejects(resolveTls({ driver, host: 'db', ssl: { allowSelfSigned: true } }, { probe }), (e: AppError) => e.kind === 'input' && /not supported .* without a CA file/.test(e.message) && /caFile/.test(e.hint ?? ''));
    }
  });

  it('PostgreSQL and MySQL get Node TLS options', () => {
    assert.equal(postgres.clientConfig(base).ssl, false);
    assert.deepEqual(postgres.clientConfig({ ...base, tls: { ca: CA, rejectUnauthorized: true } }).ssl, { ca: CA, rejectUnauthorized: true });
    // mysql2 checks the host name only with verifyIdentity
    assert.deepEqual(mysql.connectionOptions({ ...base, tls: { ca: CA, rejectUnauthorized: true } }).ssl, { ca: CA, rejectUnauthorized: true, verifyIdentity: true });
    assert.equal(mysql.connectionOptions(base).dateStrings, true);
  });

  it('SQL Server: encrypt, trustServerCertificate, CA, named instances', () => {
    const plain = mssql.poolConfig(base);
    assert.equal(plain.options?.encrypt, false);
    assert.equal(plain.pool?.max, 1);
    const system = mssql.poolConfig({ ...base, tls: { rejectUnauthorized: true } });
    assert.equal(system.options?.encrypt, true);
    assert.equal(system.options?.trustServerCertificate, false);
    const ca = mssql.poolConfig({ ...base, tls: { ca: CA, rejectUnauthorized: true } });
    assert.equal(ca.options?.trustServerCertificate, false);
    assert.equal(ca.options?.cryptoCredentialsDetails?.ca, CA);
    const named = mssql.poolConfig({ ...base, host: 'sqlhost\\JIRA' });
    assert.equal(named.server, 'sqlhost');
    assert.equal(named.options?.instanceName, 'JIRA');
    assert.equal(named.port, undefined);
  });

  it('Oracle: Easy Connect string, tcps, CA as wallet content, no way to skip verification', () => {
    assert.equal(oracle.connectString(base), 'db.example.com:1234/jira');
    assert.equal(oracle.connectString({ ...base, port: undefined, tls: { rejectUnauthorized: true } }), 'tcps://db.example.com:2484/jira');
    const a = oracle.connectionAttributes({ ...base, tls: { ca: CA, rejectUnauthorized: true } });
    assert.equal(a.walletContent, CA);
    assert.equal(a.sslServerDNMatch, true);
  });
});

describe('db: SQL Server and Oracle binding', () => {
  it('declares SQL Server parameter types from values and column kinds', () => {
    const decl = (v: Parameters<typeof mssql.mssqlParamType>[0]) => {
      // A bare type (sql.Int) has .declaration; a sized one (sql.NVarChar(4000)) is { type, length }.
      const t = mssql.mssqlParamType(v).type as unknown as { declaration?: string; type?: { declaration?: string } };
      return [t.declaration ?? t.type?.declaration];
    };
    assert.equal(decl({ value: 'alice' })[0], 'nvarchar');
    assert.equal(decl({ value: 5 })[0], 'int');
    assert.equal(decl({ value: 2 ** 40 })[0], 'bigint');
    assert.equal(decl({ value: true })[0], 'bit');
    const ts = mssql.mssqlParamType({ value: '2024-01-02T03:04:05.123Z', kind: 'timestamp' });
    assert.ok(ts.value instanceof Date);
    assert.equal((ts.value as Date).toISOString(), '2024-01-02T03:04:05.123Z');
    const bin = mssql.mssqlParamType({ value: null, kind: 'binary' });
    assert.equal(bin.value, null);
  });

  it('binds Oracle values by name :b1.. with booleans as numbers', () => {
    const b = oracle.oracleBinds([{ value: 'x' }, { value: true }, { value: null }, { value: Buffer.from('hi') }]);
    assert.deepEqual(Object.keys(b), ['b1', 'b2', 'b3', 'b4']);
    assert.equal(b.b1.val, 'x');
    assert.equal(b.b2.val, 1);
    assert.equal(b.b3.val, null);
    assert.ok(Buffer.isBuffer(b.b4.val));
  });

  it('maps column types', () => {
    assert.deepEqual(mssql.mssqlColumnType('datetime2'), { type: 'timestamp', nativeType: 'datetime2' });
    assert.deepEqual(mssql.mssqlColumnType('nvarchar'), { type: 'text', nativeType: 'nvarchar' });
    assert.deepEqual(oracle.oracleColumnType('TIMESTAMP'), { type: 'timestamp', nativeType: 'TIMESTAMP' });
    assert.deepEqual(oracle.oracleColumnType('CLOB'), { type: 'text', nativeType: 'CLOB' });
  });
});

describe('db: error classification', () => {
  const err = (props: Record<string, unknown>, message = 'x') => Object.assign(new Error(message), props);
  it('PostgreSQL by SQLSTATE and by library message', () => {
    assert.equal(classifyPgError(err({ code: '28P01' })).category, 'auth');
    assert.equal(classifyPgError(err({ code: '3D000' })).category, 'unknown-database');
    assert.equal(classifyPgError(err({ code: '57P01' })).category, 'connection-lost');
    assert.equal(classifyPgError(err({ code: '23505' })).category, 'duplicate-key');
    assert.equal(classifyPgError(err({ code: 'ECONNREFUSED' })).category, 'refused');
    assert.equal(classifyPgError(err({}, 'The server does not support SSL connections')).category, 'tls');
    assert.equal(classifyPgError(err({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).category, 'tls');
  });
  it('MySQL', () => {
    assert.equal(mysql.classifyMysqlError(err({ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 })).category, 'auth');
    assert.equal(mysql.classifyMysqlError(err({ code: 'ER_BAD_DB_ERROR', errno: 1049 })).category, 'unknown-database');
    assert.equal(mysql.classifyMysqlError(err({ code: 'PROTOCOL_CONNECTION_LOST' })).category, 'connection-lost');
    assert.equal(mysql.classifyMysqlError(err({ errno: 1927 })).category, 'connection-lost');
    assert.equal(mysql.classifyMysqlError(err({ code: 'HANDSHAKE_NO_SSL_SUPPORT' })).category, 'tls');
    assert.doesNotMatch(mysql.classifyMysqlError(err({ errno: 1045 }, "Access denied for user 'a'@'h' (using password: YES)")).message, /using password/);
  });
  it('SQL Server', () => {
    assert.equal(mssql.classifyMssqlError(err({ code: 'ELOGIN' }, "Login failed for user 'sa'.")).category, 'auth');
    assert.equal(mssql.classifyMssqlError(err({ code: 'ELOGIN', number: 4060 }, 'Cannot open database "x" requested by the login.')).category, 'unknown-database');
    assert.equal(mssql.classifyMssqlError(err({ code: 'ESOCKET' }, 'Failed to connect to h:1 - self-signed certificate')).category, 'tls');
    assert.equal(mssql.classifyMssqlError(err({ code: 'ECONNCLOSED' })).category, 'connection-lost');
    assert.equal(mssql.classifyMssqlError(err({ code: 'EREQUEST', number: 2627 })).category, 'duplicate-key');
    assert.equal(mssql.classifyMssqlError(err({ code: 'ETIMEOUT' })).category, 'timeout');
  });
  it('Oracle', () => {
    assert.equal(oracle.classifyOracleError(err({ code: 'ORA-01017' })).category, 'auth');
    assert.equal(oracle.classifyOracleError(err({ code: 'ORA-12514' })).category, 'unknown-database');
    assert.equal(oracle.classifyOracleError(err({ code: 'ORA-03113' })).category, 'connection-lost');
    assert.equal(oracle.classifyOracleError(err({ code: 'NJS-506' })).category, 'tls');
    assert.equal(oracle.classifyOracleError(err({ code: 'ORA-00001' })).category, 'duplicate-key');
  });
  it('turns a classification into a clear, redacted message', () => {
    const db: DatabaseConfig = { driver: 'postgres', host: 'db', port: 5432, database: 'jira', user: 'jira', readOnly: true };
    const e = describeDbError({ category: 'auth', message: 'password authentication failed; password=hunter22' }, 'connect', db);
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /^Cannot connect to PostgreSQL at db:5432, database "jira": authentication failed for user "jira"/);
    assert.doesNotMatch(e.message, /hunter22/);
    const lost = describeDbError({ category: 'connection-lost', message: 'terminated' }, 'query', db);
    assert.match(lost.message, /lost .* nothing of it was committed/);
    const commit = describeDbError({ category: 'connection-lost', message: 'terminated' }, 'commit', db);
    assert.match(commit.message, /may or may not have been saved/);
  });
});

describe('db: connecting without a server', () => {
  let port: number;
  before(async () => {
    // A port that was free a moment ago: connections to it are refused.
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
  });
  for (const driver of ['postgres', 'mysql', 'mssql', 'oracle'] as const) {
    it(`${driver}: a refused connection is AppError unreachable with the target in the message`, async () => {
      const db: DatabaseConfig = { driver, host: '127.0.0.1', port, database: 'jiradb', user: 'jira', readOnly: true };
      await assert.rejects(connectDatabase(db, 'not-a-real-pass', { connectTimeoutMs: 5000 }), (e: AppError) => {
        assert.equal(e.kind, 'unreachable');
        assert.match(e.message, new RegExp(`at 127\\.0\\.0\\.1:${port}`));
        assert.match(e.message, /refused/);
        assert.doesNotMatch(e.message, /not-a-real-pass/);
        return true;
      });
    });
  }
  it('refuses a relative PGlite directory', async () => {
    await assert.rejects(connectDatabase({ driver: 'pglite', database: 'data', readOnly: true }, undefined), (e: AppError) => e.kind === 'input');
  });
});

describe('db: lazy loading', () => {
  it('importing the loader and connect loads no driver library', () => {
    const root = path.resolve(__dirname, '../..');
    const script = `require('./src/core/db/connect'); require('./src/core/db/loader');
      const libs = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](pg|mysql2|mssql|tedious|oracledb|@electric-sql)[\\\\/]/.test(f));
      process.stdout.write(JSON.stringify(libs));`;
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '--import', 'tsx/esm', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), []);
  });

  it('has a loader per driver', async () => {
    assert.deepEqual(Object.keys(DRIVER_LOADERS).sort(), ['mssql', 'mysql', 'oracle', 'pglite', 'postgres']);
    const mod = await DRIVER_LOADERS.oracle();
    assert.equal(mod.driver.name, 'oracle');
  });
});
