/**
 * The built-in snippets, the run flow, backups and restores against real databases:
 * PostgreSQL, MariaDB (AO tables in upper and in lower case) and PGlite in memory.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import * as nodeFs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/core/errors';
import { usernameProblem } from '../../src/core/jira/paths';
import { BackupStore, type BackupFs } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/recovery/restore';
import type { Driver } from '../../src/core/db/types';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { parseSnippet } from '../../src/core/snippets/parser';
import type { Snippet } from '../../src/core/snippets/types';
import type { RecoveryContext } from '../../src/core/recovery/context';
import { executeDestructiveSnippet, previewDestructiveSnippet, runReadSnippet } from '../../src/core/recovery/runSnippet';
import { checkDatabase, isUserEnrolled, lookupEnrollments } from '../../src/core/recovery/probe';
import { CONFLUENCE_USERS, ENROLLMENT, ENROLLMENTS, JIRA_USERS, MemoryAudit, createTestDatabase, type Engine, type TestDatabase } from '../support/dbFixtures';

const ENGINES: Engine[] = ['postgres', 'mysql', 'mysql-lowercase', 'pglite'];

/** Values that must never match anything but themselves, nor change anything. */
const CORPUS: string[] = [
  "'",
  "''",
  "' OR 1=1 --",
  "' OR '1'='1",
  'alice\' --',
  "alice'; DELETE FROM app_user; --",
  'alice"; DROP TABLE "AO_ED669C_TOTP_USER_ENROLLMENT"; --',
  '`alice`',
  '[alice]',
  'alice/*',
  '*/ OR 1=1 /*',
  '/* */',
  '--',
  ';',
  ';;',
  '\\',
  "\\'",
  '\\\\',
  "\\' OR 1=1 #",
  '%',
  '_',
  'ali%',
  '$1',
  '?',
  ':username',
  '@p1',
  ':b1',
  '$$alice$$',
  "E'\\x41'",
  'alice\n',
  ' alice',
  'ALICE ',
  'ålice',
  '😀',
  'zoë\u0301',
  '\u202ealice',
  "1); DROP TABLE app_user; --",
  "robert'); drop table app_user;",
  'NULL',
  'null',
  '0',
  'x'.repeat(255),
];

function rowsAsObjects(r: { columns: { name: string }[]; rows: unknown[][] }): Record<string, unknown>[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name.toLowerCase(), row[i]])));
}

const text = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

for (const engine of ENGINES) {
  describe(`database snippets on ${engine}`, function () {
    this.timeout(120_000);
    let tdb: TestDatabase;
    let driver: Driver;
    let audit: MemoryAudit;
    let backupDir: string;
    let store: BackupStore;
    const snippets: Record<string, Snippet> = {};

    const ctx = (readOnly: boolean, product: 'jira' | 'confluence' = 'jira', over: Partial<RecoveryContext> = {}): RecoveryContext => ({
      profile: tdb.profile(readOnly, product),
      driver,
      audit,
      admin: 'test-admin',
      backups: store,
      ...over,
    });

    before(async function () {
      tdb = await createTestDatabase(engine);
      driver = await tdb.connect();
      for (const p of ['jira', 'confluence']) {
        for (const n of ['recovery-code', 'is-enrolled', 'list-enrolled', 'count-enrolled', 'disable-2sv', 'is-enrolled-many', 'disable-2sv-many']) {
          snippets[`${p}.${n}`] = await builtinSnippet(`${p}.${n}`);
        }
      }
    });

    after(async () => {
      await driver?.close();
      await tdb?.drop();
    });

    beforeEach(async () => {
      audit = new MemoryAudit();
      backupDir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-backups-'));
      store = new BackupStore(backupDir);
    });

    afterEach(async () => {
      await rm(backupDir, { recursive: true, force: true });
    });

    it('tests the connection: server version, enrollment table with its spelling, enrolled count', async () => {
      const check = await checkDatabase(driver, tdb.profile(true).database!);
      assert.ok(check.serverVersion.length > 3);
      assert.equal(check.enrollmentTable.found, true);
      assert.equal(check.enrollmentTable.name, tdb.table(ENROLLMENT));
      assert.equal(check.enrollmentTable.quoted, driver.facts.quoteIdent(tdb.table(ENROLLMENT)));
      assert.equal(check.enrolledUsers, ENROLLMENTS.length);
    });

    it('recovery code: the right row, case-insensitive user name, nothing for unknown or not enrolled users', async () => {
      const r = await runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: 'ALICE' });
      assert.deepEqual(rowsAsObjects(r).map((o) => [o.recovery_code, o.username, o.user_key]), [['RC-JIRAUSER10100-1', 'alice', 'JIRAUSER10100']]);
      assert.equal(r.truncated, false);
      const old = await runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: 'dave' });
      assert.equal(rowsAsObjects(old)[0].user_key, 'dave');
      assert.equal((await runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: 'carol' })).rowCount, 0);
      assert.equal((await runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: 'nobody' })).rowCount, 0);
      const odd = await runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: "Robert'); DROP TABLE app_user;--" });
      assert.equal(rowsAsObjects(odd)[0].user_key, 'JIRAUSER10106');
      const conf = await runReadSnippet(ctx(true, 'confluence'), snippets['confluence.recovery-code'], { username: 'erin' });
      assert.deepEqual(rowsAsObjects(conf).map((o) => [o.recovery_code, o.username]), [['RC-8a7f808a7b1c0001-20', 'Erin']]);
      assert.ok(audit.entries.every((e) => e.action === 'sql.run' && e.outcome === 'ok'));
      assert.equal(audit.entries.length, 6);
    });

    it('is-enrolled and isUserEnrolled: created/modified times, not enrolled, no such user', async () => {
      const r = await runReadSnippet(ctx(true), snippets['jira.is-enrolled'], { username: 'alice' });
      const o = rowsAsObjects(r)[0];
      assert.equal(Number(o.enrolled), 1);
      assert.equal(text(o.created_at), ENROLLMENTS[0].CREATED_AT);
      assert.equal(text(o.modified_at), ENROLLMENTS[0].MODIFIED_AT);
      assert.deepEqual(await isUserEnrolled(driver, 'jira', 'Alice'), {
        username: 'alice',
        userExists: true,
        enrolled: true,
        userKey: 'JIRAUSER10100',
        createdAt: ENROLLMENTS[0].CREATED_AT,
        modifiedAt: ENROLLMENTS[0].MODIFIED_AT,
      });
      assert.deepEqual(await isUserEnrolled(driver, 'jira', 'carol'), { username: 'carol', userExists: true, enrolled: false, userKey: 'JIRAUSER10102' });
      assert.deepEqual(await isUserEnrolled(driver, 'jira', 'nobody'), { username: 'nobody', userExists: false, enrolled: false });
      assert.equal((await isUserEnrolled(driver, 'confluence', 'GRACE')).enrolled, true);
      assert.equal((await isUserEnrolled(driver, 'confluence', 'frank')).enrolled, false);
      await assert.rejects(isUserEnrolled(driver, 'bitbucket', 'alice'), (e: AppError) => e.kind === 'input');
    });

    it('lists enrolled users page by page, one row per user, display name from the lowest directory id', async () => {
      const enrolled = JIRA_USERS.filter((u) => u[3]).map((u) => u[2]).sort();
      const seen: string[] = [];
      for (let offset = 0; offset < 10; offset += 4) {
        const r = await runReadSnippet(ctx(true), snippets['jira.list-enrolled'], { limit: 4, offset });
        seen.push(...rowsAsObjects(r).map((o) => String(o.username)));
        if (offset === 0) {
          const alice = rowsAsObjects(r).find((o) => o.username === 'alice')!;
          assert.equal(alice.display_name, 'alice (internal)');
          assert.equal(text(alice.created_at), ENROLLMENTS[0].CREATED_AT);
        }
      }
      assert.deepEqual(seen, enrolled);
      const conf = await runReadSnippet(ctx(true, 'confluence'), snippets['confluence.list-enrolled'], {});
      assert.deepEqual(rowsAsObjects(conf).map((o) => o.username), ['Erin', 'Grace']);
    });

    it('counts enrolled users per product', async () => {
      const j = await runReadSnippet(ctx(true), snippets['jira.count-enrolled'], {});
      assert.equal(Number(j.rows[0][0]), JIRA_USERS.filter((u) => u[3]).length);
      const c = await runReadSnippet(ctx(true, 'confluence'), snippets['confluence.count-enrolled'], {});
      assert.equal(Number(c.rows[0][0]), CONFLUENCE_USERS.filter((u) => u[2]).length);
    });

    it('cuts a read at the row limit and says so', async () => {
      const r = await runReadSnippet(ctx(true), snippets['jira.list-enrolled'], { limit: 1000 }, { rowLimit: 2 });
      assert.equal(r.rows.length, 2);
      assert.equal(r.truncated, true);
      assert.match(audit.entries[0].message, /truncated at 2/);
    });

    it('runs read snippets in a read-only transaction', async function () {
      if (driver.facts.dialect !== 'postgres') this.skip(); // only PostgreSQL can hide a DELETE in a SELECT (WITH ... DELETE)
      const body = `WITH gone AS (DELETE FROM "${ENROLLMENT}" RETURNING "USER_KEY") SELECT * FROM gone`;
      const header = ['-- @name test.sneaky', '-- @products jira', '-- @kind read'];
      // The read check reports it when the snippet is loaded…
      assert.match(JSON.stringify(parseSnippet([...header, body].join('\n')).diagnostics), /DELETE is refused in a read: it changes data/);
      // …and, had it got past, refuses it before sending (the server's READ ONLY transaction
      // is the second guard: hostile.sql.test.ts sends it without the check).
      const benign = parseSnippet([...header, 'SELECT 1 AS "x"'].join('\n')).snippet!;
      const sneaky: Snippet = { ...benign, sections: [{ ...benign.sections[0], sql: body }] };
      const before = await tdb.snapshot();
      await assert.rejects(runReadSnippet(ctx(true), sneaky, {}), (e: AppError) => e.kind === 'refused' && /Refused before sending: DELETE is refused/.test(e.message));
      assert.deepEqual(await tdb.snapshot(), before);
      assert.equal(audit.entries[0].outcome, 'refused');
    });

    it('a corpus of SQL metacharacters matches nothing it should not and changes nothing', async () => {
      const before = await tdb.snapshot();
      // MySQL/MariaDB compare VARCHARs with PAD SPACE collations: trailing spaces do not count.
      const norm = (s: string) => (driver.facts.dialect === 'mysql' ? s.replace(/ +$/, '') : s).toLowerCase();
      for (const given of CORPUS) {
        // A user-name parameter: bound without surrounding whitespace, invisible characters refused
        // (the forms' rules, core/jira/paths.ts); "." and ".." are names the database route takes.
        const value = given.trim();
        if (value !== '.' && value !== '..' && usernameProblem(value)) {
          await assert.rejects(runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: given }), (e: AppError) => e.kind === 'input', JSON.stringify(given));
          continue;
        }
        const expectJira = JIRA_USERS.some((u) => u[3] && u[2] === norm(value)) ? 1 : 0;
        const rc = await runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: given });
        assert.equal(rc.rowCount, expectJira, `recovery-code ${JSON.stringify(value)}`);
        const ie = await runReadSnippet(ctx(true), snippets['jira.is-enrolled'], { username: value });
        assert.equal(ie.rowCount, JIRA_USERS.some((u) => u[2] === norm(value)) ? 1 : 0, `is-enrolled ${JSON.stringify(value)}`);
        const cf = await runReadSnippet(ctx(true, 'confluence'), snippets['confluence.recovery-code'], { username: value });
        assert.equal(cf.rowCount, CONFLUENCE_USERS.some((u) => u[2] && u[1].toLowerCase() === norm(value)) ? 1 : 0, `confluence ${JSON.stringify(value)}`);
        const pv = await previewDestructiveSnippet(ctx(false), snippets['jira.disable-2sv'], { username: value });
        assert.equal(pv.rows.length, expectJira, `preview ${JSON.stringify(value)}`);
        if (!expectJira) {
          await assert.rejects(
            executeDestructiveSnippet(ctx(false), snippets['jira.disable-2sv'], { username: value }),
            (e: AppError) => e.kind === 'refused' && /nothing was changed/.test(e.message),
          );
        }
      }
      // Too long for the declared maxLength: refused before any SQL.
      await assert.rejects(runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: 'x'.repeat(256) }), (e: AppError) => e.kind === 'input');
      await assert.rejects(runReadSnippet(ctx(true), snippets['jira.recovery-code'], { username: 'a\u0000b' }), (e: AppError) => e.kind === 'input');
      assert.deepEqual(await tdb.snapshot(), before);
      assert.deepEqual(await readdir(backupDir), []);
    });

    it('the list snippets answer as the single-user ones do, name by name (odd and hostile names included)', async () => {
      const jira = ['Alice', 'carol', 'nobody', 'ZOË', "O'Brien", 'dave', "robert'); drop table app_user;--", ...CORPUS];
      const conf = ['erin', 'FRANK', 'grace', 'nobody', ...CORPUS];
      for (const [product, names] of [['jira', jira], ['confluence', conf]] as const) {
        const many = await lookupEnrollments(driver, product, names);
        const one = [];
        for (const n of names) one.push(await isUserEnrolled(driver, product, n));
        assert.deepEqual(many, one, product);
      }
      const r = await runReadSnippet(ctx(true), snippets['jira.is-enrolled-many'], { usernames: 'alice, carol\nnobody' });
      assert.deepEqual(rowsAsObjects(r).map((o) => [o.username, Number(o.enrolled)]).sort(), [['alice', 1], ['carol', 0]]);
    });

    it('disable-2sv-many as an ordinary snippet: one row per listed user, refused when one is not enrolled, restore identical', async () => {
      const before = await tdb.snapshot();
      await assert.rejects(
        executeDestructiveSnippet(ctx(false), snippets['jira.disable-2sv-many'], { usernames: ['alice', 'carol'] }),
        (e: AppError) => e.kind === 'refused' && /finds 1 rows, but this snippet must change exactly 2/.test(e.message),
      );
      assert.deepEqual(await tdb.snapshot(), before);
      const preview = await previewDestructiveSnippet(ctx(false), snippets['jira.disable-2sv-many'], { usernames: ['Alice', 'bob', "O'Brien"] });
      assert.equal(preview.expected, 3);
      assert.equal(preview.matchesExpectation, true);
      const done = await executeDestructiveSnippet(ctx(false), snippets['jira.disable-2sv-many'], { usernames: ['Alice', 'bob', "O'Brien"] }, { expectFingerprint: preview.fingerprint });
      assert.equal(done.affected, 3);
      const saved = await store.load(done.backupId);
      assert.deepEqual(saved.params, { usernames: "Alice, bob, O'Brien" });
      assert.deepEqual(saved.rows.map((row) => row[0]).sort(), ['JIRAUSER10100', 'JIRAUSER10101', 'JIRAUSER10104']);
      await restoreBackup(ctx(false), done.backupId);
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('disable → backup → restore gives back identical rows; a second restore conflicts and changes nothing', async () => {
      const before = await tdb.snapshot();
      const preview = await previewDestructiveSnippet(ctx(false), snippets['jira.disable-2sv'], { username: 'Bob' });
      assert.equal(preview.matchesExpectation, true);
      assert.equal(preview.table, tdb.table(ENROLLMENT));
      assert.equal(rowsAsObjects(preview).at(0)?.user_key, 'JIRAUSER10101');

      const done = await executeDestructiveSnippet(ctx(false), snippets['jira.disable-2sv'], { username: 'Bob' }, { expectFingerprint: preview.fingerprint });
      assert.equal(done.affected, 1);
      assert.equal((await isUserEnrolled(driver, 'jira', 'bob')).enrolled, false);
      const change = audit.entries.find((e) => e.action === 'sql.change')!;
      assert.equal(change.outcome, 'ok');
      assert.equal(change.backupId, done.backupId);
      assert.equal(change.target, 'Bob');

      const saved = await store.load(done.backupId);
      assert.equal(saved.state, 'committed');
      assert.equal(saved.rows.length, 1);
      assert.deepEqual(saved.table, { name: tdb.table(ENROLLMENT), key: ['USER_KEY'] });
      assert.deepEqual(saved.params, { username: 'Bob' });
      const created = saved.columns.find((c) => c.name === 'CREATED_AT')!;
      assert.equal(created.type, 'timestamp');
      if (process.platform !== 'win32') assert.equal((await stat(path.join(backupDir, `${done.backupId}.json`))).mode & 0o777, 0o600);
      const listing = await store.list({ instanceId: tdb.profile(false).id });
      assert.deepEqual(listing.backups.map((b) => [b.id, b.rowCount, b.state, b.snippet]), [[done.backupId, 1, 'committed', 'jira.disable-2sv']]);

      const restored = await restoreBackup(ctx(false), done.backupId);
      assert.equal(restored.rowsRestored, 1);
      assert.deepEqual(await tdb.snapshot(), before);
      assert.equal(audit.entries.at(-1)!.action, 'backup.restore');
      assert.equal(audit.entries.at(-1)!.outcome, 'ok');
      assert.ok((await store.load(done.backupId)).restores.length === 1);

      await assert.rejects(restoreBackup(ctx(false), done.backupId), (e: AppError) => e.kind === 'refused' && /USER_KEY = "JIRAUSER10101" already exists/.test(e.message));
      assert.deepEqual(await tdb.snapshot(), before);
      assert.equal(audit.entries.at(-1)!.outcome, 'refused');
    });

    it('a restore with one conflicting row restores none of the rows', async () => {
      const before = await tdb.snapshot();
      const done = await executeDestructiveSnippet(ctx(false, 'confluence'), snippets['confluence.disable-2sv'], { username: 'grace' });
      const rec = await store.load(done.backupId);
      // A second row whose key still exists (erin's): the whole restore must be refused.
      const erin = ENROLLMENTS.find((e) => e.USER_KEY === '8a7f808a7b1c0001')!;
      const cols = rec.columns.map((c) => c.name);
      const erinRow = cols.map((c) => erin[c as keyof typeof erin]);
      const crafted = await store.save({ ...rec, rows: [rec.rows[0], erinRow] });
      await store.setState(crafted.id, 'committed');
      await assert.rejects(restoreBackup(ctx(false, 'confluence'), crafted.id), (e: AppError) => e.kind === 'refused' && /8a7f808a7b1c0001/.test(e.message));
      assert.equal((await isUserEnrolled(driver, 'confluence', 'grace')).enrolled, false, 'grace must not be half-restored');
      await restoreBackup(ctx(false, 'confluence'), done.backupId);
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('refuses a user who is not enrolled before changing anything, and writes no backup', async () => {
      const before = await tdb.snapshot();
      await assert.rejects(executeDestructiveSnippet(ctx(false), snippets['jira.disable-2sv'], { username: 'carol' }), (e: AppError) => e.kind === 'refused' && /no matching row/.test(e.message));
      assert.deepEqual(await tdb.snapshot(), before);
      assert.deepEqual(await readdir(backupDir), []);
      assert.equal(audit.entries[0].outcome, 'refused');
    });

    it('a row-count mismatch rolls the change back and marks the backup rolled back', async () => {
      const bad = parseSnippet(
        [
          '-- @name test.too-many',
          '-- @products jira',
          '-- @kind destructive',
          '-- @param username string "User"',
          '-- @expect 1',
          `-- @backup-table ${ENROLLMENT}`,
          '-- @backup-key USER_KEY',
          '-- @query',
          `DELETE FROM "${ENROLLMENT}" WHERE "USER_KEY" IN (SELECT user_key FROM app_user WHERE lower_user_name IN (LOWER(:username), 'alice'))`,
          '-- @backup',
          `SELECT e.* FROM "${ENROLLMENT}" e WHERE e."USER_KEY" IN (SELECT user_key FROM app_user WHERE lower_user_name = LOWER(:username))`,
        ].join('\n'),
      );
      assert.deepEqual(bad.diagnostics, []);
      const before = await tdb.snapshot();
      await assert.rejects(
        executeDestructiveSnippet(ctx(false), bad.snippet!, { username: 'bob' }),
        (e: AppError) => e.kind === 'refused' && /changed 2 rows instead of 1/.test(e.message) && /rolled back/.test(e.message),
      );
      assert.deepEqual(await tdb.snapshot(), before);
      const [b] = (await store.list()).backups;
      assert.equal(b.state, 'rolled-back');
      assert.equal(audit.entries[0].backupId, b.id);
      assert.equal(audit.entries[0].outcome, 'refused');
      await assert.rejects(restoreBackup(ctx(false), b.id), (e: AppError) => e.kind === 'refused' && /rolled back/.test(e.message));
    });

    it('read-only profiles refuse destructive snippets and restores, with an audit entry', async () => {
      const before = await tdb.snapshot();
      await assert.rejects(executeDestructiveSnippet(ctx(true), snippets['jira.disable-2sv'], { username: 'alice' }), (e: AppError) => e.kind === 'refused' && /read-only/.test(e.message));
      assert.deepEqual(await tdb.snapshot(), before);
      assert.deepEqual(audit.entries.map((e) => [e.action, e.outcome]), [['sql.change', 'refused']]);
      const preview = await previewDestructiveSnippet(ctx(true), snippets['jira.disable-2sv'], { username: 'alice' });
      assert.equal(preview.allowed, false);
    });

    it('if the backup cannot be written (disk full), nothing is committed', async () => {
      const before = await tdb.snapshot();
      const fullDisk: BackupFs = {
        ...nodeFs,
        open: (async (...args: Parameters<typeof nodeFs.open>) => {
          const h = await nodeFs.open(...args);
          return Object.assign(Object.create(h), {
            writeFile: async () => {
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            },
            close: () => h.close(),
          });
        }) as typeof nodeFs.open,
      };
      const full = new BackupStore(backupDir, { fs: fullDisk });
      await assert.rejects(
        executeDestructiveSnippet(ctx(false, 'jira', { backups: full }), snippets['jira.disable-2sv'], { username: 'alice' }),
        (e: AppError) => e.kind === 'refused' && /ENOSPC/.test(e.message) && /nothing was changed/.test(e.message),
      );
      assert.deepEqual(await tdb.snapshot(), before);
      assert.deepEqual(await readdir(backupDir), [], 'no temporary file is left behind');

      const notADir = path.join(backupDir, 'file');
      await writeFile(notADir, 'x');
      await assert.rejects(
        executeDestructiveSnippet(ctx(false, 'jira', { backups: new BackupStore(notADir) }), snippets['jira.disable-2sv'], { username: 'alice' }),
        (e: AppError) => e.kind === 'refused' && /backup could not be written/.test(e.message),
      );
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('refuses to execute when the rows changed since the preview', async () => {
      const preview = await previewDestructiveSnippet(ctx(false), snippets['jira.disable-2sv'], { username: 'dave' });
      const other = await tdb.connect();
      const q = other.facts.quoteIdent;
      await other.query(`UPDATE ${q(tdb.table(ENROLLMENT))} SET ${q('RECOVERY_CODE')} = :rc WHERE ${q('USER_KEY')} = :k`, { rc: 'RC-NEW', k: 'dave' });
      const before = await tdb.snapshot();
      await assert.rejects(
        executeDestructiveSnippet(ctx(false), snippets['jira.disable-2sv'], { username: 'dave' }, { expectFingerprint: preview.fingerprint }),
        (e: AppError) => e.kind === 'refused' && /changed since the preview/.test(e.message),
      );
      assert.deepEqual(await tdb.snapshot(), before);
      const orig = ENROLLMENTS.find((e) => e.USER_KEY === 'dave')!;
      await other.query(`UPDATE ${q(tdb.table(ENROLLMENT))} SET ${q('RECOVERY_CODE')} = :rc WHERE ${q('USER_KEY')} = :k`, { rc: orig.RECOVERY_CODE, k: 'dave' });
      await other.close();
    });

    it('killing the session mid-transaction leaves the data intact and says so clearly', async function () {
      if (engine === 'pglite') this.skip(); // one in-process session: there is no other session to kill it from
      const before = await tdb.snapshot();
      const victim = await tdb.connect();
      const killing = new BackupStore(backupDir);
      const realSave = killing.save.bind(killing);
      killing.save = async (input, now) => {
        const saved = await realSave(input, now);
        await tdb.killSession(victim.sessionId);
        return saved;
      };
      try {
        await assert.rejects(
          executeDestructiveSnippet(ctx(false, 'jira', { driver: victim, backups: killing }), snippets['jira.disable-2sv'], { username: 'alice' }),
          (e: AppError) => e.kind === 'unreachable' && /connection .* was lost/.test(e.message) && /nothing of it was committed/.test(e.message),
        );
      } finally {
        await victim.close();
      }
      assert.deepEqual(await tdb.snapshot(), before);
      const [b] = (await store.list()).backups;
      assert.equal(b.state, 'rolled-back');
      assert.equal(audit.entries[0].outcome, 'error');
    });
  });
}
