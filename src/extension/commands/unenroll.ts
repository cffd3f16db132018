/** Test connection, Unenroll user… and Show audit log. */
import * as vscode from 'vscode';
import type { InstanceProfile } from '../../core/profiles/schema';
import { resolveInstance, type InstanceArg } from '../instancePicker';
import type { ExtensionServices } from '../services';
import { connectionNotice } from '../tree/connectionNotice';
import type { InstanceChildren, TreeNode } from '../tree/instancesTree';
// Panels and flows are imported on first use: activation then neither evaluates their code nor
// builds their message schemas (esbuild keeps them in the bundle, initialised lazily).
const openUnenrollPanel = async (...args: Parameters<typeof import('../unenroll/unenrollPanel.js').openUnenrollPanel>) =>
  (await import('../unenroll/unenrollPanel.js')).openUnenrollPanel(...args);
const showAuditLog = async (...args: Parameters<typeof import('../audit/auditPanel.js').showAuditLog>) => (await import('../audit/auditPanel.js')).showAuditLog(...args);

const DATA_CENTER = (p: InstanceProfile) => p.product !== 'cloud';

export function registerUnenrollCommands(s: ExtensionServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('jira2fa.testConnection', async (arg: InstanceArg) => {
      const profile = await resolveInstance(s.profiles, arg, 'Test the connection of which instance?');
      if (!profile) return;
      // The instance and its database are tested together: the Database row then says how it is
      // instead of "not checked" until a first query.
      const [report, database] = await vscode.window.withProgress(
        { location: { viewId: 'jira2fa.instances' }, title: `Testing ${profile.name}…` },
        () => Promise.all([
          (profile.product === 'cloud' ? s.cloud.test(profile) : s.jira.test(profile)) as Promise<{ ok: boolean; summary: string; warnings: string[] }>,
          profile.database ? s.databases.test(profile) : Promise.resolve(undefined),
        ]),
      );
      s.log.info(`Test connection ${profile.id}: ${report.summary}${report.warnings.length ? ` (warnings: ${report.warnings.join('; ')})` : ''}${database ? `; database: ${database.state === 'error' ? database.message : database.state}` : ''}`);
      if (database) s.tree.refresh();
      const notice = connectionNotice(profile.name, report, database);
      const show = notice.level === 'error' ? vscode.window.showErrorMessage : notice.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(notice.message);
    }),
    vscode.commands.registerCommand('jira2fa.unenrollUser', async (arg: InstanceArg, username?: string) => {
      const profile = await resolveInstance(s.profiles, arg, 'Unenroll a user on which instance?', DATA_CENTER);
      if (!profile) return;
      if (!DATA_CENTER(profile)) {
        return void vscode.window.showInformationMessage('Atlassian Cloud has no recovery unenroll call: recover Cloud users through their authentication policy.');
      }
      await openUnenrollPanel(s, profile, typeof username === 'string' ? username : undefined);
    }),
    vscode.commands.registerCommand('jira2fa.showAuditLog', (entryId?: string) =>
      showAuditLog(s.extensionUri, s.auditFile, s.log, typeof entryId === 'string' ? entryId : undefined, s.auditHead, s.teamAudit),
    ),
  ];
}

/** The "Unenroll user…" node under each Data Center instance. */
export const unenrollChildren: InstanceChildren = {
  childrenOf(profile: InstanceProfile): TreeNode[] {
    if (!DATA_CENTER(profile)) return [];
    const item = new vscode.TreeItem('Unenroll user…');
    item.id = `unenroll:${profile.id}`;
    item.iconPath = new vscode.ThemeIcon('person-remove');
    item.tooltip = 'Remove a locked-out user\'s two-step verification with the recovery unenroll REST call';
    item.contextValue = 'unenroll';
    item.command = { command: 'jira2fa.unenrollUser', title: 'Unenroll user…', arguments: [profile.id] };
    return [{ kind: 'child', profile, item }];
  },
};
