/**
 * The nodes under a Cloud organization in the Instances view: "Recover a Cloud user…" and
 * "Waiting to move back", which lists the users moved to a temporary policy (from this
 * editor or the CLI: both share one file) with how long they have been there.
 *
 * The list is read from the tracker when the node is expanded; a small cache of the counts
 * gives the node its label and opens it when someone is waiting. The tracker file is watched
 * so a move made with the CLI shows up without a manual refresh.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import type { MoveTracker, PendingMove } from '../../core/cloud/tracker';
import { describeError } from '../../core/errors';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { InstanceChildren, InstancesTree, TreeNode } from '../tree/instancesTree';
import { ageText } from './age';
import { localTime } from '../../core/audit/timeFormat';

export const PENDING_ITEM_PREFIX = 'cloudPending:';

export class CloudChildren implements InstanceChildren, vscode.Disposable {
  private counts = new Map<string, number>();
  private readError: string | undefined;
  private watching = false;
  /** What the tree last showed (the list and any read error), to redraw only on a change. */
  private shown: string | undefined;

  constructor(private readonly tracker: MoveTracker, private readonly tree: InstancesTree, private readonly watchFile?: string, private readonly now: () => number = Date.now) {}

  /**
   * Watches the tracker file while there is a Cloud organization to show it under (no polling
   * for admins with Data Center instances only). Polling a stat every 2 s is cheap and works
   * when the file does not exist yet.
   */
  watch(on: boolean): void {
    if (!this.watchFile || on === this.watching) return;
    this.watching = on;
    if (on) fs.watchFile(this.watchFile, { interval: 2000, persistent: false }, () => void this.reload());
    else fs.unwatchFile(this.watchFile);
  }

  /**
   * Re-reads the list and redraws the tree when it changed. A change made in this editor is
   * reloaded at once and then seen again by the file watcher up to 2 s later; redrawing the
   * same list a second time would rebuild the rows under the admin's pointer for nothing.
   */
  async reload(): Promise<PendingMove[]> {
    let entries: PendingMove[] = [];
    try {
      entries = await this.tracker.list();
      this.readError = undefined;
    } catch (e) {
      this.readError = describeError(e);
    }
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(e.instanceId, (counts.get(e.instanceId) ?? 0) + 1);
    this.counts = counts;
    const shown = JSON.stringify([entries, this.readError ?? null]);
    if (shown !== this.shown) {
      this.shown = shown;
      this.tree.refresh();
    }
    return entries;
  }

  childrenOf(profile: InstanceProfile): TreeNode[] {
    if (profile.product !== 'cloud') return [];
    const recover = new vscode.TreeItem('Recover a Cloud user…');
    recover.id = `cloudRecover:${profile.id}`;
    recover.iconPath = new vscode.ThemeIcon('person');
    recover.tooltip = 'Find a user locked out by two-step verification, see why, and move them to a temporary authentication policy';
    recover.contextValue = 'cloudRecover';
    recover.command = { command: Command.recoverCloudUser, title: 'Recover a Cloud user…', arguments: [profile.id] };

    const n = this.counts.get(profile.id) ?? 0;
    const pending = new vscode.TreeItem('Waiting to move back', n > 0 || this.readError ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    // The id changes with "anyone waiting?": VS Code keeps the expanded state per id, and a
    // new id makes the list open by itself when someone starts waiting.
    pending.id = `cloudPendingList:${profile.id}:${n > 0 || this.readError ? 'waiting' : 'empty'}`;
    pending.description = this.readError ? 'cannot be read' : n ? `${n} user${n === 1 ? '' : 's'}` : 'nobody';
    pending.iconPath = new vscode.ThemeIcon('watch', n ? new vscode.ThemeColor('list.warningForeground') : undefined);
    pending.tooltip = 'Users moved to a policy where 2SV is optional, and not moved back yet. They stay listed until the move back succeeded.';
    pending.contextValue = n ? 'cloudPendingList cloudPendingList-nonEmpty' : 'cloudPendingList';
    return [
      { kind: 'child', profile, item: recover },
      { kind: 'child', profile, item: pending, children: () => this.entries(profile) },
    ];
  }

  private async entries(profile: InstanceProfile): Promise<TreeNode[]> {
    let entries: PendingMove[];
    try {
      entries = await this.tracker.list({ instanceId: profile.id });
    } catch (e) {
      const item = new vscode.TreeItem(`The list cannot be read: ${describeError(e)}`);
      item.id = `cloudPendingError:${profile.id}`;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
      item.tooltip = describeError(e);
      return [{ kind: 'child', profile, item }];
    }
    if (entries.length === 0) {
      const none = new vscode.TreeItem('Nobody is waiting to be moved back');
      none.id = `cloudPendingNone:${profile.id}`;
      return [{ kind: 'child', profile, item: none }];
    }
    const now = this.now();
    return entries
      .sort((a, b) => Date.parse(a.movedAt) - Date.parse(b.movedAt))
      .map((e) => ({ kind: 'child', profile, item: entryItem(profile, e, now) }));
  }

  dispose(): void {
    this.watch(false);
  }
}

function entryItem(profile: InstanceProfile, e: PendingMove, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(e.email);
  item.id = `${PENDING_ITEM_PREFIX}${profile.id}:${e.accountId}`;
  const to = e.toPolicyName ?? e.toPolicyId;
  const from = e.fromPolicyName ?? e.fromPolicyId;
  item.description = `${ageText(e.movedAt, now)} in ${to}${e.state === 'unconfirmed' ? ' · not confirmed' : ''}`;
  item.iconPath = new vscode.ThemeIcon(e.state === 'unconfirmed' ? 'question' : 'account', new vscode.ThemeColor('list.warningForeground'));
  item.contextValue = 'cloudPendingEntry';
  item.tooltip = `${e.email} was moved from "${from}" to "${to}" on ${localTime(e.movedAt)}${e.movedBy ? ` by ${e.movedBy}` : ''}.` +
    `${e.state === 'unconfirmed' ? '\nThe move was not confirmed: check the user\'s policy in the admin hub.' : ''}\n2SV is not enforced for them until they are moved back to "${from}".`;
  item.accessibilityInformation = { label: `${e.email}, ${item.description}` };
  return item;
}

/** The instance id and account id of a "Waiting to move back" row. */
export function pendingRowKey(node: TreeNode | undefined): { instanceId: string; accountId: string } | undefined {
  if (!node || node.kind !== 'child' || typeof node.item.id !== 'string') return undefined;
  const prefix = `${PENDING_ITEM_PREFIX}${node.profile.id}:`;
  if (!node.item.id.startsWith(prefix)) return undefined;
  return { instanceId: node.profile.id, accountId: node.item.id.slice(prefix.length) };
}
