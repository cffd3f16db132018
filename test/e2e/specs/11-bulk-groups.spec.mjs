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
  const { shot, log, assert } = ctx;
  const { tree, bulk, notifications, editor } = ctx.pages;

  await tree.open();
  await addJiraInstanceWithCredentials(ctx, { ...INSTANCE, environment: 'test', baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed });
  await editor.closeAll();

  // 1. the source: members of groups, then the group name
  await bulk.start(INSTANCE.name);
  await shot('sources');
  await bulk.membersOf('phones-replaced');

  // 2. REST (no database), then the preview: the group and its size, the admin left out
  await bulk.route('REST recovery unenroll');
  await bulk.previewLine(/From members of phones-replaced \(3\); 1 left out/).waitFor();
  await bulk.previewLine('your own account: an admin cannot remove their own two-step verification').waitFor();
  assert.match(await bulk.previewTitle(), /2 pending/);
  await shot('preview-group');
  await bulk.accept(2);
  await bulk.earlyInCodeWindow();
  await bulk.confirmInDialog();

  // 3. the run ends: jdoe unenrolled, nosv has no enrollment; the report opens
  await notifications.waitFor('Bulk disable on E2E Groups: 1 disabled, 1 not enrolled', { timeout: 120000 });
  await bulk.waitForReport();
  await shot('report-opened');

  // 4. what reached the server: the group read with includeInactiveUsers=false, no DELETE for the admin
  const requests = await sim.requests();
  assert.ok(requests.some((r) => r.method === 'GET' && r.rawPath.startsWith('/rest/api/2/group/member?groupname=phones-replaced&includeInactiveUsers=false&startAt=0')), 'the group was read');
  const deletes = requests.filter((r) => r.method === 'DELETE').map((r) => r.unenrollTarget);
  assert.deepEqual(deletes, ['jdoe', 'nosv']);
  log(`unenroll calls: ${deletes.join(', ')}`);
}
