/** The VS Code side of "Bulk disable 2SV…": quick picks, the paste editor, dialogs, progress. */
import { TextDecoder } from 'node:util';
import * as vscode from 'vscode';
import { countStatuses, describeCounts, describeGroupSource, summarizeProblems, type BulkReport, type BulkVia, type UserStatus } from '../../core/bulk';
import { printable } from '../../core/printable';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { AuditEntry } from '../../core/audit/types';
import type { CommentResult } from '../../core/requests/gate';
import type { RequestInput } from '../../core/requests/policy';
import { askRequest, reportComment } from '../requestPrompt';
import type { ExtensionServices } from '../services';
import type { BulkUi, ListSource, Step } from './flow';

const LABELS: Record<UserStatus, string> = {
  'would-disable': 'Will be disabled',
  pending: 'Will be sent',
  disabled: 'Disabled',
  'not-enrolled': 'Not enrolled (nothing to do)',
  'not-found': 'Not found',
  failed: 'Failed',
};

type PreviewItem = vscode.QuickPickItem & { action?: 'continue' | 'open' };

export class VscodeBulkUi implements BulkUi {
  constructor(private readonly s: ExtensionServices) {}

  askRequest(profile: InstanceProfile, what: string): Promise<{ request?: RequestInput } | undefined> {
    return askRequest(this.s, profile, what);
  }

  commented(profile: InstanceProfile, result: CommentResult, entry: AuditEntry): void {
    reportComment(this.s, profile, result, entry);
  }

  async pickSource(profile: InstanceProfile): Promise<ListSource | undefined> {
    const items: Array<vscode.QuickPickItem & { value: ListSource }> = [
      { label: '$(edit) Paste user names', description: 'one per line, in a new editor', value: 'paste' },
      { label: '$(file) Choose a file…', description: 'a .csv with a "username" column, or a text file with one name per line', value: 'file' },
      { label: '$(organization) Members of groups…', description: `read from ${profile.name}; a user in several groups counts once`, value: 'groups' },
    ];
    if (profile.database) items.push({ label: '$(database) Everyone enrolled, except members of groups…', description: 'enrolled users from the database, less the groups you name', value: 'all-enrolled' });
    const picked = await vscode.window.showQuickPick(items, { title: `Bulk disable 2SV: which users? (${profile.name})`, placeHolder: 'Where does the list of users come from? (your own account is always left out)' });
    return picked?.value;
  }

  async askGroups(source: 'groups' | 'all-enrolled'): Promise<string[] | undefined> {
    const typed = await vscode.window.showInputBox({
      title: source === 'groups' ? 'Bulk disable 2SV: members of which groups?' : 'Bulk disable 2SV: everyone enrolled except members of which groups?',
      prompt: source === 'groups' ? 'Group names, separated by commas, exactly as the product shows them.' : 'Group names to leave out, separated by commas (empty: leave no group out).',
      placeHolder: source === 'groups' ? 'e.g. phones-replaced, contractors' : 'e.g. jira-administrators, service-accounts',
      ignoreFocusOut: true,
      validateInput: (v) => (source === 'groups' && !v.split(',').some((g) => g.trim()) ? 'Name at least one group.' : undefined),
    });
    if (typed === undefined) return undefined;
    return typed.split(',').map((g) => g.trim()).filter(Boolean);
  }

  async pasteNames(): Promise<string | undefined> {
    // A scratch editor for a long list, and an input box that stays open while the admin
    // pastes into it (a notification button would time out), also taking a few names typed inline.
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: '' });
    await vscode.window.showTextDocument(doc, { preview: false });
    const typed = await vscode.window.showInputBox({
      title: 'Bulk disable 2SV: user names',
      prompt: 'Paste the user names into the new editor, one per line, then press Enter here. A few names can also be typed here, separated by commas.',
      placeHolder: 'Enter: use the names in the editor · Escape: cancel',
      ignoreFocusOut: true,
    });
    const text = typed?.trim() ? typed.split(',').join('\n') : doc.getText();
    // Close the scratch editor without a "save?" prompt.
    await vscode.window.showTextDocument(doc, { preview: false });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    return typed === undefined ? undefined : text;
  }

  async pickFile(): Promise<{ name: string; text: string } | undefined> {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this list', filters: { 'User lists': ['csv', 'txt'], 'All files': ['*'] } });
    const uri = uris?.[0];
    if (!uri) return undefined;
    return { name: uri.path, text: new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri)) };
  }

  async pickVia(profile: InstanceProfile): Promise<BulkVia | undefined> {
    const items: Array<vscode.QuickPickItem & { value: BulkVia }> = [];
    if (profile.database) {
      items.push({
        label: '$(database) Database',
        description: profile.database.readOnly === false ? 'one transaction, one backup of every row' : 'the connection is read-only: preview only',
        detail: 'Deletes the enrollment rows of all users found enrolled, after a preview',
        value: 'db',
      });
    }
    items.push({ label: '$(globe) REST recovery unenroll', description: 'one user per 30-second code window, from your stored TOTP seed', detail: 'Can be cancelled and resumed', value: 'rest' });
    const picked = await vscode.window.showQuickPick(items, { title: `Bulk disable 2SV on ${profile.name}`, placeHolder: 'How?' });
    return picked?.value;
  }

  async showPreview(report: BulkReport, openReport: () => Promise<void>): Promise<boolean> {
    const counts = countStatuses(report);
    const go = report.via === 'db' ? counts['would-disable'] : counts.pending;
    const items: PreviewItem[] = [
      { label: `$(check) Disable 2SV for ${go} user${go === 1 ? '' : 's'}`, description: report.via === 'db' ? 'one transaction with a backup' : 'paced by code windows', action: 'continue' },
      { label: '$(preview) Open the preview as a document', action: 'open' },
    ];
    if (report.source) {
      const src = report.source;
      items.push({ label: `From ${describeGroupSource(src)}`, kind: vscode.QuickPickItemKind.Separator });
      for (const g of src.groups) items.push({ label: `$(organization) ${printable(g.name)}`, description: `${g.members} member${g.members === 1 ? '' : 's'}`, detail: 'included' });
      for (const g of src.exceptGroups) items.push({ label: `$(circle-slash) ${printable(g.name)}`, description: `${g.members} member${g.members === 1 ? '' : 's'}`, detail: 'left out' });
      for (const x of src.excluded) items.push({ label: `$(person) ${printable(x.username)}`, description: 'left out', detail: x.reason });
    }
    for (const status of ['would-disable', 'pending', 'not-enrolled', 'not-found'] as const) {
      const users = report.users.filter((u) => u.status === status);
      if (!users.length) continue;
      items.push({ label: `${LABELS[status]} (${users.length})`, kind: vscode.QuickPickItemKind.Separator });
      for (const u of users) items.push({ label: u.username, description: u.userKey ?? '', detail: u.message });
    }
    if (report.listProblems.length) {
      items.push({ label: `Left out of the list (${summarizeProblems(report.listProblems)})`, kind: vscode.QuickPickItemKind.Separator });
      for (const p of report.listProblems) items.push({ label: `line ${p.line}`, description: p.text, detail: p.message });
    }
    for (;;) {
      const picked = await vscode.window.showQuickPick(items, {
        title: `Preview on ${report.instance.name}: ${describeCounts(report)}`,
        placeHolder: 'Check the users, then choose "Disable 2SV…" (Escape cancels)',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!picked) return false;
      if (picked.action === 'continue') return true;
      if (picked.action === 'open') await openReport();
    }
  }

  async confirm(profile: InstanceProfile, count: number, via: BulkVia): Promise<string | undefined> {
    const what = `${count} user${count === 1 ? '' : 's'} on ${profile.name}`;
    if (profile.environment === 'production') {
      return vscode.window.showInputBox({
        title: `Production: disable two-step verification for ${what}`,
        prompt: `Type ${count} (the number of users) to confirm. ${via === 'db' ? 'Their enrollment rows are deleted in one transaction after a backup.' : 'Each is unenrolled with the recovery call.'}`,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' || v.trim() === String(count) ? undefined : `Type exactly ${count}`),
      }).then((v) => (v !== undefined && v.trim() === String(count) ? v.trim() : undefined));
    }
    const ok = await vscode.window.showWarningMessage(
      `Disable two-step verification for ${what}?`,
      { modal: true, detail: via === 'db' ? 'Their enrollment rows are deleted in one transaction; a backup of every row is written first and can be restored.' : 'Each user is unenrolled with the recovery call, one per 30-second code window. You can cancel and resume.' },
      'Disable 2SV',
    );
    return ok ? '' : undefined;
  }

  progress<T>(title: string, cancellable: boolean, task: (step: Step, signal: AbortSignal) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable }, async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        const step: Step = (message, fraction) => {
          const increment = fraction === undefined ? undefined : Math.max(0, fraction * 100 - reported);
          if (increment !== undefined) reported += increment;
          progress.report({ message, ...(increment !== undefined ? { increment } : {}) });
        };
        try {
          return await task(step, abort.signal);
        } finally {
          sub.dispose();
        }
      }),
    );
  }

  async openDocument(file: string): Promise<void> {
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  }

  info(message: string, ...actions: Array<{ title: string; run: () => unknown }>): void {
    void vscode.window.showInformationMessage(message, ...actions.map((a) => a.title)).then((t) => actions.find((a) => a.title === t)?.run());
  }

  error(message: string): void {
    void vscode.window.showErrorMessage(message);
  }
}
