/** Opens the "Run snippet" panel for one instance and snippet, backing its controller with the core. */
import os from 'node:os';
import * as vscode from 'vscode';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { RecoveryContext } from '../../core/recovery/context';
import { executeDestructiveSnippet, previewDestructiveSnippet, runReadSnippet } from '../../core/recovery/runSnippet';
import type { Snippet } from '../../core/snippets/types';
import type { Driver } from '../../core/db/types';
import { FromRunSchema, type FromRun, type ToRun } from '../../webview/snippetRun/protocol';
import { PanelHost } from '../panels/panelHost';
import type { ExtensionServices } from '../services';
import { SnippetRunController, type SnippetRunBackend } from './controller';

const open = new Map<string, PanelHost<FromRun, ToRun>>();

export function openSnippetRunPanel(s: ExtensionServices, profile: InstanceProfile, snippet: Snippet, prefill?: Record<string, string>): void {
  const key = `${profile.id}\u0000${snippet.name}`;
  const existing = open.get(key);
  if (existing) return existing.reveal();
  const host = new PanelHost<FromRun, ToRun>(s.extensionUri, s.log, {
    viewType: 'jira2fa.snippetRun',
    title: `${snippet.title} · ${profile.name}`,
    bundle: 'snippetRun',
    fromWebview: FromRunSchema,
    iconPath: vscode.Uri.joinPath(s.extensionUri, 'media', 'activitybar.svg'),
  });
  open.set(key, host);
  host.panel.onDidDispose(() => open.delete(key));
  const controller = new SnippetRunController(backendFor(s, profile, snippet), (m) => host.post(m), prefill);
  host.onMessage((m) => controller.handle(m));
}

function backendFor(s: ExtensionServices, profile: InstanceProfile, snippet: Snippet): SnippetRunBackend {
  const ctx = (driver: Driver): RecoveryContext => ({ profile, driver, audit: s.audit, admin: s.adminName(), backups: s.backups });
  return {
    instance: { id: profile.id, name: profile.name, environment: profile.environment, product: profile.product, baseUrl: profile.baseUrl },
    snippet,
    readOnly: profile.database?.readOnly !== false,
    runRead: async (params, rowLimit) => {
      const r = await s.databases.use(profile, (d) => runReadSnippet(ctx(d), snippet, params, { rowLimit }));
      s.log.info(`Snippet ${snippet.name} on ${profile.id}: ${r.rowCount} row(s)${r.truncated ? ' (cut at the row limit)' : ''}`);
      s.tree.refresh();
      return r;
    },
    preview: (params) => s.databases.use(profile, (d) => previewDestructiveSnippet(ctx(d), snippet, params)),
    execute: async (params, expectFingerprint) => {
      try {
        const r = await s.databases.use(profile, (d) => executeDestructiveSnippet(ctx(d), snippet, params, { expectFingerprint }));
        s.log.info(`Snippet ${snippet.name} on ${profile.id}: ${r.affected} row(s) changed, backup ${r.backupId}`);
        if (r.auditError) s.log.error(r.auditError);
        return r;
      } finally {
        // The enrolled count on the Database node may have changed: check again.
        void s.databases.test(profile);
        s.tree.refresh();
      }
    },
    saveExport: async (suggestedName, format, content) => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
      const target = await vscode.window.showSaveDialog({
        title: `Export ${format.toUpperCase()}`,
        defaultUri: vscode.Uri.joinPath(folder, suggestedName),
        filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      });
      if (!target) return undefined;
      await vscode.workspace.fs.writeFile(target, Buffer.from(content, 'utf8'));
      return target.scheme === 'file' ? target.fsPath : target.toString();
    },
    copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
    showBackups: () => void vscode.commands.executeCommand('jira2fa.restoreBackup', profile.id),
    notify: (message) => void vscode.window.showInformationMessage(message),
  };
}
