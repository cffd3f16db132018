// Notification toasts: results of commands, progress, questions with buttons.

/** @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb */
export function notificationsPage(wb) {
  const { page } = wb;
  const toasts = (text) => page.locator('.notification-toast-container .notification-list-item', { hasText: text });
  const n = {
    /** The toast containing `text` (a locator; it may not be showing). */
    toast: (text) => toasts(text).first(),
    /** Either of two toasts (e.g. a progress toast that may come and go, or the result). */
    either: (a, b) => toasts(a).or(toasts(b)).first(),
    /** Waits for a toast containing `text`; returns its locator. */
    waitFor: (text, options) => wb.waitForNotification(text, options),
    /** Waits for a toast containing `text`; returns its whole text. */
    async text(text, options) {
      return (await wb.waitForNotification(text, options)).innerText();
    },
    /** True when a toast containing `text` showed within `timeout` (for toasts that may be too quick to catch). */
    caught: (text, timeout) => wb.waitForNotification(text, { timeout }).then(() => true, () => false),
    /** Waits until the toast containing `text` shows `line` too (a progress message: string or RegExp). */
    async waitForLine(text, line, { timeout = 30000 } = {}) {
      await toasts(text).first().getByText(line).first().waitFor({ timeout });
    },
    /** Clicks `button` in the toast containing `text`. */
    answer: (text, button) => wb.answerNotification(text, button),
    /** Waits until the toast containing `text` is gone. */
    waitGone: (text, { timeout = 30000 } = {}) => toasts(text).first().waitFor({ state: 'detached', timeout }),
    /** Dismisses every toast. */
    clear: () => wb.clearNotifications(),
  };
  return n;
}
