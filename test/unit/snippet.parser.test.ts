import assert from 'node:assert/strict';
import { parseSnippet } from '../../src/core/snippets/parser';
import { coerceParams, expectedRows } from '../../src/core/snippets/params';

const GOOD = [
  '-- free text before the header',
  '-- @name test.disable',
  '-- @title Disable',
  '-- @description Line one',
  '-- @description line two.',
  '-- @products jira confluence',
  '-- @dialects postgres, mysql',
  '-- @kind destructive',
  '-- @param username string "User name" maxLength=20',
  '-- @param n integer "How many" default=1 min=0 max=5',
  '-- @expect :n',
  '-- @backup-table AO_ED669C_TOTP_USER_ENROLLMENT',
  '-- @backup-key USER_KEY',
  '',
  '-- @query',
  'DELETE FROM "AO_ED669C_TOTP_USER_ENROLLMENT" WHERE "USER_KEY" = :username;',
  '',
  '-- @backup',
  'SELECT * FROM "AO_ED669C_TOTP_USER_ENROLLMENT" WHERE "USER_KEY" = :username',
  '-- @backup mysql',
  'SELECT e.* FROM "AO_ED669C_TOTP_USER_ENROLLMENT" e WHERE e."USER_KEY" = :username',
].join('\n');

function diag(text: string) {
  return parseSnippet(text).diagnostics.map((d) => `${d.line}:${d.severity}:${d.message}`);
}

describe('snippet: header parser', () => {
  it('reads a complete destructive snippet', () => {
    const r = parseSnippet(GOOD, 'good.sql');
    assert.deepEqual(r.diagnostics, []);
    const s = r.snippet!;
    assert.equal(s.name, 'test.disable');
    assert.equal(s.description, 'Line one line two.');
    assert.deepEqual(s.products, ['jira', 'confluence']);
    assert.deepEqual(s.dialects, ['postgres', 'mysql']);
    assert.deepEqual(s.expect, { type: 'param', param: 'n' });
    assert.deepEqual(s.backupKey, ['USER_KEY']);
    assert.deepEqual(s.params.map((p) => [p.name, p.type, p.label, p.default, p.min, p.max, p.maxLength]), [
      ['username', 'string', 'User name', undefined, undefined, undefined, 20],
      ['n', 'integer', 'How many', 1, 0, 5, undefined],
    ]);
    assert.deepEqual(s.sections.map((x) => [x.role, x.dialects, x.line]), [
      ['query', null, 16],
      ['backup', null, 19],
      ['backup', ['mysql'], 21],
    ]);
  });

  it('reports problems with their line numbers', () => {
    const text = [
      '-- @name Bad Name', // 1
      '-- @products jira cloud', // 2
      '-- @kind read', // 3
      '-- @param 1x string "X"', // 4
      '-- @param u strng "U"', // 5
      '-- @param v string', // 6
      '-- @bogus 1', // 7
      'SELECT :undeclared, `x` FROM t', // 8
      '-- @title late', // 9
    ].join('\n');
    const d = diag(text);
    const has = (line: number, re: RegExp) => assert.ok(d.some((x) => x.startsWith(`${line}:error:`) && re.test(x)), `line ${line} ${re}: ${d.join(' | ')}`);
    has(1, /@name must be/);
    has(2, /unknown product cloud/);
    has(4, /not a valid parameter name/);
    has(5, /unknown type "strng"/);
    has(6, /@param needs/);
    has(7, /unknown directive @bogus/);
    has(8, /:undeclared is not declared/);
    has(8, /double quotes/);
    has(9, /belongs in the header/);
  });

  it('checks statements: one per section, the right kind, no raw placeholders, closed literals', () => {
    const head = '-- @name t.x\n-- @products jira\n-- @kind read\n';
    assert.ok(diag(`${head}SELECT 1; DELETE FROM t`).some((x) => /^4:error:one statement/.test(x)));
    assert.ok(diag(`${head}DELETE FROM t`).some((x) => /must start with SELECT or WITH \(found DELETE\)/.test(x)));
    assert.ok(diag(`${head}SELECT ? FROM t`).some((x) => /literal "\?"/.test(x)));
    assert.ok(diag(`${head}SELECT 'open`).some((x) => /^4:error:unterminated string literal/.test(x)));
    assert.ok(diag(`${head}SELECT 1 {{TOP 5}}`).some((x) => /unknown macro/.test(x)));
    assert.deepEqual(diag(`${head}-- @param limit integer "L"\n-- @param offset integer "O"\nSELECT a FROM t ORDER BY a {{LIMIT :limit OFFSET :offset}}`), []);
  });

  it('requires what a destructive snippet needs and forbids it on a read one', () => {
    const d = diag('-- @name t.x\n-- @products jira\n-- @kind destructive\nDELETE FROM t');
    for (const re of [/needs @expect/, /needs @backup-table/, /needs @backup-key/, /needs a @backup section/]) assert.ok(d.some((x) => re.test(x)), String(re));
    const r = diag('-- @name t.x\n-- @products jira\n-- @kind read\n-- @expect 1\nSELECT 1\n-- @backup\nSELECT 2');
    assert.ok(r.some((x) => /@expect is only for destructive/.test(x)));
    assert.ok(r.some((x) => /read snippet has no @backup/.test(x)));
  });

  it('warns about an unused parameter and backslashes in literals', () => {
    const d = diag('-- @name t.x\n-- @products jira\n-- @kind read\n-- @param u string "U"\nSELECT \'a\\b\'');
    assert.ok(d.includes('4:warning:parameter :u is declared but not used'));
    assert.ok(d.some((x) => x.startsWith('5:warning:a backslash')));
  });
});

describe('snippet: parameter values', () => {
  const s = parseSnippet(GOOD).snippet!;
  it('converts and checks typed values', () => {
    assert.deepEqual(coerceParams(s, { username: 'alice', n: '1' }), { values: { username: 'alice', n: 1 }, problems: [] });
    assert.deepEqual(coerceParams(s, { username: 'alice' }).values, { username: 'alice', n: 1 }, 'default');
    const bad = coerceParams(s, { username: 'x'.repeat(21), n: '9', extra: 1 }).problems.map((p) => p.message);
    assert.deepEqual(bad, ['User name is longer than 20 characters', 'How many must be at most 5', 'test.disable has no parameter :extra']);
    assert.match(coerceParams(s, { username: 'a\u0000', n: 1 }).problems[0].message, /NUL/);
    assert.match(coerceParams(s, { n: 1 }).problems[0].message, /required/);
    assert.match(coerceParams(s, { username: 'a', n: '1.5' }).problems[0].message, /whole number/);
    assert.equal(expectedRows(s, { n: 3 }), 3);
  });
});
