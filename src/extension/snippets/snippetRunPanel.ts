/** Opens the "Run snippet" panel for one instance and snippet, backing its controller with the core. */
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import { AppError } from '../../core/errors';
import { defaultExportFolder, writePrivateFile } from '../../core/privateFile';
import type { InstanceProfile } from '../../core/profiles/schema';
import { databaseIdentity, type DatabaseDeps } from '../../core/actions/database';
import { runSnippetChange, runSnippetPreview, runSnippetRead } from '../../core/actions/snippet';
import { auditRecoveryCodeReveal } from '../../core/recovery/reveal';
import type { Snippet } from '../../core/snippets/types';
import { FromRunSchema, type FromRun, type ToRun } from '../../webview/snippetRun/protocol';
import { PanelHost } from '../panels/panelHost';
import { requestBackendFor, requestGateFor } from '../requestGate';
import { verificationMethods } from '../requestSettings';
import type { ExtensionServices } from '../services';
import { SnippetRunController, type SnippetRunBackend } from './controller';

/** One panel per instance, reused like VS Code's preview tabs: another snippet replaces it. */
const open = new Map<string, { host: PanelHost<FromRun, ToRun>; snippet: string }>();

export function openSnippetRunPanel(s: ExtensionServices, profile: InstanceProfile, snippet: Snippet, prefill?: Record<string, string>): void {
  const key = profile.id;
  const existing = open.get(key);
  if (existing?.snippet === snippet.name && !prefill) return existing.host.reveal();
  if (existing) {
    open.delete(key);
    existing.host.panel.dispose();
  }
  const host = new PanelHost<FromRun, ToRun>(s.context.extensionUri, s.log, {
    viewType: 'jira2fa.snippetRun',
    title: `${snippet.title} · ${profile.name}`,
    bundle: 'snippetRun',
    fromWebview: FromRunSchema,
    iconPath: vscode.Uri.joinPath(s.context.extensionUri, 'media', 'activitybar.svg'),
  });
  open.set(key, { host, snippet: snippet.name });
  host.panel.onDidDispose(() => {
    if (open.get(key)?.host === host) open.delete(key);
  });
  const controller = new SnippetRunController(backendFor(s, profile, snippet), (m) => host.post(m), prefill);
  host.onMessage((m) => controller.handle(m));
}

function backendFor(s: ExtensionServices, opened: InstanceProfile, snippet: Snippet): SnippetRunBackend {
  // The profile as it is now: it may have been edited (say, made production) since the panel opened.
  const live = (): InstanceProfile => {
    const p = s.profiles.get(opened.id);
    if (!p) throw new AppError('input', `The instance "${opened.name}" was removed: nothing was run.`);
    return p;
  };
  // The editor's pooled database sessions and the backups folder the CLI uses too.
  // No admin name: SQL is recorded as the database user (databaseIdentity), the OS user beside it.
  const deps: DatabaseDeps = { audit: s.audit, secrets: s.secrets, backups: s.backups, withDatabase: (p, fn) => s.databases.use(p, fn), requests: requestGateFor(s) };
  return {
    get instance() {
      const p = s.profiles.get(opened.id) ?? opened;
      return { id: p.id, name: p.name, environment: p.environment, product: p.product, baseUrl: p.baseUrl };
    },
    snippet,
    get readOnly() {
      return (s.profiles.get(opened.id) ?? opened).database?.readOnly !== false;
    },
    runRead: async (params, rowLimit) => {
      const r = await runSnippetRead(deps, { profile: live(), snippet, params, rowLimit });
      s.log.info(`Snippet ${snippet.name} on ${opened.id}: ${r.rowCount} row(s)${r.truncated ? ' (cut at the row limit)' : ''}`);
      s.tree.refresh();
      return r;
    },
    preview: async (params) => runSnippetPreview(deps, { profile: live(), snippet, params }),
    requests: requestBackendFor(s, opened, verificationMethods),
    execute: async ({ params, expectFingerprint, confirmation, request, onComment }) => {
      try {
        const r = await runSnippetChange(deps, { profile: live(), snippet, params, expectFingerprint, ...(confirmation !== undefined ? { confirmation } : {}), ...(request ? { request } : {}), onComment });
        s.log.info(`Snippet ${snippet.name} on ${opened.id}: ${r.affected} row(s) changed, backup ${r.backupId}`);
        if (r.auditError) s.log.error(r.auditError);
        return r;
      } finally {
        // The enrolled count on the Database node may have changed: check again.
        const p = s.profiles.get(opened.id);
        if (p?.database) void s.databases.test(p);
        s.tree.refresh();
      }
    },
    auditReveal: async (request) => {
      const p = live();
      const id = await auditRecoveryCodeReveal({ profile: p, audit: s.audit, admin: databaseIdentity(p, undefined) }, request);
      s.log.info(`Snippet ${snippet.name} on ${opened.id}: recovery codes revealed (audit entry ${id})`);
      return id;
    },
    saveExport: async (suggestedName, format, content) => {
      // Outside the workspace (core/privateFile.ts), owner-only: rows can hold recovery codes.
      const target = await vscode.window.showSaveDialog({
        title: `Export ${format.toUpperCase()}`,
        defaultUri: vscode.Uri.joinPath(vscode.Uri.file(defaultExportFolder()), suggestedName),
        filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      });
      if (!target) return undefined;
      if (target.scheme !== 'file') throw new AppError('input', 'Exports are written to a local file only (owner-only permissions cannot be set elsewhere): choose a folder on this computer.');
      await writePrivateFile(target.fsPath, content);
      return target.fsPath;
    },
    copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
    showBackups: () => void vscode.commands.executeCommand(Command.restoreBackup, opened.id),
    notify: (message) => void vscode.window.showInformationMessage(message),
    confirmChange: async (change) => {
      const rows = `${change.rows} row${change.rows === 1 ? '' : 's'} of ${change.table}`;
      const apply = 'Back up and apply';
      const answer = await vscode.window.showWarningMessage(
        `${change.title} on ${change.instanceName} (${change.environment})?`,
        { modal: true, detail: `${rows} will be changed in one transaction. A backup of exactly these rows is written first; restore it with "Backups…".` },
        apply,
      );
      return answer === apply;
    },
  };
}
