/** Test database connection, Run snippet…, Restore backup…, New snippet…. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { BackupSummary } from '../../core/backup/store';
import type { InstanceProfile } from '../../core/profiles/schema';
import { snippetNameFrom, snippetTemplate } from '../../core/snippets/template';
import { resolveInstance, type InstanceArg } from '../instancePicker';
import { Command, INSTANCES_VIEW, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';
import { hasDatabase } from '../snippets/databaseNodes';
import { loadSnippets, SNIPPET_FOLDERS_SETTING, userSnippetFolders, WORKSPACE_SNIPPET_DIR } from '../snippets/folders';
import { localTime } from '../../core/audit/timeFormat';
// The panel is its own chunk, imported when it opens (its message schemas are built then).
const openSnippetRunPanel = async (...args: Parameters<typeof import('../snippets/snippetRunPanel.js').openSnippetRunPanel>) =>
  (await import('../snippets/snippetRunPanel.js')).openSnippetRunPanel(...args);

async function databaseInstance(s: ExtensionServices, arg: InstanceArg, question: string): Promise<InstanceProfile | undefined> {
  const profile = await resolveInstance(s.profiles, arg, question, hasDatabase);
  if (!profile) return undefined;
  if (!hasDatabase(profile)) {
    void vscode.window.showInformationMessage(`"${profile.name}" has no database connection. Add one with Edit Instance… to use recovery SQL.`);
    return undefined;
  }
  return profile;
}

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  return {
    [Command.testDatabaseConnection]: async (arg: InstanceArg) => {
      const profile = await databaseInstance(s, arg, 'Test the database of which instance?');
      if (!profile) return;
      const status = await vscode.window.withProgress({ location: { viewId: INSTANCES_VIEW }, title: `Testing the database of ${profile.name}…` }, () =>
        s.databases.test(profile),
      );
      if (status.state === 'error') {
        s.log.error(`Database test ${profile.id}: ${status.message}`);
        void vscode.window.showErrorMessage(`${profile.name} database: ${status.message}`);
      } else if (status.state === 'ok') {
        const c = status.check;
        s.log.info(`Database test ${profile.id}: ${c.serverVersion}; enrollment table ${c.enrollmentTable.name ?? 'not found'}; ${c.enrolledUsers ?? 0} enrolled`);
        if (c.warnings.length) void vscode.window.showWarningMessage(`${profile.name} database: ${c.warnings.join(' ')}`);
        else void vscode.window.setStatusBarMessage(`$(database) ${profile.name}: ${c.enrolledUsers ?? 0} enrolled users`, 5000);
      }
    },
    [Command.runSnippet]: async (arg: InstanceArg, snippetName?: string, prefill?: Record<string, string>) => {
      const profile = await databaseInstance(s, arg, 'Run a snippet on which instance?');
      if (!profile) return;
      const { snippets } = await loadSnippets(profile);
      let snippet = typeof snippetName === 'string' ? snippets.find((x) => x.name === snippetName) : undefined;
      if (typeof snippetName === 'string' && !snippet) {
        return void vscode.window.showErrorMessage(`No snippet "${snippetName}" applies to ${profile.name}.`);
      }
      if (!snippet) {
        const picked = await vscode.window.showQuickPick(
          snippets.map((x) => ({ label: x.title, description: `${x.kind === 'destructive' ? 'changes data · ' : ''}${x.name}`, detail: x.description, snippet: x })),
          { placeHolder: `Snippet to run on ${profile.name}`, matchOnDescription: true },
        );
        snippet = picked?.snippet;
      }
      if (snippet) await openSnippetRunPanel(s, profile, snippet, prefill && typeof prefill === 'object' ? prefill : undefined);
    },
    [Command.restoreBackup]: async (arg?: InstanceArg) => {
      const only = typeof arg === 'string' ? arg : arg && typeof arg === 'object' && 'profile' in arg ? arg.profile.id : undefined;
      await restoreCommand(s, only);
    },
    [Command.newSnippet]: () => newSnippet(s),
  };
}

export function backupLabel(b: BackupSummary): { label: string; description: string; detail: string } {
  const params = Object.entries(b.params).map(([k, v]) => `${k}=${v}`).join(', ');
  return {
    label: `${b.instanceName} · ${b.snippet}`,
    description: `${localTime(b.createdAt)} · ${b.rowCount} row${b.rowCount === 1 ? '' : 's'}${b.state !== 'committed' ? ` · ${b.state}` : ''}${b.restoredAt ? ' · restored' : ''}`,
    detail: `${params ? `${params} · ` : ''}${b.table} · ${b.id}`,
  };
}

async function restoreCommand(s: ExtensionServices, instanceId: string | undefined): Promise<void> {
  let listing;
  try {
    listing = await s.backups.list(instanceId ? { instanceId } : {});
  } catch (e) {
    return void vscode.window.showErrorMessage(`The backups in ${s.backups.dir} cannot be read: ${describeError(e)}`);
  }
  for (const p of listing.problems) s.log.warn(`Backup file ${p.file}: ${p.message}`);
  if (!listing.backups.length) return void vscode.window.showInformationMessage(`No backups${instanceId ? ' of this instance' : ''} yet (folder ${s.backups.dir}).`);
  const picked = await vscode.window.showQuickPick(
    listing.backups.map((b) => ({ ...backupLabel(b), backup: b })),
    { title: 'Restore backup', placeHolder: 'Backup to put back (instance, snippet, time, rows)', matchOnDescription: true, matchOnDetail: true },
  );
  if (!picked) return;
  const b = picked.backup;
  const profile = s.profiles.get(b.instanceId);
  if (!profile || !profile.database) {
    return void vscode.window.showErrorMessage(`Backup ${b.id} belongs to instance "${b.instanceName}" (${b.instanceId}), which ${profile ? 'has no database connection' : 'no longer exists'}.`);
  }
  const answer = await vscode.window.showWarningMessage(
    `Put ${b.rowCount} row${b.rowCount === 1 ? '' : 's'} back into ${b.table} on "${profile.name}"?`,
    { modal: true, detail: `Backup ${b.id} of ${b.snippet}. In one transaction; if any row exists already, nothing is restored.` },
    'Restore',
  );
  if (answer !== 'Restore') return;
  // The request behind it (it puts 2SV enrollments back), as the instance's policy asks.
  const [{ askRequest, reportComment }, { requestGateFor }] = await Promise.all([import('../requestPrompt.js'), import('../requestGate.js')]);
  const asked = await askRequest(s, profile, `Restore of backup ${b.id}`);
  if (!asked) return;
  try {
    const { runRestore } = await import('../../core/actions/restore.js');
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Restoring backup ${b.id}…` }, () =>
      runRestore(
        { audit: s.audit, secrets: s.secrets, backups: s.backups, withDatabase: (p, fn) => s.databases.use(p, fn), requests: requestGateFor(s) },
        { profile, backupId: b.id, ...(asked.request ? { request: asked.request } : {}), onComment: (c, entry) => reportComment(s, profile, c, entry) },
      ),
    );
    s.log.info(r.message);
    if (r.auditError) s.log.error(r.auditError);
    void vscode.window.showInformationMessage(r.message);
  } catch (e) {
    s.log.error(`Restore ${b.id}`, e);
    void vscode.window.showErrorMessage(describeError(e));
  } finally {
    // The enrolled count on the Database node may have changed: check again.
    void s.databases.test(profile);
    s.tree.refresh();
  }
}

async function newSnippet(s: ExtensionServices): Promise<void> {
  const workspace = vscode.workspace.isTrusted ? (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file') : [];
  type Item = vscode.QuickPickItem & { dir?: string; add?: boolean };
  const items: Item[] = [
    ...userSnippetFolders().map((dir) => ({ label: dir, description: 'jira2fa.snippetFolders', dir })),
    ...workspace.map((f) => ({ label: path.join(f.uri.fsPath, WORKSPACE_SNIPPET_DIR), description: `workspace ${f.name}`, dir: path.join(f.uri.fsPath, WORKSPACE_SNIPPET_DIR) })),
    { label: '$(folder-opened) Choose a folder…', description: 'and add it to jira2fa.snippetFolders', add: true },
  ];
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'New snippet', placeHolder: 'Folder for the new snippet' });
  if (!picked) return;
  let dir = picked.dir;
  if (picked.add) {
    const chosen = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Use for snippets', title: 'Snippet folder' });
    if (!chosen?.[0]) return;
    dir = chosen[0].fsPath;
    const config = vscode.workspace.getConfiguration('jira2fa');
    const current = config.inspect<string[]>('snippetFolders')?.globalValue ?? [];
    if (!current.includes(dir)) await config.update(SNIPPET_FOLDERS_SETTING.replace(/^jira2fa\./, ''), [...current, dir], vscode.ConfigurationTarget.Global);
  }
  if (!dir) return;
  const target = dir;
  const name = await vscode.window.showInputBox({
    title: 'New snippet',
    prompt: `Snippet name (also the file name) in ${target}`,
    value: 'my-snippet',
    validateInput: (v) => (/^[a-z0-9][a-z0-9._-]{0,99}$/.test(v) ? undefined : 'Lower-case letters, digits, ".", "_" and "-", starting with a letter or digit.'),
  });
  if (!name) return;
  const file = path.join(target, `${snippetNameFrom(name)}.sql`);
  try {
    await mkdir(target, { recursive: true });
    await writeFile(file, snippetTemplate(snippetNameFrom(name)), { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return void vscode.window.showErrorMessage(code === 'EEXIST' ? `${file} exists already: pick another name.` : `Cannot write ${file}: ${describeError(e)}`);
  }
  s.tree.refresh();
  await vscode.window.showTextDocument(vscode.Uri.file(file));
}
