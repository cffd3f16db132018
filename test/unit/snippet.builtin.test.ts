/**
 * The built-in catalogue rendered for every dialect. SQL Server and Oracle have no server
 * here, so their SQL text, quoting and placeholders are checked as text.
 */
import assert from 'node:assert/strict';
import { bindNamed } from '../../src/core/db/bindParams';
import { tokenize } from '../../src/core/db/sqlText';
import { DIALECTS, type Dialect } from '../../src/core/db/types';
import { loadBuiltinSnippets, snippetsForProfile } from '../../src/core/snippets/catalogue';
import { aoTablesOf, renderSnippet } from '../../src/core/snippets/render';
import { restoreStatements } from '../../src/core/recovery/restore';
import { dialectFacts } from '../../src/core/db/dialect';
import type { Snippet } from '../../src/core/snippets/types';

const EXPECTED = ['recovery-code', 'is-enrolled', 'list-enrolled', 'count-enrolled', 'disable-2sv', 'is-enrolled-many', 'disable-2sv-many'];

describe('snippet: built-in catalogue', () => {
  let all: Snippet[];
  before(async () => {
    const c = await loadBuiltinSnippets();
    assert.deepEqual(c.problems, [], 'built-in snippets parse without any diagnostic');
    all = c.snippets;
  });

  it('has every snippet for Jira and Confluence, on every dialect', () => {
    for (const p of ['jira', 'confluence']) for (const n of EXPECTED) assert.ok(all.some((s) => s.name === `${p}.${n}` && s.dialects.length === 4), `${p}.${n}`);
  });

  it('lists snippets for a profile by product and dialect', async () => {
    const c = await snippetsForProfile({ product: 'confluence', database: { driver: 'pglite', database: 'memory://', readOnly: true } });
    assert.deepEqual(c.snippets.map((s) => s.name).sort(), EXPECTED.map((n) => `confluence.${n}`).sort());
    assert.deepEqual((await snippetsForProfile({ product: 'jira', database: undefined })).snippets, []);
  });

  for (const dialect of DIALECTS) {
    it(`renders every snippet for ${dialect} with the dialect's quoting and placeholders`, () => {
      for (const s of all) {
        const r = renderSnippet(s, dialect);
        for (const sql of [r.statement, r.backup].filter((x): x is string => !!x)) {
          const tokens = tokenize(sql, dialect);
          const idents = tokens.filter((t) => t.type === 'ident');
          assert.ok(idents.some((t) => t.name === 'AO_ED669C_TOTP_USER_ENROLLMENT'), `${s.name} on ${dialect} names the table`);
          for (const t of idents) {
            const expected = dialect === 'mysql' ? `\`${t.name}\`` : dialect === 'mssql' ? `[${t.name}]` : `"${t.name}"`;
            assert.equal(t.text, expected);
          }
          if (dialect === 'mysql' || dialect === 'mssql') assert.ok(!tokens.some((t) => t.type === 'code' && t.text.includes('"')), `${s.name}: no double quotes on ${dialect}`);
          assert.ok(!/\bAS\s+(totp|au|um|cu|fd)\b/i.test(sql), 'Oracle takes no AS before a table alias');
          assert.ok(!/;\s*$/.test(sql));
          const params = Object.fromEntries(s.params.map((p) => [p.name, p.type === 'integer' ? 1 : p.type === 'string[]' ? ["x' OR 1=1 --", 'y'] : "x' OR 1=1 --"]));
          const bound = bindNamed(sql, dialect, params);
          assert.ok(!bound.text.includes("x' OR 1=1"), 'values are never in the text');
          const ph = { postgres: /\$\d/, mysql: /\?/, mssql: /@p\d/, oracle: /:b\d/ }[dialect];
          if (s.params.length) assert.match(bound.text, ph);
        }
      }
    });
  }

  it('writes paging the way each dialect wants', () => {
    const list = all.find((s) => s.name === 'jira.list-enrolled')!;
    const sql = (d: Dialect) => renderSnippet(list, d).statement;
    assert.match(sql('postgres'), /ORDER BY .*\nLIMIT :limit OFFSET :offset$/);
    assert.match(sql('mysql'), /LIMIT :limit OFFSET :offset$/);
    assert.match(sql('mssql'), /ORDER BY .*\nOFFSET :offset ROWS FETCH NEXT :limit ROWS ONLY$/);
    assert.match(sql('oracle'), /OFFSET :offset ROWS FETCH NEXT :limit ROWS ONLY$/);
    assert.equal(bindNamed(sql('mssql'), 'mssql', { limit: 10, offset: 20 }).text.endsWith('OFFSET @p1 ROWS FETCH NEXT @p2 ROWS ONLY'), true);
    assert.equal(bindNamed(sql('oracle'), 'oracle', { limit: 10, offset: 20 }).text.endsWith('OFFSET :b1 ROWS FETCH NEXT :b2 ROWS ONLY'), true);
  });

  it('exact SQL Server and Oracle text of the disable snippet', () => {
    const dis = all.find((s) => s.name === 'jira.disable-2sv')!;
    const ms = renderSnippet(dis, 'mssql');
    assert.equal(
      bindNamed(ms.statement, 'mssql', { username: 'a' }).text,
      'DELETE FROM [AO_ED669C_TOTP_USER_ENROLLMENT]\nWHERE [USER_KEY] IN (SELECT au.user_key FROM app_user au WHERE au.lower_user_name = LOWER(@p1))',
    );
    assert.equal(ms.backupTable, '[AO_ED669C_TOTP_USER_ENROLLMENT]');
    const ora = renderSnippet(all.find((s) => s.name === 'confluence.disable-2sv')!, 'oracle');
    assert.equal(
      bindNamed(ora.backup!, 'oracle', { username: 'a' }).text,
      'SELECT totp.*\nFROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp\nWHERE totp."USER_KEY" IN (SELECT um.user_key FROM user_mapping um WHERE um.lower_username = LOWER(:b1))',
    );
  });

  it('uses the MySQL table spelling it is given', () => {
    const rc = all.find((s) => s.name === 'jira.recovery-code')!;
    assert.deepEqual(aoTablesOf(rc), ['AO_ED669C_TOTP_USER_ENROLLMENT']);
    const r = renderSnippet(rc, 'mysql', { tables: new Map([['AO_ED669C_TOTP_USER_ENROLLMENT', 'ao_ed669c_totp_user_enrollment']]) });
    assert.match(r.statement, /FROM `ao_ed669c_totp_user_enrollment` totp/);
  });

  it('builds restore statements with quoting and bound values', () => {
    const backup = { columns: [{ name: 'USER_KEY', type: 'text' as const, nativeType: 'nvarchar' }, { name: 'CREATED_AT', type: 'timestamp' as const, nativeType: 'datetime' }], table: { name: 'T', key: ['USER_KEY'] } };
    const ms = restoreStatements(backup, 'AO_ED669C_TOTP_USER_ENROLLMENT', dialectFacts('mssql'));
    assert.equal(ms.insert(1), 'INSERT INTO [AO_ED669C_TOTP_USER_ENROLLMENT] ([USER_KEY], [CREATED_AT]) VALUES (:c0_0, :c0_1)');
    assert.equal(bindNamed(ms.check(1), 'mssql', { k0_0: 'x' }).text, 'SELECT [USER_KEY] FROM [AO_ED669C_TOTP_USER_ENROLLMENT] WHERE [USER_KEY] IN (@p1)');
    const ora = restoreStatements(backup, 'AO_ED669C_TOTP_USER_ENROLLMENT', dialectFacts('oracle'));
    assert.equal(bindNamed(ora.insert(1), 'oracle', { c0_0: 'x', c0_1: '2024-01-01 00:00:00' }).text, 'INSERT INTO "AO_ED669C_TOTP_USER_ENROLLMENT" ("USER_KEY", "CREATED_AT") VALUES (:b1, :b2)');
  });
});
