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
  const { shot, log, assert, reloadWindow, readUserSettings, server, waitUntil } = ctx;
  const { tree, instanceForm, credentials, cloud, notifications, dialogs, quick, requestStep } = ctx.pages;
  const sim = await startSimulator(log);
  try {
    // the same file the CLI uses ($XDG_STATE_HOME/jira2fa/cloud-pending.json)
    const trackerFile = path.join(path.dirname(server.dirs.xdgData), 'state', 'jira2fa', 'cloud-pending.json');
    const tracked = () => (fs.existsSync(trackerFile) ? JSON.parse(fs.readFileSync(trackerFile, 'utf8')).entries : []);
    const WAITING = 'Waiting to move back';
    /** Expands the organization and "Waiting to move back" as needed until the user's row shows. */
    const showPending = (who = USER) => tree.reveal([ORG_NAME, WAITING], who);
    const waitingReads = (re, message) => tree.waitForRowText(WAITING, re, { exact: true, timeout: 15000, message });

    // 1. add the organization with the form (its base URL is the simulator)
    await tree.open();
    await instanceForm.openNew();
    // apiKeyOwner: the API does not say whose key it is; the admin names the owner (recorded as entered, not verified)
    await instanceForm.fill({ product: 'cloud', name: ORG_NAME, id: 'e2e-cloud', baseUrl: sim.baseUrl, environment: 'production', orgId: sim.orgId, apiKeyOwner: 'ops-bot@e2e.example' });
    await shot('cloud-form-filled');
    await instanceForm.save();
    await tree.waitForRow(ORG_NAME);

    // 2. the organization API key goes to the keychain through "Set Credentials…"
    await credentials.set(ORG_NAME, 'Organization API key', sim.key, 'organization API key');

    // 3. Test connection fills the tree status: the key works, the policies are listed
    await tree.testConnection(ORG_NAME, { expect: 'API key works · 3 authentication policies' });
    // the result as a notification; the row keeps a short ✓ (the whole status in its hover)
    await notifications.waitFor('API key works · 3 authentication policies');
    await tree.waitForRowText(ORG_NAME, /✓/, { timeout: 30000, message: 'the tree status of the Cloud organization' });
    // 3b. Edit Instance: list the organization's policies and designate the recovery and usual ones
    await instanceForm.openEdit(ORG_NAME);
    await instanceForm.loadPolicies('pol-2sv-optional');
    assert.match(await instanceForm.policyStatus(), /3 authentication policies/);
    assert.match(await instanceForm.policyList(), /not given by the API: check it in the admin hub/);
    await instanceForm.useAsRecoveryPolicy('pol-2sv-optional');
    await instanceForm.useAsUsualPolicy('pol-2sv-required');
    assert.match(await instanceForm.recoveryPolicyLink(), /^https:\/\/admin\.atlassian\.com\/o\/[^/]+\/security\/authentication-policies\/pol-2sv-optional$/);
    await instanceForm.scrollTo('policySection');
    await shot('cloud-form-recovery-policy');
    await instanceForm.save();
    await waitUntil(async () => readUserSettings()['jira2fa.instances'].some((p) => p.cloud?.recoveryPolicyId === 'pol-2sv-optional' && p.cloud?.defaultPolicyId === 'pol-2sv-required'), { timeout: 15000, message: 'the designated policies saved in the settings' });

    await tree.click(ORG_NAME);
    await tree.rowLabelled('Recover a Cloud user…').waitFor();
    await tree.rowLabelled(WAITING).waitFor();
    assert.match(await tree.rowLabelled(WAITING).innerText(), /nobody/);
    await shot('tree-tested-connection');

    // 4. the recovery form: find the user, read the diagnosis
    await cloud.openFromTree();
    await cloud.waitForConnection('API key works');
    // a search by name matches several users: choose one (Enter searches)
    await cloud.search('example', 4);
    await shot('several-users-match');
    await cloud.choose(USER);
    // the API does not say whether a policy enforces 2SV: the diagnosis says so and offers the move
    await cloud.waitForDiagnosis('undetermined');
    assert.match(await cloud.fact('Email'), /bob@example\.com/);
    assert.match(await cloud.fact('Managed'), /^yes/);
    assert.match(await cloud.fact('TwoSv'), /off/);
    assert.match(await cloud.fact('Policy'), /Employees \(2SV required\) \(your usual policy\) — 2SV: not given by the API: check it in the admin hub/);
    assert.match(await cloud.fact('LastActive'), /never/);
    assert.match(await cloud.diagnosisSummary(), /not given by the API/);
    assert.equal(await cloud.hubLinkCount(), 1, 'the admin hub link is shown');
    // the current policy is not offered; the designated recovery policy is chosen by default
    const offered = await cloud.offeredTargets();
    assert.ok(offered.every((t) => !/Employees/.test(t)), `the current policy must not be offered: ${offered}`);
    assert.match(await cloud.targetInfo(), /Recovery \(2SV optional\) \(your recovery policy\) — 2SV: not given by the API: check it in the admin hub/);
    assert.equal(await cloud.asksAcknowledgement(), false, 'no extra check for the designated recovery policy');
    await cloud.scrollTo('targetInfo');
    await shot('panel-designated-recovery-policy');

    // 5. production: Move stays disabled until the e-mail address is typed again
    assert.equal(await cloud.moveDisabled(), true, 'Move is disabled before the confirmation');
    await cloud.setTarget('pol-2sv-optional');
    await cloud.confirm(USER);
    // production asks for a reason (or a ticket) by default: given once, it stays for the next moves
    await cloud.request.waitForSummary('reason or ticket required');
    await cloud.request.setReason('new phone, asked at the service desk (e2e)');
    await cloud.waitForMove('Move enabled after the confirmation');
    await shot('move-confirmed');
    await cloud.move();
    // Atlassian's task is polled, and each answer shown
    await cloud.waitForProgress('Atlassian is applying the change');
    await shot('move-task-polled');
    await cloud.waitForResult('was moved from "Employees (2SV required)" to "Recovery (2SV optional)"');
    assert.match(await cloud.resultTracker(), /Waiting to move back/);
    assert.equal(await cloud.resultHubLinkCount(), 1, 'a link to the user in the admin hub');
    assert.match(await cloud.resultAudit(), /audit entry/);
    assert.equal(await cloud.moveSectionShows(), false, 'no second move from the same result');
    await cloud.scrollTo('result');
    await shot('moved');

    // 5b. a second user: Atlassian's task fails for them (documented failureReasons): the panel
    // shows the task's title, detail and HTTP status, and the user is NOT listed as moved
    sim.failNextTask('The user is not in a verified domain of this organization', 400, 'Bad Request');
    await cloud.find(USER2);
    await cloud.waitForDiagnosis('undetermined');
    await cloud.confirm(USER2);
    await cloud.waitForMove('Move enabled for the second user');
    await cloud.move();
    await cloud.waitForResult(`failed for ${USER2}`);
    assert.match(await cloud.result(), /Server said \(HTTP 400\): Bad Request: The user is not in a verified domain of this organization/);
    assert.match(await cloud.resultTracker(), /Nothing recorded/);
    assert.deepEqual(tracked().map((e) => e.email), [USER], 'the failed user is not in the shared file');
    await cloud.scrollTo('result');
    await shot('failed-task-detail');
    // tried again, the move works
    await cloud.waitForMove('Move enabled again after the failure');
    await cloud.move();
    await cloud.waitForResult(`${USER2} was moved`);

    // 6. the tree lists the user with its age; the shared file has the entry
    await showPending();
    assert.match(await tree.rowLabelled(USER).innerText(), /just now in Recovery \(2SV optional\)|\d+ min in Recovery \(2SV optional\)/);
    await showPending(USER2);
    assert.match(await tree.rowLabelled(WAITING).innerText(), /2 users/);
    const entries = tracked();
    assert.deepEqual(entries.map((e) => e.email), [USER, USER2]);
    assert.equal(entries[0].toPolicyId, 'pol-2sv-optional');
    assert.equal(entries[0].fromPolicyId, 'pol-2sv-required');
    assert.ok(!fs.readFileSync(trackerFile, 'utf8').includes(sim.key), 'the API key is not in the tracker file');
    // the move is in Recent actions (audit)
    await tree.clickLabelled('Recent actions');
    await tree.waitForRow(`Cloud policy move ${USER}`, { timeout: 15000 });
    // the entry's identity: the API key owner as entered, marked so, beside the OS user
    const moves = fs.readFileSync(path.join(path.dirname(trackerFile), 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.action === 'cloud.move' && e.outcome === 'ok');
    assert.ok(moves.length > 0 && moves.every((e) => e.admin === 'ops-bot@e2e.example (entered, not verified)' && e.osUser), JSON.stringify(moves.map((e) => [e.admin, e.osUser])));
    await tree.hover(`Cloud policy move ${USER}`, 'ops-bot@e2e.example (entered, not verified) (OS user');
    await shot('pending-and-recent-actions');

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
    const cliMove = cli('cloud', 'move', '--instance', 'e2e-cloud', '--user', USER3, '--confirm', USER3, '--reason', 'new phone (e2e, CLI)');
    assert.equal(cliMove.ok, true, JSON.stringify(cliMove));
    assert.equal(cliMove.toPolicy.id, 'pol-2sv-optional');
    await tree.rowLabelled(USER3).waitFor({ timeout: 15000 });
    // the tree may redraw twice (the tracker file and the audit log both changed): wait for the count
    await waitingReads(/3 users/, '"Waiting to move back" counts 3 users');
    await shot('cli-move-in-tree');

    // 7. the reminder at start-up (0 hours: anyone waiting is reminded)
    const settingsFile = path.join(server.dirs.data, 'User', 'settings.json');
    fs.writeFileSync(settingsFile, JSON.stringify({ ...readUserSettings(), 'jira2fa.cloud.moveBackReminderHours': 0 }, null, 2));
    await reloadWindow();
    await tree.open();
    const reminder = await notifications.text('temporary authentication policy', { timeout: 30000 });
    assert.match(reminder, /3 users have been .*bob@example\.com.*alice@example\.com.*frank@example\.com/s);
    await shot('reminder-after-reload');
    await notifications.answer('temporary authentication policy', 'Show');

    // 8. move back from the row's inline action, followed to completion
    await tree.waitForRow(ORG_NAME);
    await showPending();
    // the progress toast may come and go quickly: either it or the result shows the click worked
    // production: the request step asks for a reason first
    await tree.rowAction(USER, 'Move Back', quick.title('the request behind it'));
    await shot('move-back-request-step');
    await requestStep.reason('the user set up 2SV again (e2e)');
    await notifications.waitFor(`${USER} was moved back to "Employees (2SV required)"`, { timeout: 60000 });
    await shot('moved-back-notification');
    await waitingReads(/2 users/, '"Waiting to move back" down to two users');
    assert.equal(await tree.rowLabelled(USER).count(), 0, 'the user left the list');
    assert.deepEqual(tracked().map((e) => e.email), [USER2, USER3], 'only the user moved back left the shared file');

    // 9. "Move All Back" on the list node: a modal lists who goes back where
    await tree.rowAction(WAITING, 'Move All Back', dialogs.box(USER3));
    await shot('move-all-back-confirmation');
    await dialogs.answer('Move All Back');
    await requestStep.reason('both set up 2SV again (e2e)');
    await notifications.waitFor('2 of 2 users were moved back', { timeout: 60000 });
    await waitingReads(/nobody/, '"Waiting to move back" empty again');
    assert.deepEqual(tracked(), [], 'the shared file is empty after the moves back');
    assert.deepEqual(cli('cloud', 'pending', '--instance', 'e2e-cloud').pending, [], 'and the CLI agrees');
    // the move back is in Recent actions too (the node is collapsed again after the reload)
    const moveBack = `Cloud policy move back ${USER}`;
    if (!(await tree.hasRow(moveBack, 3000))) await tree.clickLabelled('Recent actions');
    await tree.waitForRow(moveBack, { timeout: 15000 });
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
