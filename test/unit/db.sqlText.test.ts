import assert from 'node:assert/strict';
import fc from 'fast-check';
import { quoteBacktick, quoteBracket, quoteDouble, driverFacts } from '../../src/core/db/dialect';
import { ParamBindError, bindNamed } from '../../src/core/db/bindParams';
import { leadingKeyword, secondStatementOffset, tokenize } from '../../src/core/db/sqlText';
import type { Dialect } from '../../src/core/db/types';

describe('db: identifier quoting', () => {
  it('quotes per dialect and doubles the quote character inside a name', () => {
    assert.equal(quoteDouble('AO_ED669C_TOTP_USER_ENROLLMENT'), '"AO_ED669C_TOTP_USER_ENROLLMENT"');
    assert.equal(quoteDouble('a"b'), '"a""b"');
    assert.equal(quoteBacktick('a`b'), '`a``b`');
    assert.equal(quoteBracket('a]b'), '[a]]b]');
    assert.throws(() => quoteDouble(''));
    assert.throws(() => quoteBracket('a\u0000'));
  });

  it('states the dialect facts', () => {
    assert.equal(driverFacts('postgres').readOnlyTransactions, true);
    assert.equal(driverFacts('mssql').readOnlyTransactions, false);
    assert.equal(driverFacts('mssql').rowLocking, 'serializable');
    assert.equal(driverFacts('oracle').rowLocking, 'for-update');
    assert.equal(driverFacts('pglite').dialect, 'postgres');
  });
});

describe('db: named parameters', () => {
  const sql = "SELECT :a AS x, ':b' AS lit, \"col:c\" AS q, :a AS again -- :d\n/* :e */ FROM t WHERE y = :f";
  const cases: Array<[Dialect, string, number]> = [
    ['postgres', "SELECT $1 AS x, ':b' AS lit, \"col:c\" AS q, $1 AS again -- :d\n/* :e */ FROM t WHERE y = $2", 2],
    ['mysql', "SELECT ? AS x, ':b' AS lit, \"col:c\" AS q, ? AS again -- :d\n/* :e */ FROM t WHERE y = ?", 3],
    ['mssql', "SELECT @p1 AS x, ':b' AS lit, \"col:c\" AS q, @p1 AS again -- :d\n/* :e */ FROM t WHERE y = @p2", 2],
    ['oracle', "SELECT :b1 AS x, ':b' AS lit, \"col:c\" AS q, :b1 AS again -- :d\n/* :e */ FROM t WHERE y = :b2", 2],
  ];
  for (const [dialect, expected, n] of cases) {
    it(`converts :name to ${dialect} placeholders, skipping literals, quoted names and comments`, () => {
      const b = bindNamed(sql, dialect, { a: 'A', f: 7 });
      assert.equal(b.text, expected);
      assert.equal(b.binds.length, n);
      assert.deepEqual(
        b.binds.map((x) => x.value),
        dialect === 'mysql' ? ['A', 'A', 7] : ['A', 7],
      );
    });
  }

  it('knows PostgreSQL casts, dollar quotes and E strings', () => {
    const b = bindNamed("SELECT :v::text, $q$ :no $q$, E'\\' :no', 'a'':no'", 'postgres', { v: 1 });
    assert.equal(b.text, "SELECT $1::text, $q$ :no $q$, E'\\' :no', 'a'':no'");
  });

  it('knows MySQL backslash escapes, backticks, double-quoted strings and # comments', () => {
    const b = bindNamed("SELECT 'it\\':no', \"x:no\", `c:no`, :yes # :no", 'mysql', { yes: 1 });
    assert.equal(b.text, "SELECT 'it\\':no', \"x:no\", `c:no`, ? # :no");
  });

  it('knows SQL Server brackets and Oracle q-quotes', () => {
    assert.equal(bindNamed('SELECT [a:no], :x', 'mssql', { x: 1 }).text, 'SELECT [a:no], @p1');
    assert.equal(bindNamed("SELECT q'[it's :no]', :x FROM dual", 'oracle', { x: 1 }).text, "SELECT q'[it's :no]', :b1 FROM dual");
  });

  it('refuses a parameter without a value, unterminated literals and raw placeholders', () => {
    assert.throws(() => bindNamed('SELECT :missing', 'postgres', {}), ParamBindError);
    assert.throws(() => bindNamed("SELECT 'open", 'postgres', {}), /unterminated/);
    assert.throws(() => bindNamed('SELECT ? FROM t', 'mysql', {}), /literal "\?"/);
    assert.throws(() => bindNamed('SELECT $1', 'postgres', {}), /positional/);
    assert.throws(() => bindNamed('SELECT @p1', 'mssql', {}), /@p1/);
  });

  it('keeps typed values (restore) with their kind', () => {
    const b = bindNamed('INSERT INTO t VALUES (:a)', 'mssql', { a: { value: null, kind: 'binary' } });
    assert.deepEqual(b.binds, [{ value: null, kind: 'binary' }]);
  });

  it('never writes a value into the SQL text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom<Dialect>('postgres', 'mysql', 'mssql', 'oracle'), (value, dialect) => {
        const sqlText = 'SELECT * FROM "t" WHERE a = :v AND b = LOWER(:v)';
        const before = bindNamed(sqlText, dialect, { v: 'x' }).text;
        const b = bindNamed(sqlText, dialect, { v: value });
        assert.equal(b.text, before);
        assert.ok(b.binds.every((x) => x.value === value));
      }),
    );
  });

  it('finds the leading keyword and a second statement', () => {
    assert.equal(leadingKeyword(tokenize('-- c\n (SELECT 1)', 'portable')), 'SELECT');
    assert.equal(leadingKeyword(tokenize('  delete from t', 'portable')), 'DELETE');
    assert.equal(secondStatementOffset(tokenize('SELECT 1;', 'portable')), undefined);
    assert.equal(secondStatementOffset(tokenize("SELECT ';'", 'portable')), undefined);
    assert.equal(secondStatementOffset(tokenize('SELECT 1; DELETE FROM t', 'portable')), 8);
  });
});
