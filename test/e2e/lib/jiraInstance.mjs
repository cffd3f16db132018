// A Data Center instance set up as an admin does it in the editor: the Add Instance form, then
// the personal access token and the admin's own TOTP seed through Set Credentials… (masked
// input boxes, into SecretStorage). Shared by the specs that talk to the Jira simulator.
// `shot` (optional) takes the pictures a spec wants of the steps.

/** Adds the instance through the form and stores its token and seed; resolves when both are stored. */
export async function addJiraInstanceWithCredentials(ctx, { name, id, environment, baseUrl, token, seed }, shot = async () => {}) {
  const { tree, instanceForm, credentials, notifications } = ctx.pages;
  await instanceForm.openNew();
  await instanceForm.fill({ name, id, product: 'jira', baseUrl, environment, authType: 'pat' });
  await shot('instance-form-filled');
  await instanceForm.save();
  await tree.waitForRow(name);

  // the saved notification offers Set Credentials… for this instance (no instance question)
  await credentials.openFromSaved(name);
  await credentials.choose('Personal access token'); // typed secrets are masked
  await shot('token-input-box');
  await credentials.enter(token);
  await notifications.waitFor(`Stored the personal access token for "${name}"`);
  await credentials.set(name, 'Your own TOTP seed', seed, `Stored your own TOTP seed (base32) for "${name}"`);
  await shot('credentials-stored');
}
