/** Instance commands: add, edit, duplicate, remove, import, export (handlers loaded on first use: commandTable.ts). */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { applyImport, exportProfiles, importPreviewLines, previewImport, ProfilesFileError } from '../../core/profiles/exchange';
import { deleteAllSecrets } from '../../core/secrets';
import { Command, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';
import { resolveInstance, type InstanceArg } from '../instancePicker';
// The panel is its own chunk, imported when it opens (its message schemas are built then).
const openInstanceForm = async (...args: Parameters<typeof import('../panels/instanceFormPanel.js').openInstanceForm>) =>
  (await import('../panels/instanceFormPanel.js')).openInstanceForm(...args);

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  const { profiles, log } = s;
  return {
    [Command.addInstance]: () => openInstanceForm(s.context.extensionUri, profiles, log, { mode: 'add', listPolicies: (p) => s.cloud.policyChoices(p) }),
    [Command.editInstance]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(profiles, arg, 'Instance to edit');
      if (profile) await openInstanceForm(s.context.extensionUri, profiles, log, { mode: 'edit', profile, listPolicies: (p) => s.cloud.policyChoices(p) });
    },
    [Command.duplicateInstance]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(profiles, arg, 'Instance to duplicate');
      if (!profile) return;
      const taken = new Set(profiles.snapshot().profiles.map((p) => p.id));
      let id = `${profile.id}-copy`.slice(0, 64);
      for (let n = 2; taken.has(id); n++) id = `${profile.id}-copy-${n}`.slice(0, 64);
      await openInstanceForm(s.context.extensionUri, profiles, log, { mode: 'add', profile: { ...profile, id, name: `${profile.name} (copy)`.slice(0, 100) }, listPolicies: (p) => s.cloud.policyChoices(p) });
    },
    [Command.removeInstance]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(profiles, arg, 'Instance to remove');
      if (!profile) return;
      const answer = await vscode.window.showWarningMessage(
        `Remove "${profile.name}" (${profile.environment})?`,
        { modal: true, detail: 'Its stored credentials (token, password, database password, TOTP seed) are deleted from the keychain too. The audit log keeps its entries.' },
        'Remove',
      );
      if (answer !== 'Remove') return;
      await deleteAllSecrets(s.secrets, profile.id);
      await profiles.remove(profile.id);
      s.statuses.clear(profile.id);
      log.info(`Removed instance ${profile.id} and its stored credentials`);
    },
    [Command.exportInstances]: async () => {
      const { profiles: valid, invalid } = profiles.snapshot();
      if (valid.length === 0) return void vscode.window.showInformationMessage('There are no valid instances to export.');
      const target = await vscode.window.showSaveDialog({
        filters: { 'Jira 2FA Admin profiles': ['json'] },
        defaultUri: vscode.Uri.joinPath(defaultFolder(), 'jira2fa-profiles.json'),
        saveLabel: 'Export',
      });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, Buffer.from(exportProfiles(valid), 'utf8'));
      const skipped = invalid.length ? ` ${invalid.length} invalid entr${invalid.length > 1 ? 'ies were' : 'y was'} not exported.` : '';
      log.info(`Exported ${valid.length} instances to ${target.fsPath}`);
      void vscode.window.showInformationMessage(`Exported ${valid.length} instance${valid.length > 1 ? 's' : ''} (no credentials).${skipped}`);
    },
    [Command.importInstances]: async (file?: vscode.Uri) => {
      const source = file ?? (await vscode.window.showOpenDialog({ filters: { 'Jira 2FA Admin profiles': ['json'] }, openLabel: 'Preview Import', canSelectMany: false }))?.[0];
      if (!source) return;
      let preview;
      try {
        const text = await fs.readFile(source.fsPath, 'utf8');
        preview = previewImport(text, profiles.snapshot().profiles);
      } catch (e) {
        const message = e instanceof ProfilesFileError ? e.message : `Could not read ${source.fsPath}: ${(e as Error).message}`;
        return void vscode.window.showErrorMessage(message);
      }
      const { lines, moved, tlsChanged } = importPreviewLines(preview);
      for (const line of lines) log.info(`Import preview: ${line}`);
      const count = preview.added.length + preview.replaced.length;
      if (count === 0) return void vscode.window.showWarningMessage('Nothing to import.', { modal: true, detail: lines.join('\n') });
      const question = `Import ${count} instance${count > 1 ? 's' : ''}?`;
      const answer = moved.length || tlsChanged
        ? await vscode.window.showWarningMessage(`⚠ ${question} It changes where ${moved.length ? 'requests go' : 'certificates are trusted'}.`, { modal: true, detail: lines.join('\n') }, 'Import')
        : await vscode.window.showInformationMessage(question, { modal: true, detail: lines.join('\n') }, 'Import');
      if (answer !== 'Import') return;
      await profiles.replaceValid(applyImport(profiles.snapshot().profiles, preview));
      void vscode.window.showInformationMessage(`Imported ${count} instance${count > 1 ? 's' : ''}. Set their credentials next.`);
    },
  };
}

function defaultFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}
