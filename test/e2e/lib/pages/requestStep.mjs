// The request step of the flows without a panel (src/extension/requestPrompt.ts): Bulk Disable
// 2SV…, Restore Backup…, Cloud Move Back. Shown only when the instance requires a request: one
// input box takes a reason or a ticket key; a key goes on to the ticket's card (a quick pick),
// "I verified this" when it warns, the verification method, a note and a reason.

const TITLE = 'the request behind it';

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ quick: ReturnType<import('./quickInput.mjs').quickInputPage> }} deps
 */
export function requestStepPage(wb, { quick }) {
  const step = {
    /** Waits for the step's first input box (its title names the action and "the request behind it"). */
    waitFor: (options) => quick.waitForTitle(TITLE, options),
    /** Answers with a reason (production's default policy asks for a reason or a ticket). */
    async reason(text) {
      await step.waitFor();
      await quick.type(text);
    },
    /** Types the ticket key; waits for its card and returns the card's lines. */
    async ticket(key) {
      await step.waitFor();
      await quick.type(key);
      await quick.listLine(`Use ${key}`).waitFor({ timeout: 30000 });
      return quick.widget(`Use ${key}`).locator('.quick-input-list').innerText();
    },
    /** Uses the ticket shown, then answers the next boxes: the typed reason when it warned, the method, note and reason. */
    async useTicket(key, { override, method, note = '', reason = '' }) {
      await quick.pick(`Use ${key}`, { filter: false });
      if (override) await quick.type(override);
      await quick.pick(method);
      await quick.type(note);
      await quick.type(reason);
    },
  };
  return step;
}
