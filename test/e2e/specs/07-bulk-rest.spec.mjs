// Bulk disable 2SV by REST in the real editor, against the Jira simulator (a child process): an
// instance added through the form, the token and the admin's TOTP seed stored
// through Set Credentials…, two names pasted (one enrolled user, one unknown), the REST route
// picked, the preview, the modal confirmation (test instance), the progress notification while
// the run waits for a fresh code window, and the report at the end. The simulator must have
// received one recovery unenroll per user, each with its own code, and the audit log one entry
// per user linked to the run.
import fs from 'node:fs';
import path from 'node:path';
import { addJiraInstanceWithCredentials } from '../lib/jiraInstance.mjs';
import { withJiraSimulator } from '../lib/simulator.mjs';

export const name = 'bulk disable 2SV via REST: credentials, paste, preview, confirm, progress paced by code windows, report';
export const timeoutMs = 240000;
// Its own editor, so only this spec's instance is in the tree.
export const freshServer = true;

const INSTANCE = { id: 'e2e-bulk-rest', name: 'E2E Bulk REST' };

export function run(ctx) {
  return withJiraSimulator(ctx, flow);
}

async function flow(ctx, sim) {
  const { shot, log, assert, server, waitUntil } = ctx;
  const { tree, bulk, notifications, editor } = ctx.pages;

  // 1-2. the instance through the form, then its token and the admin's seed through Set Credentials…
  await tree.open();
  await addJiraInstanceWithCredentials(ctx, { ...INSTANCE, environment: 'test', baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed });
  await editor.closeAll();

  // 3. the command, the pasted names (jdoe is enrolled, ghost-user does not exist)
  await bulk.start(INSTANCE.name);
  await bulk.pasteNames('jdoe\nghost-user\n');
  await shot('names-pasted');
  await bulk.submitNames();

  // 4. REST is the only route (no database configured), then the preview and the confirmation
  const title = await bulk.route('REST recovery unenroll');
  assert.match(title, /2 pending/);
  await shot('preview');
  await bulk.accept(2);
  // Confirm early in a code window, so the wait for the second user's code is long enough to see.
  await bulk.earlyInCodeWindow();
  await bulk.confirmInDialog();

  // 5. the progress notification: the second user waits for the next code window
  await notifications.waitFor('Disabling 2SV for 2 users', { timeout: 20000 });
  await notifications.waitForLine('Disabling 2SV for 2 users', /waiting \d+ s for a fresh code/);
  await shot('progress-waiting-for-code');
  const done = await notifications.waitFor('Bulk disable on E2E Bulk REST: 1 disabled, 1 not found', { timeout: 90000 });
  await bulk.waitForReport();
  await shot('report-opened');
  assert.ok(await done.isVisible());

  // 6. what reached the server: one DELETE per user, two different codes, jdoe's enrollment gone
  const deletes = (await sim.requests()).filter((r) => r.method === 'DELETE');
  assert.deepEqual(deletes.map((d) => d.unenrollTarget), ['jdoe', 'ghost-user']);
  const codes = deletes.map((d) => JSON.parse(d.body).totpCode);
  assert.ok(codes.every((c) => /^\d{6}$/.test(c)) && codes[0] !== codes[1], `two fresh codes: ${codes.join(', ')}`);

  // 7. the report and the audit log: each user with its own entry, linked to the run
  const dir = path.join(server.dirs.data, 'User', 'globalStorage', 'jira2fa.jira-2fa-admin', 'bulk-reports');
  const json = await waitUntil(() => fs.existsSync(dir) && fs.readdirSync(dir).find((f) => f.endsWith('.json')), { message: 'report JSON' });
  const report = JSON.parse(fs.readFileSync(path.join(dir, json), 'utf8'));
  assert.equal(report.state, 'completed');
  assert.deepEqual(report.users.map((u) => [u.username, u.status, u.httpStatus]), [['jdoe', 'disabled', 204], ['ghost-user', 'not-found', 404]]);
  const audit = fs.readFileSync(server.dirs.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const ofRun = audit.filter((e) => e.runId === report.runId);
  assert.deepEqual(ofRun.map((e) => [e.target, e.outcome, e.status]), [['jdoe', 'ok', 204], ['ghost-user', 'refused', 404]]);
  for (const e of ofRun) assert.ok(!JSON.stringify(e).includes(sim.admin.seed) && !codes.some((c) => JSON.stringify(e).includes(`"${c}"`)), 'no seed or code in the audit entry');
  log(`run ${report.runId}: ${ofRun.length} audit entries`);
}
