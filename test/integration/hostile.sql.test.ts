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
import { JIRA_USERS, MemoryAudit, createTestDatabase, type TestDatabase } from '../support/dbFixtures';
import { HOSTILE, label } from '../support/hostileCorpus';

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
      const expected = JIRA_USERS.some((u) => u[3] && u[2] === value.toLowerCase()) ? 1 : 0;
      assert.equal(r.found, expected, `${label(value)} matched ${r.found} rows`);
      if (expected) continue; // a real user: the disable is not attempted, so fewer statements
      assert.deepEqual(r.texts, benign.texts, `${label(value)} changed the SQL text`);
      assert.ok(r.values.filter((v) => v === value).length >= 3, `${label(value)} travelled as a bind parameter`);
    }
    assert.ok(checked > 200, `only ${checked} values reached the database`);
    assert.deepEqual(await tdb.snapshot(), before);
    assert.deepEqual(await readdir(backupDir), [], 'no backup was written for a refused change');
  });
});
