// The audit log panel (src/webview/auditLog): the local log with its chain check, one row per
// entry, and the Team view over the team audit store.

/** @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb */
export function auditPanelPage(wb) {
  const { page } = wb;
  const frame = () => wb.webview();
  const el = (id) => frame().locator(`#${id}`);
  const entry = (id) => frame().locator(`tr[data-id="${id}"]`);
  const teamAdmins = () => frame().locator('#table tbody tr td:nth-child(2)').allInnerTexts();
  const audit = {
    /** Show Audit Log; waits for the first entry. */
    async open() {
      await wb.runCommand('Jira 2FA Admin: Show Audit Log');
      await frame().locator('tr[data-id]').first().waitFor();
    },
    /** Show Audit Log; waits for the panel only (its tabs), whatever the log holds. */
    async openPanel() {
      await wb.runCommand('Jira 2FA Admin: Show Audit Log');
      await el('tab-team').waitFor();
    },
    /** Waits for the row of entry `id`. */
    waitForEntry: (id) => entry(id).waitFor(),
    /** Whether the row of entry `id` is the focused one. */
    isFocused: async (id) => /focused/.test((await entry(id).getAttribute('class')) ?? ''),
    /** Waits for the chain check to report "Chain verified". */
    waitForVerified: () => el('verify').filter({ hasText: 'Chain verified' }).waitFor(),
    entryCount: () => frame().locator('tr[data-id]').count(),
    /** The table as text (action names, times, identities). */
    table: () => el('table').innerText(),

    // Team view
    showTeam: () => el('tab-team').click(),
    /** Searches the team store again until `accept(admins)` holds for the admins of the rows listed. */
    async searchTeamUntil(accept, { message, timeout = 15000 } = {}) {
      await wb.waitUntil(async () => {
        await el('team-search').click();
        await page.waitForTimeout(500);
        return accept(await teamAdmins());
      }, { message, timeout });
    },
    teamStatus: () => el('team-status').innerText(),
    filterTeamByAdmin: (admin) => wb.setField(frame(), '#team-admin', admin),
  };
  return audit;
}
