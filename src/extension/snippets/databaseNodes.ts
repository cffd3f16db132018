/**
 * Under each Data Center instance with a database: a "Database" node (Test database
 * connection; the result on the node, problems in its tooltip) and a "Snippets" node listing
 * the snippets that apply to the instance's product and dialect.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import { describeTarget } from '../../core/db/connect';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { Snippet } from '../../core/snippets/types';
import type { InstanceChildren, TreeNode } from '../tree/instancesTree';
import type { DatabaseSessions, DatabaseStatus } from './databaseSessions';
import { loadSnippets } from './folders';
import { localTime } from '../../core/audit/timeFormat';

export const hasDatabase = (p: InstanceProfile): boolean => !!p.database && p.product !== 'cloud';

export class DatabaseChildren implements InstanceChildren {
  constructor(private readonly databases: DatabaseSessions) {}

  childrenOf(profile: InstanceProfile): TreeNode[] {
    if (!hasDatabase(profile)) return [];
    return [
      { kind: 'child', profile, item: databaseItem(profile, this.databases.status(profile.id)) },
      { kind: 'child', profile, item: snippetsItem(profile), children: () => snippetNodes(profile) },
    ];
  }
}

/** "PostgreSQL 16.4" out of "PostgreSQL 16.4 (Debian 16.4-1) on x86_64-pc-linux-gnu, …". */
export function shortVersion(version: string): string {
  const cut = version.split(/ on |,|\(/)[0].trim();
  return cut.length > 40 ? `${cut.slice(0, 39)}…` : cut;
}

export function databaseDescription(status: DatabaseStatus): string {
  if (status.state === 'unchecked') return 'not checked';
  if (status.state === 'error') return 'error';
  const c = status.check;
  if (!c.enrollmentTable.found) return `${shortVersion(c.serverVersion)} · enrollment table not found`;
  return `${shortVersion(c.serverVersion)} · ${c.enrolledUsers ?? 0} enrolled`;
}

function databaseItem(profile: InstanceProfile, status: DatabaseStatus): vscode.TreeItem {
  const db = profile.database!;
  const item = new vscode.TreeItem('Database');
  item.id = `database:${profile.id}`;
  item.contextValue = 'database';
  item.description = databaseDescription(status);
  const color = status.state === 'ok' ? (status.check.warnings.length ? 'list.warningForeground' : 'testing.iconPassed') : status.state === 'error' ? 'list.errorForeground' : undefined;
  item.iconPath = new vscode.ThemeIcon('database', color ? new vscode.ThemeColor(color) : undefined);
  const lines = [`**${esc(describeTarget(db))}**${db.readOnly !== false ? ' — read-only: changes are refused' : ''}`];
  if (status.state === 'unchecked') lines.push('Not checked yet: click to test the database connection.');
  else if (status.state === 'error') lines.push(`✗ ${esc(status.message)}`, `(${localTime(status.checkedAt)})`);
  else {
    const c = status.check;
    lines.push(`Server: ${esc(c.serverVersion)}`);
    lines.push(c.enrollmentTable.found ? `Enrollment table: \`${esc(c.enrollmentTable.quoted ?? c.enrollmentTable.name ?? '')}\` · ${c.enrolledUsers ?? 0} enrolled users` : 'Enrollment table: not found');
    for (const w of c.warnings) lines.push(`⚠ ${esc(w)}`);
    lines.push(`(${localTime(status.checkedAt)})`);
  }
  const md = new vscode.MarkdownString(lines.join('\n\n'));
  md.isTrusted = false;
  item.tooltip = md;
  item.command = { command: Command.testDatabaseConnection, title: 'Test database connection', arguments: [profile.id] };
  item.accessibilityInformation = { label: `Database, ${item.description}` };
  return item;
}

function snippetsItem(profile: InstanceProfile): vscode.TreeItem {
  const item = new vscode.TreeItem('Snippets', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `snippets:${profile.id}`;
  item.contextValue = 'snippets';
  item.iconPath = new vscode.ThemeIcon('symbol-file');
  item.tooltip = 'Saved recovery SQL for this instance: built-in snippets and your own (setting jira2fa.snippetFolders, and .jira2fa/snippets in a trusted workspace)';
  return item;
}

async function snippetNodes(profile: InstanceProfile): Promise<TreeNode[]> {
  let catalogue;
  try {
    catalogue = await loadSnippets(profile);
  } catch (e) {
    const item = new vscode.TreeItem(`Snippets could not be read: ${(e as Error).message}`);
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    return [{ kind: 'child', profile, item }];
  }
  const nodes: TreeNode[] = catalogue.snippets.map((s) => ({ kind: 'child', profile, item: snippetItem(profile, s) }));
  for (const problem of catalogue.problems) {
    const errors = problem.diagnostics.filter((d) => d.severity === 'error');
    if (!errors.length) continue;
    const item = new vscode.TreeItem(path.basename(problem.file));
    item.id = `snippet-problem:${profile.id}:${problem.file}`;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    item.description = `line ${errors[0].line}: ${errors[0].message}`;
    item.tooltip = `${problem.file}\n${errors.map((d) => `line ${d.line}: ${d.message}`).join('\n')}`;
    item.contextValue = 'snippet-problem';
    if (!problem.file.startsWith('builtin:')) item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(problem.file)] };
    nodes.push({ kind: 'child', profile, item });
  }
  if (!nodes.length) {
    const item = new vscode.TreeItem('No snippet applies to this product and database');
    item.iconPath = new vscode.ThemeIcon('info');
    nodes.push({ kind: 'child', profile, item });
  }
  return nodes;
}

function snippetItem(profile: InstanceProfile, s: Snippet): vscode.TreeItem {
  const item = new vscode.TreeItem(s.title);
  item.id = `snippet:${profile.id}:${s.name}`;
  item.contextValue = `snippet snippet-${s.kind}${s.builtin ? '' : ' snippet-own'}`;
  item.description = `${s.kind === 'destructive' ? 'changes data · ' : ''}${s.builtin ? s.name : `${s.name} (own)`}`;
  item.iconPath = new vscode.ThemeIcon(s.kind === 'destructive' ? 'trash' : 'play');
  const md = new vscode.MarkdownString(
    [`**${esc(s.title)}** — ${s.kind}`, esc(s.description), s.params.length ? `Parameters: ${s.params.map((p) => `\`:${p.name}\` ${p.type}`).join(', ')}` : '', `Source: ${esc(s.source)}`]
      .filter(Boolean)
      .join('\n\n'),
  );
  md.isTrusted = false;
  item.tooltip = md;
  item.command = { command: Command.runSnippet, title: 'Run snippet…', arguments: [profile.id, s.name] };
  return item;
}

function esc(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
