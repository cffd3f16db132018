// Bulk Disable 2SV…: a chain of quick inputs (instance, source of the names, the names pasted
// into the scratch editor or a group typed, the route, the preview, the confirmation), then a
// progress notification and the report opened in an editor.

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ quick: ReturnType<import('./quickInput.mjs').quickInputPage>, editor: ReturnType<import('./editor.mjs').editorPage>, dialogs: ReturnType<import('./dialogs.mjs').dialogsPage> }} deps
 */
export function bulkPage(wb, { quick, editor, dialogs }) {
  const { page } = wb;
  const bulk = {
    /** Bulk Disable 2SV… on `instance`, up to the question where the names come from. */
    async start(instance) {
      await wb.runCommand('Jira 2FA Admin: Bulk Disable 2SV…');
      await quick.pickInstance(instance, { next: quick.widget('Bulk disable 2SV: which users?') });
      await quick.waitFor('Bulk disable 2SV: which users?');
    },
    /** "Paste user names": `text` goes into the scratch editor (the input box stays open; see submitNames). */
    async pasteNames(text) {
      await quick.pick('Paste user names', { filter: false });
      await quick.waitFor('Bulk disable 2SV: user names');
      await editor.click();
      await page.keyboard.insertText(text);
    },
    /** Enter in the names input box: the pasted names are read. */
    submitNames: () => quick.accept('Bulk disable 2SV: user names'),
    /** "Members of groups…" with the group names typed. */
    async membersOf(groups) {
      await quick.pick('Members of groups…', { filter: false });
      await quick.waitFor('members of which groups?');
      await quick.type(groups);
    },
    /** Chooses the route (e.g. 'Database', 'REST recovery unenroll'); waits for the preview, returns its title. */
    async route(label, { timeout = 30000 } = {}) {
      await quick.pick(label, { filter: false });
      return quick.waitForTitle('Preview on', { timeout });
    },
    /** The preview's title now (what it counts). */
    previewTitle: () => quick.title('Preview on').textContent(),
    /** A line of the preview list (string or RegExp). */
    previewLine: (text) => quick.listLine(text),
    /** Accepts the preview with its "Disable 2SV for N users" item. */
    accept: (count) => quick.pick(`Disable 2SV for ${count} users`, { filter: false }),
    /** Test and staging: the modal confirmation. */
    confirmInDialog: () => dialogs.answer('Disable 2SV'),
    /** Production: types `count` (a wrong count shows its message; see typeWrongCount). */
    confirmCount: (count) => quick.type(String(count)),
    /** Production: types a wrong count and waits for the message asking for `expected`. */
    async typeWrongCount(wrong, expected) {
      await quick.typeOnly(String(wrong));
      await quick.message(`Type exactly ${expected}`).waitFor();
    },
    /** The confirmation waits for the next code window (REST): confirm early in one, so the wait is seen. */
    async earlyInCodeWindow() {
      const intoWindow = Date.now() % 30000;
      if (intoWindow > 15000) await page.waitForTimeout(30500 - intoWindow);
    },
    /** Waits for the report (a Markdown editor) to open; returns its text. */
    async waitForReport() {
      await editor.waitForTab('.md');
      return editor.text();
    },
  };
  return bulk;
}
