// The team audit store in the real editor: a PostgreSQL database is both an instance's database
// and the team store (jira2fa.audit.store). The CLI (its own state folder: another computer id,
// admin "cli-admin") creates the table and runs a snippet, which it ships; the editor runs the
// recovery-code snippet, which the extension ships. The audit panel's Team view shows both
// writers and filters by admin; then the store is made unreachable (the setting points at a
// closed port) and the status bar shows the waiting entry and why; pointed back, it ships.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'team audit store: Team view with the CLI and the editor as writers, status bar while the store is unreachable';
export const timeoutMs = 240000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DB = `j2fa_e2e_team_${process.pid}_${randomBytes(3).toString('hex')}`;
const HOST = process.env.J2FA_TEST_PG_HOST ?? '127.0.0.1';
const INSTANCE = 'E2E Team Jira';
const STORE = { driver: 'postgres', host: HOST, port: 5432, database: DB, user: 'postgres' };

export const settings = {
  'jira2fa.instances': [
    {
      id: 'e2e-team-jira',
      name: INSTANCE,
      product: 'jira',
      baseUrl: 'https://jira.team.e2e.example.com',
      environment: 'test',
      database: { driver: 'postgres', host: HOST, port: 5432, database: DB, user: 'postgres', readOnly: true },
    },
  ],
  'jira2fa.audit.store': STORE,
};

function fixture(command) {
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'test', 'support', 'dbFixtureCli.ts'), command, DB], { cwd: ROOT, stdio: 'inherit' });
}

/** The CLI as another computer: its own HOME and state folder. */
function cli(home, ...args) {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_STATE_HOME: path.join(home, 'state'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    JIRA2FA_KEYCHAIN: 'off',
    JIRA2FA_ADMIN: 'cli-admin',
    JIRA2FA_PROFILES: path.join(home, 'profiles.json'),
    JIRA2FA_AUDIT_STORE: `postgres://postgres@${HOST}:5432/${DB}`,
  };
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`jira2fa ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

export async function run({ pages, shot, log, assert, waitUntil, reloadWindow, server }) {
  const { tree, snippet, audit, statusBar } = pages;
  fixture('create');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-e2e-team-cli-'));
  const settingsFile = path.join(server.dirs.data, 'User', 'settings.json');
  /** The recovery-code snippet of the instance run for `user`; waits for the user key in the grid. */
  const runRecoveryCode = async (user, userKey) => {
    await tree.open();
    await tree.click(INSTANCE);
    await tree.click('Snippets');
    await snippet.open('Recovery code for a user');
    await snippet.runWith({ username: user });
    // (the recovery code itself arrives hidden; the user key is shown)
    await snippet.waitForCell(userKey);
  };
  try {
    fs.writeFileSync(path.join(home, 'profiles.json'), JSON.stringify({ version: 1, instances: settings['jira2fa.instances'] }));
    const init = cli(home, 'audit', 'store', 'init');
    assert.match(init.stdout, /GRANT SELECT, INSERT ON jira2fa_audit TO jira2fa_writer/);
    cli(home, 'sql', 'run', '--instance', 'e2e-team-jira', '--snippet', 'jira.count-enrolled');
    log('the CLI wrote and shipped its entry');

    // The editor's own action: the recovery-code snippet (its audit entry is shipped after the append).
    await runRecoveryCode('alice', 'JIRAUSER10100');

    // The Team view: both writers.
    await audit.openPanel();
    await shot('audit-panel-local');
    await audit.showTeam();
    await audit.searchTeamUntil((admins) => admins.includes('cli-admin') && admins.some((a) => a !== 'cli-admin'), { message: 'the Team view lists entries of the CLI and of the editor', timeout: 30000 });
    assert.match(await audit.teamStatus(), /entries from 2 writers in postgres:\/\/postgres@/);
    await shot('team-view-two-writers');
    await audit.filterTeamByAdmin('cli-admin');
    await audit.searchTeamUntil((admins) => admins.length >= 1 && admins.every((a) => a === 'cli-admin'), { message: 'filtered to cli-admin' });
    await shot('team-view-filtered-by-admin');

    // The store unreachable: the setting points at a closed port; the next action waits in the backlog.
    const user = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    fs.writeFileSync(settingsFile, JSON.stringify({ ...user, 'jira2fa.audit.store': { ...STORE, host: '127.0.0.1', port: 1 } }, null, 2));
    await reloadWindow();
    await runRecoveryCode('bob', 'JIRAUSER10101');
    const WAITING = /Audit: \d+ waiting/;
    await statusBar.waitFor(WAITING, { timeout: 30000 });
    await statusBar.hover(WAITING, /wait for the team audit store .*Cannot connect/s);
    await shot('status-bar-store-unreachable');
    assert.equal(JSON.parse(cli(home, 'audit', 'show', '--store', '--target', 'bob', '--json').stdout).rows.length, 0, 'not in the store yet');

    // Pointed back: shipped at start-up, nothing lost.
    fs.writeFileSync(settingsFile, JSON.stringify(user, null, 2));
    await reloadWindow();
    await tree.open();
    await waitUntil(() => JSON.parse(cli(home, 'audit', 'show', '--store', '--target', 'bob', '--json').stdout).rows.length === 1, { message: "bob's entry reaches the store once the store is back", timeout: 30000 });
    assert.equal(await statusBar.count(WAITING), 0, 'no backlog shown');
    await shot('store-back-backlog-shipped');
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
    fixture('drop');
  }
}
