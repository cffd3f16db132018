/**
 * Every command of the extension, once: its id, title, icon, whether the Command Palette shows
 * it, and the module whose handler runs it. package.json `contributes.commands` (and the
 * palette's hidden entries) are written from this table by `npx tsx scripts/commandsManifest.ts
 * --write`; test/unit/manifest.test.ts fails when the two differ. Code names a command by
 * `Command.<name>`, never by a bare string. Free of `vscode` so scripts and tests read it.
 */

/** The handler modules, each loaded by import() on the first call of one of its commands (commandRegistry.ts). */
export type CommandModule = 'instances' | 'credentials' | 'dbConfigImport' | 'sql' | 'unenroll' | 'bulk' | 'cloud' | 'audit' | 'view';

export interface CommandSpec {
  readonly id: `jira2fa.${string}`;
  readonly title: string;
  /** A codicon, shown when a menu puts the command inline. */
  readonly icon?: string;
  /** false: hidden from the Command Palette (it only makes sense from a tree row or view title). */
  readonly palette?: false;
  readonly module: CommandModule;
}

export const CATEGORY = 'Jira 2FA Admin';

/** The Instances view (package.json `contributes.views`); `${INSTANCES_VIEW}.focus` is VS Code's command to show it. */
export const INSTANCES_VIEW = 'jira2fa.instances';

export const COMMANDS = {
  testDatabaseConnection: { id: 'jira2fa.testDatabaseConnection', title: 'Test Database Connection', icon: 'database', module: 'sql' },
  runSnippet: { id: 'jira2fa.runSnippet', title: 'Run Snippet…', icon: 'play', module: 'sql' },
  restoreBackup: { id: 'jira2fa.restoreBackup', title: 'Restore Backup…', icon: 'history', module: 'sql' },
  newSnippet: { id: 'jira2fa.newSnippet', title: 'New Snippet…', icon: 'new-file', module: 'sql' },
  addInstance: { id: 'jira2fa.addInstance', title: 'Add Instance', icon: 'add', module: 'instances' },
  refresh: { id: 'jira2fa.refresh', title: 'Refresh', icon: 'refresh', palette: false, module: 'view' },
  importInstances: { id: 'jira2fa.importInstances', title: 'Import Instances…', icon: 'cloud-download', module: 'instances' },
  exportInstances: { id: 'jira2fa.exportInstances', title: 'Export Instances…', icon: 'cloud-upload', module: 'instances' },
  editInstance: { id: 'jira2fa.editInstance', title: 'Edit Instance…', icon: 'edit', module: 'instances' },
  duplicateInstance: { id: 'jira2fa.duplicateInstance', title: 'Duplicate Instance', module: 'instances' },
  importDbConfig: { id: 'jira2fa.importDbConfig', title: 'Import Database from dbconfig.xml…', module: 'dbConfigImport' },
  removeInstance: { id: 'jira2fa.removeInstance', title: 'Remove Instance…', icon: 'trash', module: 'instances' },
  setCredentials: { id: 'jira2fa.setCredentials', title: 'Set Credentials…', icon: 'key', module: 'credentials' },
  forgetCredentials: { id: 'jira2fa.forgetCredentials', title: 'Forget Credentials…', module: 'credentials' },
  showLog: { id: 'jira2fa.showLog', title: 'Show Log', module: 'view' },
  testConnection: { id: 'jira2fa.testConnection', title: 'Test Connection', icon: 'plug', module: 'unenroll' },
  bulkDisable: { id: 'jira2fa.bulkDisable', title: 'Bulk Disable 2SV…', icon: 'organization', module: 'bulk' },
  unenrollUser: { id: 'jira2fa.unenrollUser', title: 'Unenroll User…', icon: 'person-remove', module: 'unenroll' },
  showAuditLog: { id: 'jira2fa.showAuditLog', title: 'Show Audit Log', icon: 'history', module: 'audit' },
  exportEvidenceReport: { id: 'jira2fa.exportEvidenceReport', title: 'Export Evidence Report…', icon: 'report', module: 'audit' },
  setAuditStorePassword: { id: 'jira2fa.audit.setStorePassword', title: 'Set Team Audit Store Password…', module: 'audit' },
  shipAuditNow: { id: 'jira2fa.audit.shipNow', title: 'Ship Audit Entries to the Team Store and Syslog Now', module: 'audit' },
  recoverCloudUser: { id: 'jira2fa.cloud.recoverUser', title: 'Recover a Cloud User…', icon: 'person', module: 'cloud' },
  moveBack: { id: 'jira2fa.cloud.moveBack', title: 'Move Back', icon: 'reply', module: 'cloud' },
  moveAllBack: { id: 'jira2fa.cloud.moveAllBack', title: 'Move All Back', icon: 'reply-all', module: 'cloud' },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName]['id'];

/** The typed ids: `Command.setCredentials` is `'jira2fa.setCredentials'`. */
export const Command = Object.fromEntries(Object.entries(COMMANDS).map(([name, spec]) => [name, spec.id])) as { readonly [K in CommandName]: (typeof COMMANDS)[K]['id'] };

/** What a handler module exports: its commands' handlers, built from the services on first use. */
export type CommandHandlers = { readonly [K in CommandId]?: (...args: never[]) => unknown };

/** package.json `contributes.commands`, in table order. */
export function contributedCommands(): Array<{ command: string; title: string; category: string; icon?: string }> {
  return Object.values(COMMANDS).map((c: CommandSpec) => ({ command: c.id, title: c.title, category: CATEGORY, ...(c.icon ? { icon: `$(${c.icon})` } : {}) }));
}

/** package.json `contributes.menus.commandPalette`: the commands the palette hides. */
export function hiddenFromPalette(): Array<{ command: string; when: string }> {
  return Object.values(COMMANDS).filter((c: CommandSpec) => c.palette === false).map((c) => ({ command: c.id, when: 'false' }));
}
