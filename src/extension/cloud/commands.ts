/**
 * Cloud commands: "Recover a Cloud User…", "Move Back" (one tracked user, or a pick of them),
 * "Move All Back" (every user of one organization). Loaded on first use (commandTable.ts); the
 * start-up reminder is reminder.ts.
 *
 * A move back is followed to the end of its task; the user leaves the list only when it
 * succeeded (the core removes the entry then, and only then).
 */
import * as vscode from 'vscode';
import type { MoveResult } from '../../core/cloud/moveResult';
import type { PendingMove } from '../../core/cloud/tracker';
import { describeError } from '../../core/errors';
import type { RequestInput } from '../../core/requests/policy';
import { resolveInstance, type InstanceArg } from '../instancePicker';
import { isCloud } from '../instanceCandidates';
import { Command, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';
import type { TreeNode } from '../tree/instancesTree';
import { ageText } from './age';
import { pendingRowKey } from './cloudTree';

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  const changed = () => {
    void s.cloudRows.reload();
  };
  return {
    [Command.recoverCloudUser]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(s.profiles, arg, 'Recover a user of which Cloud organization?', isCloud);
      if (!profile) return;
      if (profile.product !== 'cloud') {
        return void vscode.window.showInformationMessage(`${profile.name} is a Data Center instance: use "Unenroll User…" for it.`);
      }
      (await import('./panel.js')).openCloudRecoverPanel(s, profile, changed);
    },
    [Command.moveBack]: async (node?: TreeNode) => {
      const key = pendingRowKey(node);
      let entries: PendingMove[];
      try {
        entries = await s.cloudTracker.list(key ? { instanceId: key.instanceId } : {});
      } catch (e) {
        return void vscode.window.showErrorMessage(describeError(e));
      }
      if (key) entries = entries.filter((e) => e.accountId === key.accountId);
      else entries = await pickEntries(s, entries);
      if (entries.length) await moveBackAll(s, entries, changed);
    },
    [Command.moveAllBack]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(s.profiles, arg, 'Move every waiting user of which organization back?', isCloud);
      if (!profile) return;
      let entries: PendingMove[];
      try {
        entries = await s.cloudTracker.list({ instanceId: profile.id });
      } catch (e) {
        return void vscode.window.showErrorMessage(describeError(e));
      }
      if (!entries.length) return void vscode.window.showInformationMessage(`Nobody of ${profile.name} is waiting to be moved back.`);
      const answer = await vscode.window.showWarningMessage(
        `Move ${entries.length} user${entries.length === 1 ? '' : 's'} of "${profile.name}" back to their own policy?`,
        { modal: true, detail: entries.map((e) => `${e.email} → ${e.fromPolicyName ?? e.fromPolicyId}`).join('\n') },
        'Move All Back',
      );
      if (answer === 'Move All Back') await moveBackAll(s, entries, changed);
    },
  };
}

async function pickEntries(s: ExtensionServices, entries: PendingMove[]): Promise<PendingMove[]> {
  if (!entries.length) {
    void vscode.window.showInformationMessage('Nobody is waiting to be moved back.');
    return [];
  }
  const now = Date.now();
  const items = entries
    .sort((a, b) => Date.parse(a.movedAt) - Date.parse(b.movedAt))
    .map((e) => ({
      label: e.email,
      description: `${ageText(e.movedAt, now)} in ${e.toPolicyName ?? e.toPolicyId}`,
      detail: `${s.profiles.get(e.instanceId)?.name ?? e.instanceId} · back to ${e.fromPolicyName ?? e.fromPolicyId}${e.state === 'unconfirmed' ? ' · move not confirmed' : ''}`,
      picked: true,
      entry: e,
    }));
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Move back to their own policy', placeHolder: 'Users to move back' });
  return (picked ?? []).map((p) => p.entry);
}

/**
 * Moves each entry back in turn, with progress; reports what worked and what did not. The
 * request behind the move back is asked first, once per organization whose policy asks for one.
 */
export async function moveBackAll(s: ExtensionServices, entries: PendingMove[], changed: () => void): Promise<MoveResult[]> {
  const results: MoveResult[] = [];
  const { askRequest } = await import('../requestPrompt.js');
  const requests = new Map<string, RequestInput | undefined>();
  for (const e of entries) {
    const profile = s.profiles.get(e.instanceId);
    if (!profile || requests.has(profile.id)) continue;
    const asked = await askRequest(s, profile, entries.length === 1 ? `Move back of ${e.email}` : 'Move back', entries.length === 1 ? e.email : undefined);
    if (!asked) return results;
    requests.set(profile.id, asked.request);
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Moving back', cancellable: false }, async (progress) => {
    for (const [i, e] of entries.entries()) {
      const prefix = entries.length > 1 ? `(${i + 1}/${entries.length}) ` : '';
      progress.report({ message: `${prefix}${e.email} → ${e.fromPolicyName ?? e.fromPolicyId}…` });
      const r = await moveBackOne(s, e, requests.get(e.instanceId), (text) => progress.report({ message: `${prefix}${e.email}: ${text}` }));
      results.push(r);
      changed();
    }
  });
  const failed = results.filter((r) => !r.ok);
  const ok = results.length - failed.length;
  if (ok) void vscode.window.showInformationMessage(results.length === 1 && ok === 1 ? results[0].summary : `${ok} of ${results.length} users were moved back.`);
  for (const r of failed) void vscode.window.showErrorMessage(`${r.summary} ${r.next}`);
  return results;
}

async function moveBackOne(s: ExtensionServices, e: PendingMove, request: RequestInput | undefined, report: (text: string) => void): Promise<MoveResult> {
  const profile = s.profiles.get(e.instanceId);
  if (!profile || profile.product !== 'cloud') {
    return {
      ok: false, action: 'cloud.moveBack', moved: 'no', tracker: 'kept', warnings: [],
      summary: `${e.email} cannot be moved back: organization "${e.instanceId}" is no longer configured.`,
      next: `Add it again (same id), or move them back to "${e.fromPolicyName ?? e.fromPolicyId}" in the admin hub; the record stays until then.`,
    };
  }
  const [{ runCloudMoveBack }, { taskProgressText }, { requestGateFor }, { reportComment }] = await Promise.all([
    import('../../core/actions/cloud.js'),
    import('../../core/cloud/tasks.js'),
    import('../requestGate.js'),
    import('../requestPrompt.js'),
  ]);
  const result = await runCloudMoveBack(
    // No admin name: the entry names the API key's owner as entered, else the OS user (core/cloud/identity.ts).
    { audit: s.audit, secrets: s.secrets, tracker: s.cloudTracker, withClient: (p, fn) => s.cloud.withClient(p, fn, (ms) => report(`rate limited, waiting ${Math.ceil(ms / 1000)} s`)), requests: requestGateFor(s) },
    {
      profile,
      email: e.email,
      task: { onPoll: (st, n) => report(`check ${n}: ${taskProgressText(st)}`) },
      ...(request ? { request } : {}),
      onComment: (c, entry) => reportComment(s, profile, c, entry),
    },
  );
  s.log.info(`Cloud move back ${e.email} on ${profile.id}: ${result.outcome?.kind ?? 'ok'} (tracker: ${result.tracker})`);
  if (result.auditError) s.log.error(`Audit entry not written: ${result.auditError}`);
  return result;
}
