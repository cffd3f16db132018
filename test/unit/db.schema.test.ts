/**
 * database.schema: the profile field, its check, and SQL Server's rendering of every built-in
 * snippet with each table qualified [schema].[table] (SQL Server has no session setting that
 * would make unqualified names resolve elsewhere). No SQL Server runs here, so the rendered
 * text is checked statement by statement: every table after FROM / JOIN / DELETE FROM carries
 * the schema, and nothing else does.
 */
import assert from 'node:assert/strict';
import { checkProfile } from '../../src/core/profiles/schema';
import { exportProfiles, readProfilesFile } from '../../src/core/profiles/exchange';
import { checkForm, fromProfile, toProfileInput } from '../../src/webview/instanceForm/formModel';
import { checkSchemaName } from '../../src/core/db/dialect';
import { currentSchemaSql } from '../../src/core/db/dialects/oracle';
import { tokenize } from '../../src/core/db/sqlText';
import { restoreStatements } from '../../src/core/recovery/restore';
import { dialectFacts } from '../../src/core/db/dialect';
import { loadBuiltinSnippets } from '../../src/core/snippets/catalogue';
import { renderSnippet, renderSql } from '../../src/core/snippets/render';
import { QualifyError, qualifyTables } from '../../src/core/snippets/qualifyTables';
import type { Snippet } from '../../src/core/snippets/types';

const base = { id: 'x', name: 'X', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test' };

/**
 * The tables a rendered SQL Server statement names, read from its tokens: the name after
 * FROM / JOIN / DELETE FROM, as `[a].[b]` or `b` (a subquery gives "(").
 */
function tableRefs(sql: string): string[] {
  const toks = tokenize(sql, 'mssql').filter((t) => t.type !== 'comment');
  const flat: string[] = [];
  for (const t of toks) {
    if (t.type === 'code') flat.push(...(t.text.match(/[A-Za-z_][A-Za-z0-9_]*|\S/g) ?? []));
    else flat.push(t.text);
  }
  const refs: string[] = [];
  for (let i = 0; i < flat.length; i++) {
    if (!/^(FROM|JOIN)$/i.test(flat[i])) continue;
    let ref = flat[i + 1];
    if (flat[i + 2] === '.') ref += '.' + flat[i + 3];
    refs.push(ref);
  }
  return refs;
}

describe('database.schema', () => {
  let all: Snippet[];
  before(async () => {
    all = (await loadBuiltinSnippets()).snippets;
  });

  describe('profile field', () => {
    it('is accepted for PostgreSQL, SQL Server, Oracle and PGlite', () => {
      for (const driver of ['postgres', 'mssql', 'oracle']) {
        const r = checkProfile({ ...base, database: { driver, host: 'db', database: 'jira', schema: 'jiraschema' } });
        assert.ok(r.ok, driver);
        assert.equal(r.ok && r.profile.database?.schema, 'jiraschema');
      }
      assert.ok(checkProfile({ ...base, database: { driver: 'pglite', database: 'memory://', schema: 'x' } }).ok);
    });

    it('survives export and import (the CLI profiles file format) and the Add/Edit form', () => {
      const r = checkProfile({ ...base, database: { driver: 'mssql', host: 'db', database: 'jira', schema: 'jiraschema' } });
      assert.ok(r.ok);
      const back = readProfilesFile(exportProfiles([r.profile]));
      assert.equal(back.profiles[0].database?.schema, 'jiraschema');
      const form = fromProfile(r.profile);
      assert.equal(form.dbSchema, 'jiraschema');
      assert.equal((toProfileInput(form).database as { schema?: string }).schema, 'jiraschema');
      assert.equal((toProfileInput({ ...form, dbSchema: '  ' }).database as { schema?: string }).schema, undefined);
      assert.equal((toProfileInput({ ...form, dbDriver: 'mysql' }).database as { schema?: string }).schema, undefined, 'the hidden field is not sent on MySQL');
      const bad = checkForm({ ...form, dbSchema: 'a\u0001b' }, []);
      assert.ok(bad.byField.get('dbSchema')?.[0], 'an error under the Schema field');
    });

    it('is refused on MySQL/MariaDB, where the database is the schema', () => {
      const r = checkProfile({ ...base, database: { driver: 'mysql', host: 'db', database: 'jira', schema: 'jira' } });
      assert.ok(!r.ok);
      assert.deepEqual(r.errors.map((e) => e.field), ['database.schema']);
      assert.match(r.errors[0].message, /MySQL\/MariaDB: there the database name already is the schema/);
    });

    it('refuses control characters and overlong names; quoting handles everything else', () => {
      for (const bad of ['a\nb', 'x'.repeat(129), '']) {
        assert.ok(!checkProfile({ ...base, database: { driver: 'postgres', host: 'db', database: 'jira', schema: bad } }).ok, JSON.stringify(bad));
      }
      assert.throws(() => checkSchemaName('a\u0000b', 'postgres'), /without control characters/);
      assert.throws(() => checkSchemaName('jira', 'mysql'), /not used on MySQL/);
      assert.doesNotThrow(() => checkSchemaName('we"ird]; DROP TABLE x; --', 'mssql'));
    });
  });

  it('Oracle: CURRENT_SCHEMA with the name quoted, whatever it holds', () => {
    assert.equal(currentSchemaSql('JIRASCHEMA'), 'ALTER SESSION SET CURRENT_SCHEMA = "JIRASCHEMA"');
    assert.equal(currentSchemaSql('x"; DROP USER jira; --'), 'ALTER SESSION SET CURRENT_SCHEMA = "x""; DROP USER jira; --"');
    const toks = tokenize(currentSchemaSql('x"; DROP USER jira; --'), 'oracle');
    assert.deepEqual(toks.filter((t) => t.type === 'ident').map((t) => (t as { name: string }).name), ['x"; DROP USER jira; --']);
  });

  describe('SQL Server rendering of every built-in snippet', () => {
    const SCHEMA = 'jira]; DROP TABLE x; --';
    const Q = '[jira]]; DROP TABLE x; --]';

    it('qualifies every table after FROM / JOIN / DELETE FROM with [schema], statement by statement', () => {
      let statements = 0;
      for (const s of all) {
        const r = renderSnippet(s, 'mssql', { schema: SCHEMA });
        const plain = renderSnippet(s, 'mssql');
        for (const [sql, unqualified] of [[r.statement, plain.statement], [r.backup, plain.backup]] as const) {
          if (!sql) continue;
          statements++;
          const refs = tableRefs(sql);
          const before = tableRefs(unqualified!);
          assert.equal(refs.length, before.length, `${s.name}: same number of FROM/JOIN`);
          assert.ok(refs.length > 0, s.name);
          refs.forEach((ref, i) => {
            if (before[i] === '(') assert.equal(ref, '(', `${s.name}: a subquery stays a subquery`);
            else assert.equal(ref, `${Q}.${before[i].startsWith('[') ? before[i] : before[i]}`, `${s.name}: table ${i + 1} of\n${sql}`);
          });
          // The schema appears exactly once per table reference: no column or alias got it.
          const count = sql.split(Q).length - 1;
          assert.equal(count, refs.filter((x) => x !== '(').length, `${s.name}: the schema only on tables`);
          // The rendered text still lexes as SQL Server: the hostile name stays one bracketed identifier.
          const idents = tokenize(sql, 'mssql').filter((t) => t.type === 'ident' && t.name === SCHEMA);
          assert.equal(idents.length, count);
        }
        if (s.backupTable) assert.equal(r.backupTable, `${Q}.[${s.backupTable}]`);
      }
      assert.ok(statements >= 18, `checked ${statements} statements`);
    });

    it('renders jira.disable-2sv exactly', () => {
      const r = renderSnippet(all.find((s) => s.name === 'jira.disable-2sv')!, 'mssql', { schema: 'jiraschema' });
      assert.equal(
        r.statement,
        'DELETE FROM [jiraschema].[AO_ED669C_TOTP_USER_ENROLLMENT]\nWHERE [USER_KEY] IN (SELECT au.user_key FROM [jiraschema].app_user au WHERE au.lower_user_name = LOWER(:username))',
      );
      assert.equal(
        r.backup,
        'SELECT totp.*\nFROM [jiraschema].[AO_ED669C_TOTP_USER_ENROLLMENT] totp\nWHERE totp.[USER_KEY] IN (SELECT au.user_key FROM [jiraschema].app_user au WHERE au.lower_user_name = LOWER(:username))',
      );
    });

    it('renders jira.list-enrolled exactly (derived table, self join)', () => {
      const sql = renderSnippet(all.find((s) => s.name === 'jira.list-enrolled')!, 'mssql', { schema: 'js' }).statement;
      assert.match(sql, /FROM \[js\]\.\[AO_ED669C_TOTP_USER_ENROLLMENT\] totp\nJOIN \[js\]\.app_user au /);
      assert.match(sql, /LEFT JOIN \(SELECT lower_user_name, MIN\(directory_id\) AS directory_id\n\s+FROM \[js\]\.cwd_user\n/);
      assert.match(sql, /\) fd ON fd\.lower_user_name = au\.lower_user_name\nLEFT JOIN \[js\]\.cwd_user cu ON /);
    });

    it('leaves the other dialects unqualified (their session is set to the schema)', () => {
      for (const s of all) for (const d of ['postgres', 'oracle', 'mysql'] as const) assert.deepEqual(renderSnippet(s, d, { schema: 'js' }), renderSnippet(s, d));
    });

    it('qualifies the restore statements of a backup', () => {
      const st = restoreStatements(
        { columns: [{ name: 'USER_KEY', kind: 'text' }, { name: 'SECRET', kind: 'text' }], table: { name: 'AO_ED669C_TOTP_USER_ENROLLMENT', key: ['USER_KEY'] } } as never,
        'AO_ED669C_TOTP_USER_ENROLLMENT',
        dialectFacts('mssql'),
        'js',
      );
      assert.match(st.check(1), /FROM \[js\]\.\[AO_ED669C_TOTP_USER_ENROLLMENT\] WHERE/);
      assert.match(st.insert(1), /INTO \[js\]\.\[AO_ED669C_TOTP_USER_ENROLLMENT\]/);
    });
  });

  describe('qualifyTables on other shapes', () => {
    const q = (sql: string) => renderSql(sql, 'mssql', { schema: 's' });
    it('FROM lists, already qualified names, functions, CTEs, temp tables, DELETE alias FROM', () => {
      assert.equal(q('SELECT * FROM a x, b y WHERE x.id = y.id'), 'SELECT * FROM [s].a x, [s].b y WHERE x.id = y.id');
      assert.equal(q('SELECT * FROM dbo.a'), 'SELECT * FROM dbo.a');
      assert.equal(q('SELECT * FROM OPENJSON(:j)'), 'SELECT * FROM OPENJSON(:j)');
      assert.equal(q('WITH c AS (SELECT 1 AS n FROM t) SELECT n FROM c'), 'WITH c AS (SELECT 1 AS n FROM [s].t) SELECT n FROM c');
      assert.equal(q('SELECT * INTO #tmp FROM t'), 'SELECT * INTO #tmp FROM [s].t');
      assert.equal(q('DELETE x FROM t x WHERE x.a = 1'), 'DELETE x FROM [s].t x WHERE x.a = 1');
      assert.equal(q('INSERT INTO "T" ("A") VALUES (1)'), 'INSERT INTO [s].[T] ([A]) VALUES (1)');
      assert.equal(q("SELECT 'FROM x' FROM t -- FROM y"), "SELECT 'FROM x' FROM [s].t -- FROM y");
      assert.equal(q('UPDATE t SET a = 1 WHERE b IN (SELECT b FROM u)'), 'UPDATE [s].t SET a = 1 WHERE b IN (SELECT b FROM [s].u)');
      assert.equal(q("SELECT TRIM(' ' FROM n) FROM t"), "SELECT TRIM(' ' FROM n) FROM [s].t");
      assert.equal(q('SELECT COALESCE((SELECT MAX(a) FROM t), 0) FROM u'), 'SELECT COALESCE((SELECT MAX(a) FROM [s].t), 0) FROM [s].u');
      assert.equal(q('SELECT 1 WHERE EXISTS (SELECT 1 FROM t)'), 'SELECT 1 WHERE EXISTS (SELECT 1 FROM [s].t)');
    });
    it('refuses UPDATE … FROM rather than guess which name is the table', () => {
      assert.throws(() => qualifyTables('UPDATE x SET a = 1 FROM t x', 's'), QualifyError);
    });
  });
});
