// Commands that are not a panel: Remove Instance…, Restore Backup…, New Snippet…, Import Instances…, Import
// Database from dbconfig.xml…, Export Evidence Report…. Each stops where the product asks for a
// decision (a modal dialog, a notification) so the spec reads what it asks.

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ quick: ReturnType<import('./quickInput.mjs').quickInputPage>, dialogs: ReturnType<import('./dialogs.mjs').dialogsPage> }} deps
 */
export function commandsPage(wb, { quick, dialogs }) {
  return {
    /** Remove Instance… for `name`; resolves with the text of the modal that asks. */
    async removeInstance(name) {
      await wb.runCommand('Jira 2FA Admin: Remove Instance…');
      await quick.pickInstance(name, { next: dialogs.box(`Remove "${name}"`) });
      return dialogs.waitFor(`Remove "${name}"`);
    },
    /** Restore Backup… with the backup `backupId` chosen; resolves when its quick pick has closed. */
    async restoreBackup(backupId) {
      await wb.runCommand('Jira 2FA Admin: Restore Backup…');
      await quick.pick(backupId);
      await quick.waitClosed();
    },
    /** New Snippet… in the folder containing `folder`, named `name`; waits for its editor tab. */
    async newSnippet(folder, name) {
      await wb.runCommand('Jira 2FA Admin: New Snippet…');
      await quick.pick(folder);
      await quick.type(name);
      await wb.editorTab(`${name}.sql`).waitFor();
    },
    /** Import Instances… from `file`; resolves with the text of the preview dialog. */
    async importInstances(file) {
      await wb.runCommand('Jira 2FA Admin: Import Instances…');
      await quick.type(file);
      return dialogs.waitFor();
    },
    /** Import Database from dbconfig.xml… for `instance` from `file`; resolves with the text of the dialog that answers. */
    async importDbConfig(instance, file) {
      await wb.runCommand('Jira 2FA Admin: Import Database from dbconfig.xml…');
      await quick.pickInstance(instance, { next: quick.widget("the product's dbconfig.xml") });
      await quick.type(file);
      return dialogs.waitFor();
    },
    /** Export Evidence Report… with the proposed dates, `scope` and `format`, saved as `file`. */
    async exportEvidence({ scope, format, file }) {
      await wb.runCommand('Jira 2FA Admin: Export Evidence Report…');
      for (const title of ['Evidence report: first day', 'Evidence report: last day']) await quick.acceptDefault(title);
      await quick.pick(scope);
      await quick.pick(format);
      await quick.type(file);
    },
  };
}
