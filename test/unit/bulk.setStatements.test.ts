/**
 * The set-based statements of a bulk run, as text: list parameters bound item by item inside
 * IN (…), the batch sizes each dialect allows (one helper shared with the restore), the exact
 * SQL Server and Oracle text of the bulk snippets at their limits, the list parameter in the
 * snippet language, and the audit batch's shortcuts (same lines, same refusals).
 */
import assert from 'node:assert/strict';
import { batches, MAX_BATCH_ROWS, rowsPerStatement } from '../../src/core/db/batching';
import { dialectFacts } from '../../src/core/db/dialect';
import { bindNamed, ParamBindError } from '../../src/core/db/bindParams';
import { DIALECTS } from '../../src/core/db/types';
import { restoreStatements } from '../../src/core/recovery/restore';
import { lookupBatchSize } from '../../src/core/recovery/probe';
import { loadBuiltinSnippets } from '../../src/core/snippets/catalogue';
import { parseSnippet } from '../../src/core/snippets/parser';
import { coerceParams, expectedRows } from '../../src/core/snippets/params';
import { renderSnippet } from '../../src/core/snippets/render';
import type { Snippet } from '../../src/core/snippets/types';
import { canonicalJson, entryHash, hashedLine } from '../../src/core/audit/canonical';
import { containsRegisteredSecret, sanitizeInput, type TextMemo } from '../../src/core/audit/entry';
import { newEntryId } from '../../src/core/audit/log';
import { Redactor } from '../../src/core/redact';

const names = (n: number) => Array.from({ length: n }, (_, i) => `user${i}`);

describe('bulk: set-based statements', () => {
  describe('list parameters in bindNamed', () => {
    const sql = 'SELECT a FROM t WHERE k = :k AND n IN (LOWER(:names)) OR m IN (SELECT x FROM u WHERE y IN (:names))';

    it('writes the IN expression once per item, each item bound, per dialect', () => {
      const list = ["x' OR 1=1 --", 'B'];
      assert.deepEqual(bindNamed(sql, 'postgres', { k: 1, names: list }), {
        text: 'SELECT a FROM t WHERE k = $1 AND n IN (LOWER($2), LOWER($3)) OR m IN (SELECT x FROM u WHERE y IN ($2, $3))',
        binds: [{ value: 1 }, { value: list[0] }, { value: 'B' }],
      });
      const my = bindNamed(sql, 'mysql', { k: 1, names: list });
      assert.equal(my.text, 'SELECT a FROM t WHERE k = ? AND n IN (LOWER(?), LOWER(?)) OR m IN (SELECT x FROM u WHERE y IN (?, ?))');
      assert.deepEqual(my.binds.map((b) => b.value), [1, list[0], 'B', list[0], 'B']);
      assert.equal(bindNamed(sql, 'mssql', { k: 1, names: list }).text, 'SELECT a FROM t WHERE k = @p1 AND n IN (LOWER(@p2), LOWER(@p3)) OR m IN (SELECT x FROM u WHERE y IN (@p2, @p3))');
      assert.equal(bindNamed(sql, 'oracle', { k: 1, names: list }).text, 'SELECT a FROM t WHERE k = :b1 AND n IN (LOWER(:b2), LOWER(:b3)) OR m IN (SELECT x FROM u WHERE y IN (:b2, :b3))');
      for (const d of DIALECTS) assert.ok(!bindNamed(sql, d, { k: 1, names: list }).text.includes('OR 1=1'), 'values never enter the text');
    });

    it('refuses a list outside IN (…), an empty list, two lists in one IN, several expressions or a subquery in the IN', () => {
      const bad: Array<[string, RegExp]> = [
        ['SELECT :names', /can only stand inside IN/],
        ['SELECT 1 FROM t WHERE a = LOWER(:names)', /can only stand inside IN/],
        ['SELECT 1 FROM t WHERE a IN (:names, 3)', /must hold only the expression/],
        ['SELECT 1 FROM t WHERE a IN (SELECT :names)', /not a subquery/],
        ['SELECT 1 FROM t WHERE a IN (CONCAT(:names, :other))', /two list parameters/],
      ];
      for (const [text, re] of bad) assert.throws(() => bindNamed(text, 'postgres', { names: ['a'], other: ['b'] }), (e: Error) => e instanceof ParamBindError && re.test(e.message), text);
      assert.throws(() => bindNamed('SELECT 1 FROM t WHERE a IN (:names)', 'postgres', { names: [] }), /is empty/);
      // A list used as a scalar elsewhere is still fine when it is not a list.
      assert.equal(bindNamed('SELECT 1 FROM t WHERE a IN (:names)', 'postgres', { names: 'one' }).text, 'SELECT 1 FROM t WHERE a IN ($1)');
    });

    it('stops at the dialect limits: SQL Server 2,098 bound values, Oracle 1,000 IN-list items', () => {
      const one = 'SELECT 1 FROM t WHERE a IN (:names)';
      assert.equal(bindNamed(one, 'mssql', { names: names(2098) }).binds.length, 2098);
      assert.throws(() => bindNamed(one, 'mssql', { names: names(2099) }), /binds 2099 values; SQL Server takes at most 2098/);
      assert.equal(bindNamed(one, 'oracle', { names: names(1000) }).binds.length, 1000);
      assert.throws(() => bindNamed(one, 'oracle', { names: names(1001) }), /1001 items; Oracle takes at most 1000 in one IN/);
    });
  });

  describe('batch sizes (shared with the restore)', () => {
    it('cuts by the bind limit, the IN-list limit and the common cap', () => {
      assert.equal(MAX_BATCH_ROWS, 1000);
      for (const d of DIALECTS) assert.equal(lookupBatchSize(dialectFacts(d)), 1000, d);
      const ms = dialectFacts('mssql');
      assert.equal(rowsPerStatement(ms, 3), 699, 'three uses of a list on SQL Server: 699 × 3 = 2097 ≤ 2098');
      assert.equal(rowsPerStatement(dialectFacts('oracle'), 1, 1000), 1000);
      assert.equal(rowsPerStatement({ maxBindParams: 10 }, 1, 7), 7);
      assert.equal(rowsPerStatement({ maxBindParams: 1 }, 5), 1, 'at least one row');
      assert.deepEqual(batches(names(5), 2).map((b) => [b.from, b.items.length]), [[0, 2], [2, 2], [4, 1]]);
      assert.throws(() => batches(names(1), 0), /positive/);
      // The restore's sizes come from the same helper.
      const backup = { columns: [{ name: 'USER_KEY', type: 'text' as const, nativeType: 'nvarchar' }], table: { name: 'T', key: ['USER_KEY'] } };
      assert.equal(restoreStatements(backup, 'T', { ...ms, maxInListItems: 7 }).checkRows, rowsPerStatement(ms, 1, 7));
    });
  });

  describe('the bulk snippets', () => {
    let all: Snippet[];
    before(async () => {
      all = (await loadBuiltinSnippets()).snippets;
    });
    const get = (n: string) => all.find((s) => s.name === n)!;

    it('exact SQL Server text of jira.disable-2sv-many at a full batch of 1,000 names', () => {
      const r = renderSnippet(get('jira.disable-2sv-many'), 'mssql');
      const size = lookupBatchSize(dialectFacts('mssql'));
      const bound = bindNamed(r.statement, 'mssql', { usernames: names(size) });
      const list = Array.from({ length: size }, (_, i) => `LOWER(@p${i + 1})`).join(', ');
      assert.equal(bound.text, `DELETE FROM [AO_ED669C_TOTP_USER_ENROLLMENT]\nWHERE [USER_KEY] IN (SELECT au.user_key FROM app_user au WHERE au.lower_user_name IN (${list}))`);
      assert.equal(bound.binds.length, 1000);
      assert.equal(bindNamed(r.backup!, 'mssql', { usernames: names(2) }).text, 'SELECT totp.*\nFROM [AO_ED669C_TOTP_USER_ENROLLMENT] totp\nWHERE totp.[USER_KEY] IN (SELECT au.user_key FROM app_user au WHERE au.lower_user_name IN (LOWER(@p1), LOWER(@p2)))');
    });

    it('exact Oracle text of confluence.disable-2sv-many and is-enrolled-many at the 1,000-item IN-list limit', () => {
      const r = renderSnippet(get('confluence.disable-2sv-many'), 'oracle');
      const size = lookupBatchSize(dialectFacts('oracle'));
      assert.equal(size, 1000);
      const list = Array.from({ length: size }, (_, i) => `LOWER(:b${i + 1})`).join(', ');
      assert.equal(bindNamed(r.backup!, 'oracle', { usernames: names(size) }).text, `SELECT totp.*\nFROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp\nWHERE totp."USER_KEY" IN (SELECT um.user_key FROM user_mapping um WHERE um.lower_username IN (${list}))`);
      assert.throws(() => bindNamed(r.statement, 'oracle', { usernames: names(size + 1) }), /Oracle takes at most 1000/);
      const look = renderSnippet(get('confluence.is-enrolled-many'), 'oracle').statement;
      assert.match(bindNamed(look, 'oracle', { usernames: names(3) }).text, /WHERE um\.lower_username IN \(LOWER\(:b1\), LOWER\(:b2\), LOWER\(:b3\)\)$/);
    });

    it('the bulk snippets select what the single-user ones do, with IN (LOWER(:usernames)) for = LOWER(:username)', () => {
      for (const p of ['jira', 'confluence']) {
        for (const [one, many] of [['is-enrolled', 'is-enrolled-many'], ['disable-2sv', 'disable-2sv-many']]) {
          const a = get(`${p}.${one}`).sections;
          const b = get(`${p}.${many}`).sections;
          assert.deepEqual(b.map((s) => s.sql.replace('IN (LOWER(:usernames))', '= LOWER(:username)')), a.map((s) => s.sql), `${p}.${many}`);
        }
      }
      const dis = get('jira.disable-2sv-many');
      assert.deepEqual([dis.backupTable, dis.backupKey], ['AO_ED669C_TOTP_USER_ENROLLMENT', ['USER_KEY']]);
      assert.equal(expectedRows(dis, { usernames: names(3) }), 3, 'one row per listed user');
    });
  });

  describe('list parameters in the snippet language', () => {
    const snippet = (param: string, where: string, expect = ':usernames') =>
      [
        '-- @name t.many',
        '-- @products jira',
        '-- @kind destructive',
        `-- @param ${param}`,
        `-- @expect ${expect}`,
        '-- @backup-table T',
        '-- @backup-key USER_KEY',
        '-- @query',
        `DELETE FROM "T" WHERE ${where}`,
        '-- @backup',
        `SELECT * FROM "T" WHERE ${where}`,
      ].join('\n');
    const errors = (text: string) => parseSnippet(text).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.message}`);

    it('accepts string[] inside IN (…) and reports misuse on its line', () => {
      assert.deepEqual(errors(snippet('usernames string[] "Names" maxLength=255', '"USER_KEY" IN (LOWER(:usernames))')), []);
      assert.deepEqual(errors(snippet('usernames string[] "Names"', '"USER_KEY" = :usernames')), [
        '9:the list parameter :usernames can only stand inside IN (…)',
        '11:the list parameter :usernames can only stand inside IN (…)',
      ]);
      assert.deepEqual(errors(snippet('usernames string[] "Names" default=a', '"USER_KEY" IN (:usernames)')), ['4:@param usernames: a list parameter has no default']);
      assert.match(errors(snippet('usernames string "Names"', '"USER_KEY" IN (:usernames)'))[0], /@expect :usernames must be an integer parameter \(the row count\) or a list parameter/);
    });

    it('coerces a list from an array or from text (one per line or comma), each item checked', () => {
      const s = parseSnippet(snippet('usernames string[] "Names" maxLength=5', '"USER_KEY" IN (:usernames)')).snippet!;
      assert.deepEqual(coerceParams(s, { usernames: ['a', 'b'] }), { values: { usernames: ['a', 'b'] }, problems: [] });
      assert.deepEqual(coerceParams(s, { usernames: 'a, b\nc\n' }).values, { usernames: ['a', 'b', 'c'] });
      assert.match(coerceParams(s, { usernames: ['a', 'toolong'] }).problems[0].message, /Names, item 2, is longer than 5 characters/);
      assert.match(coerceParams(s, { usernames: ['a\u0000'] }).problems[0].message, /item 1, contains a NUL/);
      assert.match(coerceParams(s, { usernames: [] }).problems[0].message, /is required/);
      assert.match(coerceParams(s, { usernames: [{}] }).problems[0].message, /item 1, must be text/);
      assert.match(coerceParams(s, { usernames: 5 as unknown }).problems[0].message, /must be a list of texts/);
    });
  });

  describe('the audit batch', () => {
    it('hashedLine gives the hash and the canonical line of the whole entry', () => {
      const unhashed = { id: 'x', time: 't', admin: 'a', action: 'b', details: { z: 1, a: 'q' }, instance: { id: 'i', name: 'n', baseUrl: 'u' }, message: 'm', outcome: 'ok', prevHash: '0'.repeat(64), target: undefined };
      const { hash, line } = hashedLine(unhashed);
      assert.equal(hash, entryHash(unhashed));
      assert.equal(line, canonicalJson({ ...unhashed, hash }));
      const noLaterKey = { a: 1, b: 2 };
      assert.equal(hashedLine(noLaterKey).line, canonicalJson({ ...noLaterKey, hash: hashedLine(noLaterKey).hash }));
    });

    it('a text remembered for the batch is the same text, and a secret in a later entry is still masked', () => {
      const r = new Redactor();
      r.add('hunter2-secret');
      const entry = (message: string) => ({ admin: 'ad', instance: { id: 'i', name: 'n', baseUrl: 'u' }, action: 'bulk.sql.disable', outcome: 'ok' as const, message });
      const memo: TextMemo = new Map();
      const first = sanitizeInput(entry('password=abc done'), r, 'f', memo);
      assert.deepEqual(sanitizeInput(entry('password=abc done'), r, 'f', memo), first);
      assert.equal(first.message, sanitizeInput(entry('password=abc done'), r, 'f').message);
      assert.equal(first.message, 'password=*** done');
      // The secret is masked by redaction, so it only reaches the file as "***".
      assert.equal(sanitizeInput(entry('code hunter2-secret'), r, 'f', memo).message, 'code ***');
    });

    it('the registered-secret check: its shortcut gives the full comparison\'s answer', () => {
      const r = new Redactor();
      assert.equal(containsRegisteredSecret(r, 'password=abc'), false, 'no secret registered');
      r.add('short');
      r.add('a-longer-short-secret');
      for (const text of ['nothing here', 'x short y', 'a-longer-short-secret', 'password=short', '***']) {
        assert.equal(containsRegisteredSecret(r, text), r.redact(text) !== new Redactor().redact(text), text);
      }
      assert.equal(containsRegisteredSecret(r, 'x short y'), true);
    });

    it('entry ids from the pooled random buffer: 16 hex characters, none repeated across refills', () => {
      const ids = Array.from({ length: 3000 }, () => newEntryId());
      assert.ok(ids.every((id) => /^[0-9a-f]{16}$/.test(id)));
      assert.equal(new Set(ids).size, ids.length);
    });
  });
});
