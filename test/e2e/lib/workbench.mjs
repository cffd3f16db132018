// Helpers that drive the VS Code workbench (code-server 4.139 = VS Code 1.139) from playwright.
// Specs get them ready-made from run.mjs; see test/e2e/README.md for the list.
// Selectors follow /work/shared/reference/vscode-e2e-recipe.md.

// the quick input's text box (type="password" for password input boxes)
const QUICK_INPUT = '.quick-input-widget .quick-input-box input:not([type="checkbox"])';

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regexp matching exactly `text` (ignoring surrounding whitespace). */
export const exactly = (text) => new RegExp(`^\\s*${escapeRe(text)}\\s*$`);

/**
 * @param {object} o
 * @param {import('playwright-core').Page} o.page
 * @param {string} o.url               workbench url (http://127.0.0.1:PORT/)
 * @param {string} o.extensionId       publisher.name of the extension under test
 * @param {string} o.containerTitle    its activity-bar view container title
 */
export function createWorkbench({ page, url, extensionId, containerTitle, log = () => {} }) {
  const wb = {
    page,
    url,
    extensionId,

    /** Waits until the workbench is rendered (activity bar present). */
    async waitForWorkbench(timeout = 60000) {
      await page.locator('.monaco-workbench').waitFor({ timeout });
      await page.locator('.part.activitybar').waitFor({ timeout });
    },

    /** Waits until the extension's view container shows in the activity bar (extension host up). */
    async waitForExtension(timeout = 60000) {
      await wb.activityBarItem(containerTitle).waitFor({ timeout });
    },

    /** Loads the workbench and waits for the extension. */
    async open() {
      await page.goto(url);
      await wb.waitForWorkbench();
      await wb.waitForExtension();
    },

    /** Reloads the window (page.reload) and waits for workbench + extension again. */
    async reloadWindow() {
      await page.reload();
      await wb.waitForWorkbench();
      await wb.waitForExtension();
    },

    activityBarItem(title) {
      return page.locator(`.part.activitybar .action-item a[aria-label^="${title}"]`).first();
    },

    /** Opens a view container from the activity bar (no-op when it is already showing). */
    async openView(title = containerTitle) {
      const item = wb.activityBarItem(title);
      await item.waitFor();
      const header = page.locator('.part.sidebar .composite.title', { hasText: title }).first();
      // clicking the icon of the container that is showing hides the side bar: only click
      // when it is not showing, and check again (the restored layout may still be settling)
      const shows = (timeout) => header.waitFor({ timeout }).then(() => true, () => false);
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await shows(attempt === 0 ? 1000 : 300)) return page.locator('.part.sidebar');
        await item.click();
        if (await shows(5000)) return page.locator('.part.sidebar');
      }
      throw new Error(`openView: the side bar does not show "${title}" after clicking its activity-bar icon`);
    },

    /** The side bar (locator). */
    sidebar() {
      return page.locator('.part.sidebar');
    },

    /** A view's welcome content (shown when a tree is empty), optionally containing `text`. */
    viewWelcome(text) {
      const l = page.locator('.part.sidebar .welcome-view-content');
      return text ? l.filter({ hasText: text }).first() : l.first();
    },

    /** A tree row in the side bar containing `text` (aria-labels have trailing spaces: use hasText). */
    treeItem(text) {
      return page.locator('.part.sidebar .monaco-list-row[role="treeitem"]', { hasText: text }).first();
    },

    /** All tree rows in the side bar. */
    treeItems() {
      return page.locator('.part.sidebar .monaco-list-row[role="treeitem"]');
    },

    /** Runs a command by its palette title, e.g. 'Jira 2FA Admin: Add Instance'. */
    async runCommand(title) {
      await page.keyboard.press('Escape'); // close any open quick input / hover
      await page.keyboard.press('F1');
      const input = page.locator(QUICK_INPUT);
      await input.waitFor();
      await input.fill(`>${title}`);
      const row = page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: exactly(title) }) })
        .first();
      await row.waitFor();
      await row.click();
      // the palette closes (or turns into the command's own quick pick)
      await row.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
      log(`ran command "${title}"`);
    },

    /** Picks the item containing `text` in the open quick pick (typing `text` to filter it). */
    async answerQuickPick(text, { filter = true } = {}) {
      const input = page.locator(QUICK_INPUT);
      await input.waitFor();
      if (filter) await input.fill(text);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
      await row.waitFor();
      await row.click();
    },

    /** Types `text` into the open input box (showInputBox) and presses Enter. */
    async inputBox(text) {
      const input = page.locator(QUICK_INPUT);
      await input.waitFor();
      // Some quick inputs fill themselves in after they appear (the simple save dialog puts its
      // default path in asynchronously) and would overwrite what was typed: type, then make sure
      // the text is still there a moment later before pressing Enter.
      for (let attempt = 0; ; attempt++) {
        await input.fill(text);
        await page.waitForTimeout(300);
        if ((await input.inputValue()) === text) break;
        if (attempt === 10) throw new Error(`the quick input kept replacing "${text}" (now "${await input.inputValue()}")`);
      }
      await input.press('Enter');
    },

    /** The message of the open quick input (validation messages show here). */
    quickInputMessage() {
      return page.locator('.quick-input-widget .quick-input-message');
    },

    /** Waits for a notification toast containing `text`; returns its locator. */
    async waitForNotification(text, { timeout = 30000 } = {}) {
      const toast = page.locator('.notification-toast-container .notification-list-item', { hasText: text }).first();
      await toast.waitFor({ timeout });
      return toast;
    },

    /** Clicks a button (e.g. 'Remove') in the notification containing `text`. */
    async answerNotification(text, button) {
      const toast = await wb.waitForNotification(text);
      await toast.locator('.monaco-button', { hasText: exactly(button) }).first().click();
    },

    /** Dismisses every notification toast. */
    async clearNotifications() {
      await wb.runCommand('Notifications: Clear All Notifications').catch(() => {});
    },

    /**
     * Clicks the inline action `label` of a tree row and waits for `until` (a locator: the dialog
     * or notification the action opens). The tree may be redrawn between the hover that shows
     * the action and the click (a watcher, a progress update), and a click on a row being rebuilt
     * is lost; then, and only when nothing opened, hover and click again.
     */
    async clickRowAction(row, label, until, { attempts = 3, wait = 10000 } = {}) {
      for (let attempt = 1; ; attempt++) {
        await row.hover();
        await row.locator(`.action-label[aria-label="${label}"]`).click();
        if (await until.waitFor({ timeout: wait }).then(() => true, () => false)) return;
        if (attempt === attempts || (await page.locator('.monaco-dialog-box').count())) {
          throw new Error(`clickRowAction: the "${label}" action did not open what was expected after ${attempt} click(s)`);
        }
        log(`the "${label}" click opened nothing (the row was redrawn?): again`);
      }
    },

    /** Answers a modal dialog (confirm/warning with modal: true) by its button label. */
    async answerDialog(button) {
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor();
      await dialog.locator('.monaco-button', { hasText: exactly(button) }).first().click();
      await dialog.waitFor({ state: 'detached' });
    },

    /** An editor tab whose label contains `title`. */
    editorTab(title) {
      return page.locator('.tabs-container .tab', { hasText: title }).first();
    },

    async closeAllEditors() {
      await wb.runCommand('View: Close All Editors');
    },

    /**
     * The content frame of a webview of the extension (outer iframe.webview -> iframe#active-frame).
     * Only visible webviews are considered, so a hidden panel does not make it ambiguous.
     */
    webview(id = extensionId) {
      return page.frameLocator(`iframe.webview.ready[src*="extensionId=${id}"]:visible`).frameLocator('iframe#active-frame');
    },

    /**
     * Sets a form field in a webview like a user would; works for native inputs/selects and for
     * vscode-elements (vscode-textfield, vscode-textarea, vscode-single-select, vscode-checkbox).
     * For selects, `value` may be the option value or its label.
     */
    async setField(frame, selector, value) {
      const el = frame.locator(selector).first();
      await el.waitFor();
      const tag = await el.evaluate((e) => e.tagName.toLowerCase());
      if (tag === 'input' || tag === 'textarea') {
        const type = await el.evaluate((e) => e.type);
        if (type === 'checkbox' || type === 'radio') await el.setChecked(Boolean(value));
        else await el.fill(String(value));
      } else if (tag === 'vscode-textfield' || tag === 'vscode-textarea') {
        // playwright css pierces the open shadow root: type into the real input
        await el.locator('input, textarea').first().fill(String(value));
      } else if (tag === 'select') {
        await el.selectOption(String(value)).catch(() => el.selectOption({ label: String(value) }));
      } else if (tag === 'vscode-single-select') {
        const label = await el.evaluate((s, v) => {
          const opts = [...s.querySelectorAll('vscode-option')];
          const byValue = opts.find((o) => (o.getAttribute('value') ?? o.textContent.trim()) === v);
          const byLabel = opts.find((o) => o.textContent.trim() === v);
          return (byValue || byLabel)?.textContent.trim() ?? null;
        }, String(value));
        if (label === null) throw new Error(`${selector} has no option ${JSON.stringify(value)}`);
        await el.locator('.select-face, .combobox-face').first().click();
        await el.locator('li.option', { hasText: exactly(label) }).first().click();
      } else if (tag === 'vscode-checkbox') {
        const checked = await el.evaluate((c) => Boolean(c.checked));
        if (checked !== Boolean(value)) await el.click();
      } else {
        throw new Error(`setField: don't know how to fill <${tag}> ${selector}`);
      }
      // check that the component took the value (a select may be given a label instead of a value)
      const now = await el.evaluate((e) => ({
        value: e.value,
        checked: e.checked,
        label:
          e.selectedOptions?.[0]?.textContent?.trim() ??
          [...e.querySelectorAll('vscode-option')].find((o) => (o.getAttribute('value') ?? o.textContent.trim()) === e.value)?.textContent.trim(),
      }));
      const ok =
        typeof value === 'boolean'
          ? Boolean(now.checked) === value
          : String(now.value) === String(value) || ((tag === 'select' || tag === 'vscode-single-select') && now.label === String(value));
      if (!ok) throw new Error(`setField: ${selector} is ${JSON.stringify(now)} after setting ${JSON.stringify(value)}`);
    },

    /** Fills several fields: { '#name': 'Prod', '#product': 'jira', ... } (in order). */
    async fillForm(frame, fields) {
      for (const [selector, value] of Object.entries(fields)) await wb.setField(frame, selector, value);
    },

    /** Polls `fn` until it returns a truthy value (or throws with `message`). */
    async waitUntil(fn, { timeout = 15000, interval = 200, message = 'condition' } = {}) {
      const end = Date.now() + timeout;
      let last;
      for (;;) {
        try {
          last = await fn();
          if (last) return last;
        } catch (e) {
          last = e;
        }
        if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${message}${last instanceof Error ? ': ' + last.message : ''}`);
        await new Promise((r) => setTimeout(r, interval));
      }
    },
  };
  return wb;
}
