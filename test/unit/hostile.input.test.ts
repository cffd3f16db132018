/**
 * Hostile input, checked value by value over the shared corpus (test/support/hostileCorpus.ts,
 * 250+ values) and by property over arbitrary strings: user names become exactly one encoded
 * path segment or query value (or are refused with a clear message before any request);
 * snippet parameters are bound, never written into the SQL text of any dialect; profile
 * fields are kept exactly (trimmed) or refused with a message that names the field; export
 * file names and backup ids either name exactly the file or are refused. No message echoes
 * control or bidi characters.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { exportCsv } from '../../src/core/audit/csv';
import { AuditLog } from '../../src/core/audit/log';
import { main } from '../../src/cli/main';
import { BackupStore } from '../../src/core/backup/store';
import { bindNamed } from '../../src/core/db/bindParams';
import type { Dialect } from '../../src/core/db/types';
import { restPath, splitBaseUrl, usernameProblem } from '../../src/core/jira/paths';
import { readProfilesFile } from '../../src/core/profiles/exchange';
import { checkProfile } from '../../src/core/profiles/schema';
import { Redactor } from '../../src/core/redact';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { coerceParams } from '../../src/core/snippets/params';
import { parseSnippet } from '../../src/core/snippets/parser';
import { renderSnippet } from '../../src/core/snippets/render';
import type { Snippet } from '../../src/core/snippets/types';
import { HOSTILE, UNPRINTABLE, label } from '../support/hostileCorpus';

const DIALECTS: Dialect[] = ['postgres', 'mysql', 'mssql', 'oracle'];
const base = splitBaseUrl('https://jira.example.com/jira');
const UNENROLL = '/rest/tsv/1.0/totp/unenroll/user';

/** A refusal message: non-empty, a sentence, printable. */
function assertClearMessage(message: string | undefined, what: string): void {
  assert.ok(message && message.length > 5, `${what}: no message`);
  assert.doesNotMatch(message, UNPRINTABLE, `${what}: the message carries control or bidi characters: ${JSON.stringify(message)}`);
}

describe('hostile input: the corpus', () => {
  it('has at least 200 distinct values', () => assert.ok(HOSTILE.length >= 200, `${HOSTILE.length} values`));
});

describe('hostile input: user names in REST paths and queries', () => {
  let accepted = 0;
  for (const name of HOSTILE) {
    it(`${label(name)}: one encoded segment and query value, or a clear refusal`, () => {
      const problem = usernameProblem(name);
      if (problem) {
        assertClearMessage(problem, 'username');
        assert.throws(() => restPath(base, UNENROLL, { segments: [name] }), { message: problem }, 'no path is ever built from a refused name');
        return;
      }
      accepted++;
      const p = restPath(base, UNENROLL, { segments: [name] });
      assert.ok(p.startsWith(`/jira${UNENROLL}/`), p);
      const segment = p.slice(`/jira${UNENROLL}/`.length);
      assert.match(segment, /^[A-Za-z0-9\-._~%]+$/, 'only unreserved characters and escapes');
      assert.ok(segment !== '.' && segment !== '..', 'never a dot-segment');
      assert.equal(decodeURIComponent(segment), name);
      // What a URL parser on the way (proxy, server) sees: the same path, not normalised.
      assert.equal(new URL(`https://jira.example.com${p}`).pathname, p);
      const q = restPath(base, '/rest/api/2/user', { query: { username: name } });
      const value = q.slice(q.indexOf('?username=') + '?username='.length);
      assert.match(value, /^[A-Za-z0-9\-._~%!'()*]*$/, 'the query value has no raw delimiter, space or plus');
      assert.equal(decodeURIComponent(value), name);
    });
  }
  after(() => assert.ok(accepted > 100, `only ${accepted} names were accepted: the corpus no longer exercises the encoder`));

  it('property: any accepted name is one query value that decodes back to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (name) => {
        fc.pre(usernameProblem(name) === undefined);
        const q = restPath(base, '/rest/api/2/user', { query: { username: name } });
        const [pathPart, query] = q.split('?');
        assert.equal(pathPart, '/jira/rest/api/2/user');
        assert.ok(query.startsWith('username='));
        assert.doesNotMatch(query.slice(9), /[^A-Za-z0-9\-._~%!'()*]/);
        assert.equal(decodeURIComponent(query.slice(9)), name);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a refusal is always a printable sentence, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const problem = usernameProblem(name);
        if (problem !== undefined) assertClearMessage(problem, 'username');
      }),
      { numRuns: 500 },
    );
  });
});

describe('hostile input: snippet parameters are bound, never written into SQL', () => {
  const TYPED = parseSnippet(
    [
      '-- @name test.typed',
      '-- @products jira',
      '-- @kind read',
      '-- @param s string "Some text" maxLength=1000',
      '-- @param n integer "A number" optional',
      '-- @param b boolean "A flag" optional',
      '-- @param t timestamp "A time" optional',
      'SELECT "x" FROM "t" WHERE "a" = :s AND ("n" = :n OR :b OR "c" > :t)',
    ].join('\n'),
  ).snippet!;
  const snippets: Snippet[] = [];
  before(async () => {
    assert.ok(TYPED, 'the typed test snippet parses');
    for (const p of ['jira', 'confluence']) {
      for (const n of ['recovery-code', 'is-enrolled', 'disable-2sv']) snippets.push(await builtinSnippet(`${p}.${n}`));
    }
  });

  it('every corpus value is bound trimmed (or refused by name, as the forms refuse it) in every built-in user snippet and dialect', () => {
    for (const snippet of snippets) {
      for (const dialect of DIALECTS) {
        const rendered = renderSnippet(snippet, dialect);
        const sqls = [rendered.statement, rendered.backup].filter((s): s is string => !!s);
        const benign = sqls.map((s) => bindNamed(s, dialect, { username: 'alice' }).text);
        for (const value of HOSTILE) {
          const { values, problems } = coerceParams(snippet, { username: value });
          if (problems.length) {
            for (const pr of problems) {
              // the form's label, not the SQL parameter name (ParamProblem.param names it)
              assert.match(pr.message, /^User name /, `${snippet.name} ${label(value)}`);
              assert.equal(pr.param, 'username');
              assertClearMessage(pr.message, `${snippet.name} ${label(value)}`);
            }
            continue;
          }
          // a user name: surrounding whitespace removed (as in every form), nothing else changed or escaped
          assert.equal(values.username, value.trim(), 'the value is passed on trimmed, never otherwise changed or escaped');
          const v = value.trim();
          assert.ok(v === '.' || v === '..' || usernameProblem(v) === undefined, `${label(value)}: a name the forms refuse was accepted`);
          sqls.forEach((s, i) => {
            const bound = bindNamed(s, dialect, values);
            assert.equal(bound.text, benign[i], `${snippet.name}/${dialect}: the SQL text depends on ${label(value)}`);
            assert.ok(bound.binds.length > 0 && bound.binds.every((b) => b.value === v));
          });
        }
      }
    }
  });

  it('typed parameters: each corpus value is a typed value or a problem naming the parameter', () => {
    const labels: Record<string, string> = { s: 'Some text', n: 'A number', b: 'A flag', t: 'A time' };
    for (const value of HOSTILE) {
      for (const name of Object.keys(labels)) {
        const { values, problems } = coerceParams(TYPED, { s: 'ok', [name]: value });
        if (problems.length) {
          assert.equal(problems.length, 1, `${name} ${label(value)}`);
          assert.equal(problems[0].param, name);
          assert.ok(problems[0].message.startsWith(`${labels[name]} `), problems[0].message);
          assertClearMessage(problems[0].message, `${name} ${label(value)}`);
          continue;
        }
        const v = values[name];
        if (name === 's') assert.equal(v, value);
        if (name === 'n') assert.ok(Number.isSafeInteger(v) && /^\s*[+-]?\d+\s*$/.test(value), `${label(value)} → ${String(v)}`);
        if (name === 'b') assert.equal(typeof v, 'boolean');
        if (name === 't') assert.ok(v instanceof Date && !Number.isNaN(v.getTime()), `${label(value)} → ${String(v)}`);
        for (const dialect of DIALECTS) {
          const sql = renderSnippet(TYPED, dialect).statement;
          assert.equal(bindNamed(sql, dialect, values).text, bindNamed(sql, dialect, { s: 'ok', n: 1, b: true, t: new Date(0) }).text);
        }
      }
    }
  });

  it('an object that cannot be turned into text is a named problem for every type (found by fuzzing)', () => {
    const unprintable = [{ toString: '' }];
    for (const name of ['s', 'n', 'b', 't']) {
      const { values, problems } = coerceParams(TYPED, { s: 'ok', n: 1, b: true, t: '2024-01-01', [name]: unprintable });
      assert.ok(!(name in values), name);
      assert.deepEqual(problems.map((p) => p.param), [name]);
    }
  });

  it('property: any raw value of any JS type gives a value or a named problem, never an exception', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('s', 'n', 'b', 't', 'extra', '__proto__', 'constructor'), fc.anything()), (raw) => {
        const { values, problems } = coerceParams(TYPED, raw);
        for (const p of TYPED.params) assert.ok(p.name in values !== problems.some((x) => x.param === p.name), `exactly one outcome for :${p.name}`);
        for (const pr of problems) assert.ok(pr.message.length > 5);
      }),
      { numRuns: 300 },
    );
  });

  it('property: parameter values of every kind never reach the SQL text (all dialects, the typed snippet)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), fc.integer(), fc.boolean(), fc.date({ noInvalidDate: true }), fc.constantFrom(...DIALECTS), (s, n, b, t, dialect) => {
        const sql = renderSnippet(TYPED, dialect).statement;
        const bound = bindNamed(sql, dialect, { s, n, b, t });
        assert.equal(bound.text, bindNamed(sql, dialect, { s: 'x', n: 0, b: false, t: new Date(0) }).text);
        assert.deepEqual(bound.binds.map((x) => x.value).filter((x) => x === s), [s]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile input: profile fields', () => {
  const valid = { id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com/jira', environment: 'production' };
  const withDb = { ...valid, database: { driver: 'postgres', host: 'db.example.com', database: 'jira', user: 'jira' } };
  const FIELDS: Array<{ field: string; set: (v: string) => unknown; get: (p: Record<string, unknown>) => unknown; trims: boolean }> = [
    { field: 'id', set: (v) => ({ ...valid, id: v }), get: (p) => p.id, trims: false },
    { field: 'name', set: (v) => ({ ...valid, name: v }), get: (p) => p.name, trims: true },
    { field: 'baseUrl', set: (v) => ({ ...valid, baseUrl: v }), get: (p) => p.baseUrl, trims: true },
    { field: 'proxy', set: (v) => ({ ...valid, proxy: v }), get: (p) => p.proxy, trims: true },
    { field: 'auth.username', set: (v) => ({ ...valid, auth: { type: 'basic', username: v } }), get: (p) => (p.auth as { username: string }).username, trims: true },
    { field: 'tls.caFile', set: (v) => ({ ...valid, tls: { caFile: v } }), get: (p) => (p.tls as { caFile: string }).caFile, trims: true },
    { field: 'database.host', set: (v) => ({ ...withDb, database: { ...withDb.database, host: v } }), get: (p) => (p.database as { host: string }).host, trims: true },
    { field: 'database.database', set: (v) => ({ ...withDb, database: { ...withDb.database, database: v } }), get: (p) => (p.database as { database: string }).database, trims: true },
    { field: 'database.user', set: (v) => ({ ...withDb, database: { ...withDb.database, user: v } }), get: (p) => (p.database as { user: string }).user, trims: true },
    { field: 'orgId', set: (v) => ({ ...valid, product: 'cloud', orgId: v }), get: (p) => p.orgId, trims: true },
  ];

  for (const { field, set, get, trims } of FIELDS) {
    it(`${field}: every corpus value is kept exactly (trimmed) or refused with a message about ${field}`, () => {
      let refused = 0;
      for (const value of [...HOSTILE, ...HOSTILE.map((v) => `https://jira.example.com/${v}`)]) {
        const r = checkProfile(set(value));
        if (r.ok) {
          assert.equal(get(r.profile as unknown as Record<string, unknown>), trims ? value.trim() : value, `${field} ${label(value)}`);
          assert.doesNotMatch(String(get(r.profile as unknown as Record<string, unknown>)), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, `${field} kept an unsafe character`);
          continue;
        }
        refused++;
        assert.ok(r.errors.length >= 1);
        for (const e of r.errors) {
          assert.equal(e.field, field, `${label(value)}: ${e.field}: ${e.message}`);
          assertClearMessage(e.message, `${field} ${label(value)}`);
        }
      }
      assert.ok(refused > 0, `${field}: the corpus refused nothing`);
    });
  }

  it('an imported file with hostile keys and values is refused entry by entry, printably', () => {
    const entries = HOSTILE.map((v, i) => ({ ...valid, id: `i${i}`, name: v, [v]: 'x' }));
    const { profiles, invalid } = readProfilesFile(JSON.stringify({ version: 1, instances: entries }));
    assert.equal(profiles.length, 0, 'every entry carries an unknown key');
    assert.equal(invalid.length, HOSTILE.length);
    for (const bad of invalid) {
      assert.doesNotMatch(bad.label, UNPRINTABLE);
      for (const e of bad.errors) assertClearMessage(e.message, `entry ${bad.index}`);
    }
  });
});

describe('hostile input: file names', () => {
  let dir: string;
  let auditFile: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-hostile-files-'));
    auditFile = path.join(dir, 'audit.jsonl');
    await new AuditLog(auditFile, { redactor: new Redactor() }).append({
      admin: 'alice', instance: { id: 'prod', name: 'Jira', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: '=cmd', outcome: 'ok', message: 'done',
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('CSV export to each hostile file name writes exactly that file or refuses clearly, leaving no temporary file', async () => {
    let written = 0;
    for (const name of HOSTILE) {
      const out = path.join(dir, 'out', name);
      fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
      try {
        const r = await exportCsv(auditFile, out);
        assert.equal(r.rows, 1, label(name));
        assert.match(fs.readFileSync(path.resolve(out), 'utf8'), /^time,/, `${label(name)}: the CSV is where the name says`);
        written++;
      } catch (e) {
        assert.ok(e instanceof Error, label(name));
        assertClearMessage(e.message, `export to ${label(name)}`);
      }
      const left = fs.readdirSync(path.join(dir, 'out'), { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
      assert.deepEqual(left, [], `${label(name)} left a temporary file`);
      fs.rmSync(path.join(dir, 'out'), { recursive: true, force: true });
    }
    assert.ok(written > 100, `only ${written} names could be written`);
  });

  it('CLI: a hostile --profiles file name or audit export target gives exit 0 or 2 and printable stderr lines', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'cli-'));
    for (const name of HOSTILE) {
      for (const args of [['--profiles', name, 'instances', 'list'], ['audit', 'export', name]]) {
        const out: string[] = [];
        const err: string[] = [];
        const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env: { JIRA2FA_AUDIT_FILE: auditFile, JIRA2FA_AUDIT_HEAD_FILE: path.join(cwd, 'audit-head.json'), JIRA2FA_PROFILES: path.join(cwd, 'none.json') }, cwd };
        const code = await main(['node', 'jira2fa', ...args], io);
        assert.ok(code === 0 || code === 2, `${args.join(' ')} ${label(name)}: exit ${code}: ${err.join('')}`);
        if (code === 2) assert.ok(err.join('').length > 10, `${label(name)}: no message`);
        for (const line of err.join('').split('\n')) assert.doesNotMatch(line, UNPRINTABLE, `${args[0]} ${label(name)}: ${JSON.stringify(line)}`);
      }
    }
  });

  it('a hostile backup id never names a file outside the backup folder and is refused printably', async () => {
    const store = new BackupStore(path.join(dir, 'backups'));
    for (const id of [...HOSTILE, '../audit', '../../etc/passwd', '20260101T000000000Z-x-00000000/../../audit']) {
      await assert.rejects(store.load(id), (e: Error & { kind?: string }) => {
        assert.equal(e.kind, 'input', `${label(id)}: ${e.message}`);
        assertClearMessage(e.message, `backup id ${label(id)}`);
        return true;
      });
    }
  });
});
