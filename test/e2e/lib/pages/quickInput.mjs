// The workbench's quick input: pick lists, input boxes, their titles and validation messages,
// and the one place that answers "which instance?" (pickInstance), a question the product skips
// when only one instance qualifies.
import { exactly } from '../workbench.mjs';

const WIDGET = '.quick-input-widget';
const INPUT = `${WIDGET} .quick-input-box input:not([type="checkbox"])`;
const ROW = '.quick-input-list .monaco-list-row';
// what shows once a command has gone past its instance question, when the caller does not say:
// another pick list or a modal dialog (not a notification: an earlier one may still show; not
// an input box: the instance pick has one too)
const NEXT_STEP = `${WIDGET}:visible ${ROW}, .monaco-dialog-box`;

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ log?: (m: string) => void }} [o]
 */
export function quickInputPage(wb, { log = () => {} } = {}) {
  const { page } = wb;
  const qi = {
    /** The open quick input whose text (title, placeholder, rows) contains `text`. */
    widget: (text) => (text ? page.locator(WIDGET, { hasText: text }) : page.locator(WIDGET)).first(),
    /** Waits for a quick input containing `text`. */
    waitFor: (text, options) => qi.widget(text).waitFor(options),
    /** The title of the open quick input when it contains `text`. */
    title: (text) => page.locator(`${WIDGET} .quick-input-title`, { hasText: text }).first(),
    /** Waits for a title containing `text` and returns the whole title. */
    async waitForTitle(text, { timeout = 30000 } = {}) {
      await qi.title(text).waitFor({ timeout });
      return qi.title(text).textContent();
    },
    /** A line of the open list matching `text` (string or RegExp). */
    listLine: (text) => page.locator(`${WIDGET} .quick-input-list`).getByText(text).first(),
    /** A row of the open list whose label is exactly `label`. */
    row: (label) => page.locator(`${WIDGET} ${ROW}`).filter({ has: page.locator('.label-name', { hasText: exactly(label) }) }).first(),
    /** Picks the row containing `text` (filtering the list with it unless filter: false). */
    pick: (text, options) => wb.answerQuickPick(text, options),
    /** Types `text` into the open input box and presses Enter. */
    type: (text) => wb.inputBox(text),
    /** Types `text` without pressing Enter (to read the validation message). */
    async typeOnly(text) {
      const input = page.locator(INPUT);
      await input.waitFor();
      await input.fill(text);
    },
    /** Presses Enter in the input of the quick input containing `text` (accepts what it holds). */
    async accept(text) {
      const input = qi.widget(text).locator('input:not([type="checkbox"])').first();
      await input.click();
      await input.press('Enter');
    },
    /** Accepts the proposed value of the quick input containing `text` (Enter, nothing typed). */
    async acceptDefault(text) {
      await qi.waitFor(text);
      await page.keyboard.press('Enter');
    },
    /** The validation message of the open input box, when it contains `text`. */
    message: (text) => (text ? page.locator(`${WIDGET} .quick-input-message`, { hasText: text }) : wb.quickInputMessage()).first(),
    /** Waits for a masked input box (typed secrets show as dots). */
    waitForMasked: () => page.locator(`${WIDGET} input[type="password"]`).waitFor(),
    /** Waits until no quick input shows (best effort: a command may keep it for its next step). */
    waitClosed: ({ timeout = 5000 } = {}) => page.locator(WIDGET).waitFor({ state: 'hidden', timeout }).catch(() => {}),
    /** Quick Open (F1 with the ">" removed): opens the workspace file `name`. */
    async openFile(name) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator(INPUT);
      await input.waitFor();
      await input.fill(name);
      await page.locator(`${WIDGET} ${ROW}`, { hasText: name }).first().click();
    },

    /**
     * Answers the instance question of the command just run with `name`. The product skips that
     * question when only one instance qualifies, so this works both ways: when the instance
     * quick pick shows (a row labelled exactly `name`) it is picked; when `next` (a locator of
     * what the command shows after the question) or any other next step (another pick list, a
     * dialog) shows first, there was no question and nothing is done.
     * Without `next`, and with nothing showing, the command is taken to have gone on after
     * `settleMs`. Returns 'picked' or 'skipped'.
     */
    async pickInstance(name, { next, timeout = 30000, settleMs = 5000 } = {}) {
      const picker = page.locator(`${WIDGET}:visible ${ROW}`).filter({ has: page.locator('.label-name', { hasText: exactly(name) }) }).first();
      const otherwise = next ?? page.locator(NEXT_STEP).first();
      const start = Date.now();
      for (;;) {
        if (await picker.isVisible().catch(() => false)) {
          await wb.answerQuickPick(name);
          return 'picked';
        }
        // the next step showing means the question was skipped; give the pick a second to show
        // first (the palette's own row may still be fading, and a quick pick wins when it shows)
        const skipped = (Date.now() - start > 1000 && (await otherwise.isVisible().catch(() => false))) || (!next && Date.now() - start > settleMs);
        if (skipped) {
          log(`no instance question for "${name}" (one instance qualifies): went on`);
          return 'skipped';
        }
        if (Date.now() - start > timeout) throw new Error(`pickInstance: neither the instance quick pick with "${name}" nor the next step showed within ${timeout} ms`);
        await page.waitForTimeout(150);
      }
    },
  };
  return qi;
}
