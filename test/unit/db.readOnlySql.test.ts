/**
 * The read check (src/core/db/readOnlySql.ts) and the dialect lexers under it: the hostile
 * corpus of every dialect is refused before sending, the benign look-alikes and every
 * built-in read (and @backup) pass, and the driver applies the check to every statement of a
 * read-only transaction. SQL Server and Oracle have no server here: this is their proof.
 * (test/integration/hostile.sql.test.ts runs the PostgreSQL and MariaDB corpora on real servers.)
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParamBindError, bindNamed } from '../../src/core/db/bindParams';
import { connectDatabase } from '../../src/core/db/connect';
import { readProblem } from '../../src/core/db/readOnlySql';
import { tokenize } from '../../src/core/db/sqlText';
import { DIALECTS, type Dialect, type NativeDriver } from '../../src/core/db/types';
import { AppError } from '../../src/core/errors';
import { loadBuiltinSnippets } from '../../src/core/snippets/catalogue';
import { parseSnippet } from '../../src/core/snippets/parser';
import { renderSql, sectionFor } from '../../src/core/snippets/render';
import { BENIGN_READS, HOSTILE_READS } from '../support/hostileReads';
import { label } from '../support/hostileCorpus';

/** What the driver does before sending a read: bind, then check the text as sent. */
function refusal(sql: string, dialect: Dialect): string | undefined {
  let text: string;
  try {
    text = bindNamed(sql, dialect, {}).text;
  } catch (e) {
    if (e instanceof ParamBindError) return `bind: ${e.message}`;
    throw e;
  }
  return readProblem(text, dialect)?.message;
}

describe('reads: the hostile corpus is refused before sending, per dialect', () => {
  for (const dialect of DIALECTS) {
    it(`${dialect}: ${HOSTILE_READS[dialect].length} hostile reads are refused`, () => {
      assert.ok(HOSTILE_READS[dialect].length >= 40, 'at least 40 per dialect');
      for (const { sql } of HOSTILE_READS[dialect]) assert.ok(refusal(sql, dialect), `${label(sql)} was not refused on ${dialect}`);
    });
    it(`${dialect}: benign look-alikes pass`, () => {
      for (const sql of BENIGN_READS[dialect]) assert.equal(refusal(sql, dialect), undefined, `${label(sql)} on ${dialect}`);
    });
  }

  it('passes every built-in read and @backup query, rendered for every dialect', async () => {
    let checked = 0;
    for (const snippet of (await loadBuiltinSnippets()).snippets) {
      for (const dialect of snippet.dialects) {
        const sections = [snippet.kind === 'read' ? sectionFor(snippet, 'query', dialect) : undefined, sectionFor(snippet, 'backup', dialect)];
        for (const s of sections) {
          if (!s) continue;
          const sql = renderSql(s.sql, dialect);
          const values = Object.fromEntries(snippet.params.map((p) => [p.name, p.type === 'string[]' ? ['a', 'b'] : p.type === 'integer' ? 1 : 'x']));
          const text = bindNamed(sql, dialect, values).text;
          assert.equal(readProblem(text, dialect)?.message, undefined, `${snippet.name} on ${dialect}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 20, `checked ${checked}`);
  });

  it('reports the reported snippet when it is loaded, at its line, for the dialect that reads it so', () => {
    const header = ['-- @name user.victim', '-- @title V', '-- @description d', '-- @products jira', '-- @kind read', ''];
    const text = [...header, 'SELECT COUNT(*) AS "n",', `  E'\\''; COMMIT; DELETE FROM app_user; --' AS "note" FROM app_user`, ''].join('\n');
    const { snippet, diagnostics } = parseSnippet(text);
    assert.equal(snippet, undefined);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(diagnostics));
    assert.equal(errors[0].line, 8);
    assert.match(errors[0].message, /a read on postgres: a second statement follows the ";"/);
    // The same text with a plain string is one query everywhere.
    assert.ok(parseSnippet([...header, `SELECT 'a''; DELETE FROM app_user; --' AS "note" FROM app_user`].join('\n')).snippet);
    // A @backup runs in the read-only preview: it is checked too.
    const destructive = ['-- @name user.d', '-- @title D', '-- @description d', '-- @products jira', '-- @kind destructive', '-- @expect 1', '-- @backup-table app_user', '-- @backup-key id', '-- @query', 'DELETE FROM app_user WHERE id = 1', '-- @backup', 'SELECT * FROM app_user WHERE id = 1 FOR UPDATE'].join('\n');
    assert.match(JSON.stringify(parseSnippet(destructive).diagnostics), /the @backup query on postgres: UPDATE is refused in a read/);
  });

  it('names the refused word and where it stands', () => {
    const mssql = readProblem('SELECT 1 AS x\n  COMMIT DELETE FROM t', 'mssql')!;
    assert.equal(mssql.word, 'COMMIT');
    assert.equal(mssql.offset, 16);
    assert.match(mssql.message, /COMMIT is refused in a read: it controls the transaction/);
    assert.match(readProblem('SELECT 1 AS x SELECT 2', 'mssql')!.message, /second statement starts at this SELECT/);
    assert.match(readProblem("SELECT * INTO #t FROM t", 'mssql')!.message, /INTO is refused.*SELECT … INTO/);
    assert.match(readProblem("SELECT * FROM OPENQUERY(s, 'x')", 'mssql')!.message, /OPENQUERY is refused/);
    assert.match(readProblem('SELECT 1; DELETE FROM t', 'oracle')!.message, /second statement follows the ";"/);
    assert.match(readProblem(`SELECT 'a\\'; DELETE FROM t; -- '`, 'mysql')!.message, /NO_BACKSLASH_ESCAPES/);
    assert.match(readProblem(`SELECT 'C:\\' AS p`, 'postgres')!.message, /standard_conforming_strings = off/);
    assert.match(readProblem('WITH d AS (DELETE FROM t RETURNING *) SELECT 1', 'postgres')!.message, /DELETE is refused in a read: it changes data/);
    assert.match(readProblem("SELECT \"dblink_exec\"('x', 'y')", 'postgres')!.message, /dblink_exec is refused/);
  });
});

describe('reads: the dialect lexers read literals and comments as the servers do', () => {
  const codeOf = (sql: string, d: Dialect) => tokenize(sql, d).filter((t) => t.type === 'code').map((t) => t.text).join('|');

  it('PostgreSQL: E strings escape quotes, a name before E is no prefix, nested comments, -- ends at \\r', () => {
    assert.equal(codeOf(`SELECT E'\\''; x`, 'postgres'), 'SELECT E|; x');
    assert.equal(codeOf(`SELECT \u00e9E'\\'; x`, 'postgres'), `SELECT \u00e9E|; x`);
    assert.equal(codeOf('SELECT 1 /* /* */ ; */ x', 'postgres'), 'SELECT 1 | x');
    assert.equal(codeOf('SELECT 1 -- c\rx', 'postgres'), 'SELECT 1 |\rx');
    assert.equal(codeOf("SELECT 'a\\' x", 'postgres'), 'SELECT | x');
    assert.equal(codeOf("SELECT 'a\\'' x'", 'postgres'), 'SELECT ');
    assert.throws(() => tokenize("SELECT 'a\\'' x'", 'postgres', { standardStrings: false }), /unterminated/);
    assert.equal(codeOf('SELECT $\u00e9$ ; $\u00e9$ x', 'postgres'), 'SELECT | x');
    assert.equal(codeOf('SELECT a$$b$$ ; x', 'postgres'), 'SELECT a$$b$$ ; x');
  });

  it('MySQL: -- needs a space, # comments, executable comments are code, ANSI_QUOTES', () => {
    assert.equal(codeOf('SELECT 2 --1 x', 'mysql'), 'SELECT 2 --1 x');
    assert.equal(codeOf('SELECT 2 -- 1\nx', 'mysql'), 'SELECT 2 |\nx');
    assert.equal(codeOf('SELECT 1 # c\nx', 'mysql'), 'SELECT 1 |\nx');
    assert.equal(codeOf('SELECT 1 /*! INTO @x */', 'mysql'), 'SELECT 1 /*! INTO @x */');
    assert.equal(codeOf('SELECT 1 /*M!100000 , 2 */', 'mysql'), 'SELECT 1 /*M!100000 , 2 */');
    assert.equal(codeOf('SELECT 1 /* /* */ x */', 'mysql'), 'SELECT 1 | x */');
    assert.equal(tokenize('SELECT "a\\" x"', 'mysql').filter((t) => t.type === 'string').length, 1);
    assert.equal(codeOf('SELECT "a\\" x"', 'mysql'), 'SELECT ');
    assert.throws(() => tokenize('SELECT "a\\" x"', 'mysql', { ansiQuotes: true }), /unterminated/);
  });

  it('SQL Server: ]] inside brackets, nested comments; Oracle: q and nq quotes, # and $ in names', () => {
    assert.equal(codeOf('SELECT [a]]; x] y', 'mssql'), 'SELECT | y');
    assert.equal(codeOf('SELECT 1 /* /* */ x */ y', 'mssql'), 'SELECT 1 | y');
    assert.equal(codeOf("SELECT nq'[it's]' x", 'oracle'), 'SELECT n| x');
    assert.equal(codeOf("SELECT Q'{a'b}' x", 'oracle'), 'SELECT | x');
    assert.equal(codeOf("SELECT x#q'a' y", 'oracle'), 'SELECT x#q| y');
    assert.throws(() => tokenize("SELECT q' x' FROM dual", 'oracle'), /delimiter/);
  });

  const content = fc.string({ unit: fc.constantFrom("'", '"', '\\', ';', '-', '/', '*', '$', '#', '\n', '\r', 'E', 'a', ' ', 'DELETE'), maxLength: 24 });
  const quoters: Array<[Dialect, string, (s: string) => string | undefined]> = [
    ['postgres', 'standard', (s) => `'${s.replace(/'/g, "''")}'`],
    ['postgres', 'E', (s) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`],
    ['postgres', 'dollar', (s) => (s.includes('$q$') || s.endsWith('$') ? undefined : `$q$${s}$q$`)],
    ['mysql', 'single', (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`],
    ['mssql', 'N', (s) => `N'${s.replace(/'/g, "''")}'`],
    ['mssql', 'bracket', (s) => `[${s.replace(/]/g, ']]')}]`],
    ['oracle', 'q', (s) => (s.includes(']\'') ? undefined : `q'[${s}]'`)],
  ];
  for (const [dialect, kind, quote] of quoters) {
    it(`${dialect} ${kind} literals: one token whatever they hold, and a statement after them is refused (property)`, () => {
      fc.assert(
        fc.property(content, (s) => {
          const lit = quote(s);
          if (lit === undefined) return;
          const tokens = tokenize(`SELECT ${lit} AS x`, dialect);
          assert.deepEqual(tokens.map((t) => t.type), ['code', kind === 'bracket' ? 'ident' : 'string', 'code']);
          // The literal is one token, its prefix (E, N) ending the code before it.
          assert.ok(lit.endsWith(tokens[1].text) && lit.length - tokens[1].text.length <= 1, `${lit} → ${tokens[1].text}`);
          assert.equal(tokens[2].text, ' AS x');
          assert.ok(readProblem(`SELECT ${lit} AS x; DELETE FROM app_user`, dialect));
          assert.ok(readProblem(`SELECT ${lit} AS x DELETE FROM app_user`, dialect));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('never throws on arbitrary text, in any dialect (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("'", '"', '`', '[', ']', '\\', ';', '-', '/', '*', '$', '#', '!', 'q', 'E', '&', 'U', '\n', '\r', ' ', 'SELECT', 'DELETE', '\u00e9'), maxLength: 30 }), fc.constantFrom(...DIALECTS), (sql, d) => {
        readProblem(sql, d);
      }),
      { numRuns: 500 },
    );
  });
});

describe('reads: the driver checks every statement of a read-only transaction', () => {
  function fakeNative(sent: string[]): NativeDriver {
    return {
      name: 'mssql',
      classifyError: (e) => ({ category: 'other', message: String(e) }),
      async connect() {
        return {
          serverVersion: 'fake',
          sessionId: '1',
          async execute(sql) {
            sent.push(sql);
            return { columns: [], rows: [], rowCount: 0 };
          },
          async begin() {},
          async commit() {},
          async rollback() {},
          async close() {},
        };
      },
    };
  }

  it('refuses a second statement in a read before sending it; a change transaction is not a read', async () => {
    const sent: string[] = [];
    const native = fakeNative(sent);
    const driver = await connectDatabase({ driver: 'mssql', host: 'db.example.com', database: 'jira', readOnly: true } as never, undefined, { loadDriver: async () => native });
    await assert.rejects(
      driver.transaction((tx) => tx.query('SELECT 1 AS x COMMIT DELETE FROM app_user'), { readOnly: true }),
      (e: AppError) => e.kind === 'refused' && /Refused before sending: COMMIT is refused in a read.*line 1, column 15.*Nothing was sent/.test(e.message),
    );
    assert.deepEqual(sent, []);
    await driver.transaction((tx) => tx.query('SELECT id FROM app_user WHERE id = :id', { id: 1 }), { readOnly: true });
    await driver.transaction((tx) => tx.query('DELETE FROM app_user WHERE id = :id', { id: 1 }), { forChange: true });
    assert.deepEqual(sent, ['SELECT id FROM app_user WHERE id = @p1', 'DELETE FROM app_user WHERE id = @p1']);
    await driver.close();
  });
});
