/**
 * The CLI when the keychain cannot be used, through real processes; no keyring needed, and
 * none is touched (no D-Bus session, throwaway HOME and XDG_RUNTIME_DIR):
 *  - keytar not installed: a copy of dist/cli.js (and dist/esm) in a folder with no node_modules above it,
 *    as after an install whose keytar build was skipped;
 *  - keytar loads but there is no D-Bus session / Secret Service;
 *  - JIRA2FA_KEYCHAIN=off.
 * The environment variables still work, a missing secret gets one warning that names the
 * fix, and login / logout / credentials list are refused with exit code 1 and the fix.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/dbFixtures';
import { ADMIN_SEED, ADMIN_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { assertNeverPrinted, DIST_CLI, isolatedEnv, oneJson, runCli, writeProfiles, type Done } from './helpers';

describe('CLI without a usable keychain (dist/cli.js)', () => {
  let dir: string;
  let profiles: string;
  let bareCli: string;
  let sim: JiraSimulator;

  before(async function () {
    if (!fs.existsSync(DIST_CLI)) throw new Error('dist/cli.js is missing: run node esbuild.config.mjs (run.mjs does)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-nokeychain-'));
    // No node_modules in this folder or above it: require('keytar') fails as when npm skipped it.
    bareCli = path.join(dir, 'bare', 'cli.js');
    fs.mkdirSync(path.dirname(bareCli));
    fs.copyFileSync(DIST_CLI, bareCli);
    // The starter imports the ES module build beside it (dist/esm).
    fs.cpSync(path.join(path.dirname(DIST_CLI), 'esm'), path.join(path.dirname(bareCli), 'esm'), { recursive: true });
    let up = path.dirname(bareCli);
    while (up !== path.dirname(up)) {
      assert.ok(!fs.existsSync(path.join(up, 'node_modules', 'keytar')), `${up}/node_modules/keytar would be found`);
      up = path.dirname(up);
    }
    sim = await JiraSimulator.start();
    profiles = path.join(dir, 'profiles.json');
    writeProfiles(profiles, [{ id: 'sim', name: 'Simulator', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' }]);
  });

  after(async () => {
    await sim?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function run(cli: string, args: string[], extra: Record<string, string> = {}, input?: string): Promise<Done> {
    const env = { ...isolatedEnv(dir), JIRA2FA_PROFILES: profiles, JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'), ...extra };
    return runCli(args, { cli, env, cwd: dir, ...(input !== undefined ? { input } : {}) });
  }

  describe('keytar not installed', () => {
    it('the CLI starts and commands that need no secret work', async () => {
      const r = await run(bareCli, ['instances', 'list']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /sim\s+Simulator/);
      assert.doesNotMatch(r.stderr, /keychain|keytar/);
    });

    it('the environment variables are used, with no warning', async () => {
      const r = await run(bareCli, ['test', '--instance', 'sim'], { JIRA2FA_TOKEN: ADMIN_TOKEN });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /signed in as admin/);
      assert.equal(r.stderr, '');
    });

    it('a missing secret gets one warning that says why and names the fix', async () => {
      const r = await run(bareCli, ['test', '--instance', 'sim']);
      assert.equal(r.code, 2);
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0], /OS keychain is not available, so only environment variables are read, and JIRA2FA_TOKEN is not set/);
      assert.match(warnings[0], /keytar module is not installed/);
      assert.match(warnings[0], /libsecret-1-dev/);
      assert.match(warnings[0], /npm rebuild keytar/);
      assert.match(r.stderr, /error: No personal access token is stored for Simulator/);
    });

    it('login, logout and credentials list are refused with exit code 1 and the fix', async () => {
      const login = await run(bareCli, ['login', '--instance', 'sim', '--stdin'], {}, ADMIN_TOKEN);
      assert.equal(login.code, 1);
      assert.match(login.stderr, /^error: The OS keychain is not available: the optional keytar module is not installed/m);
      assert.match(login.stderr, /^hint: .*libsecret-1-dev.*JIRA2FA_TOKEN/m);
      for (const args of [['logout', '--instance', 'sim'], ['credentials', 'list', '--instance', 'sim']]) {
        const r = await run(bareCli, args);
        assert.equal(r.code, 1, args.join(' '));
        assert.match(r.stderr, /keytar module is not installed/);
      }
    });

    it('with --json the refusal is the one JSON object on stdout', async () => {
      const r = await run(bareCli, ['credentials', 'list', '--instance', 'sim', '--json']);
      assert.equal(r.code, 1);
      const out = oneJson(r);
      assert.equal(out.ok, false);
      const error = out.error as { kind: string; hint: string; exitCode: number };
      assert.equal(error.kind, 'refused');
      assert.equal(error.exitCode, 1);
      assert.match(error.hint, /libsecret-1-dev/);
    });
  });

  describe('keytar loads, but there is no D-Bus session (or no keyring)', () => {
    it('the environment variables still work', async () => {
      const r = await run(DIST_CLI, ['test', '--instance', 'sim'], { JIRA2FA_TOKEN: ADMIN_TOKEN });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
    });

    it('login is refused with exit code 1 and how to get a keyring', async () => {
      const r = await run(DIST_CLI, ['login', '--instance', 'sim', '--stdin'], {}, ADMIN_TOKEN);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: The OS keychain is not available: /m);
      // Either keytar failed to reach a Secret Service, or (no libsecret here) it did not load.
      assert.match(r.stderr, /^hint: .*(gnome-keyring-daemon --unlock|libsecret)/m);
    });

    it('a missing secret: one warning, then the usual "no token" error', async () => {
      const r = await run(DIST_CLI, ['test', '--instance', 'sim']);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('warning: ')).length, 1, r.stderr);
      assert.match(r.stderr, /warning: the OS keychain is not available.*JIRA2FA_TOKEN is not set\. Why: .* Fix: /);
    });
  });

  describe('the keychain warning only for a secret the command needs (keychain unusable)', () => {
    let pg: TestDatabase;
    let dbProfiles: string;
    before(async () => {
      pg = await createTestDatabase('postgres');
      const fixture = pg.profile(true);
      dbProfiles = path.join(dir, 'profiles-db.json');
      writeProfiles(dbProfiles, [
        // the sandbox's shape: the Jira server and its database, which signs in without a password
        { id: 'simdb', name: 'Simulator with database', product: 'jira', baseUrl: sim.baseUrl, environment: 'test', database: fixture.database },
        // a database user that does not exist: the sign-in is refused without a password
        { id: 'denied', name: 'Refused database', product: 'jira', baseUrl: sim.baseUrl, environment: 'test', database: { driver: 'mysql', host: '127.0.0.1', port: 3306, database: 'test', user: 'jira2fa_no_such_user', readOnly: true } },
      ]);
    });
    after(async () => {
      await pg?.drop();
    });
    const runDb = (args: string[], extra: Record<string, string> = {}) => run(DIST_CLI, args, { JIRA2FA_PROFILES: dbProfiles, ...extra });

    it('the variables the command needs are set (token and seed), the database needs no password: no keychain warning', async () => {
      const r = await runDb(['unenroll', '--instance', 'simdb', '--user', 'ghost'], { JIRA2FA_TOKEN: ADMIN_TOKEN, JIRA2FA_TOTP_SECRET: ADMIN_SEED });
      assert.doesNotMatch(r.stderr, /keychain|D-Bus|JIRA2FA_DB_PASSWORD/i, r.stderr);
      assert.match(r.stdout + r.stderr, /ghost/, 'the command ran: the user was looked up');
      const sql = await runDb(['sql', 'run', '--instance', 'simdb', '--snippet', 'jira.count-enrolled']);
      assert.equal(sql.code, 0, sql.stderr);
      assert.doesNotMatch(sql.stderr, /keychain|D-Bus|JIRA2FA_DB_PASSWORD/i, sql.stderr);
    });

    it('a needed secret is missing: the database refuses the sign-in without a password, and the warning names JIRA2FA_DB_PASSWORD', async () => {
      const r = await runDb(['sql', 'run', '--instance', 'denied', '--snippet', 'jira.count-enrolled']);
      assert.notEqual(r.code, 0);
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0], /OS keychain is not available, so only environment variables are read, and JIRA2FA_DB_PASSWORD is not set\. Why: /);
      assert.match(r.stderr, /authentication failed for user "jira2fa_no_such_user"/);
    });

    it('a needed secret is missing: no token anywhere, the warning names JIRA2FA_TOKEN (not the database password)', async () => {
      const r = await runDb(['unenroll', '--instance', 'simdb', '--user', 'ghost'], { JIRA2FA_TOTP_SECRET: ADMIN_SEED });
      assert.notEqual(r.code, 0);
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0], /JIRA2FA_TOKEN is not set/);
    });
  });

  describe('JIRA2FA_KEYCHAIN=off', () => {
    it('never loads keytar, reads the environment, and says how to turn the keychain back on', async () => {
      const ok = await run(DIST_CLI, ['test', '--instance', 'sim'], { JIRA2FA_KEYCHAIN: 'off', JIRA2FA_TOKEN: ADMIN_TOKEN });
      assert.equal(ok.code, 0, ok.stderr);
      const refused = await run(DIST_CLI, ['login', '--instance', 'sim', '--stdin'], { JIRA2FA_KEYCHAIN: 'off' }, ADMIN_TOKEN);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /turned off by JIRA2FA_KEYCHAIN=off/);
      assert.match(refused.stderr, /Unset JIRA2FA_KEYCHAIN/);
    });
  });

  describe('output', () => {
    it('no secret value ever appeared in any output above', () => {
      assertNeverPrinted([ADMIN_TOKEN]);
    });
  });
});
