// A Data Center instance set up as an admin does it in the editor: the Add Instance form, then
// the personal access token and the admin's own TOTP seed through Set Credentials… (masked
// input boxes, into SecretStorage). Shared by the specs that talk to the Jira simulator.
// `shot` (optional) takes the pictures a spec wants of the steps.

/** Adds the instance through the form and stores its token and seed; resolves when both are stored. */
export async function addJiraInstanceWithCredentials(ctx, { name, id, environment, baseUrl, token, seed }, shot = async () => {}) {
  const { page, treeItem, runCommand, answerQuickPick, answerInstancePick, readUserSettings, inputBox, webview, setField, waitForNotification, answerNotification } = ctx;
  await runCommand('Jira 2FA Admin: Add Instance');
  const form = webview();
  await form.locator('#name').waitFor();
  await setField(form, '#name', name);
  await setField(form, '#id', id);
  await setField(form, '#product', 'jira');
  await setField(form, '#baseUrl', baseUrl);
  await setField(form, '#environment', environment);
  await setField(form, '#authType', 'pat');
  await shot('instance-form-filled');
  await form.locator('#save').click();
  await treeItem(name).waitFor();

  await answerNotification(`Saved instance "${name}"`, 'Set Credentials…');
  await answerQuickPick('Personal access token');
  await page.locator('.quick-input-widget input[type="password"]').waitFor(); // typed secrets are masked
  await shot('token-input-box');
  await inputBox(token);
  await waitForNotification(`Stored the personal access token for "${name}"`);
  await runCommand('Jira 2FA Admin: Set Credentials…');
  await answerInstancePick(name, readUserSettings()['jira2fa.instances']);
  await answerQuickPick('Your own TOTP seed');
  await inputBox(seed);
  await waitForNotification(`Stored your own TOTP seed (base32) for "${name}"`);
  await shot('credentials-stored');
}
