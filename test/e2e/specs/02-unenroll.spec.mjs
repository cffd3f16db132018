// Data Center recovery unenroll in the real editor, against the Jira simulator (a child process):
// add an instance, store the PAT and the admin's TOTP seed through the credential commands
// (SecretStorage), Test Connection fills the tree status, the Unenroll panel unenrolls a user
// with a generated code (success + audit entry, shown in the audit log panel and under Recent
// actions), a wrong typed code gets the 401 explanation, and self-unenroll (other case) is
// refused with no request reaching the server. Then every file the run wrote (logs, settings,
// the audit log, the browser profile) and every webview's DOM is searched for the planted
// token and seed: zero hits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesUnder, findInFiles, findInTexts } from '../lib/leaks.mjs';
import { addJiraInstanceWithCredentials } from '../lib/jiraInstance.mjs';
import { startJiraSimulator } from '../lib/simulator.mjs';

export const name = 'unenroll through the form against the simulator: success, wrong code, self-unenroll refused, no secret leaks';
export const timeoutMs = 300000;

const INSTANCE = { name: 'E2E Sim Jira', id: 'e2e-sim', environment: 'production' };
const REAL_AUDIT = path.join(os.homedir(), '.local', 'state', 'jira2fa', 'audit.jsonl');

export async function run(ctx) {
  const { log } = ctx;
  const realAuditBefore = fs.existsSync(REAL_AUDIT) ? fs.statSync(REAL_AUDIT).size : -1;
  const sim = await startJiraSimulator({ log });
  try {
    await flow(ctx, sim);
  } finally {
    await sim.stop();
  }
  // the harness points the extension at an audit file inside the run dir: nothing in $HOME
  const realAuditAfter = fs.existsSync(REAL_AUDIT) ? fs.statSync(REAL_AUDIT).size : -1;
  ctx.assert.equal(realAuditAfter, realAuditBefore, `the e2e run wrote into the real ${REAL_AUDIT}`);
}

async function flow(ctx, sim) {
  const { page, shot, log, assert, openView, treeItem, runCommand, answerInstancePick, webview, setField, editorTab, readUserSettings, server, containerTitle } = ctx;
  const auditFile = server.dirs.auditFile;
  assert.ok(auditFile && auditFile.startsWith(server.dirs.runDir), `the harness must isolate the audit file (got ${auditFile})`);
  const readAudit = () => (fs.existsSync(auditFile) ? fs.readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const deletes = async () => (await sim.requests()).filter((r) => r.method === 'DELETE');

  // 1-2. the instance through the form, then its token and the admin's seed through Set Credentials…
  await openView(containerTitle);
  await addJiraInstanceWithCredentials(ctx, { ...INSTANCE, baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed }, shot);

  // 3. Test Connection fills the tree status
  await runCommand('Jira 2FA Admin: Test Connection');
  await answerInstancePick(INSTANCE.name, readUserSettings()['jira2fa.instances']);
  const row = treeItem(INSTANCE.name);
  const expected = `Jira ${sim.version} · signed in as admin · system admin · your 2SV on`;
  // the result arrives as a notification (not a short status-bar message)
  await ctx.waitForNotification(expected);
  // the row keeps a short ✓ before the host, readable at the default side bar width
  await page.locator('.part.sidebar .monaco-list-row[role="treeitem"]', { hasText: INSTANCE.name }).filter({ hasText: '✓' }).first().waitFor();
  assert.ok(!(await row.textContent()).includes('signed in as'), `tree row stays short: ${await row.textContent()}`);
  await shot('tree-status-after-test-connection');
  // the row's hover shows the whole status
  await row.hover();
  await page.locator('.monaco-hover', { hasText: `Status: ✓ ${expected}` }).first().waitFor();
  await shot('tree-status-hover');
  await page.mouse.move(900, 700);

  // 4. Unenroll user… node opens the panel; the connection banner agrees with the tree
  await row.click(); // expands the instance
  await treeItem('Unenroll user…').click();
  const panel = webview();
  await panel.locator('#username').waitFor();
  await panel.locator('#connection', { hasText: 'signed in as admin' }).waitFor();
  assert.equal((await panel.locator('#envBadge').textContent()).trim(), 'production');
  await shot('unenroll-panel-open');

  // 5. look up and unenroll an enrolled user with the code generated from the stored seed
  const target = 'e2e.locked';
  await setField(panel, '#username', target);
  await panel.locator('#lookup').click();
  await panel.locator('#lookupResult', { hasText: `User ${target}` }).waitFor();
  await setField(panel, '#confirmation', target);
  await setField(panel, '#useSeed', true);
  await panel.locator('#send:not([disabled])').waitFor();
  await shot('unenroll-form-filled-seed');
  await panel.locator('#send').click();
  // a second use of the seed in one window waits for the next one (up to 30 s): allow for it
  await panel.locator('#resultTitle', { hasText: '✓' }).waitFor({ timeout: 60000 });
  const auditText = await panel.locator('#resultAudit').textContent();
  const auditId = /audit entry (\S+)/.exec(auditText)?.[1];
  assert.ok(auditId, `no audit entry id in the result: ${auditText}`);
  await shot('unenroll-success-with-audit-id');
  // the next send needs the confirmation typed again: the field is empty, not just the state
  assert.equal(await panel.locator('#confirmation').evaluate((e) => e.value), '', 'confirmation field not cleared after success');
  assert.ok(await panel.locator('#send').evaluate((e) => e.disabled), 'Send must wait for a new confirmation');
  const okEntry = readAudit().find((e) => e.id === auditId);
  assert.ok(okEntry, `audit entry ${auditId} is not in ${auditFile}`);
  assert.deepEqual(
    { action: okEntry.action, target: okEntry.target, outcome: okEntry.outcome, status: okEntry.status, instance: okEntry.instance.id, admin: okEntry.admin },
    { action: 'unenroll', target, outcome: 'ok', status: 204, instance: INSTANCE.id, admin: 'admin' },
  );
  const sent = (await deletes()).filter((r) => r.unenrollTarget === target);
  assert.equal(sent.length, 1, 'exactly one DELETE for the user');
  assert.equal(sent[0].rawPath, `/rest/tsv/1.0/totp/unenroll/user/${target}`);
  assert.match(JSON.parse(sent[0].body).totpCode, /^\d{6}$/);

  // 6. "Open audit log" shows the entry, focused
  await panel.locator('#openAudit').click();
  const audit = webview();
  await audit.locator(`tr[data-id="${auditId}"]`).waitFor();
  assert.match(await audit.locator(`tr[data-id="${auditId}"]`).getAttribute('class'), /focused/);
  await audit.locator('#verify', { hasText: 'Chain verified' }).waitFor();
  await shot('audit-log-panel-shows-entry');

  // 7. Recent actions under the instance lists it
  await treeItem('Recent actions').click();
  await treeItem(`Recovery unenroll (REST) ${target}`).waitFor();
  await shot('recent-actions-node');

  // 8. a wrong typed code: the server's 401 and our explanation
  await editorTab(`Unenroll user · ${INSTANCE.name}`).click();
  await panel.locator('#connection', { hasText: 'signed in as admin' }).waitFor();
  const second = 'e2e.second';
  await setField(panel, '#username', second);
  await setField(panel, '#confirmation', second);
  await setField(panel, '#useSeed', false);
  // Send is disabled within 3 s of a window's end (the code would arrive stale): type early in one
  const left = 30 - (Math.floor(Date.now() / 1000) % 30);
  if (left < 10) await new Promise((r) => setTimeout(r, left * 1000 + 500));
  await setField(panel, '#code', await sim.wrongCode());
  await panel.locator('#send:not([disabled])').waitFor();
  await shot('wrong-code-typed');
  await panel.locator('#send').click();
  await panel.locator('#resultTitle', { hasText: '✗' }).waitFor();
  const explanation = await panel.locator('#resultExplanation').textContent();
  assert.match(explanation, /401/);
  assert.match(explanation, /YOUR current code/);
  await panel.locator('#result', { hasText: 'invalid TOTP code' }).waitFor();
  await shot('wrong-code-401-explained');
  assert.equal((await deletes()).filter((r) => r.unenrollTarget === second).length, 1, 'the wrong code reached the server once');

  // 9. self-unenroll in another case: refused before any request
  const self = 'ADMIN';
  await setField(panel, '#username', self);
  await setField(panel, '#confirmation', self);
  await setField(panel, '#useSeed', true);
  await panel.locator('#send:not([disabled])').waitFor();
  const before = (await sim.requests()).length;
  await shot('self-unenroll-filled');
  await panel.locator('#send').click();
  await panel.locator('#resultTitle', { hasText: 'your own two-step verification' }).waitFor();
  await shot('self-unenroll-refused');
  const after = await sim.requests();
  assert.equal(after.length, before, `self-unenroll made requests: ${JSON.stringify(after.slice(before).map((r) => `${r.method} ${r.rawPath}`))}`);
  const refused = readAudit().filter((e) => e.target === self);
  assert.equal(refused.length, 1);
  assert.equal(refused[0].outcome, 'refused');
  assert.equal(refused[0].status, undefined, 'no HTTP status: nothing was sent');

  // 10. no planted secret anywhere: files of this code-server run (logs incl. the extension's
  // output channel, settings.json, the audit file, the browser profile), the browser console,
  // and the DOM of every frame (the webviews)
  const needles = { token: sim.admin.token, seed: sim.admin.seed };
  const files = [...filesUnder(server.dirs.runDir), ...filesUnder(ctx.artifactsDir).filter((f) => f.endsWith('.log'))];
  const ownLog = files.find((f) => /Jira 2FA Admin\.log$/.test(f) && fs.readFileSync(f, 'utf8').includes(`Unenroll ${target} on ${INSTANCE.id}`));
  assert.ok(ownLog, 'the extension\'s output-channel log file was not among the searched files');
  assert.ok(files.includes(auditFile), 'the audit file was not searched');
  assert.ok(files.includes(path.join(server.dirs.data, 'User', 'settings.json')), 'settings.json was not searched');
  assert.ok(readUserSettings()['jira2fa.instances'].some((p) => p.id === INSTANCE.id), 'our instance is not in settings.json');
  const browserProfile = path.join(server.dirs.runDir, 'chromium');
  assert.ok(files.some((f) => f.startsWith(browserProfile + path.sep)), `the browser profile (SecretStorage, webview state) was not searched: ${browserProfile}`);
  // the search itself works: it finds what is there (the simulator's URL in settings.json)
  assert.equal(findInFiles([path.join(server.dirs.data, 'User', 'settings.json')], { url: sim.baseUrl }).length, 1);
  const fileHits = findInFiles(files, needles);
  const frames = {};
  for (const [i, frame] of page.frames().entries()) frames[`frame ${i} ${frame.url().slice(0, 80)}`] = await frame.content().catch(() => '');
  const domHits = findInTexts(frames, needles);
  log(`searched ${files.length} files and ${Object.keys(frames).length} frames for the planted token and seed`);
  assert.deepEqual(fileHits, [], 'a planted secret was found in a file');
  assert.deepEqual(domHits, [], 'a planted secret was found in a page or webview');
  // and the code that was sent is in no audit entry (outside the hashes, ids and times)
  const sentCode = JSON.parse(sent[0].body).totpCode;
  for (const { id: _i, time: _t, hash: _h, prevHash: _p, ...rest } of readAudit()) assert.ok(!JSON.stringify(rest).includes(sentCode), `the sent TOTP code is in audit entry ${_i}`);
}
