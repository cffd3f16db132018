// Recovery requests in the real editor, against the Jira simulator (a child process): a production
// instance added through the form, its policy set to require a ticket (recoveryRequests in the
// user settings, which the Add Instance form does not edit yet), then the Unenroll form: refused
// without a ticket, warned on HELP-3 (reported by the help desk, not the user) and refused without
// "I verified this", done with HELP-1 (reported by jdoe) with the internal comment read back from
// the simulated ticket, the audit entries carrying the request, and the evidence report exported
// through "Export Evidence Report…" (code-server's save dialog is a path in a quick input).
import fs from 'node:fs';
import path from 'node:path';
import { addJiraInstanceWithCredentials } from '../lib/jiraInstance.mjs';
import { withJiraSimulator } from '../lib/simulator.mjs';

export const name = 'recovery requests: unenroll refused without a ticket, warned on a reporter mismatch, done with a matching ticket, comment on the ticket, evidence report';
export const timeoutMs = 240000;
// Its own editor: its settings are edited on disk.
export const freshServer = true;

const INSTANCE = { id: 'e2e-requests', name: 'E2E Requests Prod', environment: 'production' };

export function run(ctx) {
  return withJiraSimulator(ctx, flow);
}

async function flow(ctx, sim) {
  const { page, shot, log, assert, readUserSettings, reloadWindow, server, waitUntil } = ctx;
  const { tree, unenroll, commands, notifications, editor } = ctx.pages;
  const readAudit = () => (fs.existsSync(server.dirs.auditFile) ? fs.readFileSync(server.dirs.auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const { request } = unenroll;

  // 1. the instance through the form, its token and the admin's seed through Set Credentials…
  await tree.open();
  await addJiraInstanceWithCredentials(ctx, { ...INSTANCE, baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed });
  await editor.closeAll();

  // 2. the policy: a ticket in HELP, a comment after the action (edited in settings.json, as an admin would)
  const settingsFile = path.join(server.dirs.data, 'User', 'settings.json');
  const settings = readUserSettings();
  const entry = settings['jira2fa.instances'].find((p) => p.id === INSTANCE.id);
  assert.ok(entry, 'the instance is in the user settings');
  entry.recoveryRequests = { require: 'ticket', projects: ['HELP'], comment: true };
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));

  // code-server does not always notice a settings file written behind its back: reload the window
  await reloadWindow();
  await tree.open();

  // 3. the Unenroll form shows the Request section open, with the policy
  await tree.click(INSTANCE.name);
  await unenroll.openFromTree();
  await request.waitForSummary('ticket required');
  assert.match(await request.policy(), /requires a ticket/);
  assert.equal(await request.isOpen(), true, 'a required request is open');
  await unenroll.setUser('jdoe');
  await unenroll.confirm('jdoe');
  await unenroll.useStoredSeed(true);
  // chosen before any card shows, while the list still opens inside the panel
  await request.setVerification('In person');
  await shot('request-section-policy');

  // 4. without a ticket: refused by the gate, nothing sent to the server
  await unenroll.send();
  await unenroll.waitForResult('✗');
  assert.match(await unenroll.result(), /requires a ticket/);
  await shot('refused-without-ticket');

  // 5. HELP-3 was reported by the help desk: the card warns and asks "I verified this"
  await request.setTicket('HELP-3');
  await request.waitForIdentity('not the locked-out user');
  assert.match(await request.card(), /helpdesk/);
  assert.equal(await request.asksOverride(), true, '"I verified this" is asked');
  await shot('ticket-card-warning');
  await unenroll.send();
  await unenroll.waitForResult('✗');
  await waitUntil(async () => /needs your confirmation/.test(await unenroll.result()), { message: 'refused: the warning needs a typed reason' });
  await shot('refused-without-i-verified');

  // 6. HELP-1 was reported by jdoe: the card matches, the reset is done and the ticket commented
  await request.setTicket('HELP-1');
  await request.waitForIdentity('reporter is the locked-out user');
  assert.equal(await request.asksOverride(), false, 'no warning: nothing to confirm');
  await request.setVerificationNote('badge checked on video');
  await shot('ticket-card-match');
  await unenroll.send();
  await unenroll.waitForResult('✓', { timeout: 60000 });
  await request.waitForComment('Internal comment added to HELP-1');
  await shot('done-with-comment');

  // 7. the comment on the simulated ticket, read through its REST API
  const res = await fetch(`${sim.baseUrl}/rest/api/2/issue/HELP-1/comment`, { headers: { authorization: `Bearer ${sim.admin.token}` } });
  const comments = (await res.json()).comments;
  assert.equal(comments.length, 1);
  assert.match(comments[0].body, /Recovery unenroll for jdoe on E2E Requests Prod .*: done\./);
  assert.ok(!comments[0].body.includes(sim.admin.seed) && !comments[0].body.includes(sim.admin.token), 'no secret in the comment');
  const deletes = (await sim.requests()).filter((r) => r.method === 'DELETE');
  assert.deepEqual(deletes.map((d) => d.unenrollTarget), ['jdoe'], 'only the accepted attempt reached the server');

  // 8. the audit log: two refusals with what was said, the reset with its request, the comment
  const audit = readAudit().filter((e) => e.action !== 'connection.test');
  const unenrolls = audit.filter((e) => e.action === 'unenroll');
  assert.deepEqual(unenrolls.map((e) => e.outcome), ['refused', 'refused', 'ok']);
  assert.equal(unenrolls[1].request?.ticket, 'HELP-3');
  assert.deepEqual(
    { ticket: unenrolls[2].request?.ticket, verification: unenrolls[2].request?.verification, note: unenrolls[2].request?.verificationNote, match: unenrolls[2].request?.identityMatch },
    { ticket: 'HELP-1', verification: 'In person', note: 'badge checked on video', match: 'reporter' },
  );
  const comment = audit.find((e) => e.action === 'ticket.comment');
  assert.equal(comment?.outcome, 'ok');
  assert.match(comment.message, /HELP-1/);
  log(`audit: ${audit.map((e) => `${e.action}:${e.outcome}`).join(', ')}`);

  // 9. the evidence report, through the command and code-server's save dialog
  const reportFile = path.join(server.workspace, 'evidence.html');
  await commands.exportEvidence({ scope: 'All instances', format: 'HTML', file: reportFile });
  await notifications.waitFor('Evidence report:', { timeout: 30000 });
  await waitUntil(() => fs.existsSync(reportFile), { message: `${reportFile} written` });
  const html = fs.readFileSync(reportFile, 'utf8');
  assert.match(html, /HELP-1/);
  assert.match(html, /In person/);
  await shot('evidence-exported');
  // the report itself, as an auditor sees it
  const view = await page.context().newPage();
  await view.goto(`file://${reportFile}`);
  await view.screenshot({ path: path.join(ctx.artifactsDir ?? server.dirs.runDir, 'evidence-report.png'), fullPage: true });
  await view.close();
}
