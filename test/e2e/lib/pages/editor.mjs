// The editor area: tabs, the text of the active editor, typing at its top, and the hover of a
// diagnostic (squiggle).

/** @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb */
export function editorPage(wb) {
  const { page } = wb;
  const lines = () => page.locator('.editor-instance .monaco-editor .view-lines').first();
  const squiggle = () => page.locator('.monaco-editor .squiggly-error').first();
  const ed = {
    /** The editor tab whose label contains `title`. */
    tab: (title) => wb.editorTab(title),
    waitForTab: (title, options) => wb.editorTab(title).waitFor(options),
    /** How many tabs contain `title`. */
    tabCount: (title) => page.locator('.tabs-container .tab', { hasText: title }).count(),
    /** Brings the tab containing `title` to the front. */
    show: (title) => wb.editorTab(title).click(),
    closeAll: () => wb.closeAllEditors(),
    /** Clicks into the text of the active editor. */
    click: () => lines().click(),
    /** The text of the active editor (Monaco's no-break spaces as spaces). */
    text: async () => (await lines().textContent()).replace(/\u00a0/g, ' '),
    /** Types `text` at the very top of the active editor. */
    async typeAtTop(text) {
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+Home');
      await page.keyboard.type(text);
    },
    /** Waits for an error squiggle in the editor. */
    waitForSquiggle: (options) => squiggle().waitFor(options),
    /**
     * Points at the first error squiggle until its hover containing `text` shows; returns the
     * hover's text. The squiggle is drawn under the text layer: move the mouse onto it.
     */
    async squiggleHover(text, { attempts = 4 } = {}) {
      await squiggle().waitFor({ timeout: 30000 });
      const hover = page.locator('.monaco-hover', { hasText: text }).first();
      for (let attempt = 1; ; attempt++) {
        const box = await squiggle().boundingBox();
        await page.mouse.move(10, 10);
        await page.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2);
        try {
          await hover.waitFor({ timeout: 5000 });
          return hover.innerText();
        } catch (e) {
          if (attempt === attempts) throw e;
        }
      }
    },
    /** Closes a hover or suggestion (Escape). */
    escape: () => page.keyboard.press('Escape'),
  };
  return ed;
}
