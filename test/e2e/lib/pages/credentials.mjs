// Set Credentials…: the credential kinds of an instance and the masked input box that puts a
// secret into SecretStorage.

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ quick: ReturnType<import('./quickInput.mjs').quickInputPage>, notifications: ReturnType<import('./notifications.mjs').notificationsPage> }} deps
 */
export function credentialsPage(wb, { quick, notifications }) {
  const c = {
    /** Set Credentials… from the Command Palette, up to the kind question (the instance answered). */
    async open(instance) {
      await wb.runCommand('Jira 2FA Admin: Set Credentials…');
      await quick.pickInstance(instance, { next: quick.title(`Credentials of ${instance}`) });
    },
    /** "Set Credentials…" offered by the notification that the instance `name` was saved. */
    openFromSaved: (name) => notifications.answer(`Saved instance "${name}"`, 'Set Credentials…'),
    /** Chooses the credential kind; waits for the masked input box. */
    async choose(kind) {
      await quick.pick(kind);
      await quick.waitForMasked();
    },
    /** Types the secret into the masked input box and presses Enter. */
    enter: (secret) => quick.type(secret),
    /** The whole of Set Credentials… for one secret; resolves when the stored notification shows (containing `stored`). */
    async set(instance, kind, secret, stored) {
      await c.open(instance);
      await c.choose(kind);
      await c.enter(secret);
      await notifications.waitFor(stored);
    },
  };
  return c;
}
