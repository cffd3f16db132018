// The status bar: an item by its text and its hover.

/** @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb */
export function statusBarPage(wb) {
  const { page } = wb;
  const item = (text) => page.locator('.statusbar-item', { hasText: text }).first();
  return {
    item,
    waitFor: (text, options) => item(text).waitFor(options),
    count: (text) => page.locator('.statusbar-item', { hasText: text }).count(),
    /** Hovers the item containing `text`; waits for its hover containing `hoverText`. */
    async hover(text, hoverText, { timeout = 15000 } = {}) {
      await item(text).hover();
      await page.locator('.monaco-hover, .workbench-hover', { hasText: hoverText }).first().waitFor({ timeout });
    },
  };
}
