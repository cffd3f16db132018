/**
 * Commands run from a tree row get the row's node; from the Command Palette they get
 * nothing (or an id from another command) and ask with a quick pick, unless only one instance
 * fits the command (instanceCandidates.ts): then it is used, and what the command shows next
 * names it (the panel header, the dialog or the notification).
 */
import * as vscode from 'vscode';
import { Command } from './commandTable';
import { describeInstance, type InstanceProfile } from '../core/profiles/schema';
import { instanceChoice, type Qualifies } from './instanceCandidates';
import type { ProfileStore } from './profileStore';
import type { TreeNode } from './tree/instancesTree';

export type InstanceArg = TreeNode | string | undefined;

/** The title of the instance quick pick: it says what is asked (the placeholder says for what). */
const INSTANCE_PICK_TITLE = 'Choose an instance';

export async function resolveInstance(store: ProfileStore, arg: InstanceArg, placeHolder = 'Select an instance', qualifies?: Qualifies): Promise<InstanceProfile | undefined> {
  if (typeof arg === 'string') return store.get(arg);
  if (arg && (arg.kind === 'instance' || arg.kind === 'child')) return store.get(arg.profile.id) ?? arg.profile;
  const { profiles } = store.snapshot();
  if (profiles.length === 0) {
    void vscode.window.showInformationMessage('No instances yet: add one first.', 'Add Instance').then((c) => {
      if (c) void vscode.commands.executeCommand(Command.addInstance);
    });
    return undefined;
  }
  const choice = instanceChoice(profiles, qualifies);
  if ('use' in choice) return choice.use;
  const picked = await vscode.window.showQuickPick(
    choice.offer.map((p) => ({ label: p.name, description: `${p.environment} · ${p.product}`, detail: describeInstance(p), profile: p })),
    { title: INSTANCE_PICK_TITLE, placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.profile;
}
