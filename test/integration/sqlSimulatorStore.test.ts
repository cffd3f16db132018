/**
 * The simulator's SQL-backed store: the Jira simulator and the recovery snippets see the same
 * enrollment rows. An unenroll through REST removes the row the recovery-code snippet finds;
 * a disable-2sv snippet makes REST answer "no enrollment"; restoring its backup enrolls the
 * user again. On real PostgreSQL, MariaDB, PGlite in process, and PGlite served over the wire
 * protocol (the sandbox's set-up, where every client uses the postgres driver).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { BackupStore } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/recovery/restore';
import { connectDatabase } from '../../src/core/db/connect';
import type { Driver } from '../../src/core/db/types';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import type { RecoveryContext } from '../../src/core/recovery/context';
import { executeDestructiveSnippet, runReadSnippet } from '../../src/core/recovery/runSnippet';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { createTestDatabase, MemoryAudit, type Engine, type TestDatabase } from '../support/dbFixtures';
import { FakeClock } from '../support/fakes';
import { ADMIN_TOKEN, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { adminCode, DispatcherCache, T0, testClient, testProfile } from '../support/jiraTestKit';
import { servePgliteDatabase, type ServedPglite } from '../support/sandboxDatabase';
import { seedJiraUsers, SqlSimulatorStore, sqlStoreOptions } from '../support/sqlSimulatorStore';

type Setup = Engine | 'pglite-wire';
const SETUPS: Setup[] = ['postgres', 'mysql', 'pglite', 'pglite-wire'];

interface Db {
  connect(): Promise<Driver>;
  profile(): InstanceProfile;
  drop(): Promise<void>;
}

async function openDb(setup: Setup): Promise<Db> {
  if (setup !== 'pglite-wire') {
    const tdb: TestDatabase = await createTestDatabase(setup);
    return { connect: () => tdb.connect(), profile: () => tdb.profile(false), drop: () => tdb.drop() };
  }
  const served: ServedPglite = await servePgliteDatabase('memory://');
  return {
    connect: () => connectDatabase(served.config, undefined),
    profile: () => testProfile('https://jira.example.com', { id: 'fixture-pglite-wire', database: served.config }),
    drop: () => served.close(),
  };
}

const RECOVERY_CODES = { jdoe: 'RC-JDOE-0001', jsmith: 'RC-JSMITH-0002' };

for (const setup of SETUPS) {
  describe(`simulator store in SQL on ${setup}`, function () {
    this.timeout(60_000);
    let db: Db;
    let simDriver: Driver;
    let snippetDriver: Driver;
    let sim: JiraSimulator;
    let clock: FakeClock;
    let backupDir: string;
    const dispatchers = new DispatcherCache();
    const audit = new MemoryAudit();

    before(async () => {
      db = await openDb(setup);
      // Two sessions, as in the sandbox: the simulator's and the snippets'.
      simDriver = await db.connect();
      snippetDriver = await db.connect();
      const fixtures = standardFixtures([{ username: 'jsmith', seed: USER_SEED }]);
      await seedJiraUsers(simDriver, fixtures, { recoveryCodes: RECOVERY_CODES });
      clock = new FakeClock(T0);
      sim = await JiraSimulator.start({ now: () => clock.now(), store: new SqlSimulatorStore(simDriver, sqlStoreOptions(fixtures)) });
      backupDir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-simstore-'));
    });

    after(async () => {
      await sim?.stop();
      await dispatchers.closeAll();
      await simDriver?.close();
      await snippetDriver?.close();
      await db?.drop();
      if (backupDir) await rm(backupDir, { recursive: true, force: true });
    });

    const ctx = (): RecoveryContext => ({ profile: db.profile(), driver: snippetDriver, audit, admin: 'test-admin', backups: new BackupStore(backupDir) });
    const recoveryCode = async (username: string) => {
      const r = await runReadSnippet(ctx(), await builtinSnippet('jira.recovery-code'), { username });
      return r.rows.map((row) => String(row[r.columns.findIndex((c) => c.name.toLowerCase() === 'recovery_code')]));
    };
    /** One REST unenroll with the admin's current code; a fresh time step each call. */
    const unenroll = async (username: string) => {
      clock.advance(30_000);
      return testClient(testProfile(sim.baseUrl), dispatchers, { credentials: { type: 'pat', token: ADMIN_TOKEN } }).unenroll(username, adminCode(clock.now()));
    };

    it('finds users and enrollments in the tables (case-insensitive, display name from cwd_user)', async () => {
      const u = await sim.store.findUser('JDoe');
      assert.equal(u?.username, 'jdoe');
      assert.equal(u?.displayName, 'John Doe');
      assert.equal((await sim.store.findUser('admin'))?.sysadmin, true);
      assert.equal((await sim.store.findUser('jdoe'))?.sysadmin, false);
      assert.equal(await sim.store.findUser('nobody'), undefined);
      assert.equal(await sim.store.enrollmentSeed('jsmith'), USER_SEED);
      assert.equal(await sim.store.enrollmentSeed('nosv'), undefined);
      // Users that only the SQL fixtures of the snippet tests created are users of the simulator too.
      if (setup !== 'pglite-wire') assert.equal((await sim.store.findUser('ALICE'))?.username, 'alice');
    });

    it('REST unenroll deletes the row: the recovery-code snippet no longer finds the user', async () => {
      assert.deepEqual(await recoveryCode('jdoe'), [RECOVERY_CODES.jdoe]);
      const outcome = await unenroll('jdoe');
      assert.equal(outcome.kind, 'unenrolled', JSON.stringify(outcome));
      assert.deepEqual(await recoveryCode('jdoe'), []);
      // and REST agrees: a second unenroll finds nothing to remove
      assert.equal((await unenroll('jdoe')).kind, 'noEnrollment');
    });

    it('a SQL delete makes REST say "not enrolled"; restoring the backup enrolls the user again', async () => {
      const done = await executeDestructiveSnippet(ctx(), await builtinSnippet('jira.disable-2sv'), { username: 'jsmith' });
      assert.equal(done.affected, 1);
      assert.equal(await sim.store.enrollmentSeed('jsmith'), undefined);
      assert.equal((await unenroll('jsmith')).kind, 'noEnrollment');
      await restoreBackup(ctx(), done.backupId);
      assert.deepEqual(await recoveryCode('jsmith'), [RECOVERY_CODES.jsmith]);
      assert.equal(await sim.store.enrollmentSeed('jsmith'), USER_SEED);
      assert.equal((await unenroll('jsmith')).kind, 'unenrolled');
    });
  });
}

describe('PGlite over the wire protocol', function () {
  this.timeout(60_000);

  it('keeps one client\'s transaction whole: another client waits, and a dropped client is rolled back', async () => {
    const served = await servePgliteDatabase('memory://');
    const opts = { host: served.config.host, port: served.config.port, user: 'postgres', database: 'postgres' };
    const a = new Client(opts);
    const b = new Client(opts);
    try {
      await a.connect();
      await b.connect();
      await a.query('BEGIN');
      await a.query('INSERT INTO app_user (id, user_key, lower_user_name) VALUES ($1, $2, $3)', [1, 'K1', 'one']);
      let bDone = false;
      const bCount = b.query('SELECT count(*)::int AS n FROM app_user').then((r) => {
        bDone = true;
        return r.rows[0].n as number;
      });
      // b's query is queued behind a's open transaction; it must not run inside it.
      await a.query('SELECT 1');
      assert.equal(bDone, false);
      await a.query('COMMIT');
      assert.equal(await bCount, 1);
      await a.query('BEGIN');
      await a.query("INSERT INTO app_user (id, user_key, lower_user_name) VALUES (2, 'K2', 'two')");
      await a.end();
      const after = await b.query('SELECT user_key FROM app_user ORDER BY id');
      assert.deepEqual(after.rows.map((r) => r.user_key), ['K1']);
      await assert.rejects(b.query('SELECT * FROM no_such_table'), (e: { code?: string }) => e.code === '42P01');
      assert.deepEqual((await b.query('SELECT $1::text AS v', ["o'brien"])).rows, [{ v: "o'brien" }]);
    } finally {
      await a.end().catch(() => undefined);
      await b.end().catch(() => undefined);
      await served.close();
    }
    assert.equal(served.wire.connections(), 0);
  });
});
