// Atlassian Cloud recovery in the real editor, against the Cloud admin API simulator
// (test/support/cloudSimulator.ts, run as a tsx child process; it answers only with the
// documented shapes of test/contract/atlassian/cloud/): add a Cloud organization whose base URL
// is the simulator, store its API key, Test connection, designate the recovery and usual
// policies in Edit Instance from the organization's policy list, diagnose a user who never
// enrolled in 2SV, move them to the designated recovery policy (production: typed
// confirmation), see a second user's move fail with the task's details (not listed), then
// succeed, see them under "Waiting to move back" and the move in Recent actions, see a third
// user moved with the CLI (no --to: the recovery policy) appear (one shared file), get the
// start-up reminder after a reload, move one back from its row and the others with "Move All
// Back".
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const name = 'Cloud: diagnose a never-enrolled user, move, see the pending node, move back';
export const timeoutMs = 240000;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ORG_NAME = 'E2E Cloud Org';
const USER = 'bob@example.com';
/** 2SV on, in the enforcing policy: the admin hub shows no reset option. */
const USER2 = 'alice@example.com';
/** Moved with the CLI: the editor sees it through the shared file. */
const USER3 = 'frank@example.com';

/** Starts the simulator; resolves to { baseUrl, orgId, key, stop }. */
async function startSimulator(log) {
  const child = spawn(path.join(REPO, 'node_modules/.bin/tsx'), [path.join(REPO, 'test/support/cloudSimulatorServe.ts')], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const requests = [];
  readline.createInterface({ input: child.stderr }).on('line', (l) => requests.push(l));
  const first = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`the Cloud simulator exited (${code}) before listening`)));
    setTimeout(() => reject(new Error('the Cloud simulator did not start within 30 s')), 30000);
  });
  log(`Cloud simulator at ${first.baseUrl}`);
  return {
    ...first,
    requests,
    failNextTask: (detail, status = 400, title = 'Bad Request') => child.stdin.write(`${JSON.stringify({ failNextTask: { detail, status, title } })}\n`),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin.end();
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

export async function run(ctx) {
  const { page, shot, log, assert, openView, treeItem, runCommand, answerQuickPick, inputBox, webview, setField, waitForNotification, answerNotification, answerDialog, clickRowAction, reloadWindow, readUserSettings, server, containerTitle, waitUntil } = ctx;
  const sim = await startSimulator(log);
  try {
    // the same file the CLI uses ($XDG_STATE_HOME/jira2fa/cloud-pending.json)
    const trackerFile = path.join(path.dirname(server.dirs.xdgData), 'state', 'jira2fa', 'cloud-pending.json');
    const tracked = () => (fs.existsSync(trackerFile) ? JSON.parse(fs.readFileSync(trackerFile, 'utf8')).entries : []);
    /** A tree row whose label is exactly `label` (not a Recent actions row that mentions it). */
    const row = (label) => page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();

    /** Expands the organization and "Waiting to move back" as needed until the user's row shows. */
    const showPending = async (who = USER) => {
      const visible = (label) => row(label).waitFor({ timeout: 5000 }).then(() => true, () => false);
      if (await visible(who)) return;
      if (!(await visible('Waiting to move back'))) await treeItem(ORG_NAME).click();
      if (!(await visible(who))) await row('Waiting to move back').click();
      await row(who).waitFor({ timeout: 15000 });
    };

    // 1. add the organization with the form (its base URL is the simulator)
    await openView(containerTitle);
    await runCommand('Jira 2FA Admin: Add Instance');
    const form = webview();
    await form.locator('#name').waitFor();
    await setField(form, '#product', 'cloud');
    await setField(form, '#name', ORG_NAME);
    await setField(form, '#id', 'e2e-cloud');
    await setField(form, '#baseUrl', sim.baseUrl);
    await setField(form, '#environment', 'production');
    await setField(form, '#orgId', sim.orgId);
    // the API does not say whose key it is: the admin names the owner (recorded as entered, not verified)
    await setField(form, '#apiKeyOwner', 'ops-bot@e2e.example');
    await shot('cloud-form-filled');
    await form.locator('#save').click();
    await treeItem(ORG_NAME).waitFor();

    // 2. the organization API key goes to the keychain through "Set Credentials…"
    await runCommand('Jira 2FA Admin: Set Credentials…');
    await ctx.answerInstancePick(ORG_NAME, readUserSettings()['jira2fa.instances']);
    await answerQuickPick('Organization API key');
    await inputBox(sim.key);
    await waitForNotification('organization API key');

    // 3. Test connection fills the tree status: the key works, the policies are listed
    await runCommand('Jira 2FA Admin: Test Connection');
    await ctx.answerInstancePick(ORG_NAME, readUserSettings()['jira2fa.instances']);
    // the result as a notification; the row keeps a short ✓ (the whole status in its hover)
    await waitForNotification('API key works · 3 authentication policies');
    await waitUntil(async () => /✓/.test(await treeItem(ORG_NAME).innerText()), { timeout: 30000, message: 'the tree status of the Cloud organization' });
    // 3b. Edit Instance: list the organization's policies and designate the recovery and usual ones
    await runCommand('Jira 2FA Admin: Edit Instance…');
    await ctx.answerInstancePick(ORG_NAME, readUserSettings()['jira2fa.instances']);
    const edit = webview();
    await edit.locator('#loadPolicies').waitFor();
    await edit.locator('#loadPolicies').click();
    await edit.locator('#policyList tr[data-policy="pol-2sv-optional"]').waitFor({ timeout: 30000 });
    assert.match(await edit.locator('#policyStatus').innerText(), /3 authentication policies/);
    assert.match(await edit.locator('#policyList').innerText(), /not given by the API: check it in the admin hub/);
    await edit.locator('#policyList tr[data-policy="pol-2sv-optional"] .use-recoveryPolicyId').click();
    await edit.locator('#policyList tr[data-policy="pol-2sv-required"] .use-defaultPolicyId').click();
    await edit.locator('#recoveryPolicyId-link a').waitFor();
    assert.match(await edit.locator('#recoveryPolicyId-link a').getAttribute('href'), /^https:\/\/admin\.atlassian\.com\/o\/[^/]+\/security\/authentication-policies\/pol-2sv-optional$/);
    await edit.locator('#policySection').scrollIntoViewIfNeeded();
    await shot('cloud-form-recovery-policy');
    await edit.locator('#save').click();
    await waitUntil(async () => readUserSettings()['jira2fa.instances'].some((p) => p.cloud?.recoveryPolicyId === 'pol-2sv-optional' && p.cloud?.defaultPolicyId === 'pol-2sv-required'), { timeout: 15000, message: 'the designated policies saved in the settings' });

    await treeItem(ORG_NAME).click();
    await row('Recover a Cloud user…').waitFor();
    await row('Waiting to move back').waitFor();
    assert.match(await row('Waiting to move back').innerText(), /nobody/);
    await shot('tree-tested-connection');

    // 4. the recovery form: find the user, read the diagnosis
    await row('Recover a Cloud user…').click();
    const panel = webview();
    await panel.locator('#query').waitFor();
    await panel.locator('#connection', { hasText: 'API key works' }).waitFor();
    // a search by name matches several users: choose one (Enter searches)
    await setField(panel, '#query', 'example');
    await panel.locator('#query').press('Enter');
    await panel.locator('.userChoice').nth(3).waitFor();
    await shot('several-users-match');
    await panel.locator('.userChoice', { hasText: USER }).click();
    // the API does not say whether a policy enforces 2SV: the diagnosis says so and offers the move
    await panel.locator('#diagnosis[data-code="undetermined"]').waitFor();
    assert.match(await panel.locator('#factEmail').innerText(), /bob@example\.com/);
    assert.match(await panel.locator('#factManaged').innerText(), /^yes/);
    assert.match(await panel.locator('#factTwoSv').innerText(), /off/);
    assert.match(await panel.locator('#factPolicy').innerText(), /Employees \(2SV required\) \(your usual policy\) — 2SV: not given by the API: check it in the admin hub/);
    assert.match(await panel.locator('#factLastActive').innerText(), /never/);
    assert.match(await panel.locator('#diagnosisSummary').innerText(), /not given by the API/);
    assert.equal(await panel.locator('#hubLink').count(), 1, 'the admin hub link is shown');
    // the current policy is not offered; the designated recovery policy is chosen by default
    const offered = await panel.locator('#target vscode-option').allInnerTexts();
    assert.ok(offered.every((t) => !/Employees/.test(t)), `the current policy must not be offered: ${offered}`);
    assert.match(await panel.locator('#targetInfo').innerText(), /Recovery \(2SV optional\) \(your recovery policy\) — 2SV: not given by the API: check it in the admin hub/);
    assert.equal(await panel.locator('#ackGroup').isVisible(), false, 'no extra check for the designated recovery policy');
    await panel.locator('#targetInfo').scrollIntoViewIfNeeded();
    await shot('panel-designated-recovery-policy');

    // 5. production: Move stays disabled until the e-mail address is typed again
    assert.equal(await panel.locator('#move').evaluate((b) => b.disabled), true, 'Move is disabled before the confirmation');
    await setField(panel, '#target', 'pol-2sv-optional');
    await setField(panel, '#confirmation', USER);
    await waitUntil(async () => !(await panel.locator('#move').evaluate((b) => b.disabled)), { message: 'Move enabled after the confirmation' });
    await shot('move-confirmed');
    await panel.locator('#move').click();
    // Atlassian's task is polled, and each answer shown
    await panel.locator('#progress', { hasText: 'Atlassian is applying the change' }).waitFor({ timeout: 30000 });
    await shot('move-task-polled');
    await panel.locator('#resultTitle', { hasText: 'was moved from "Employees (2SV required)" to "Recovery (2SV optional)"' }).waitFor({ timeout: 60000 });
    assert.match(await panel.locator('#resultTracker').innerText(), /Waiting to move back/);
    assert.equal(await panel.locator('#resultHubLink').count(), 1, 'a link to the user in the admin hub');
    assert.match(await panel.locator('#resultAudit').innerText(), /audit entry/);
    assert.equal(await panel.locator('#moveSection').isVisible(), false, 'no second move from the same result');
    await panel.locator('#result').scrollIntoViewIfNeeded();
    await shot('moved');

    // 5b. a second user: Atlassian's task fails for them (documented failureReasons): the panel
    // shows the task's title, detail and HTTP status, and the user is NOT listed as moved
    sim.failNextTask('The user is not in a verified domain of this organization', 400, 'Bad Request');
    await setField(panel, '#query', USER2);
    await panel.locator('#find').click();
    await panel.locator('#diagnosis[data-code="undetermined"]').waitFor();
    await setField(panel, '#confirmation', USER2);
    await waitUntil(async () => !(await panel.locator('#move').evaluate((b) => b.disabled)), { message: 'Move enabled for the second user' });
    await panel.locator('#move').click();
    await panel.locator('#resultTitle', { hasText: `failed for ${USER2}` }).waitFor({ timeout: 60000 });
    const failedText = await panel.locator('#result').innerText();
    assert.match(failedText, /Server said \(HTTP 400\): Bad Request: The user is not in a verified domain of this organization/);
    assert.match(await panel.locator('#resultTracker').innerText(), /Nothing recorded/);
    assert.deepEqual(tracked().map((e) => e.email), [USER], 'the failed user is not in the shared file');
    await panel.locator('#result').scrollIntoViewIfNeeded();
    await shot('failed-task-detail');
    // tried again, the move works
    await waitUntil(async () => !(await panel.locator('#move').evaluate((b) => b.disabled)), { message: 'Move enabled again after the failure' });
    await panel.locator('#move').click();
    await panel.locator('#resultTitle', { hasText: `${USER2} was moved` }).waitFor({ timeout: 60000 });

    // 6. the tree lists the user with its age; the shared file has the entry
    await showPending();
    assert.match(await row(USER).innerText(), /just now in Recovery \(2SV optional\)|\d+ min in Recovery \(2SV optional\)/);
    await showPending(USER2);
    assert.match(await row('Waiting to move back').innerText(), /2 users/);
    const entries = tracked();
    assert.deepEqual(entries.map((e) => e.email), [USER, USER2]);
    assert.equal(entries[0].toPolicyId, 'pol-2sv-optional');
    assert.equal(entries[0].fromPolicyId, 'pol-2sv-required');
    assert.ok(!fs.readFileSync(trackerFile, 'utf8').includes(sim.key), 'the API key is not in the tracker file');
    // the move is in Recent actions (audit)
    await row('Recent actions').click();
    await treeItem(`Cloud policy move ${USER}`).waitFor({ timeout: 15000 });
    // the entry's identity: the API key owner as entered, marked so, beside the OS user
    const auditFile = path.join(path.dirname(trackerFile), 'audit.jsonl');
    const moves = fs.readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.action === 'cloud.move' && e.outcome === 'ok');
    assert.ok(moves.length > 0 && moves.every((e) => e.admin === 'ops-bot@e2e.example (entered, not verified)' && e.osUser), JSON.stringify(moves.map((e) => [e.admin, e.osUser])));
    await page.mouse.move(900, 700);
    await page.waitForTimeout(1000);
    await treeItem(`Cloud policy move ${USER}`).hover();
    await page.locator('.monaco-hover', { hasText: 'ops-bot@e2e.example (entered, not verified) (OS user' }).first().waitFor();
    await shot('pending-and-recent-actions');
    await page.mouse.move(900, 700);

    // 6b. the CLI shares the list: a user moved with `jira2fa cloud move` appears in the tree
    const cliDir = path.join(path.dirname(server.dirs.xdgData), 'cli');
    fs.mkdirSync(cliDir, { recursive: true });
    const profilesFile = path.join(cliDir, 'profiles.json');
    fs.writeFileSync(profilesFile, JSON.stringify({ version: 1, instances: readUserSettings()['jira2fa.instances'] }));
    const cliEnv = { PATH: process.env.PATH, HOME: cliDir, XDG_STATE_HOME: path.join(path.dirname(server.dirs.xdgData), 'state'), JIRA2FA_PROFILES: profilesFile, JIRA2FA_KEYCHAIN: 'off', JIRA2FA_ORG_API_KEY: sim.key };
    const cli = (...args) => JSON.parse(execFileSync(process.execPath, [path.join(REPO, 'dist/cli.js'), ...args, '--json'], { env: cliEnv, encoding: 'utf8' }));
    const pendingBefore = cli('cloud', 'pending', '--instance', 'e2e-cloud');
    assert.deepEqual(pendingBefore.pending.map((e) => e.email), [USER, USER2], 'the CLI sees the moves made in the editor');
    // no --to: the recovery policy designated in Edit Instance
    const cliMove = cli('cloud', 'move', '--instance', 'e2e-cloud', '--user', USER3, '--confirm', USER3);
    assert.equal(cliMove.ok, true, JSON.stringify(cliMove));
    assert.equal(cliMove.toPolicy.id, 'pol-2sv-optional');
    await row(USER3).waitFor({ timeout: 15000 });
    // the tree may redraw twice (the tracker file and the audit log both changed): wait for the count
    await waitUntil(async () => /3 users/.test(await row('Waiting to move back').innerText()), { timeout: 15000, message: '"Waiting to move back" counts 3 users' });
    await shot('cli-move-in-tree');

    // 7. the reminder at start-up (0 hours: anyone waiting is reminded)
    const settingsFile = path.join(server.dirs.data, 'User', 'settings.json');
    fs.writeFileSync(settingsFile, JSON.stringify({ ...readUserSettings(), 'jira2fa.cloud.moveBackReminderHours': 0 }, null, 2));
    await reloadWindow();
    await openView(containerTitle);
    const toast = await waitForNotification('temporary authentication policy', { timeout: 30000 });
    assert.match(await toast.innerText(), /3 users have been .*bob@example\.com.*alice@example\.com.*frank@example\.com/s);
    await shot('reminder-after-reload');
    await answerNotification('temporary authentication policy', 'Show');

    // 8. move back from the row's inline action, followed to completion
    await treeItem(ORG_NAME).waitFor();
    await showPending();
    const toastWith = (text) => page.locator('.notification-toast-container .notification-list-item', { hasText: text });
    // the progress toast may come and go quickly: either it or the result shows the click worked
    await clickRowAction(row(USER), 'Move Back', toastWith('Moving back').or(toastWith(`${USER} was moved back`)).first());
    await waitForNotification(`${USER} was moved back to "Employees (2SV required)"`, { timeout: 60000 });
    await shot('moved-back-notification');
    await waitUntil(async () => /2 users/.test(await row('Waiting to move back').innerText()), { timeout: 15000, message: '"Waiting to move back" down to two users' });
    assert.equal(await row(USER).count(), 0, 'the user left the list');
    assert.deepEqual(tracked().map((e) => e.email), [USER2, USER3], 'only the user moved back left the shared file');

    // 9. "Move All Back" on the list node: a modal lists who goes back where
    await clickRowAction(row('Waiting to move back'), 'Move All Back', page.locator('.monaco-dialog-box', { hasText: USER3 }));
    await shot('move-all-back-confirmation');
    await answerDialog('Move All Back');
    await waitForNotification('2 of 2 users were moved back', { timeout: 60000 });
    await waitUntil(async () => /nobody/.test(await row('Waiting to move back').innerText()), { timeout: 15000, message: '"Waiting to move back" empty again' });
    assert.deepEqual(tracked(), [], 'the shared file is empty after the moves back');
    assert.deepEqual(cli('cloud', 'pending', '--instance', 'e2e-cloud').pending, [], 'and the CLI agrees');
    // the move back is in Recent actions too (the node is collapsed again after the reload)
    const moveBackRow = treeItem(`Cloud policy move back ${USER}`);
    if (!(await moveBackRow.waitFor({ timeout: 3000 }).then(() => true, () => false))) await row('Recent actions').click();
    await moveBackRow.waitFor({ timeout: 15000 });
    await shot('moved-back');
    assert.ok(sim.requests.some((l) => /POST .*\/auth-policy\/pol-2sv-required\/add-users/.test(l)), 'the move back went to the original policy');
  } finally {
    // the reminder setting back to its default for specs that follow on this server
    try {
      const settingsFile = path.join(server.dirs.data, 'User', 'settings.json');
      const s = readUserSettings();
      delete s['jira2fa.cloud.moveBackReminderHours'];
      fs.writeFileSync(settingsFile, JSON.stringify(s, null, 2));
    } catch {
      /* nothing to restore */
    }
    await sim.stop();
  }
}
