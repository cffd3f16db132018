/**
 * database.schema on a real PostgreSQL: the Jira tables live in a schema that is not the
 * login's default (its name hostile on purpose: a quote, a semicolon, SQL after it), and
 * `public` holds same-named decoy tables with the same users. Every snippet must read and
 * change the schema's tables only; the decoys must come out untouched.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { connectDatabase } from '../../src/core/db/connect';
import type { Driver } from '../../src/core/db/types';
import { BackupStore } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/recovery/restore';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import type { RecoveryContext } from '../../src/core/recovery/context';
import { executeDestructiveSnippet, runReadSnippet } from '../../src/core/recovery/runSnippet';
import { checkDatabase, isUserEnrolled } from '../../src/core/recovery/probe';
import { ENROLLMENT, ENROLLMENTS, MemoryAudit, PG, createTestDatabase, type TestDatabase } from '../support/dbFixtures';

const SCHEMA = 'jira"schema; DROP TABLE app_user; --';
const TABLES = ['app_user', 'cwd_user', 'user_mapping', ENROLLMENT, 'AO_ED669C_TOTP_CODES'];
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

describe('database.schema on real PostgreSQL (tables outside the default schema, decoys in public)', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  let admin: Client;
  let profile: InstanceProfile;
  let driver: Driver;
  let backupDir: string;

  /** Rows of one table in one schema, as text, sorted. */
  const rows = async (schema: string, table: string) =>
    (await admin.query(`SELECT * FROM ${q(schema)}.${q(table)}`)).rows.map((r) => JSON.stringify(r)).sort();

  before(async () => {
    tdb = await createTestDatabase('postgres', { pgDatabase: true });
    const database = tdb.profile(false).database!.database;
    admin = new Client({ ...PG, database });
    await admin.connect();
    // The fixture put the tables in public: move them to the schema, then copy them back as decoys.
    await admin.query(`CREATE SCHEMA ${q(SCHEMA)}`);
    for (const t of TABLES) {
      await admin.query(`ALTER TABLE public.${q(t)} SET SCHEMA ${q(SCHEMA)}`);
      await admin.query(`CREATE TABLE public.${q(t)} AS TABLE ${q(SCHEMA)}.${q(t)}`);
    }
    const base = tdb.profile(false);
    profile = { ...base, database: { ...base.database!, schema: SCHEMA } };
    driver = await connectDatabase(profile.database!, undefined);
  });

  after(async () => {
    await driver?.close();
    await admin?.end();
    await tdb?.drop();
  });

  beforeEach(async () => {
    backupDir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-schema-'));
  });
  afterEach(async () => {
    await rm(backupDir, { recursive: true, force: true });
  });

  const ctx = (): RecoveryContext => ({ profile, driver, audit: new MemoryAudit(), admin: 'test-admin', backups: new BackupStore(backupDir) });

  it('the decoys are a real trap: a session without database.schema reads public', async () => {
    const plain = await connectDatabase({ ...profile.database!, schema: undefined }, undefined);
    try {
      await admin.query(`DELETE FROM public.${q(ENROLLMENT)} WHERE "USER_KEY" = 'JIRAUSER10100'`);
      assert.equal((await isUserEnrolled(plain, 'jira', 'alice')).enrolled, false, 'without the schema, public answers');
      assert.equal((await isUserEnrolled(driver, 'jira', 'alice')).enrolled, true, 'with the schema, the real table answers');
    } finally {
      await admin.query(`INSERT INTO public.${q(ENROLLMENT)} SELECT * FROM ${q(SCHEMA)}.${q(ENROLLMENT)} WHERE "USER_KEY" = 'JIRAUSER10100'`);
      await plain.close();
    }
  });

  it('sets the search path to the schema alone (a table missing there is an error, never public\'s)', async () => {
    const r = await driver.query('SHOW search_path');
    assert.equal(r.rows[0][0], q(SCHEMA));
    await admin.query(`CREATE TABLE public.only_in_public (x int)`);
    await assert.rejects(driver.query('SELECT * FROM only_in_public'), /does not exist/);
  });

  it('database test connection finds and counts the schema\'s enrollment table', async () => {
    await admin.query(`DELETE FROM public.${q(ENROLLMENT)} WHERE "USER_KEY" = 'dave'`);
    const check = await checkDatabase(driver, profile.database!);
    assert.equal(check.enrollmentTable.found, true);
    assert.equal(check.enrolledUsers, ENROLLMENTS.length);
    await admin.query(`INSERT INTO public.${q(ENROLLMENT)} SELECT * FROM ${q(SCHEMA)}.${q(ENROLLMENT)} WHERE "USER_KEY" = 'dave'`);
  });

  it('disable-2sv deletes from the schema only; the backup restores into the schema; public never changes', async () => {
    const decoysBefore = await Promise.all(TABLES.map((t) => rows('public', t)));
    const enrolledBefore = await rows(SCHEMA, ENROLLMENT);

    const read = await runReadSnippet(ctx(), await builtinSnippet('jira.recovery-code'), { username: 'bob' });
    assert.equal(read.rowCount, 1);

    const c = ctx();
    const done = await executeDestructiveSnippet(c, await builtinSnippet('jira.disable-2sv'), { username: 'bob' });
    assert.equal(done.affected, 1);
    const after = await rows(SCHEMA, ENROLLMENT);
    assert.equal(after.length, enrolledBefore.length - 1);
    assert.ok(!after.some((r) => r.includes('JIRAUSER10101')));
    assert.deepEqual(await Promise.all(TABLES.map((t) => rows('public', t))), decoysBefore, 'public untouched by the change');

    const restored = await restoreBackup(c, done.backupId);
    assert.equal(restored.rowsRestored, 1);
    assert.deepEqual(await rows(SCHEMA, ENROLLMENT), enrolledBefore);
    assert.deepEqual(await Promise.all(TABLES.map((t) => rows('public', t))), decoysBefore, 'public untouched by the restore');
  });

  it('a schema that does not exist fails the statement instead of falling back to public', async () => {
    const wrong = await connectDatabase({ ...profile.database!, schema: 'no_such_schema' }, undefined);
    try {
      const check = await checkDatabase(wrong, { ...profile.database!, schema: 'no_such_schema' });
      assert.equal(check.enrollmentTable.found, false);
      assert.match(check.warnings[0], /not found in the schema "no_such_schema" \(database\.schema\)/);
      const decoys = await rows('public', ENROLLMENT);
      await assert.rejects(executeDestructiveSnippet({ ...ctx(), driver: wrong }, await builtinSnippet('jira.disable-2sv'), { username: 'alice' }), /does not exist/);
      assert.deepEqual(await rows('public', ENROLLMENT), decoys);
    } finally {
      await wrong.close();
    }
  });
});

describe('database.schema on PGlite', () => {
  it('the session searches the (hostile-named) schema alone', async () => {
    const schema = 'pg"lite; DROP';
    const d = await connectDatabase({ driver: 'pglite', database: 'memory://', readOnly: false, schema }, undefined);
    try {
      await d.query(`CREATE SCHEMA ${q(schema)}`);
      await d.query('CREATE TABLE app_user (n text)');
      await d.query("INSERT INTO app_user VALUES ('in-schema')");
      await d.query("CREATE TABLE public.app_user (n text)");
      await d.query("INSERT INTO public.app_user VALUES ('decoy')");
      assert.deepEqual((await d.query('SELECT n FROM app_user')).rows, [['in-schema']]);
      assert.equal((await d.query('SHOW search_path')).rows[0][0], q(schema));
      await assert.rejects(d.query('SELECT * FROM only_public'), /does not exist/);
    } finally {
      await d.close();
    }
  });
});
