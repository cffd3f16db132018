// The Instances view in the side bar: instance rows and their children (Database, Snippets,
// Unenroll user…, Recent actions, Waiting to move back …), their descriptions, hovers and
// inline actions; and the commands that act on an instance from it (Test Connection).
import { exactly } from '../workbench.mjs';

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ containerTitle: string, quick: ReturnType<import('./quickInput.mjs').quickInputPage>, notifications: ReturnType<import('./notifications.mjs').notificationsPage>, dialogs: ReturnType<import('./dialogs.mjs').dialogsPage> }} deps
 */
export function instancesTreePage(wb, { containerTitle, quick, notifications, dialogs }) {
  const { page } = wb;
  const rows = () => page.locator('.part.sidebar .monaco-list-row[role="treeitem"]');
  const tree = {
    /** Shows the view (no-op when it shows already). */
    open: () => wb.openView(containerTitle),
    /** The welcome content of the empty view. */
    welcome: () => wb.viewWelcome(),
    /** How many rows the tree shows. */
    rowCount: () => wb.treeItems().count(),
    /** The row containing `text` (a locator). */
    row: (text) => wb.treeItem(text),
    /** The row whose label is exactly `label` (not a Recent actions row that mentions it). */
    rowLabelled: (label) => rows().filter({ has: page.locator('.label-name', { hasText: exactly(label) }) }).first(),
    /** The row containing both `text` and `also` (e.g. an instance and its ✓). */
    rowWith: (text, also) => rows().filter({ hasText: text }).filter({ hasText: also }).first(),
    /** Waits for the row containing `text`. */
    waitForRow: (text, options) => wb.treeItem(text).waitFor(options),
    /** True when the row containing `text` shows within `timeout`. */
    hasRow: (text, timeout = 5000) => wb.treeItem(text).waitFor({ timeout }).then(() => true, () => false),
    /** How many rows contain `text` now. */
    countRows: (text) => wb.treeItem(text).count(),
    /** Clicks the row containing `text` (expands or collapses it, or runs its command). */
    click: (text) => wb.treeItem(text).click(),
    /** Clicks the row whose label is exactly `label`. */
    clickLabelled: (label) => tree.rowLabelled(label).click(),
    /** The text of the row containing `text` (label and description). */
    rowText: (text) => wb.treeItem(text).innerText(),
    /** Waits until the row containing `text` reads `re`; returns its text. */
    async waitForRowText(text, re, { timeout = 15000, message, exact = false } = {}) {
      const row = exact ? tree.rowLabelled(text) : wb.treeItem(text);
      return wb.waitUntil(async () => {
        const t = await row.innerText();
        return re.test(t) && t;
      }, { timeout, message: message ?? `the "${text}" row to read ${re}` });
    },
    /**
     * Hovers the row containing `text` until its hover containing `hoverText` shows; returns the
     * hover's text. The workbench shows hovers after a delay and drops one when the pointer was
     * already on the row or a notification takes focus: hover afresh a few times.
     */
    async hover(text, hoverText, { attempts = 4 } = {}) {
      const tooltip = page.locator('.monaco-hover, .workbench-hover, .custom-hover', { hasText: hoverText }).first();
      for (let attempt = 1; ; attempt++) {
        await page.mouse.move(800, 600);
        await page.waitForTimeout(300);
        await wb.treeItem(text).locator('.label-name').first().hover();
        try {
          await tooltip.waitFor({ timeout: 5000 });
          return tooltip.innerText();
        } catch (e) {
          if (attempt === attempts) throw e;
        }
      }
    },
    /** Moves the pointer off the tree (closes a hover). */
    moveAway: () => page.mouse.move(900, 700),
    /** Clicks the inline action `action` of the row labelled exactly `label`, until `until` shows. */
    rowAction: (label, action, until) => wb.clickRowAction(tree.rowLabelled(label), action, until),

    /**
     * Expands the rows along `path` (e.g. ['E2E Cloud Org', 'Waiting to move back']) as needed
     * until the row labelled exactly `target` shows.
     */
    async reveal(path, target) {
      const visible = (label) => tree.rowLabelled(label).waitFor({ timeout: 5000 }).then(() => true, () => false);
      if (await visible(target)) return;
      for (let i = 0; i < path.length; i++) {
        const child = path[i + 1] ?? target;
        if (!(await visible(child))) await tree.rowLabelled(path[i]).click();
      }
      await tree.rowLabelled(target).waitFor({ timeout: 15000 });
    },

    /**
     * Runs Test Connection for `name` from the Command Palette. `expect` is what shows when the
     * test has started: a notification (default: any) or a dialog (options.dialog). Resolves to
     * 'picked' or 'skipped' (no instance question: one instance qualifies), as pickInstance.
     */
    async testConnection(name, { expect, dialog } = {}) {
      await wb.runCommand('Jira 2FA Admin: Test Connection');
      const next = dialog ? dialogs.box(dialog) : expect ? notifications.toast(expect) : undefined;
      return quick.pickInstance(name, { next });
    },
  };
  return tree;
}
