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
  const { page, shot, log, assert, readUserSettings, server } = ctx;
  const { tree, unenroll, audit, notifications } = ctx.pages;
  const auditFile = server.dirs.auditFile;
  assert.ok(auditFile && auditFile.startsWith(server.dirs.runDir), `the harness must isolate the audit file (got ${auditFile})`);
  const readAudit = () => (fs.existsSync(auditFile) ? fs.readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const deletes = async () => (await sim.requests()).filter((r) => r.method === 'DELETE');

  // 1-2. the instance through the form, then its token and the admin's seed through Set Credentials…
  await tree.open();
  await addJiraInstanceWithCredentials(ctx, { ...INSTANCE, baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed }, shot);

  // 3. Test Connection fills the tree status
  const expected = `Jira ${sim.version} · signed in as admin · system admin · your 2SV on`;
  await tree.testConnection(INSTANCE.name, { expect: expected });
  // the result arrives as a notification (not a short status-bar message)
  await notifications.waitFor(expected);
  // the row keeps a short ✓ before the host, readable at the default side bar width
  await tree.rowWith(INSTANCE.name, '✓').waitFor();
  const rowText = await tree.rowText(INSTANCE.name);
  assert.ok(!rowText.includes('signed in as'), `tree row stays short: ${rowText}`);
  await shot('tree-status-after-test-connection');
  // the row's hover shows the whole status
  await tree.hover(INSTANCE.name, `Status: ✓ ${expected}`);
  await shot('tree-status-hover');
  await tree.moveAway();

  // 4. Unenroll user… node opens the panel; the connection banner agrees with the tree
  await tree.click(INSTANCE.name); // expands the instance
  await unenroll.openFromTree();
  await unenroll.waitForConnection('signed in as admin');
  assert.equal(await unenroll.environment(), 'production');
  await shot('unenroll-panel-open');

  // 5. look up and unenroll an enrolled user with the code generated from the stored seed
  const target = 'e2e.locked';
  await unenroll.setUser(target);
  await unenroll.lookUp(`User ${target}`);
  await unenroll.confirm(target);
  await unenroll.useStoredSeed(true);
  // a production instance asks for a reason (or a ticket) by default; it stays for the next sends
  await unenroll.request.waitForSummary('reason or ticket required');
  await unenroll.request.setReason('lost phone, reported at the service desk');
  await unenroll.waitForSend();
  await shot('unenroll-form-filled-seed');
  await unenroll.send();
  // a second use of the seed in one window waits for the next one (up to 30 s): allow for it
  await unenroll.waitForResult('✓', { timeout: 60000 });
  const auditId = await unenroll.auditEntryId();
  assert.ok(auditId, `no audit entry id in the result: ${await unenroll.resultAudit()}`);
  await shot('unenroll-success-with-audit-id');
  // the next send needs the confirmation typed again: the field is empty, not just the state
  assert.equal(await unenroll.confirmation(), '', 'confirmation field not cleared after success');
  assert.ok(await unenroll.sendDisabled(), 'Send must wait for a new confirmation');
  const okEntry = readAudit().find((e) => e.id === auditId);
  assert.ok(okEntry, `audit entry ${auditId} is not in ${auditFile}`);
  assert.deepEqual(
    { action: okEntry.action, target: okEntry.target, outcome: okEntry.outcome, status: okEntry.status, instance: okEntry.instance.id, admin: okEntry.admin, request: okEntry.request },
    { action: 'unenroll', target, outcome: 'ok', status: 204, instance: INSTANCE.id, admin: 'admin', request: { reason: 'lost phone, reported at the service desk' } },
  );
  const sent = (await deletes()).filter((r) => r.unenrollTarget === target);
  assert.equal(sent.length, 1, 'exactly one DELETE for the user');
  assert.equal(sent[0].rawPath, `/rest/tsv/1.0/totp/unenroll/user/${target}`);
  assert.match(JSON.parse(sent[0].body).totpCode, /^\d{6}$/);

  // 6. "Open audit log" shows the entry, focused
  await unenroll.openAuditLog(auditId);
  assert.ok(await audit.isFocused(auditId), `the audit entry ${auditId} is not the focused row`);
  await audit.waitForVerified();
  await shot('audit-log-panel-shows-entry');

  // 7. Recent actions under the instance lists it
  await tree.click('Recent actions');
  await tree.waitForRow(`Recovery unenroll (REST) ${target}`);
  await shot('recent-actions-node');

  // 8. a wrong typed code: the server's 401 and our explanation
  await unenroll.openTab(INSTANCE.name);
  await unenroll.waitForConnection('signed in as admin');
  const second = 'e2e.second';
  await unenroll.setUser(second);
  await unenroll.confirm(second);
  await unenroll.useStoredSeed(false);
  await unenroll.typeCode(() => sim.wrongCode());
  await unenroll.waitForSend();
  await shot('wrong-code-typed');
  await unenroll.send();
  await unenroll.waitForResult('✗');
  const explanation = await unenroll.explanation();
  assert.match(explanation, /401/);
  assert.match(explanation, /YOUR current code/);
  await unenroll.waitForResultText('invalid TOTP code');
  await shot('wrong-code-401-explained');
  assert.equal((await deletes()).filter((r) => r.unenrollTarget === second).length, 1, 'the wrong code reached the server once');

  // 9. self-unenroll in another case: refused before any request
  const self = 'ADMIN';
  await unenroll.setUser(self);
  await unenroll.confirm(self);
  await unenroll.useStoredSeed(true);
  await unenroll.waitForSend();
  const before = (await sim.requests()).length;
  await shot('self-unenroll-filled');
  await unenroll.send();
  await unenroll.waitForResult('your own two-step verification');
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
