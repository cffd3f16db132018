/**
 * `jira2fa sql` and `jira2fa backups` against the real PostgreSQL and MariaDB: a fresh database with the
 * Jira tables per run (on PostgreSQL a database rather than a schema: a profile has no schema setting),
 * the CLI run in-process with its own profiles, audit and backup files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvSecretStore } from '../../src/cli/secrets';
import { readEntries } from '../../src/core/audit/read';
import { DatabaseSessions } from '../../src/extension/snippets/databaseSessions';
import { databaseEnrollmentLookup } from '../../src/extension/snippets/enrollmentLookup';
import { runCliInProcess, type InProcessRun } from '../support/cliInProcess';
import { createTestDatabase, ENROLLMENT, ENROLLMENTS, type TestDatabase } from '../support/dbFixtures';

type Run = InProcessRun;

for (const engine of ['postgres', 'mysql'] as const) describe(`jira2fa sql and backups on ${engine === 'postgres' ? 'PostgreSQL' : 'MariaDB'}`, function () {
  this.timeout(120_000);
  const label = engine === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  let tdb: TestDatabase;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    tdb = await createTestDatabase(engine, { pgDatabase: true });
  });
  after(async () => {
    await tdb?.drop();
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-sqlcli-'));
    const db = tdb.profile(false).database!;
    const profiles = {
      version: 1,
      instances: [
        { id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'production', database: { ...db, readOnly: false } },
        { id: 'ro-jira', name: 'Read-only Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, readOnly: true } },
        { id: 'down-jira', name: 'Down Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, port: 1 } },
        { id: 'no-db', name: 'No DB', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test' },
      ],
    };
    fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify(profiles));
    env = {
      JIRA2FA_PROFILES: path.join(dir, 'profiles.json'),
      JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'),
      JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'),
      JIRA2FA_BACKUP_DIR: path.join(dir, 'backups'),
      JIRA2FA_ADMIN: 'cli-test',
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]): Promise<Run> => runCliInProcess(args, dir, new EnvSecretStore(env), env);

  const json = (r: Run) => JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const alice = ENROLLMENTS.find((e) => e.USER_KEY === 'JIRAUSER10100')!;

  it('lists the built-in Jira snippets for the database', async () => {
    const r = await run('sql', 'list', '--instance', 'prod-jira', '--json');
    assert.equal(r.code, 0, r.stderr);
    const names = json(r).snippets.map((s: { name: string }) => s.name).sort();
    assert.deepEqual(names, ['jira.count-enrolled', 'jira.disable-2sv', 'jira.disable-2sv-many', 'jira.is-enrolled', 'jira.is-enrolled-many', 'jira.list-enrolled', 'jira.recovery-code']);
    const text = await run('sql', 'list', '--instance', 'prod-jira');
    assert.match(text.stdout, /^NAME\s+KIND\s+PARAMETERS\s+TITLE$/m);
    assert.match(text.stdout, /jira\.disable-2sv\s+destructive\s+username/);
    assert.match(text.stdout, /jira\.disable-2sv-many\s+destructive\s+usernames/);
  });

  it('runs a read snippet with bound parameters, as a table and as JSON', async () => {
    const r = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.recovery-code', '--param', 'username=ALICE', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.deepEqual(out.rows, [{ recovery_code: '[hidden: recovery code]', username: 'alice', user_key: 'JIRAUSER10100' }]);
    assert.equal(out.rowLimit, 1000);
    const meta = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.recovery-code', '--param', "username=robert'); drop table app_user;--");
    assert.equal(meta.code, 0, meta.stderr);
    assert.match(meta.stdout, /JIRAUSER10106/);
    assert.match(meta.stdout, /^1 row$/m);
  });

  it('never prints a TOTP secret; recovery codes only with --reveal-recovery-codes, one audit entry per reveal (issue 13, finding 7)', async () => {
    const secrets = ENROLLMENTS.map((e) => e.SECRET);
    const codes = ENROLLMENTS.map((e) => e.RECOVERY_CODE);
    const leaked = (r: Run, values: string[]) => values.filter((v) => r.stdout.includes(v) || r.stderr.includes(v));
    // The destructive preview selects totp.*: SECRET and RECOVERY_CODE among the columns.
    for (const extra of [[], ['--json']]) {
      const p = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.disable-2sv', '--param', 'username=alice', ...extra);
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stdout, /JIRAUSER10100/);
      assert.deepEqual(leaked(p, [...secrets, ...codes]), [], `preview ${extra.join(' ')}`);
      assert.match(p.stdout, /\[hidden: TOTP secret\]/);
    }
    // A user snippet selecting the secret under other spellings.
    const dir2 = path.join(dir, 'snippets');
    fs.mkdirSync(dir2);
    fs.writeFileSync(path.join(dir2, 'mine.sql'), [
      '-- @name my.everything', '-- @title Everything', '-- @products jira', '-- @dialects all', '-- @kind read',
      `SELECT totp."SECRET", totp."SECRET" AS "totp_secret", totp."RECOVERY_CODE", totp."USER_KEY" FROM "${ENROLLMENT}" totp`,
    ].join('\n'));
    const everything = ['sql', 'run', '--instance', 'prod-jira', '--snippet', 'my.everything', '--snippets-dir', dir2];
    for (const extra of [[], ['--json'], ['--reveal-recovery-codes'], ['--reveal-recovery-codes', '--json']]) {
      const r = await run(...everything, ...extra);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(leaked(r, secrets), [], `secrets with ${extra.join(' ')}`);
      const shown = leaked(r, codes);
      if (extra.includes('--reveal-recovery-codes')) assert.deepEqual(shown, codes, 'revealed');
      else assert.deepEqual(shown, [], 'recovery codes hidden');
    }
    // The recovery-code snippet, its purpose: revealed on request, audited.
    const revealed = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.recovery-code', '--param', 'username=alice', '--reveal-recovery-codes', '--json');
    assert.equal(revealed.code, 0, revealed.stderr);
    assert.equal(json(revealed).rows[0].recovery_code, alice.RECOVERY_CODE);
    const entries = (await readEntries(env.JIRA2FA_AUDIT_FILE)).entries;
    const reveals = entries.filter((e) => e.action === 'sql.reveal');
    assert.equal(reveals.length, 3, 'one entry per reveal');
    assert.equal(reveals.at(-1)!.id, json(revealed).revealAuditId);
    assert.equal(reveals.at(-1)!.target, 'alice');
    const log = fs.readFileSync(env.JIRA2FA_AUDIT_FILE, 'utf8');
    assert.deepEqual([...secrets, ...codes].filter((v) => log.includes(v)), [], 'the audit log holds no secret or code');
    // Nothing to reveal: refused, and audited as such.
    const none = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.count-enrolled', '--reveal-recovery-codes');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no recovery code to reveal/);
    const last = (await readEntries(env.JIRA2FA_AUDIT_FILE)).entries.at(-1)!;
    assert.deepEqual([last.action, last.outcome], ['sql.reveal', 'refused']);
  });

  it('cuts a read at --row-limit and warns', async () => {
    const r = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.list-enrolled', '--row-limit', '2', '--param', 'limit=50', '--param', 'offset=0');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^2 rows$/m);
    assert.match(r.stderr, /only the first 2 rows/);
  });

  it('previews a destructive snippet without --commit and changes nothing', async () => {
    const before = await tdb.snapshot();
    const r = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.disable-2sv', '--param', 'username=alice');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /JIRAUSER10100/);
    assert.match(r.stdout, /Nothing was changed\. To apply: add --commit --confirm "alice"\./);
    assert.deepEqual(await tdb.snapshot(), before);
    const nobody = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.disable-2sv', '--param', 'username=carol', '--json');
    assert.equal(nobody.code, 1, 'a preview that finds no row is a refusal');
    assert.equal(json(nobody).matches, false);
  });

  it('production needs --confirm with the user name; without it nothing changes', async () => {
    const before = await tdb.snapshot();
    for (const extra of [[], ['--confirm', 'bob']]) {
      const r = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.disable-2sv', '--param', 'username=alice', '--commit', ...extra, '--reason', 'lost phone, ticket by phone');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /production instance: confirm the change by typing "alice" \(CLI: --confirm "alice"\)/);
    }
    assert.deepEqual(await tdb.snapshot(), before);
    assert.equal(fs.existsSync(env.JIRA2FA_BACKUP_DIR), false, 'no backup written');
  });

  it('a read-only profile refuses --commit and writes a refused audit entry', async () => {
    const before = await tdb.snapshot();
    const r = await run('sql', 'run', '--instance', 'ro-jira', '--snippet', 'jira.disable-2sv', '--param', 'username=alice', '--commit');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /read-only/);
    assert.deepEqual(await tdb.snapshot(), before);
    const entries = (await readEntries(env.JIRA2FA_AUDIT_FILE)).entries;
    assert.equal(entries.at(-1)?.outcome, 'refused');
  });

  it('disable with --commit → backups list → restore gives back identical rows; a second restore conflicts and changes nothing', async () => {
    const before = await tdb.snapshot();
    const r = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.disable-2sv', '--param', 'username=alice', '--commit', '--confirm', 'alice', '--json', '--reason', 'lost phone, ticket by phone');
    assert.equal(r.code, 0, r.stderr);
    const done = json(r);
    assert.equal(done.affected, 1);
    const after = await tdb.snapshot();
    assert.equal(after[ENROLLMENT].length, before[ENROLLMENT].length - 1);
    assert.ok(!after[ENROLLMENT].some((row) => row[0] === 'JIRAUSER10100'));

    const list = await run('backups', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    const b = json(list).backups[0];
    assert.equal(b.id, done.backupId);
    assert.equal(b.instanceId, 'prod-jira');
    assert.equal(b.rowCount, 1);
    assert.equal(b.state, 'committed');
    assert.deepEqual(b.params, { username: 'alice' });
    const listText = await run('backups', 'list');
    assert.match(listText.stdout, new RegExp(`${done.backupId}\\s+\\S+\\s+prod-jira\\s+jira\\.disable-2sv\\s+1\\s+committed`));

    const restore = await run('backups', 'restore', done.backupId, '--reason', 'lost phone, ticket by phone');
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /Restored 1 row into AO_ED669C_TOTP_USER_ENROLLMENT/);
    assert.deepEqual(await tdb.snapshot(), before, 'identical rows after the restore');

    const again = await run('backups', 'restore', done.backupId, '--json', '--reason', 'lost phone, ticket by phone');
    assert.equal(again.code, 1);
    assert.match(json(again).error.message, /already exists in AO_ED669C_TOTP_USER_ENROLLMENT: nothing was restored/);
    assert.deepEqual(await tdb.snapshot(), before);

    const actions = (await readEntries(env.JIRA2FA_AUDIT_FILE)).entries.map((e) => `${e.action}:${e.outcome}${e.backupId ? ':backup' : ''}`);
    assert.deepEqual(actions, ['sql.change:ok:backup', 'backup.restore:ok:backup', 'backup.restore:refused:backup']);
  });

  it('says clearly when the database cannot be reached, when a profile has no database, and for an unknown snippet or backup', async () => {
    const down = await run('sql', 'run', '--instance', 'down-jira', '--snippet', 'jira.recovery-code', '--param', 'username=alice');
    assert.equal(down.code, 3);
    assert.match(down.stderr, new RegExp(`Cannot connect to ${label.replace('/', '\\/')} at 127\\.0\\.0\\.1:1.*refused`));
    const nodb = await run('sql', 'list', '--instance', 'no-db');
    assert.equal(nodb.code, 2);
    assert.match(nodb.stderr, /has no database section/);
    const unknown = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /known: .*jira\.recovery-code/);
    const badParam = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.recovery-code', '--param', 'username');
    assert.equal(badParam.code, 2);
    const missing = await run('backups', 'restore', '20260101T000000000Z-prod-jira-0000abcd');
    assert.equal(missing.code, 2);
    // (the id is not matched digit for digit: other suites in this process register 6-digit codes with the redactor)
    assert.match(missing.stderr, /No backup 20260101T\S+-prod-jira-0000abcd in .*backups\./);
  });

  it('the editor\'s enrollment lookup answers from the database (yes, no, unknown user)', async () => {
    const sessions = new DatabaseSessions({ getWithOrigin: async () => undefined, setOrigin: async () => undefined });
    try {
      const lookup = databaseEnrollmentLookup(sessions, { warn: () => undefined });
      const profile = tdb.profile(true);
      assert.equal(await lookup(profile, 'Alice'), 'yes');
      assert.equal(await lookup(profile, 'carol'), 'no');
      assert.equal(await lookup(profile, 'nobody-here'), 'no');
      assert.equal(sessions.isOpen(profile.id), true, 'one session reused for the lookups');
      const status = await sessions.test(profile);
      assert.equal(status.state, 'ok');
      assert.equal(status.state === 'ok' && status.check.enrolledUsers, ENROLLMENTS.length);
    } finally {
      await sessions.dispose();
    }
  });
});
