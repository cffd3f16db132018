// The Cloud recovery panel (src/webview/cloudRecover): find a user, read the diagnosis and its
// facts, choose the target policy, type the confirmation, Move, follow Atlassian's task, read
// the result (tracker line, admin hub link, audit entry).
import { requestSection } from './requestSection.mjs';

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ tree: ReturnType<import('./instancesTree.mjs').instancesTreePage> }} deps
 */
export function cloudPanelPage(wb, { tree }) {
  const frame = () => wb.webview();
  const el = (id) => frame().locator(`#${id}`);
  const text = (id) => el(id).innerText();
  const cloud = {
    /** The Request section of a move (ticket card, reason, the comment line). */
    request: requestSection(wb, frame),
    /** Opens the panel from the "Recover a Cloud user…" row of the expanded organization. */
    async openFromTree() {
      await tree.clickLabelled('Recover a Cloud user…');
      await el('query').waitFor();
    },
    /** Waits for the connection banner to contain `t`. */
    waitForConnection: (t) => el('connection').filter({ hasText: t }).waitFor(),
    /** Searches with Enter in the search field; waits for at least `atLeast` users to choose from. */
    async search(query, atLeast = 1) {
      await wb.setField(frame(), '#query', query);
      await el('query').press('Enter');
      await frame().locator('.userChoice').nth(atLeast - 1).waitFor();
    },
    /** Chooses the user containing `who` among the matches. */
    choose: (who) => frame().locator('.userChoice', { hasText: who }).click(),
    /** Finds `query` with the Find button (one match: diagnosed at once). */
    async find(query) {
      await wb.setField(frame(), '#query', query);
      await el('find').click();
    },
    /** Waits for the diagnosis with code `code` (e.g. 'undetermined'). */
    waitForDiagnosis: (code) => frame().locator(`#diagnosis[data-code="${code}"]`).waitFor(),
    /** A fact of the diagnosis: 'Email', 'Managed', 'TwoSv', 'Policy', 'LastActive'. */
    fact: (name) => text(`fact${name}`),
    diagnosisSummary: () => text('diagnosisSummary'),
    hubLinkCount: () => el('hubLink').count(),
    /** The labels of the target policies offered. */
    offeredTargets: () => frame().locator('#target vscode-option').allInnerTexts(),
    targetInfo: () => text('targetInfo'),
    /** Whether the extra acknowledgement (a target that is not the recovery policy) is asked. */
    asksAcknowledgement: () => el('ackGroup').isVisible(),
    setTarget: (policyId) => wb.setField(frame(), '#target', policyId),
    confirm: (t) => wb.setField(frame(), '#confirmation', t),
    moveDisabled: () => el('move').evaluate((b) => b.disabled),
    /** Waits until Move is enabled. */
    waitForMove: (message = 'Move enabled') => wb.waitUntil(async () => !(await cloud.moveDisabled()), { message }),
    move: () => el('move').click(),
    /** Waits for the task progress line containing `t`. */
    waitForProgress: (t, { timeout = 30000 } = {}) => el('progress').filter({ hasText: t }).waitFor({ timeout }),
    /** Waits for the result title containing `t` (Atlassian's task is polled: allow a minute). */
    waitForResult: (t, { timeout = 60000 } = {}) => el('resultTitle').filter({ hasText: t }).waitFor({ timeout }),
    result: () => text('result'),
    resultTracker: () => text('resultTracker'),
    resultHubLinkCount: () => el('resultHubLink').count(),
    resultAudit: () => text('resultAudit'),
    moveSectionShows: () => el('moveSection').isVisible(),
    /** Scrolls a part ('targetInfo', 'result' …) into view, for a screenshot. */
    scrollTo: (id) => el(id).scrollIntoViewIfNeeded(),
  };
  return cloud;
}
