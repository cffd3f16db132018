/**
 * The hostile corpus against real PostgreSQL, watched at the wire: every statement the
 * native driver receives is recorded, and across 250+ hostile user names (recovery-code
 * read, disable preview, disable attempt) the SQL texts sent are exactly those of a benign
 * name; the values only ever travel as bind parameters, and no row changes.
 * (db.snippets.test.ts runs a shorter corpus on every engine and checks the matches.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BackupStore } from '../../src/core/backup/store';
import { connectDatabase } from '../../src/core/db/connect';
import { loadDriver } from '../../src/core/db/loader';
import type { Driver, NativeBind, NativeDriver } from '../../src/core/db/types';
import { AppError } from '../../src/core/errors';
import type { RecoveryContext } from '../../src/core/recovery/context';
import { executeDestructiveSnippet, previewDestructiveSnippet, runReadSnippet } from '../../src/core/recovery/runSnippet';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import type { Snippet } from '../../src/core/snippets/types';
import fc from 'fast-check';
import { Client, type QueryArrayResult } from 'pg';
import mysql from 'mysql2/promise';
import { PGlite } from '@electric-sql/pglite';
import { DbError } from '../../src/core/db/connect';
import { readProblem } from '../../src/core/db/readOnlySql';
import { tokenize } from '../../src/core/db/sqlText';
import { parseSnippet } from '../../src/core/snippets/parser';
import { JIRA_USERS, MY, MemoryAudit, PG, createTestDatabase, type TestDatabase } from '../support/dbFixtures';
import { HOSTILE, label } from '../support/hostileCorpus';
import { BENIGN_READS, HOSTILE_READS, onlyCheckStops } from '../support/hostileReads';

interface Sent {
  sql: string;
  binds: NativeBind[];
}

/** The real PostgreSQL driver, with every execute() recorded. */
async function recordingDriver(sent: Sent[]): Promise<NativeDriver> {
  const real = await loadDriver('postgres');
  return {
    name: real.name,
    classifyError: (e) => real.classifyError(e),
    async connect(config) {
      const conn = await real.connect(config);
      return {
        get serverVersion() { return conn.serverVersion; },
        get sessionId() { return conn.sessionId; },
        execute: (sql, binds, options) => {
          sent.push({ sql, binds });
          return conn.execute(sql, binds, options);
        },
        begin: (o) => conn.begin(o),
        commit: () => conn.commit(),
        rollback: () => conn.rollback(),
        close: () => conn.close(),
      };
    },
  };
}

describe('hostile user names against PostgreSQL, at the wire', function () {
  this.timeout(120_000);
  let tdb: TestDatabase;
  let driver: Driver;
  let backupDir: string;
  const sent: Sent[] = [];
  const snippets: Record<string, Snippet> = {};

  before(async () => {
    tdb = await createTestDatabase('postgres');
    const probe = await tdb.connect();
    const schema = String((await probe.query('SELECT current_schema()')).rows[0][0]);
    await probe.close();
    const native = await recordingDriver(sent);
    driver = await connectDatabase(tdb.profile(false).database!, undefined, { schema, loadDriver: async () => native });
    for (const n of ['recovery-code', 'disable-2sv']) snippets[n] = await builtinSnippet(`jira.${n}`);
    backupDir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-hostile-sql-'));
  });
  after(async () => {
    await driver?.close();
    await tdb?.drop();
    if (backupDir) await rm(backupDir, { recursive: true, force: true });
  });

  const ctx = (): RecoveryContext => ({ profile: tdb.profile(false), driver, audit: new MemoryAudit(), admin: 'test-admin', backups: new BackupStore(backupDir) });

  /** Runs the three flows for one name; returns the SQL texts sent and whether it matched a row. */
  async function flows(username: string): Promise<{ texts: string[]; found: number; values: unknown[] }> {
    sent.length = 0;
    let found = 0;
    try {
      found = (await runReadSnippet(ctx(), snippets['recovery-code'], { username })).rowCount;
      await previewDestructiveSnippet(ctx(), snippets['disable-2sv'], { username });
      if (found === 0) {
        await assert.rejects(executeDestructiveSnippet(ctx(), snippets['disable-2sv'], { username }), (e: AppError) => e.kind === 'refused' && /nothing was changed/.test(e.message));
      }
    } catch (e) {
      // Refused before any SQL (too long, NUL): a clear input error and nothing sent.
      assert.ok(e instanceof AppError && e.kind === 'input', `${label(username)}: ${String(e)}`);
      assert.equal(sent.filter((s) => s.binds.length).length, 0, 'a refused value sends no statement with parameters');
      return { texts: [], found: -1, values: [] };
    }
    return { texts: sent.map((s) => s.sql), found, values: sent.flatMap((s) => s.binds.map((b) => b.value)) };
  }

  it('sends the same SQL text for every corpus value as for a benign name, and changes nothing', async () => {
    const before = await tdb.snapshot();
    const benign = await flows('nobody-here');
    assert.ok(benign.texts.length >= 3, `the flows ran statements: ${JSON.stringify(benign.texts)}`);
    let checked = 0;
    for (const value of HOSTILE) {
      const r = await flows(value);
      if (r.found === -1) continue;
      checked++;
      // A user-name parameter is bound without surrounding whitespace (as every form sends it).
      const bound = value.trim();
      const expected = JIRA_USERS.some((u) => u[3] && u[2] === bound.toLowerCase()) ? 1 : 0;
      assert.equal(r.found, expected, `${label(value)} matched ${r.found} rows`);
      if (expected) continue; // a real user: the disable is not attempted, so fewer statements
      assert.deepEqual(r.texts, benign.texts, `${label(value)} changed the SQL text`);
      assert.ok(r.values.filter((v) => v === bound).length >= 3, `${label(value)} travelled as a bind parameter`);
    }
    // Values with invisible, control or direction characters are refused as user names (the forms' rule) before any SQL.
    assert.ok(checked > 150, `only ${checked} values reached the database`);
    assert.deepEqual(await tdb.snapshot(), before);
    assert.deepEqual(await readdir(backupDir), [], 'no backup was written for a refused change');
  });
});

// ---------------------------------------------------------------------------------------
// Hostile READ snippets: a read can never write (issue 13, finding 1).

const READ_ENGINES = ['postgres', 'mysql', 'pglite'] as const;

const VICTIM_HEADER = ['-- @name user.victim', '-- @title Victim', '-- @description A read that is not one.', '-- @products jira', '-- @dialects all', '-- @kind read', ''].join('\n');

/** A read snippet whose query section is `sql` as written for one dialect. */
function readSnippet(sql: string, dialect: 'postgres' | 'mysql'): Snippet {
  return {
    name: 'user.hostile-read',
    title: 'Hostile read',
    description: '',
    products: ['jira'],
    dialects: [dialect],
    kind: 'read',
    params: [],
    sections: [{ role: 'query', dialects: [dialect], sql, line: 1 }],
    source: '<corpus>',
    builtin: false,
  };
}

describe('a read snippet cannot write: the reported E-string hole', function () {
  this.timeout(120_000);
  for (const engine of ['postgres', 'pglite'] as const) {
    it(`${engine}: an error when loaded; past the loader, refused before sending, audited as refused, no row lost`, async () => {
      const tdb = await createTestDatabase(engine);
      try {
        const sql = `SELECT COUNT(*) AS "n", E'\\''; COMMIT; DELETE FROM app_user; --' AS "note" FROM app_user`;
        // Loading it now reports the second statement (on main it parsed cleanly)…
        assert.match(JSON.stringify(parseSnippet(`${VICTIM_HEADER}${sql}\n`).diagnostics), /a read on postgres: a second statement follows the/);
        // …and a snippet that got past the loader is refused before anything is sent.
        const victim = readSnippet(sql, 'postgres');
        const before = await tdb.snapshot();
        const driver = await tdb.connect();
        const audit = new MemoryAudit();
        try {
          await assert.rejects(
            runReadSnippet({ profile: tdb.profile(true), driver, audit, admin: 'test-admin' }, victim, {}),
            (e: AppError) => e.kind === 'refused' && /Refused before sending: a second statement follows the ";"/.test(e.message),
          );
        } finally {
          await driver.close();
        }
        assert.deepEqual(await tdb.snapshot(), before);
        assert.equal(audit.entries.length, 1);
        assert.equal(audit.entries[0].outcome, 'refused');
      } finally {
        await tdb.drop();
      }
    });
  }
});

/** What a read may change besides the fixture tables: a sequence, other sessions, locks. */
interface SideState {
  read(): Promise<unknown>;
  close(): Promise<void>;
}

async function sideState(tdb: TestDatabase): Promise<SideState> {
  const setup = await tdb.connect();
  await setup.query('CREATE SEQUENCE victim_seq');
  await setup.close();
  if (tdb.engine === 'postgres') {
    const bystander = new Client({ ...PG, application_name: 'j2fa-bystander' });
    await bystander.connect();
    const probe = await tdb.connect();
    return {
      async read() {
        const seq = (await probe.query('SELECT last_value, is_called FROM victim_seq')).rows;
        const locks = (await bystander.query("SELECT COUNT(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242")).rows[0].n;
        const path = (await probe.query('SELECT current_setting(:n) AS p', { n: 'search_path' })).rows;
        return { seq, locks, bystander: (await bystander.query('SELECT 1 AS alive')).rows, path };
      },
      async close() {
        await probe.close();
        await bystander.end().catch(() => undefined);
      },
    };
  }
  const probe = await tdb.connect();
  return {
    async read() {
      if (tdb.engine === 'mysql') {
        const seq = (await probe.query('SELECT next_not_cached_value FROM victim_seq')).rows;
        const lock = (await probe.query("SELECT IS_FREE_LOCK('j2fa') AS f")).rows;
        return { seq, lock };
      }
      return { seq: (await probe.query('SELECT last_value, is_called FROM victim_seq')).rows };
    },
    close: () => probe.close(),
  };
}

for (const engine of READ_ENGINES) {
  const dialect = engine === 'mysql' ? 'mysql' : 'postgres';
  describe(`hostile read snippets on ${engine}: refused before sending or failed read-only, nothing changed`, function () {
    this.timeout(300_000);
    let tdb: TestDatabase;
    let side: SideState;
    before(async () => {
      tdb = await createTestDatabase(engine);
      side = await sideState(tdb);
    });
    after(async () => {
      await side?.close();
      await tdb?.drop();
    });

    it(`sends all ${HOSTILE_READS[dialect].length} in a read-only transaction, as every read does, and compares the tables after each`, async () => {
      const tables = await tdb.snapshot();
      const state = await side.read();
      const driver = await tdb.connect();
      const outcomes = { check: 0, server: 0 };
      try {
        for (const { sql } of HOSTILE_READS[dialect]) {
          let error: unknown;
          try {
            await driver.transaction((tx) => tx.query(sql), { readOnly: true });
          } catch (e) {
            error = e;
          }
          assert.ok(error, `${label(sql)} ran on ${engine}`);
          if (error instanceof DbError) outcomes.server++;
          else {
            assert.ok(error instanceof AppError && /^(Refused before sending|Cannot run the SQL)/.test(error.message), `${label(sql)}: ${String(error)}`);
            outcomes.check++;
          }
          assert.deepEqual(await tdb.snapshot(), tables, `${label(sql)} changed a table on ${engine}`);
          assert.deepEqual(await side.read(), state, `${label(sql)} changed the session, a lock or the sequence on ${engine}`);
        }
      } finally {
        await driver.close();
      }
      assert.ok(outcomes.check >= 40, `refused by the check: ${JSON.stringify(outcomes)}`);
    });

    it('runs the benign look-alikes', async () => {
      const driver = await tdb.connect();
      try {
        for (const sql of BENIGN_READS[dialect]) {
          await runReadSnippet({ profile: tdb.profile(true), driver, audit: new MemoryAudit(), admin: 'test-admin' }, readSnippet(sql, dialect), {}).catch((e) => {
            throw new Error(`${label(sql)} on ${engine}: ${String(e)}`);
          });
        }
      } finally {
        await driver.close();
      }
    });

    if (engine === 'pglite') return;
    it('second guard: sent WITHOUT our check inside the read-only transaction, the server changes nothing either', async () => {
      const tables = await tdb.snapshot();
      const state = await side.read();
      const db = tdb.profile(true).database!;
      let schema: string | undefined;
      if (engine === 'postgres') {
        const d = await tdb.connect();
        schema = String((await d.query('SELECT current_schema()')).rows[0][0]);
        await d.close();
      }
      const native = await loadDriver(db.driver);
      const conn = await native.connect({ host: db.host, port: db.port, database: db.database, user: db.user, password: '', tls: false, schema, connectTimeoutMs: 10_000, applicationName: 'j2fa-raw' });
      let failed = 0;
      let sent = 0;
      try {
        for (const read of HOSTILE_READS[dialect]) {
          if (onlyCheckStops(read, dialect)) continue;
          const sql = read.sql;
          sent++;
          await conn.begin({ readOnly: true, forChange: false });
          try {
            await conn.execute(sql, [], {});
          } catch {
            failed++;
          }
          await conn.rollback();
          assert.deepEqual(await tdb.snapshot(), tables, `${label(sql)} changed a table on ${engine} without the check`);
          assert.deepEqual(await side.read(), state, `${label(sql)} changed state on ${engine} without the check`);
        }
      } finally {
        await conn.close();
      }
      // The rest ran as harmless reads (the server read them as one query, e.g. a whole comment).
      assert.ok(sent >= 40 && failed >= sent / 2, `sent ${sent}, failed ${failed}`);
    });
  });
}

// ---------------------------------------------------------------------------------------
// Our lexer against the real server's: statements and literals counted the same way.

type Lit = { kind: string; content: string };
const ALPHABET = ["'", '"', '\\', ';', '-', '/', '*', '$', '#', '\n', '\r', 'E', 'e', 'q', ' ', 'a', '\u00e9', 'DELETE'];
const contentArb = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 12 });

const PG_LITERALS: Record<string, (s: string) => string | undefined> = {
  standard: (s) => `'${s.replace(/'/g, "''")}'`,
  escape: (s) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  dollar: (s) => (s.includes('$') ? undefined : `$t$${s}$t$`),
  unicode: (s) => `U&'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
};
const MY_LITERALS: Record<string, (s: string) => string | undefined> = {
  single: (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  double: (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '""')}"`,
  introducer: (s) => `_utf8mb4'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
};
const separators = (dialect: 'postgres' | 'mysql') =>
  fc.oneof(
    fc.constant(' '),
    fc.constant('\n'),
    contentArb.map((s) => `/* ${s.replace(/\/\*|\*\//g, '').replace(/[/*]$/, '')} */`),
    contentArb.map((s) => `-- ${s.replace(/[\n\r]/g, '')}\n`),
    ...(dialect === 'postgres' ? [fc.constant('/* /* nested ; */ */'), fc.constant('-- cr\r')] : [contentArb.map((s) => `# ${s.replace(/[\n\r]/g, '')}\n`)]),
  );

function statementArb(dialect: 'postgres' | 'mysql') {
  const kinds = Object.keys(dialect === 'postgres' ? PG_LITERALS : MY_LITERALS);
  const lit = fc.record({ kind: fc.constantFrom(...kinds), content: contentArb });
  return fc.array(fc.array(fc.tuple(lit, separators(dialect)), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });
}

/** SQL text for statements of literals; undefined when a literal cannot hold its content. */
function render(dialect: 'postgres' | 'mysql', statements: Array<Array<[Lit, string]>>): string | undefined {
  const quote = dialect === 'postgres' ? PG_LITERALS : MY_LITERALS;
  const parts: string[] = [];
  for (const st of statements) {
    const cols: string[] = [];
    for (const [k, [l, sep]] of st.entries()) {
      const q = quote[l.kind](l.content);
      if (q === undefined) return undefined;
      cols.push(`${q}${sep}AS c${k}`);
    }
    parts.push(`SELECT ${cols.join(', ')}`);
  }
  return parts.join(';\n');
}

/** Statements and string literals as our lexer sees them. */
function lexed(text: string, dialect: 'postgres' | 'mysql'): number[] {
  const counts = [0];
  for (const t of tokenize(text, dialect)) {
    if (t.type === 'string') counts[counts.length - 1]++;
    if (t.type === 'code') for (const _ of t.text.matchAll(/;/g)) counts.push(0);
  }
  return counts;
}

describe('our lexers agree with the real servers on statements and literals (property)', function () {
  this.timeout(300_000);
  const engines: Array<[string, 'postgres' | 'mysql', () => Promise<{ run(text: string): Promise<unknown[][]>; close(): Promise<void> }>]> = [
    [
      'PostgreSQL (simple query protocol)',
      'postgres',
      async () => {
        const c = new Client({ ...PG });
        await c.connect();
        return {
          async run(text) {
            const r = (await c.query({ text, rowMode: 'array' })) as unknown as QueryArrayResult | QueryArrayResult[];
            return (Array.isArray(r) ? r : [r]).map((x) => x.rows[0]);
          },
          close: () => c.end(),
        };
      },
    ],
    [
      'PGlite (exec)',
      'postgres',
      async () => {
        const db = new PGlite();
        await db.waitReady;
        return {
          async run(text) {
            return (await db.exec(text)).map((r) => r.fields.map((f) => (r.rows[0] as Record<string, unknown>)[f.name]));
          },
          close: () => db.close(),
        };
      },
    ],
    [
      'MariaDB (multiple statements)',
      'mysql',
      async () => {
        const c = await mysql.createConnection({ ...MY, multipleStatements: true, charset: 'utf8mb4' });
        return {
          async run(text) {
            const [rows, fields] = await c.query({ sql: text, rowsAsArray: true });
            const multi = Array.isArray((fields as unknown[])[0]);
            return multi ? (rows as unknown[][][]).map((r) => r[0]) : [(rows as unknown[][])[0]];
          },
          close: () => c.end(),
        };
      },
    ],
  ];
  for (const [name, dialect, open] of engines) {
    it(name, async () => {
      const server = await open();
      try {
        await fc.assert(
          fc.asyncProperty(statementArb(dialect), async (statements) => {
            const text = render(dialect, statements);
            if (text === undefined) return;
            const rows = await server.run(text);
            const expected = statements.map((st) => st.map(([l]) => l.content));
            assert.deepEqual(rows.map((r) => r.map(String)), expected, `the server read ${JSON.stringify(text)} differently than generated`);
            assert.deepEqual(lexed(text, dialect), expected.map((cols) => cols.length), `our lexer reads ${JSON.stringify(text)} differently from ${name}`);
            // And the read check counts the same: one statement passes, more are refused.
            const problem = readProblem(text, dialect);
            if (statements.length > 1) assert.ok(problem, `${JSON.stringify(text)} holds ${statements.length} statements`);
          }),
          { numRuns: 150 },
        );
      } finally {
        await server.close();
      }
    });
  }
});
