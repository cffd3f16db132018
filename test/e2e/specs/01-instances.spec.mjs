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

export async function run({ shot, log, assert, openView, viewWelcome, treeItem, treeItems, runCommand, webview, setField, waitForNotification, reloadWindow, readUserSettings, containerTitle, waitUntil }) {
  // 1. the sidebar with no instance shows the welcome content
  await openView(containerTitle);
  await viewWelcome().waitFor();
  assert.equal(await treeItems().count(), 0, 'a fresh profile must have no instance rows');
  await shot('sidebar-empty-welcome');

  // 2. Add Instance opens the webview form
  await runCommand('Jira 2FA Admin: Add Instance');
  const form = webview();
  await form.locator('#name').waitFor();
  await shot('form-open');

  // 3. fill it like a user and save
  await setField(form, '#name', INSTANCE.name);
  await setField(form, '#id', INSTANCE.id);
  await setField(form, '#baseUrl', INSTANCE.baseUrl);
  await setField(form, '#product', INSTANCE.product);
  await setField(form, '#environment', INSTANCE.environment);
  const authType = form.locator('#authType');
  if (await authType.isVisible()) {
    // the first option that takes a user name (basic) when there is one, else keep the default
    const basic = await authType.evaluate((s) => [...s.querySelectorAll('vscode-option, option')].some((o) => (o.getAttribute('value') ?? '') === 'basic'));
    if (basic) await setField(form, '#authType', 'basic');
  }
  const username = form.locator('#username');
  if (await username.isVisible()) await setField(form, '#username', INSTANCE.username);
  await shot('form-filled');
  await form.locator('#save').click();

  // 4. the row appears in the tree
  const row = treeItem(INSTANCE.name);
  await row.waitFor();
  await waitForNotification(INSTANCE.name, { timeout: 5000 }).catch(() => log('no notification naming the instance (fine)'));
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
  await openView(containerTitle);
  await treeItem(INSTANCE.name).waitFor();
  await shot('after-reload');
}
