/**
 * Where the admin's own snippets come from: folders in the user setting
 * `jira2fa.snippetFolders` (application scope: a workspace cannot add SQL to the catalogue), and
 * `.jira2fa/snippets/` in each workspace folder, only while the workspace is trusted.
 */
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { InstanceProfile } from '../../core/profiles/schema';
import { snippetsForProfile, type SnippetCatalogue } from '../../core/snippets/catalogue';

export const SNIPPET_FOLDERS_SETTING = 'jira2fa.snippetFolders';
export const WORKSPACE_SNIPPET_DIR = path.join('.jira2fa', 'snippets');

function expand(p: string): string {
  if (p === '~') return os.homedir();
  return path.resolve(p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p);
}

export function userSnippetFolders(): string[] {
  const value = vscode.workspace.getConfiguration('jira2fa').inspect<unknown>('snippetFolders')?.globalValue;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map(expand) : [];
}

export function workspaceSnippetFolders(): string[] {
  if (!vscode.workspace.isTrusted) return [];
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => path.join(f.uri.fsPath, WORKSPACE_SNIPPET_DIR));
}

export function snippetFolders(): string[] {
  return [...new Set([...userSnippetFolders(), ...workspaceSnippetFolders()])];
}

/** The snippets that apply to this instance (product and dialect), with any file problems. */
export function loadSnippets(profile: InstanceProfile): Promise<SnippetCatalogue> {
  return snippetsForProfile(profile, { extraDirs: snippetFolders() });
}

/** Fires when the set of folders may have changed (setting edited, workspace trusted or changed). */
export function onDidChangeSnippetFolders(listener: () => void): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SNIPPET_FOLDERS_SETTING)) listener();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(listener),
    vscode.workspace.onDidChangeWorkspaceFolders(listener),
  );
}
