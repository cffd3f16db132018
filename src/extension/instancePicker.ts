/**
 * Commands run from a tree row get the row's node; from the Command Palette they get
 * nothing (or an id from another command) and ask with a quick pick. This resolves both.
 */
import * as vscode from 'vscode';
import { Command } from './commandTable';
import { describeInstance, type InstanceProfile } from '../core/profiles/schema';
import type { ProfileStore } from './profileStore';
import type { TreeNode } from './tree/instancesTree';

export type InstanceArg = TreeNode | string | undefined;

export async function resolveInstance(store: ProfileStore, arg: InstanceArg, placeHolder = 'Select an instance'): Promise<InstanceProfile | undefined> {
  if (typeof arg === 'string') return store.get(arg);
  if (arg && (arg.kind === 'instance' || arg.kind === 'child')) return store.get(arg.profile.id) ?? arg.profile;
  const { profiles } = store.snapshot();
  if (profiles.length === 0) {
    void vscode.window.showInformationMessage('No instances yet: add one first.', 'Add Instance').then((c) => {
      if (c) void vscode.commands.executeCommand(Command.addInstance);
    });
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    profiles.map((p) => ({ label: p.name, description: `${p.environment} · ${p.product}`, detail: describeInstance(p), profile: p })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.profile;
}
