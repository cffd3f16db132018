/** The "Unenroll user…" row under each Data Center instance (Cloud has no recovery unenroll). */
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import type { InstanceChildren, TreeNode } from '../tree/instancesTree';

export const unenrollChildren: InstanceChildren = {
  childrenOf(profile): TreeNode[] {
    if (profile.product === 'cloud') return [];
    const item = new vscode.TreeItem('Unenroll user…');
    item.id = `unenroll:${profile.id}`;
    item.iconPath = new vscode.ThemeIcon('person-remove');
    item.tooltip = 'Remove a locked-out user\'s two-step verification with the recovery unenroll REST call';
    item.contextValue = 'unenroll';
    item.command = { command: Command.unenrollUser, title: 'Unenroll user…', arguments: [profile.id] };
    return [{ kind: 'child', profile, item }];
  },
};
