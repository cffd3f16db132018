// Credentials bound to their host (issue #13, finding 2) in the real editor: an instance with its
// token stored, then a profiles file that re-points it (same id, new host, allowSelfSigned) is
// imported. The import preview names the new host first, marked ⚠. Test Connection then asks in
// a modal naming the old and the new host; Cancel sends nothing (the simulator sees no request)
// and says why; "Use with new host" sends it and the status is filled again.
// The new host is "localhost" instead of "127.0.0.1": another origin, the same simulator.
import fs from 'node:fs';
import path from 'node:path';
import { addJiraInstanceWithCredentials } from '../lib/jiraInstance.mjs';
import { withJiraSimulator } from '../lib/simulator.mjs';

export const name = 'a re-pointed instance: the import preview shows the new host, the token is not sent until confirmed';
export const timeoutMs = 240000;

const INSTANCE = { name: 'E2E Bound Jira', id: 'e2e-bound', environment: 'staging' };

export function run(ctx) {
  return withJiraSimulator(ctx, flow);
}

async function flow(ctx, sim) {
  const { shot, assert, server, readUserSettings } = ctx;
  const { tree, commands, dialogs, notifications } = ctx.pages;
  const ASK = 'now points at another host';
  await tree.open();
  await addJiraInstanceWithCredentials(ctx, { ...INSTANCE, baseUrl: sim.baseUrl, token: sim.admin.token, seed: sim.admin.seed });
  await notifications.clear();

  // 1. a profiles file re-pointing the instance: same id, another host, allowSelfSigned
  const saved = readUserSettings()['jira2fa.instances'].find((p) => p.id === INSTANCE.id);
  const moved = sim.baseUrl.replace('127.0.0.1', 'localhost');
  const file = path.join(server.workspace, 'incoming-profiles.json');
  fs.writeFileSync(file, JSON.stringify({ version: 1, instances: [{ ...saved, baseUrl: moved, tls: { allowSelfSigned: true } }] }, null, 2));
  const text = await commands.importInstances(file);
  assert.match(text, /⚠ Import 1 instance\? It changes where requests go\./);
  assert.match(text, new RegExp(`⚠ NEW HOST for ${INSTANCE.id}`));
  assert.ok(text.includes(`⚠ ${INSTANCE.id}: baseUrl ${sim.baseUrl} → ${moved}`), text);
  assert.match(text, /⚠ e2e-bound: tls\.allowSelfSigned false → true \(certificate trust\)/);
  assert.ok(text.indexOf('NEW HOST') < text.indexOf('Replaced (1)'), 'the new host comes before "Replaced"');
  await shot('import-preview-new-host');
  await dialogs.answer('Import');

  // 2. Test Connection: the modal names both hosts; Cancel sends nothing
  const before = (await sim.requests()).length;
  await tree.testConnection(INSTANCE.name, { dialog: ASK });
  const origin = (u) => `${new URL(u).protocol}//${new URL(u).hostname}:${new URL(u).port}`;
  const askText = await dialogs.waitFor(ASK);
  assert.ok(askText.includes(origin(sim.baseUrl)) && askText.includes(origin(moved)), `the modal names both hosts: ${askText}`);
  await shot('credential-new-host-modal');
  await dialogs.answer('Cancel');
  // the row's status (its hover) says why
  await tree.hover(INSTANCE.name, 'it was not sent');
  assert.equal((await sim.requests()).length, before, 'no request reached the simulator after Cancel');
  await shot('credential-not-sent');
  await tree.moveAway();

  // 3. "Use with new host": sent, bound to the new host, and the status is filled again
  await notifications.clear();
  await tree.testConnection(INSTANCE.name, { dialog: ASK });
  await dialogs.waitFor(ASK);
  await dialogs.answer('Use with new host');
  // The row's short description after a passed test: "✓ <host>" (the details are in its tooltip).
  await tree.row(`✓ ${new URL(moved).hostname}`).waitFor({ timeout: 30000 });
  assert.ok((await sim.requests()).length > before, 'the request went out after the confirmation');
  await shot('credential-rebound-connected');

  // and it is not asked again: the test runs to its result with no modal
  await notifications.clear();
  await tree.testConnection(INSTANCE.name, { expect: 'signed in as admin' });
  await notifications.waitFor('signed in as admin');
  assert.equal(await dialogs.count(ASK), 0, 'asked again after "Use with new host"');
}
