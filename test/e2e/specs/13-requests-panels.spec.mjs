// Recovery requests beyond the Unenroll form, in the real editor, against the Jira simulator (the
// ticket instance) and a real PostgreSQL: a production instance with a database whose policy
// requires a ticket in HELP (recoveryRequests in the user settings). The snippet panel's Request
// section: the destructive snippet refused without a ticket, HELP-1 (reported by jdoe, not alice)
// warns and goes ahead only with "I verified this", the change done with the internal comment
// read back from the simulated ticket; then Restore Backup…'s request step (an input box, the
// ticket's card as a quick pick, the verification method) puts the row back and comments too;
// the audit entries carry the request.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addJiraInstanceWithCredentials } from '../lib/jiraInstance.mjs';
import { withJiraSimulator } from '../lib/simulator.mjs';

export const name = 'recovery requests in the snippet panel and Restore Backup…: refused without a ticket, I verified this, comments on the ticket';
export const timeoutMs = 300000;
// Its own editor: its settings are edited on disk.
export const freshServer = true;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DB = `j2fa_e2e_req_${process.pid}_${randomBytes(3).toString('hex')}`;
const DESK = { id: 'e2e-desk', name: 'E2E Service Desk', environment: 'test' };
const PROD = 'E2E Requests DB';

function fixture(command) {
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'test', 'support', 'dbFixtureCli.ts'), command, DB], { cwd: ROOT, stdio: 'inherit' });
}

export function run(ctx) {
  fixture('create');
  ctx.log(`fixture database ${DB} created`);
  return withJiraSimulator(ctx, flow).finally(() => fixture('drop'));
}

async function flow(ctx, sim) {
  const { shot, log, assert, readUserSettings, reloadWindow, server } = ctx;
  const { tree, snippet, commands, dialogs, notifications, editor, requestStep } = ctx.pages;
  const { request } = snippet;
  const readAudit = () => (fs.existsSync(server.dirs.auditFile) ? fs.readFileSync(server.dirs.auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const commentsOn = async (key) => (await (await fetch(`${sim.baseUrl}/rest/api/2/issue/${key}/comment`, { headers: { authorization: `Bearer ${sim.admin.token}` } })).json()).comments;

  // 1. the ticket instance through the form (its token in SecretStorage), then the production
  //    instance with its database and policy, written into settings.json as an admin would
  await tree.open();
  await addJiraInstanceWithCredentials(ctx, { ...DESK, baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed });
  await editor.closeAll();
  const settings = readUserSettings();
  settings['jira2fa.instances'].push({
    id: 'e2e-req-db',
    name: PROD,
    product: 'jira',
    baseUrl: 'https://jira.requests.e2e.example.com',
    environment: 'production',
    database: { driver: 'postgres', host: process.env.J2FA_TEST_PG_HOST ?? '127.0.0.1', port: 5432, database: DB, user: 'postgres', readOnly: false },
    recoveryRequests: { require: 'ticket', ticketInstance: DESK.id, projects: ['HELP'], comment: true },
  });
  fs.writeFileSync(path.join(server.dirs.data, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  await reloadWindow();
  await tree.open();

  // 2. the destructive snippet: preview alice's row, confirm (production), the Request section open
  await tree.click(PROD);
  await tree.click('Snippets');
  await snippet.open('Disable two-step verification for a user', { destructive: true });
  await request.waitForSummary('ticket required');
  assert.equal(await request.isOpen(), true, 'a required request is open');
  assert.match(await request.policy(), /requires a ticket.*read on E2E Service Desk \(projects HELP\)/s);
  await snippet.preview({ username: 'alice' }, /1 row of AO_ED669C_TOTP_USER_ENROLLMENT will be changed/);
  await snippet.confirm('alice');
  await request.setVerification('In person');
  await shot('snippet-request-section');

  // 3. without a ticket: the modal, then the gate refuses; nothing changed, the preview still holds
  await snippet.waitForApply();
  await snippet.apply('1 row of AO_ED669C_TOTP_USER_ENROLLMENT will be changed');
  await dialogs.answer('Back up and apply');
  await snippet.waitForStatus(/✗ .*requires a ticket/, { message: 'refused without a ticket', timeout: 30000 });
  await shot('snippet-refused-without-ticket');

  // 4. HELP-1 is jdoe's: the card says the requester is not alice and asks "I verified this"
  await request.setTicket('HELP-1');
  await request.waitForIdentity('not the locked-out user');
  assert.match(await request.card(), /HELP-1 · Lost my phone[\s\S]*Reporter: John Doe \(jdoe\) · Status: Open/);
  assert.equal(await request.asksOverride(), true, '"I verified this" is asked');
  await request.setOverride('jdoe is alice\'s manager; alice confirmed on a video call');
  await request.setVerificationNote('badge 4711 shown on camera');
  await shot('snippet-ticket-card-warning');

  // 5. done: the backup, the audit entry, the internal comment
  await snippet.waitForApply('apply enabled again (the refusal kept the preview)');
  await snippet.apply('1 row of AO_ED669C_TOTP_USER_ENROLLMENT will be changed');
  const { backupId } = await snippet.confirmApply();
  assert.ok(backupId, 'a backup id');
  await request.waitForComment('Internal comment added to HELP-1');
  await snippet.showComment();
  await shot('snippet-done-with-comment');
  let comments = await commentsOn('HELP-1');
  assert.equal(comments.length, 1);
  assert.match(comments[0].body, /Recovery SQL change \(jira\.disable-2sv\) for alice on E2E Requests DB .*: done\./);
  assert.ok(!/RC-JIRAUSER|SECRET-JIRAUSER/.test(comments[0].body), 'no recovery code or secret in the comment');

  // 6. Restore Backup…: the request step asks for the ticket (an input box), shows its card, the method
  await commands.restoreBackup(backupId);
  await dialogs.answer('Restore');
  await requestStep.waitFor();
  await shot('restore-request-ticket');
  assert.match(await requestStep.ticket('HELP-1'), /Reporter: John Doe \(jdoe\) · Status: Open/);
  await shot('restore-ticket-card');
  await requestStep.useTicket('HELP-1', { method: 'Video call with photo ID', reason: 'putting alice back: she found her phone' });
  await notifications.waitFor('Restored 1 row into AO_ED669C_TOTP_USER_ENROLLMENT');
  await notifications.waitFor('Internal comment added to HELP-1');
  await shot('restore-done-with-comment');
  comments = await commentsOn('HELP-1');
  assert.equal(comments.length, 2);
  assert.match(comments[1].body, new RegExp(`Restore of backup ${backupId}.*: done\\.`));

  // 7. the audit log: the refusal with what was said, the change and the restore with their request
  const audit = readAudit();
  const changes = audit.filter((e) => e.action === 'sql.change');
  assert.deepEqual(changes.map((e) => e.outcome), ['refused', 'ok']);
  assert.deepEqual(
    { ticket: changes[1].request?.ticket, match: changes[1].request?.identityMatch, override: changes[1].request?.override, verification: changes[1].request?.verification },
    { ticket: 'HELP-1', match: 'mismatch', override: 'jdoe is alice\'s manager; alice confirmed on a video call', verification: 'In person' },
  );
  const restore = audit.find((e) => e.action === 'backup.restore');
  assert.equal(restore?.outcome, 'ok');
  assert.deepEqual({ ticket: restore.request?.ticket, verification: restore.request?.verification, reason: restore.request?.reason }, { ticket: 'HELP-1', verification: 'Video call with photo ID', reason: 'putting alice back: she found her phone' });
  assert.deepEqual(audit.filter((e) => e.action === 'ticket.comment').map((e) => e.outcome), ['ok', 'ok']);
  log(`audit: ${audit.map((e) => `${e.action}:${e.outcome}`).join(', ')}`);
}
