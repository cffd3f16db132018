/** The "Recent actions" node under each instance: its last audit entries, newest first. */
import fs from 'node:fs';
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import { actionLabel, actorLabel } from '../../core/audit/actionLabels';
import { recentEntries } from '../../core/audit/read';
import { localTime } from '../../core/audit/timeFormat';
import type { AuditEntry } from '../../core/audit/types';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { InstanceChildren, TreeNode } from '../tree/instancesTree';

/** The last entries of EACH outcome: a run of refusals must not push the one success out of view. */
const SHOWN_PER_OUTCOME = 10;

const OUTCOME_ICONS: Record<string, [string, string | undefined]> = {
  ok: ['pass', 'testing.iconPassed'],
  refused: ['circle-slash', 'list.warningForeground'],
  error: ['error', 'list.errorForeground'],
  cancelled: ['debug-stop', undefined],
};

export class RecentActionsChildren implements InstanceChildren {
  constructor(private readonly auditFile: string) {}

  childrenOf(profile: InstanceProfile): TreeNode[] {
    const item = new vscode.TreeItem('Recent actions', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `recent:${profile.id}`;
    item.iconPath = new vscode.ThemeIcon('history');
    item.contextValue = 'recentActions';
    item.tooltip = 'The last actions on this instance, from the audit log';
    return [{ kind: 'child', profile, item, children: () => this.entries(profile) }];
  }

  /**
   * Calls `changed` when the audit file changes, whoever wrote it (the CLI, another window).
   * Polls its size and time every 2 s: fs.watch misses a file that does not exist yet.
   */
  watch(changed: () => void): vscode.Disposable {
    const listener = (now: fs.Stats, before: fs.Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) changed();
    };
    fs.watchFile(this.auditFile, { interval: 2000, persistent: false }, listener);
    return new vscode.Disposable(() => fs.unwatchFile(this.auditFile, listener));
  }

  private async entries(profile: InstanceProfile): Promise<TreeNode[]> {
    // One backward pass: an entry is taken while its outcome has fewer than SHOWN_PER_OUTCOME.
    const taken = new Map<string, number>();
    const take = (e: AuditEntry) => {
      if (e.instance.id !== profile.id) return false;
      const n = taken.get(e.outcome) ?? 0;
      if (n >= SHOWN_PER_OUTCOME) return false;
      taken.set(e.outcome, n + 1);
      return true;
    };
    const entries = await recentEntries(this.auditFile, SHOWN_PER_OUTCOME * 4, { filter: take });
    if (entries.length === 0) {
      const none = new vscode.TreeItem('No actions yet');
      none.id = `recent:${profile.id}:none`;
      return [{ kind: 'child', profile, item: none }];
    }
    return entries.map((e) => ({ kind: 'child', profile, item: entryItem(profile, e) }));
  }
}

function entryItem(profile: InstanceProfile, e: AuditEntry): vscode.TreeItem {
  const item = new vscode.TreeItem(`${actionLabel(e.action)}${e.target ? ` ${e.target}` : ''}`);
  item.id = `recent:${profile.id}:${e.id}`;
  item.description = `${e.outcome} · ${localTime(e.time)}`;
  const [icon, color] = OUTCOME_ICONS[e.outcome] ?? ['circle-outline', undefined];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  // The whole message, wrapped by the tooltip; the row itself stays one line.
  item.tooltip = `${e.message}\n${localTime(e.time)} · ${actorLabel(e)}${e.status ? ` · HTTP ${e.status}` : ''}\nAudit entry ${e.id}`;
  item.command = { command: Command.showAuditLog, title: 'Show in audit log', arguments: [e.id] };
  return item;
}
