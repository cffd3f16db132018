/** The "Recent actions" node under each instance: its last audit entries, newest first. */
import * as vscode from 'vscode';
import { recentEntries } from '../../core/audit/read';
import type { AuditEntry } from '../../core/audit/types';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { InstanceChildren, TreeNode } from '../tree/instancesTree';

const SHOWN = 10;

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

  private async entries(profile: InstanceProfile): Promise<TreeNode[]> {
    const entries = await recentEntries(this.auditFile, SHOWN, { filter: (e) => e.instance.id === profile.id });
    if (entries.length === 0) {
      const none = new vscode.TreeItem('No actions yet');
      none.id = `recent:${profile.id}:none`;
      return [{ kind: 'child', profile, item: none }];
    }
    return entries.map((e) => ({ kind: 'child', profile, item: entryItem(profile, e) }));
  }
}

function entryItem(profile: InstanceProfile, e: AuditEntry): vscode.TreeItem {
  const item = new vscode.TreeItem(`${e.action}${e.target ? ` ${e.target}` : ''}`);
  item.id = `recent:${profile.id}:${e.id}`;
  item.description = `${e.outcome} · ${new Date(e.time).toLocaleString()}`;
  const [icon, color] = OUTCOME_ICONS[e.outcome] ?? ['circle-outline', undefined];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.tooltip = `${e.message}\n${e.time} · ${e.admin}${e.status ? ` · HTTP ${e.status}` : ''}\nAudit entry ${e.id}`;
  item.command = { command: 'jira2fa.showAuditLog', title: 'Show in audit log', arguments: [e.id] };
  return item;
}
