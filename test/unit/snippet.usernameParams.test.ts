/**
 * Snippet parameters that are user names get the forms' rules (issue 15): surrounding
 * whitespace removed and said, invisible characters refused with the reason. Which parameters
 * are user names is read from the declaration; every other parameter stays exact.
 */
import assert from 'node:assert/strict';
import { runSnippetRead } from '../../src/core/actions/snippet';
import { coerceParams, isUsernameParam, tidySnippetParams } from '../../src/core/snippets/params';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { parseSnippet } from '../../src/core/snippets/parser';
import type { Snippet } from '../../src/core/snippets/types';

const CUSTOM = parseSnippet(
  [
    '-- @name test.custom',
    '-- @products jira',
    '-- @kind read',
    '-- @param login string "User name" maxLength=255',
    '-- @param note string "A note"',
    '-- @param keys string[] "Keys"',
    'SELECT "x" FROM "t" WHERE "a" = :login AND "b" = :note AND "c" IN (:keys)',
  ].join('\n'),
).snippet!;

describe('snippet parameters that are user names', () => {
  let recovery: Snippet;
  let many: Snippet;
  before(async () => {
    recovery = await builtinSnippet('jira.recovery-code');
    many = await builtinSnippet('jira.disable-2sv-many');
  });

  it('are found by the declaration: the name username/usernames or the label "User name(s)"; other types never', () => {
    assert.ok(CUSTOM, 'the test snippet parses');
    assert.deepEqual(recovery.params.filter(isUsernameParam).map((p) => p.name), ['username']);
    assert.deepEqual(many.params.filter(isUsernameParam).map((p) => p.name), ['usernames']);
    assert.deepEqual(CUSTOM.params.filter(isUsernameParam).map((p) => p.name), ['login']);
    assert.equal(isUsernameParam({ name: 'username', type: 'integer', label: 'User name' }), false);
  });

  it('surrounding whitespace is removed and said; other parameters keep theirs', () => {
    const t = tidySnippetParams(CUSTOM, { login: ' dave\u00a0', note: '  kept  ', keys: ' a , b ' });
    assert.deepEqual(t.params, { login: 'dave', note: '  kept  ', keys: ' a , b ' });
    assert.deepEqual(t.notes, ['Used "dave" without the spaces around it.']);
    const c = coerceParams(CUSTOM, t.params);
    assert.deepEqual(c.problems, []);
    assert.deepEqual(c.values, { login: 'dave', note: '  kept  ', keys: ['a', 'b'] });
    assert.deepEqual(tidySnippetParams(recovery, { username: 'dave' }).notes, []);
  });

  it('invisible characters are refused with the reason, by the field label; the same text elsewhere is bound', () => {
    const zw = 'da\u200bve';
    const c = coerceParams(CUSTOM, { login: zw, note: zw, keys: 'a' });
    assert.deepEqual(c.problems.map((p) => p.param), ['login']);
    assert.match(c.problems[0].message, /^User name contains an invisible character/);
    assert.equal(coerceParams(recovery, { username: 'alice\u202e' }).problems[0]?.message.startsWith('User name contains text-direction override'), true);
  });

  it('list items: trimmed, and an item with an invisible character refused by its position', () => {
    const ok = coerceParams(many, { usernames: ['  alice ', 'bob\t'] as unknown as string });
    assert.deepEqual(ok.values.usernames, ['alice', 'bob']);
    const bad = coerceParams(many, { usernames: 'alice, bo\ufeffb' });
    assert.match(bad.problems[0]?.message ?? '', /^User names, item 2, contains an invisible character/);
    // "." is an account name the database route can reach
    assert.deepEqual(coerceParams(many, { usernames: '., alice' }).values.usernames, ['.', 'alice']);
  });

  it('the audited action binds, audits and reports the trimmed name', async () => {
    const written: Array<{ target?: string }> = [];
    const bound: unknown[] = [];
    const profile = { id: 'p', name: 'P', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { driver: 'postgres', host: 'db', database: 'jira', readOnly: true } } as never;
    const deps = {
      audit: { ready: async () => undefined, append: async (e: { target?: string }) => (written.push(e), { id: 'a1', ...e }) },
      secrets: { get: async () => undefined },
      withDatabase: async (_p: unknown, fn: (d: unknown) => unknown) =>
        fn({
          name: 'postgres',
          transaction: async (work: (tx: unknown) => unknown) => work({ query: async (_sql: string, values: unknown) => (bound.push(values), { columns: [], rows: [], rowCount: 0 }) }),
        }),
    } as never;
    const r = await runSnippetRead(deps, { profile, snippet: recovery, params: { username: ' dave ' } });
    assert.deepEqual(r.notes, ['Used "dave" without the spaces around it.']);
    assert.ok(bound.some((v) => (v as { username?: string }).username === 'dave'), JSON.stringify(bound));
    assert.ok(written.length >= 1 && written.every((e) => e.target === 'dave'), JSON.stringify(written));
  });
});
