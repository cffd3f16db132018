/**
 * The "Instances" view: one row per valid profile (product icon, environment badge, host,
 * status), one error row per invalid settings entry. Child nodes are contributed by the
 * features (see InstanceChildren), which load after activation (services.ts): the root rows
 * wait only for the profiles, an expanded instance also for its features. Every instance has
 * children (at least "Recent actions"), so every instance row has an expander.
 */
import * as vscode from 'vscode';
import type { InvalidEntry } from '../../core/profiles/exchange';
import type { InstanceProfile, Product } from '../../core/profiles/schema';
import type { ProfileStore } from '../profileStore';
import { instanceUri } from './environmentDecorations';
import { localTime } from '../../core/audit/timeFormat';
import { statusMark } from './connectionNotice';
import type { InstanceStatusStore, InstanceStatus } from './instanceStatus';

const PRODUCT_ICONS: Record<Product, string> = {
  jira: 'issues',
  confluence: 'book',
  bitbucket: 'repo',
  bamboo: 'rocket',
  cloud: 'cloud',
};

export type TreeNode =
  | { kind: 'instance'; profile: InstanceProfile }
  | { kind: 'invalid'; entry: InvalidEntry }
  | { kind: 'child'; profile: InstanceProfile; item: vscode.TreeItem; children?: () => Promise<TreeNode[]> | TreeNode[] };

/** A feature that adds nodes under an instance (unenroll, database, recent actions...). */
export interface InstanceChildren {
  childrenOf(profile: InstanceProfile): TreeNode[];
}

export class InstancesTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly profiles: ProfileStore,
    private readonly statuses: InstanceStatusStore,
    /** The features' child rows, in order (loaded on first need). */
    private readonly contributors: () => Promise<readonly InstanceChildren[]>,
  ) {
    this.subscriptions = [profiles.onDidChange(() => this.refresh()), statuses.onDidChange(() => this.refresh())];
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      const { profiles, invalid } = await this.profiles.ready();
      return [
        ...profiles.map((profile): TreeNode => ({ kind: 'instance', profile })),
        ...invalid.map((entry): TreeNode => ({ kind: 'invalid', entry })),
      ];
    }
    if (node.kind === 'instance') return (await this.contributors()).flatMap((c) => c.childrenOf(node.profile));
    if (node.kind === 'child' && node.children) return node.children();
    return [];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'instance') return this.instanceItem(node.profile);
    if (node.kind === 'invalid') return invalidItem(node.entry);
    return node.item;
  }

  private instanceItem(p: InstanceProfile): vscode.TreeItem {
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.Collapsed);
    const status = this.statuses.get(p.id);
    item.id = `instance:${p.id}`;
    item.resourceUri = instanceUri(p.id, p.environment);
    item.contextValue = `instance instance-${p.product}${p.database ? ' has-database' : ''}`;
    // Short enough for the default sidebar width: the mark first, the host after, the tested
    // summary in the tooltip. The icon turns into a lasting ✓/✗ once tested.
    item.description = `${statusMark(status.state)} ${hostOf(p.baseUrl)}`.trim();
    item.iconPath = status.state === 'unchecked' ? new vscode.ThemeIcon(PRODUCT_ICONS[p.product]) : new vscode.ThemeIcon(status.state === 'ok' ? 'pass-filled' : 'error', statusColor(status));
    item.tooltip = instanceTooltip(p, status);
    item.accessibilityInformation = { label: `${p.name}, ${p.environment}, ${p.product}, ${hostOf(p.baseUrl)}${statusSuffix(status)}` };
    return item;
  }
}

function invalidItem(entry: InvalidEntry): vscode.TreeItem {
  const item = new vscode.TreeItem(`Invalid entry: ${entry.label}`, vscode.TreeItemCollapsibleState.None);
  item.id = `invalid:${entry.index}`;
  item.contextValue = 'invalid';
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  item.description = entry.errors[0] ? `${entry.errors[0].field || 'entry'}: ${entry.errors[0].message}` : '';
  item.tooltip = new vscode.MarkdownString(
    `**Entry ${entry.index + 1} of \`jira2fa.instances\` is invalid** and is not used:\n\n` +
      entry.errors.map((e) => `- \`${e.field || '(entry)'}\`: ${escapeMarkdown(e.message)}`).join('\n') +
      '\n\nClick to open settings.json and fix it.',
  );
  item.command = { command: 'workbench.action.openSettingsJson', title: 'Open settings.json' };
  return item;
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host + (u.pathname !== '/' ? u.pathname.replace(/\/$/, '') : '');
  } catch {
    return url;
  }
}

function statusSuffix(s: InstanceStatus): string {
  if (s.state === 'ok') return ` · ${s.summary}`;
  if (s.state === 'error') return ` · error: ${s.reason}`;
  return '';
}

function statusColor(s: InstanceStatus): vscode.ThemeColor | undefined {
  if (s.state === 'ok') return new vscode.ThemeColor('testing.iconPassed');
  if (s.state === 'error') return new vscode.ThemeColor('list.errorForeground');
  return undefined;
}

function instanceTooltip(p: InstanceProfile, s: InstanceStatus): vscode.MarkdownString {
  const lines = [
    `**${escapeMarkdown(p.name)}** — ${p.environment}`,
    `${p.product} · ${escapeMarkdown(p.baseUrl)}`,
    `Auth: ${p.auth.type === 'basic' ? `basic (${escapeMarkdown(p.auth.username)})` : 'personal access token'}`,
  ];
  if (p.database) lines.push(`Database: ${p.database.driver}${p.database.host ? ` on ${escapeMarkdown(p.database.host)}` : ''}${p.database.readOnly ? ' (read-only)' : ''}`);
  if (s.state === 'unchecked') lines.push('Status: not checked yet (Test connection)');
  else if (s.state === 'ok') lines.push(`Status: ✓ ${escapeMarkdown(s.summary)} (tested ${escapeMarkdown(localTime(s.checkedAt))})`);
  else lines.push(`Status: ✗ ${escapeMarkdown(s.reason)} (tested ${escapeMarkdown(localTime(s.checkedAt))})`);
  const md = new vscode.MarkdownString(lines.join('\n\n'));
  md.isTrusted = false;
  return md;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
