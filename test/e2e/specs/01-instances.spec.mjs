// Foundation: the Instances view starts empty, "Add Instance" opens the form, saving adds a
// row to the tree, and the row survives a window reload.
export const name = 'add an instance from the form; it survives a reload';

const INSTANCE = {
  name: 'E2E Jira Production',
  id: 'e2e-jira-prod',
  baseUrl: 'https://jira.e2e.example.com',
  product: 'jira',
  environment: 'production',
  username: 'e2e-admin',
};

export async function run({ pages, shot, log, assert, reloadWindow, readUserSettings, waitUntil }) {
  const { tree, instanceForm, notifications } = pages;

  // 1. the sidebar with no instance shows the welcome content
  await tree.open();
  await tree.welcome().waitFor();
  assert.equal(await tree.rowCount(), 0, 'a fresh profile must have no instance rows');
  await shot('sidebar-empty-welcome');

  // 2. Add Instance opens the webview form
  await instanceForm.openNew();
  await shot('form-open');

  // 3. fill it like a user and save
  const { username, ...fields } = INSTANCE;
  await instanceForm.fill(fields);
  // a sign-in that takes a user name (basic) when the form offers one, else the default
  await instanceForm.signInWithUserName(username);
  await shot('form-filled');
  await instanceForm.save();

  // 4. the row appears in the tree
  await tree.waitForRow(INSTANCE.name);
  await notifications.waitFor(INSTANCE.name, { timeout: 5000 }).catch(() => log('no notification naming the instance (fine)'));
  await shot('instance-in-tree');

  // the profile went to the user settings (application scope) and holds no secret
  const settings = await waitUntil(() => readUserSettings()['jira2fa.instances']?.length && readUserSettings(), { message: 'jira2fa.instances in user settings.json' });
  const saved = settings['jira2fa.instances'].find((p) => p.id === INSTANCE.id);
  assert.ok(saved, `user settings.json has no instance with id ${INSTANCE.id}: ${JSON.stringify(settings['jira2fa.instances'])}`);
  assert.equal(saved.name, INSTANCE.name);
  assert.equal(saved.baseUrl, INSTANCE.baseUrl);
  assert.ok(!/password|token|secret/i.test(JSON.stringify(Object.keys(saved))), 'a profile must not hold secrets');

  // 5. reload the window: the row is still there
  await reloadWindow();
  await tree.open();
  await tree.waitForRow(INSTANCE.name);
  await shot('after-reload');
}
