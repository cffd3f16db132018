// Bulk disable 2SV for the members of a Jira group, in the real editor against the Jira
// simulator (a child process): the "Members of groups…" source, the group name typed, the
// preview listing the group with its size and the admin's own account left out, the REST run
// (one user per code window) and the report. The simulator must have received the paged
// group-member request and one recovery unenroll per member, never one for the admin.
import { addJiraInstanceWithCredentials } from '../lib/jiraInstance.mjs';
import { withJiraSimulator } from '../lib/simulator.mjs';

export const name = 'bulk disable 2SV for the members of a group: source, preview with the group and the admin left out, run, report';
export const timeoutMs = 240000;
export const freshServer = true;

const INSTANCE = { id: 'e2e-bulk-groups', name: 'E2E Groups' };

export function run(ctx) {
  return withJiraSimulator(ctx, flow);
}

async function flow(ctx, sim) {
  const { page, shot, log, assert, openView, runCommand, answerQuickPick, answerDialog, inputBox, waitForNotification, editorTab, closeAllEditors, containerTitle } = ctx;

  await openView(containerTitle);
  await addJiraInstanceWithCredentials(ctx, { ...INSTANCE, environment: 'test', baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed });
  await closeAllEditors();

  // 1. the source: members of groups, then the group name
  await runCommand('Jira 2FA Admin: Bulk Disable 2SV…');
  // the only instance: no instance quick pick
  const sources = page.locator('.quick-input-widget', { hasText: 'Bulk disable 2SV: which users?' });
  await sources.waitFor();
  await shot('sources');
  await answerQuickPick('Members of groups…', { filter: false });
  await page.locator('.quick-input-widget', { hasText: 'members of which groups?' }).waitFor();
  await inputBox('phones-replaced');

  // 2. REST (no database), then the preview: the group and its size, the admin left out
  await answerQuickPick('REST recovery unenroll', { filter: false });
  const preview = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Preview on' });
  await preview.waitFor({ timeout: 30000 });
  const list = page.locator('.quick-input-widget .quick-input-list');
  await list.locator('text=/From members of phones-replaced \\(3\\); 1 left out/').waitFor();
  await list.locator('text=your own account: an admin cannot remove their own two-step verification').waitFor();
  assert.match(await preview.textContent(), /2 pending/);
  await shot('preview-group');
  await answerQuickPick('Disable 2SV for 2 users', { filter: false });
  const intoWindow = Date.now() % 30000;
  if (intoWindow > 15000) await page.waitForTimeout(30500 - intoWindow);
  await answerDialog('Disable 2SV');

  // 3. the run ends: jdoe unenrolled, nosv has no enrollment; the report opens
  await waitForNotification('Bulk disable on E2E Groups: 1 disabled, 1 not enrolled', { timeout: 120000 });
  await editorTab('.md').waitFor();
  await shot('report-opened');

  // 4. what reached the server: the group read with includeInactiveUsers=false, no DELETE for the admin
  const requests = await sim.requests();
  assert.ok(requests.some((r) => r.method === 'GET' && r.rawPath.startsWith('/rest/api/2/group/member?groupname=phones-replaced&includeInactiveUsers=false&startAt=0')), 'the group was read');
  const deletes = requests.filter((r) => r.method === 'DELETE').map((r) => r.unenrollTarget);
  assert.deepEqual(deletes, ['jdoe', 'nosv']);
  log(`unenroll calls: ${deletes.join(', ')}`);
}
