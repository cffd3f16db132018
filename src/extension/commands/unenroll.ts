/** Test Connection and Unenroll User…: handlers loaded on first use (commandTable.ts). */
import * as vscode from 'vscode';
import { resolveInstance, type InstanceArg } from '../instancePicker';
import { isDataCenter } from '../instanceCandidates';
import { Command, INSTANCES_VIEW, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';
import { connectionNotice } from '../tree/connectionNotice';
// The panel is its own chunk, imported when it opens (its message schemas are built then).
const openUnenrollPanel = async (...args: Parameters<typeof import('../unenroll/unenrollPanel.js').openUnenrollPanel>) =>
  (await import('../unenroll/unenrollPanel.js')).openUnenrollPanel(...args);


export function commandHandlers(s: ExtensionServices): CommandHandlers {
  return {
    [Command.testConnection]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(s.profiles, arg, 'Test the connection of which instance?');
      if (!profile) return;
      // The instance and its database are tested together: the Database row then says how it is
      // instead of "not checked" until a first query.
      const [report, database] = await vscode.window.withProgress(
        { location: { viewId: INSTANCES_VIEW }, title: `Testing ${profile.name}…` },
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
    },
    [Command.unenrollUser]: async (arg: InstanceArg, username?: string) => {
      const profile = await resolveInstance(s.profiles, arg, 'Unenroll a user on which instance?', isDataCenter);
      if (!profile) return;
      if (!isDataCenter(profile)) {
        return void vscode.window.showInformationMessage('Atlassian Cloud has no recovery unenroll call: recover Cloud users through their authentication policy.');
      }
      await openUnenrollPanel(s, profile, typeof username === 'string' ? username : undefined);
    },
  };
}
