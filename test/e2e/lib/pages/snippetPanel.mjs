// The snippet panel (src/webview/snippetRun): one per instance, replaced like a preview tab when
// another snippet is opened. Read snippets: parameters, Run, the results grid (recovery codes
// hidden until Reveal), exports. Destructive snippets: Preview, the typed confirmation on
// production, "Back up and apply" (with its modal), the backup id.
import { requestSection } from './requestSection.mjs';

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ quick: ReturnType<import('./quickInput.mjs').quickInputPage>, dialogs: ReturnType<import('./dialogs.mjs').dialogsPage> }} deps
 */
export function snippetPanelPage(wb, { quick, dialogs }) {
  const { page } = wb;
  const frame = () => wb.webview();
  const el = (id) => frame().locator(`#${id}`);
  const cell = (text) => frame().locator('.grid-cell', { hasText: text });
  const statusMatches = (re, options) =>
    wb.waitUntil(async () => {
      const s = await el('status').innerText();
      return re.test(s) && s;
    }, { message: `the snippet status to read ${re}`, ...options });
  const snippet = {
    /** The Request section of destructive snippets (ticket card, reason, the comment line). */
    request: requestSection(wb, frame),
    /**
     * Opens the snippet whose tree row contains `title` (the Snippets row expanded) and waits for
     * the panel to show it: a read snippet with its Run button, a destructive one with Preview.
     */
    async open(title, { destructive = false } = {}) {
      await wb.treeItem(title).click();
      await frame().locator('header h1', { hasText: title }).waitFor();
      await el(destructive ? 'preview' : 'run').waitFor();
    },
    /** Sets the parameter `name` (e.g. 'username'). */
    setParam: (name, value) => wb.setField(frame(), `#p-${name}`, value),
    run: () => el('run').click(),
    /** Runs with `params` set first. */
    async runWith(params) {
      for (const [name, value] of Object.entries(params)) await snippet.setParam(name, value);
      await snippet.run();
    },
    status: () => el('status').innerText(),
    /** Waits until the status line reads `re`; returns it. */
    waitForStatus: statusMatches,
    /** Waits for a grid cell containing `text`. */
    waitForCell: (text, options) => cell(text).first().waitFor(options),
    /** How many grid cells contain `text`. */
    cellCount: (text) => cell(text).count(),
    /** Whether the read-only warning shows. */
    readOnlyNoteShows: () => el('readOnlyNote').isVisible(),
    rowLimit: () => el('rowLimit').evaluate((e) => e.value),
    revealOffered: () => el('reveal').isVisible(),
    /** Reveal recovery codes; from the keyboard (focus + Enter) when keyboard: true. */
    async reveal({ keyboard = false } = {}) {
      if (keyboard) {
        await el('reveal').focus();
        await page.keyboard.press('Enter');
      } else {
        await el('reveal').click();
      }
    },
    /** Export CSV… through code-server's save dialog (a path in a quick input). */
    async exportCsv(file) {
      await el('exportCsv').click();
      await quick.type(file);
    },

    // destructive snippets
    /** Preview with `params` set first; waits until the status reads `re`. */
    async preview(params, re) {
      for (const [name, value] of Object.entries(params)) await snippet.setParam(name, value);
      await el('preview').click();
      await statusMatches(re, { message: 'preview status' });
    },
    confirm: (text) => wb.setField(frame(), '#confirmation', text),
    applyDisabled: () => el('commit').evaluate((e) => e.disabled),
    /** Waits until "Back up and apply" is enabled. */
    waitForApply: (message = 'the apply button enabled') => wb.waitUntil(async () => !(await snippet.applyDisabled()), { message }),
    /** Where the apply button and the preview rows are (the button sits above the rows). */
    async applyAboveRows() {
      const [commitBox, gridBox] = await Promise.all([el('commit').boundingBox(), frame().locator('.grid, [role="grid"]').first().boundingBox()]);
      return commitBox && gridBox ? commitBox.y < gridBox.y : undefined;
    },
    /** Clicks "Back up and apply"; resolves with the text of the modal that asks (containing `text`). */
    async apply(text) {
      await el('commit').click();
      return dialogs.waitFor(text);
    },
    /** Scrolls the ticket comment's line (after a change) into view. */
    showComment: () => el('commentBox').scrollIntoViewIfNeeded(),
    /** Answers the modal "Back up and apply" and waits until the status reads `re`; returns the backup id. */
    async confirmApply(re = /✓ .*1 row changed\..* · backup \S+/) {
      await dialogs.answer('Back up and apply');
      const status = await statusMatches(re, { message: 'done with a backup id', timeout: 30000 });
      return { status, backupId: /backup (\d{8}T\d{9}Z-[a-z0-9._-]+-[0-9a-f]{8})/.exec(status)?.[1] };
    },
  };
  return snippet;
}
