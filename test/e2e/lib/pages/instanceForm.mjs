// The instance form (src/webview/instanceForm): Add Instance and Edit Instance…, its fields by
// their form key (name, id, product, baseUrl, environment, authType, username, orgId, dbDriver,
// dbSchema …), the Cloud organization's policy list, Save and Cancel.

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ quick: ReturnType<import('./quickInput.mjs').quickInputPage> }} deps
 */
export function instanceFormPage(wb, { quick }) {
  const frame = () => wb.webview();
  const field = (key) => frame().locator(`#${key}`);
  const policyRow = (policyId) => frame().locator(`#policyList tr[data-policy="${policyId}"]`);
  const form = {
    /** Add Instance: opens the empty form. */
    async openNew() {
      await wb.runCommand('Jira 2FA Admin: Add Instance');
      await field('name').waitFor();
    },
    /** Edit Instance… for `name`: opens the form with the instance's values. */
    async openEdit(name) {
      await wb.runCommand('Jira 2FA Admin: Edit Instance…');
      await quick.pickInstance(name, { next: field('name') });
      await field('name').waitFor();
      // the fields are filled by the panel's init message, a moment after they show
      await wb.waitUntil(async () => (await form.value('name')) !== '', { message: `the form of ${name} filled in` });
    },
    /** Fills fields by form key, in the order given (product first: it shows the fields that go with it). */
    async fill(fields) {
      for (const [key, value] of Object.entries(fields)) await wb.setField(frame(), `#${key}`, value);
    },
    /** Sets one field. */
    set: (key, value) => wb.setField(frame(), `#${key}`, value),
    /** The current value of a field. */
    value: (key) => field(key).evaluate((e) => e.value),
    /** Whether the field (or group) `key` shows. */
    shows: (key) => field(key).isVisible(),
    /** Waits for the field (or note) `key`. */
    waitFor: (key, options) => field(key).waitFor(options),
    /** Scrolls the field (or section) `key` into view, for a screenshot. */
    scrollTo: (key) => field(key).scrollIntoViewIfNeeded(),
    /**
     * Chooses an authentication that takes a user name (basic) when the form offers one, and fills
     * the user name when the form asks for it; keeps the defaults otherwise.
     */
    async signInWithUserName(username) {
      const authType = field('authType');
      if (await authType.isVisible()) {
        const basic = await authType.evaluate((s) => [...s.querySelectorAll('vscode-option, option')].some((o) => (o.getAttribute('value') ?? '') === 'basic'));
        if (basic) await form.set('authType', 'basic');
      }
      if (await field('username').isVisible()) await form.set('username', username);
    },
    save: () => field('save').click(),
    cancel: () => field('cancel').click(),

    // The Cloud organization's authentication policies
    /** Lists the organization's policies and waits for `policyId` among them. */
    async loadPolicies(policyId) {
      await field('loadPolicies').waitFor();
      await field('loadPolicies').click();
      await policyRow(policyId).waitFor({ timeout: 30000 });
    },
    policyStatus: () => field('policyStatus').innerText(),
    policyList: () => field('policyList').innerText(),
    /** Designates `policyId` as the recovery policy. */
    useAsRecoveryPolicy: (policyId) => policyRow(policyId).locator('.use-recoveryPolicyId').click(),
    /** Designates `policyId` as the usual policy (where users go back to). */
    useAsUsualPolicy: (policyId) => policyRow(policyId).locator('.use-defaultPolicyId').click(),
    /** The admin hub link of the designated recovery policy. */
    async recoveryPolicyLink() {
      const link = frame().locator('#recoveryPolicyId-link a');
      await link.waitFor();
      return link.getAttribute('href');
    },
  };
  return form;
}
