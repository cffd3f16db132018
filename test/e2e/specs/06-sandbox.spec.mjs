// The sandbox as a newcomer meets it: `npm run sandbox` started by this spec (its own process
// group, like a terminal), the printed URL opened in Chromium. The sandbox instance is there
// with its credentials already in SecretStorage; Test Connection; unenroll "alice" with a code
// typed from the printed admin seed, and the database no longer has her enrollment row (the
// knowledge-base recovery-code query finds nothing); bob's row deleted by SQL makes the REST
// unenroll answer "No enrollment found"; the row restored, the unenroll (code from the stored
// seed) succeeds again; the audit log shows all three. Then Ctrl-C (SIGINT to the group): the
// sandbox exits 0, and no process of it and none of its ports is left.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generateSync } from 'otplib';
import { createWorkbench } from '../lib/workbench.mjs';
import { pagesOf } from '../lib/pages/index.mjs';

export const name = 'npm run sandbox: instance ready, test connection, REST and SQL see the same enrollments, audit log, Ctrl-C leaves nothing';
export const timeoutMs = 420000;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RECOVERY_SQL = `SELECT totp."RECOVERY_CODE", au.lower_user_name FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
  JOIN app_user au ON au.user_key = totp."USER_KEY"
  WHERE totp."USER_KEY" = (SELECT user_key FROM app_user WHERE lower_user_name = LOWER($1))`;

export function startSandbox({ dir, vsix, logFile, log }) {
  const args = ['run', 'sandbox', '--', '--dir', dir, ...(vsix ? ['--vsix', vsix] : [])];
  const out = fs.openSync(logFile, 'w');
  // detached: its own process group, so SIGINT reaches npm, the sandbox and its back end as Ctrl-C would
  const child = spawn('npm', args, { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const onData = (d) => {
    text += d;
    fs.writeSync(out, d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => fs.closeSync(out));
  const ready = new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const url = /^SANDBOX_URL (\S+)/m.exec(text)?.[1];
      if (url) {
        clearInterval(timer);
        resolve({
          url,
          seed: /Admin seed:\s+([A-Z2-7]+)/.exec(text)[1],
          jiraPort: Number(/Simulated Jira http:\/\/127\.0\.0\.1:(\d+)/.exec(text)[1]),
          dbPort: Number(/database postgres 127\.0\.0\.1:(\d+)/.exec(text)[1]),
          codeServerPid: Number(/code-server up at \S+ \(pid (\d+)\)/.exec(text)[1]),
        });
      }
    }, 200);
    exited.then(({ code, signal }) => {
      clearInterval(timer);
      reject(new Error(`npm run sandbox exited (${signal || code}) before printing its URL:\n${text.split('\n').slice(-30).join('\n')}`));
    });
  });
  log(`started npm run sandbox (process group ${child.pid}); output in ${path.relative(REPO, logFile)}`);
  return { child, ready, exited, output: () => text };
}

const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (port) =>
  new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export async function run(ctx) {
  const { log, assert, server, artifactsDir } = ctx;
  const scratch = path.dirname(server.dirs.runDir); // .e2e/run-<pid>: the harness's own scratch
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const built = [path.join(scratch, `${manifest.name}-${manifest.version}.vsix`), path.join(REPO, `${manifest.name}-${manifest.version}.vsix`)].find((f) => fs.existsSync(f));
  const dir = path.join(scratch, 'sandbox');
  const sandbox = startSandbox({ dir, vsix: built, logFile: path.join(artifactsDir, 'sandbox.log'), log });
  let info;
  let flowError;
  try {
    info = await sandbox.ready;
    await flow(ctx, info, dir);
  } catch (e) {
    flowError = e;
    log(`flow failed: ${e?.stack ?? e}`); // a failing clean-up check below would hide it otherwise
    await ctx.shot('flow-failure').catch(() => {});
  } finally {
    // Ctrl-C, as a user would
    if (sandbox.child.exitCode === null) process.kill(-sandbox.child.pid, 'SIGINT');
    const timer = setTimeout(() => groupAlive(sandbox.child.pid) && process.kill(-sandbox.child.pid, 'SIGKILL'), 30000);
    const exit = await sandbox.exited;
    clearTimeout(timer);
    log(`sandbox exited: ${exit.signal || exit.code}`);
    if (info) {
      // npm itself re-raises the SIGINT its script ended on; the sandbox's own verdict is its last line
      assert.ok(exit.code === 0 || exit.signal === 'SIGINT', `npm run sandbox must end cleanly on Ctrl-C (got ${exit.signal || exit.code}):\n${sandbox.output().split('\n').slice(-15).join('\n')}`);
      assert.match(sandbox.output(), /stopped; nothing of the sandbox is running any more/);
      assert.equal(groupAlive(sandbox.child.pid), false, 'a process of the sandbox group is still alive');
      assert.equal(groupAlive(info.codeServerPid), false, 'a code-server process is still alive');
      for (const [what, port] of [['code-server', new URL(info.url).port], ['Jira simulator', info.jiraPort], ['database', info.dbPort]]) {
        assert.equal(await portOpen(Number(port)), false, `the ${what} port ${port} is still open`);
      }
      assert.equal(fs.existsSync(path.join(dir, 'secrets-import.json')), false, 'the one-time secrets file must be gone');
    }
  }
  if (flowError) throw flowError; // after the clean-up checks, and not hidden by them
}

/** The status of a GET sent with this Host header (fetch cannot set one). */
function statusWithHost(url, host) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    http.get({ host: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
}

async function flow(ctx, info, dir) {
  const { page, shot, log, assert, extensionId, containerTitle } = ctx;
  const db = new pg.Client({ host: '127.0.0.1', port: info.dbPort, user: 'postgres', database: 'postgres' });
  await db.connect();
  try {
    const recovery = async (user) => (await db.query(RECOVERY_SQL, [user])).rows;
    assert.equal((await recovery('alice')).length, 1, 'alice starts enrolled');

    // 1. only the printed URL, with its random token, reaches the editor (finding 8: on main
    // code-server ran with --auth none on 127.0.0.1, so any local user or a DNS-rebinding page
    // got it): no token, a wrong token or a foreign Host header get nothing
    const base = new URL(info.url);
    assert.match(base.pathname, /^\/[A-Za-z0-9_-]{20,}\/$/, `the URL must carry a random token: ${info.url}`);
    assert.equal((await fetch(`${base.origin}/`)).status, 404, 'the editor without the token');
    assert.equal((await fetch(`${base.origin}/healthz`)).status, 404, 'code-server paths without the token');
    assert.equal((await fetch(`${base.origin}/not-the-token/`)).status, 404, 'a wrong token');
    assert.equal(await statusWithHost(`${info.url}healthz`, `rebound.example:${base.port}`), 421, 'a rebound host name');
    assert.equal((await fetch(`${info.url}healthz`)).status, 200, 'the printed URL');
    // 2. the printed URL, with the welcome README
    const wb = createWorkbench({ page, url: info.url, extensionId, containerTitle, log });
    const { tree, unenroll, snippet, commands, audit, dialogs, notifications, welcome } = pagesOf(wb, { containerTitle, log });
    await wb.open();
    await welcome.waitForReadme('Jira 2FA Admin sandbox');
    await shot('sandbox-welcome-readme');

    // 2. the sandbox instance is there; its credentials were imported (no Set Credentials step)
    await tree.open();
    await tree.waitForRow('Sandbox Jira');
    await shot('sandbox-instance-in-tree');
    const settings = JSON.parse(fs.readFileSync(path.join(dir, 'code-server', 'data', 'User', 'settings.json'), 'utf8'));
    const profile = settings['jira2fa.instances'].find((p) => p.id === 'sandbox');
    assert.equal(profile.environment, 'test');
    assert.ok(!JSON.stringify(settings).includes(info.seed), 'the admin seed must not be in settings.json');

    // 3. Test Connection
    await tree.testConnection('Sandbox Jira', { expect: 'signed in as admin · system admin · your 2SV on' });
    await notifications.waitFor('signed in as admin · system admin · your 2SV on');
    await shot('test-connection-ok');

    // 4. unenroll alice with a code typed from the printed seed
    await tree.click('Sandbox Jira');
    await unenroll.openFromTree();
    await unenroll.waitForConnection('signed in as admin');
    await unenroll.setUser('alice');
    // the sandbox stored the seed, so "generate from my stored seed" starts ticked: untick to type
    await unenroll.useStoredSeed(false);
    await unenroll.typeCode(() => generateSync({ secret: info.seed }));
    await unenroll.waitForSend();
    await shot('unenroll-alice-typed-code');
    await unenroll.send();
    await unenroll.waitForResult('✓');
    await shot('unenroll-alice-done');
    // the database the snippets read agrees: no recovery code for alice any more
    assert.deepEqual(await recovery('alice'), [], 'the REST unenroll must delete alice\'s enrollment row');

    // The SQL side through the editor when this build has the Database/Snippets nodes (the SQL
    // feature), else straight through the database port: either way the same rows.
    // (the instance row is expanded since "Unenroll user…" was clicked)
    const snippetsUi = await tree.hasRow('Snippets');
    log(snippetsUi ? 'SQL side through the Database and Snippets nodes' : 'no Snippets node in this build: SQL side through the database port');
    const saved = (await db.query('SELECT * FROM "AO_ED669C_TOTP_USER_ENROLLMENT" WHERE "USER_KEY" = (SELECT user_key FROM app_user WHERE lower_user_name = $1)', ['bob'])).rows[0];
    assert.ok(saved, 'bob starts enrolled');
    let backupId;
    if (snippetsUi) {
      // 5a. the recovery-code snippet finds nothing for alice, and bob's code
      await tree.click('Snippets');
      await snippet.open('Recovery code for a user');
      await snippet.runWith({ username: 'alice' });
      await snippet.waitForStatus(/^No rows: .* found nothing for User name "alice"\.$/, { message: 'no recovery code row for alice' });
      await shot('recovery-code-snippet-no-row-for-alice');
      await snippet.runWith({ username: 'bob' });
      // recovery codes arrive hidden until Reveal (audited)
      await snippet.waitForCell('[hidden: recovery code]');
      await snippet.reveal();
      await snippet.waitForCell(saved.RECOVERY_CODE);
      // 5b. disable bob by SQL (the guarded snippet, with its backup)
      // one snippet panel per instance: the read panel is replaced, like a preview tab
      await snippet.open('Disable two-step verification for a user', { destructive: true });
      await snippet.preview({ username: 'bob' }, /1 row of AO_ED669C_TOTP_USER_ENROLLMENT will be changed/);
      await snippet.waitForApply('commit enabled (test instance: no confirmation)');
      await snippet.apply();
      ({ backupId } = await snippet.confirmApply());
      assert.ok(backupId, 'no backup id after the disable snippet');
      await shot('disable-bob-by-sql-snippet');
      await unenroll.openTab('Sandbox Jira');
    } else {
      // 5. bob's row deleted by SQL
      await db.query('DELETE FROM "AO_ED669C_TOTP_USER_ENROLLMENT" WHERE "USER_KEY" = $1', [saved.USER_KEY]);
    }
    assert.deepEqual(await recovery('bob'), [], 'bob\'s row is gone');

    // 6. the REST call now finds no enrollment for bob
    await unenroll.setUser('bob');
    await unenroll.useStoredSeed(true);
    await unenroll.send();
    // the stored seed may wait for the next 30-s window (the typed code used this one)
    await unenroll.waitForResult('✗', { timeout: 60000 });
    await unenroll.waitForResultText('No enrollment found');
    await shot('unenroll-bob-after-sql-delete-no-enrollment');

    // 7. restore: bob is enrolled again and the unenroll (stored seed) succeeds
    if (snippetsUi) {
      await commands.restoreBackup(backupId);
      await dialogs.answer('Restore');
      await notifications.waitFor('Restored 1 row into AO_ED669C_TOTP_USER_ENROLLMENT');
      await unenroll.openTab('Sandbox Jira');
    } else {
      await db.query('INSERT INTO "AO_ED669C_TOTP_USER_ENROLLMENT" ("USER_KEY", "SECRET", "RECOVERY_CODE", "CREATED_AT", "MODIFIED_AT") VALUES ($1, $2, $3, $4, $5)', [
        saved.USER_KEY, saved.SECRET, saved.RECOVERY_CODE, saved.CREATED_AT, saved.MODIFIED_AT,
      ]);
    }
    assert.equal((await recovery('bob'))[0]?.RECOVERY_CODE, saved.RECOVERY_CODE, 'bob is enrolled again');
    await unenroll.setUser('bob');
    await unenroll.useStoredSeed(true);
    await unenroll.send();
    await unenroll.waitForResult('✓', { timeout: 60000 });
    await shot('unenroll-bob-after-restore-done');
    assert.deepEqual(await recovery('bob'), []);

    // 8. the audit log shows all of it, and the file is the sandbox's own
    await audit.open();
    await audit.waitForVerified();
    await shot('audit-log');
    const entries = fs.readFileSync(path.join(dir, 'state', 'jira2fa', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      entries.filter((e) => e.action === 'unenroll').map((e) => [e.target, e.outcome, e.status]),
      [['alice', 'ok', 204], ['bob', 'refused', 400], ['bob', 'ok', 204]],
    );
    if (snippetsUi) {
      for (const action of ['sql.change', 'backup.restore']) assert.ok(entries.some((e) => e.action === action && e.outcome === 'ok'), `no ${action} entry in the audit log`);
    }
    assert.equal(await audit.entryCount(), entries.length, 'the panel lists every entry');
    assert.ok(!fs.readFileSync(path.join(dir, 'state', 'jira2fa', 'audit.jsonl'), 'utf8').includes(info.seed));

    // 9. the walkthrough is listed and shows its six steps
    await welcome.openWalkthrough('Jira 2FA Admin: recover a locked-out user');
    for (const step of ['Add an instance', 'Set credentials', 'Test the connection', 'Unenroll a user', 'Run a recovery snippet', 'Read the audit log']) {
      await welcome.waitForStep(step);
    }
    await shot('walkthrough');
  } finally {
    await db.end().catch(() => {});
  }
}
