// Modal dialogs (showWarningMessage(…, { modal: true })): confirmations and refusals.

/** @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb */
export function dialogsPage(wb) {
  const { page } = wb;
  const box = (text) => (text ? page.locator('.monaco-dialog-box', { hasText: text }) : page.locator('.monaco-dialog-box')).first();
  return {
    /** The dialog (containing `text` when given); a locator, for waits and clickRowAction. */
    box,
    /** Waits for a dialog (containing `text` when given) and returns its whole text. */
    async waitFor(text) {
      await box(text).waitFor();
      return box(text).innerText();
    },
    /** Clicks `button` and waits for the dialog to close. */
    answer: (button) => wb.answerDialog(button),
    /** Closes the dialog with Escape. */
    async dismiss() {
      await page.keyboard.press('Escape');
      await box().waitFor({ state: 'detached' });
    },
    /** How many dialogs containing `text` show now (0 or 1). */
    count: (text) => box(text).count(),
  };
}
