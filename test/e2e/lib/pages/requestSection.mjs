// The Request section of a panel (src/webview/shared/requestSection.ts, shared by the Unenroll,
// snippet and Cloud panels): the instance's policy,
// the ticket key and its card, how the identity was verified, "I verified this", and the comment
// added to the ticket after the action. Each panel page object that has the section exposes one
// as `request`, built over its own frame.

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {() => import('playwright-core').FrameLocator} frame the panel's content frame
 */
export function requestSection(wb, frame) {
  const el = (id) => frame().locator(`#${id}`);
  const set = (id, value) => wb.setField(frame(), `#${id}`, value);
  return {
    /** Waits for the section's summary line containing `text` (e.g. "ticket required"). */
    waitForSummary: (text) => el('requestSummary').filter({ hasText: text }).waitFor(),
    policy: () => el('requestPolicy').innerText(),
    /** Whether the section is unfolded. */
    isOpen: () => el('requestDetails').evaluate((d) => d.open),
    setTicket: (key) => set('ticket', key),
    /** Waits for the ticket card's identity line containing `text`. */
    waitForIdentity: (text, { timeout = 30000 } = {}) => el('ticketIdentity').filter({ hasText: text }).waitFor({ timeout }),
    card: () => el('ticketCard').innerText(),
    /** Whether "I verified this" is asked. */
    asksOverride: () => el('override-group').isVisible(),
    /** How the identity was verified (a choice of the list, by label). */
    setVerification: (how) => set('verification', how),
    setVerificationNote: (note) => set('verificationNote', note),
    /** "I verified this": why the admin goes on despite the card's warnings. */
    setOverride: (why) => set('override', why),
    setReason: (reason) => set('reason', reason),
    /** Waits for the result's line about the ticket comment containing `text`. */
    waitForComment: (text) => el('resultComment').filter({ hasText: text }).waitFor(),
  };
}
