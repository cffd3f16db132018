// The first hour of a new admin in the sandbox (issue 15), each stumbling point of that hour
// checked fixed: Test Connection answers with a notification, a lasting ✓ and the Database row
// tested too; the unenroll form starts with the stored seed ticked, looks up a padded " dave "
// as "dave" and says so, clears an out-of-date outcome when the name changes, and sends, shows
// and audits "dave"; a wrong typed code is explained; an empty snippet result is explained in
// the snippet's words; a destructive snippet in a test environment asks in a modal naming the
// rows and the backup, and the preview shows the rows as they are afterwards; with one instance
// no command asks which instance (Test Connection, Run Snippet… from the palette); a padded user
// name in a snippet parameter is run, shown and audited without its spaces; a CLI unenroll of
// an unknown user answers at once (no code window waited for) and appears under Recent actions
// and in the audit panel without a refresh, with readable action names and both identities.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { createWorkbench } from '../lib/workbench.mjs';
import { pagesOf } from '../lib/pages/index.mjs';
import { startSandbox } from './06-sandbox.spec.mjs';

export const name = 'first hour in the sandbox: test connection, padded name, wrong code, empty result, destructive run, CLI action in the audit';
export const timeoutMs = 420000;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export async function run(ctx) {
  const { log, server, artifactsDir } = ctx;
  const scratch = path.dirname(server.dirs.runDir);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const built = [path.join(scratch, `${manifest.name}-${manifest.version}.vsix`), path.join(REPO, `${manifest.name}-${manifest.version}.vsix`)].find((f) => fs.existsSync(f));
  const dir = path.join(scratch, 'sandbox-first-hour');
  const sandbox = startSandbox({ dir, vsix: built, logFile: path.join(artifactsDir, 'sandbox.log'), log });
  try {
    const info = await sandbox.ready;
    await flow(ctx, info, dir, sandbox.output());
  } catch (e) {
    await ctx.shot('flow-failure').catch(() => {});
    throw e;
  } finally {
    if (sandbox.child.exitCode === null) process.kill(-sandbox.child.pid, 'SIGINT');
    const timer = setTimeout(() => {
      try {
        process.kill(-sandbox.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 30000);
    await sandbox.exited;
    clearTimeout(timer);
  }
}

/** The CLI line the sandbox prints, as environment variables for our own run of dist/cli.js. */
function cliEnv(output) {
  const line = /CLI:\s+(.*) node dist\/cli\.js/.exec(output)?.[1];
  if (!line) throw new Error('the sandbox printed no CLI line');
  const env = { ...process.env, JIRA2FA_KEYCHAIN: 'off' };
  for (const [, k, v] of line.matchAll(/(\w+)=(\S+)/g)) env[k] = path.isAbsolute(v) ? v : path.join(REPO, v);
  // tokens and seeds are not paths: take them as printed
  for (const [, k, v] of line.matchAll(/(JIRA2FA_TOKEN|JIRA2FA_TOTP_SECRET)=(\S+)/g)) env[k] = v;
  return env;
}

async function flow(ctx, info, dir, output) {
  const { page, shot, log, assert, extensionId, containerTitle } = ctx;
  const wb = createWorkbench({ page, url: info.url, extensionId, containerTitle, log });
  const { tree, unenroll, snippet, audit, notifications, editor, welcome, quick } = pagesOf(wb, { containerTitle, log });
  await wb.open();
  // the welcome README opens by itself; a quick pick opened before it would lose the focus
  await welcome.waitForReadme('Jira 2FA Admin sandbox');
  await tree.open();
  await tree.waitForRow('Sandbox Jira');

  // 1. Test Connection: a notification with the result, a ✓ on the row, the database tested too;
  //    the sandbox's only instance is used without an instance quick pick
  assert.equal(await tree.testConnection('Sandbox Jira', { expect: 'signed in as admin' }), 'skipped', 'no instance quick pick with one instance');
  assert.match(await notifications.text('signed in as admin'), /✓ Database: \d+ users? enrolled/);
  await tree.waitForRowText('Sandbox Jira', /✓/, { message: 'the row shows ✓' });
  assert.ok(!/signed in as/.test(await tree.rowText('Sandbox Jira')), 'the row stays short: the details are in the tooltip');
  await tree.click('Sandbox Jira');
  await tree.waitForRow('Database');
  await wb.waitUntil(async () => !/not checked/i.test(await tree.rowText('Database')), { message: 'the Database row was tested with the instance' });
  await shot('test-connection-notification-and-rows');
  await notifications.clear();

  // 2. the unenroll form: the stored seed is ticked; a padded name is looked up trimmed
  await unenroll.openFromTree();
  await wb.waitUntil(() => unenroll.usesStoredSeed(), { message: 'the stored-seed option starts ticked' });
  await unenroll.setUser(' dave ');
  const lookup = await unenroll.lookUp('Used "dave" without the spaces around it.');
  assert.match(lookup, /Dave Dubois/);
  await shot('padded-name-looked-up-trimmed');

  // 3. a wrong typed code: explained; a changed name clears the out-of-date outcome
  await unenroll.useStoredSeed(false);
  await unenroll.typeCode(() => String((Number(generateSync({ secret: info.seed })) + 500000) % 1000000).padStart(6, '0'));
  await unenroll.send({ timeout: 10000 });
  await unenroll.waitForResult('✗');
  assert.match(await unenroll.result(), /YOUR current code|TOTP code/);
  await shot('wrong-code-explained');
  await unenroll.setUser(' dave');
  await wb.waitUntil(async () => (await unenroll.result()).trim() === '', { message: 'the old outcome went with the change of name' });

  // 4. send with the stored seed: "dave" is sent, shown and audited
  await unenroll.useStoredSeed(true);
  await unenroll.send();
  await unenroll.waitForResult('✓', { timeout: 60000 });
  assert.match(await unenroll.resultTitle(), /Used "dave" without the spaces around it/);
  await shot('padded-name-unenrolled-as-dave');
  const auditFile = path.join(dir, 'state', 'jira2fa', 'audit.jsonl');
  const entries = () => fs.readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const daveOk = entries().find((e) => e.action === 'unenroll' && e.outcome === 'ok');
  assert.equal(daveOk.target, 'dave', 'the audit has the trimmed name');
  assert.ok(daveOk.osUser, 'the OS user is recorded beside the product identity');
  assert.equal(daveOk.admin, 'admin');

  // 5. Run Snippet… from the palette: no instance quick pick (one instance with a database), the
  //    snippet pick names the instance; a padded " dave " is run as "dave" and said; the empty
  //    result explained from the snippet's words
  await wb.runCommand('Jira 2FA Admin: Run Snippet…');
  const snippetRow = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row', { hasText: 'Recovery code for a user' }).first();
  assert.equal(await quick.pickInstance('Sandbox Jira', { next: snippetRow }), 'skipped', 'no instance quick pick before the snippet pick');
  assert.match((await page.locator('.quick-input-widget .quick-input-box input').first().getAttribute('placeholder')) ?? '', /Snippet to run on Sandbox Jira/, 'the snippet pick names the instance used');
  await shot('run-snippet-without-instance-pick');
  await wb.answerQuickPick('Recovery code for a user');
  await wb.webview().locator('header h1', { hasText: 'Recovery code for a user' }).waitFor();
  await snippet.runWith({ username: ' dave ' });
  await snippet.waitForStatus(/^No rows: .* found nothing for User name "dave"\. Used "dave" without the spaces around it\.$/, { message: 'the empty result is explained, and the trimmed name said' });
  assert.equal(await wb.webview().locator('#p-username').evaluate((f) => f.value), 'dave', 'the field holds the name as it was run');
  await shot('padded-snippet-parameter-trimmed-empty-result-explained');
  assert.equal(entries().filter((e) => e.action === 'sql.run').pop().target, 'dave', 'the snippet run is audited with the trimmed name');
  await tree.click('Snippets');

  // 6. a destructive run in a test environment: a modal names the rows and the backup; the
  //    preview after the change shows the rows as they are now (none)
  await snippet.open('Disable two-step verification for a user', { destructive: true });
  assert.equal(await editor.tabCount('Recovery code for a user'), 0, 'one snippet panel per instance');
  await snippet.preview({ username: 'heidi\t' }, /1 row of AO_ED669C_TOTP_USER_ENROLLMENT will be changed.* Used "heidi" without the spaces around it\./);
  // the apply button sits with the summary, above the rows
  const above = await snippet.applyAboveRows();
  if (above !== undefined) assert.ok(above, 'the apply button is above the preview rows');
  await snippet.waitForApply('commit enabled');
  const modal = await snippet.apply();
  assert.match(modal, /1 row of AO_ED669C_TOTP_USER_ENROLLMENT will be changed in one transaction\. A backup of exactly these rows is written first/);
  await shot('destructive-confirmation-modal-test-environment');
  await snippet.confirmApply(/✓ .*1 row changed\. 0 rows now\. · backup \S+/);
  await shot('destructive-done-preview-refreshed');
  assert.equal(entries().filter((e) => e.action === 'sql.change').pop().target, 'heidi', 'the change is audited with the trimmed name');

  // 7. the CLI: an unknown user is answered at once, without waiting for a code window
  const env = cliEnv(output);
  let cli;
  try {
    cli = execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'unenroll', '--instance', 'sandbox', '--user', ' ghost ', '--json'], { cwd: REPO, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    assert.equal(e.status, 1, `the CLI exit code: ${e.stderr}`);
    assert.doesNotMatch(e.stderr ?? '', /waiting \d+ s/, 'no code window was waited for');
    assert.doesNotMatch(e.stderr ?? '', /keychain is not available/, 'no keychain warning when the needed variables are set');
    cli = e.stdout;
  }
  const answer = JSON.parse(cli);
  assert.equal(answer.outcome, 'noSuchUser');
  assert.match(answer.message, /There is no user "ghost"/);

  // 8. Recent actions picks the CLI entry up by itself, with readable names
  await tree.click('Recent actions');
  await tree.waitForRow('Recovery unenroll (REST) ghost', { timeout: 20000 });
  await tree.waitForRow('Recovery unenroll (REST) dave');
  await tree.waitForRow('Recovery SQL change');
  await shot('recent-actions-with-cli-entry');

  // 9. the audit panel: readable actions, local time with zone, both identities
  await audit.open();
  const table = await audit.table();
  assert.match(table, /Recovery unenroll \(REST\)/);
  assert.match(table, /Recovery SQL change/);
  assert.match(table, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC[+-]\d{2}:\d{2}/);
  assert.doesNotMatch(table, /sql\.change|sql\.preview/, 'no internal action names');
  const osUser = daveOk.osUser;
  if (osUser !== 'admin') assert.match(table, new RegExp(`admin \\(OS user ${osUser}\\)`));
  await shot('audit-panel-after-cli-action');
}
