/**
 * Activation: the log, the keychain-backed secrets, the profile store, the Instances view and
 * every command of the table, registered without its handler. Nothing else is read here:
 * the services (audit log, sessions, tree rows under the instances, reminders) start right
 * after activate() returns (services.ts), each command's handler module loads on its first
 * call (commandRegistry.ts), and the profiles are validated when the tree first asks.
 * No database driver, no network call, no zod schema (docs/architecture.md, "Activation").
 */
import * as vscode from 'vscode';
import { withOriginConfirmation } from '../core/credentialOrigin';
import type { SecretStore } from '../core/secrets';
import { registerCommands } from './commandRegistry';
import { INSTANCES_VIEW } from './commandTable';
import { createLog } from './log';
import { ProfileStore } from './profileStore';
import { confirmNewHost, VscodeSecretStore } from './secretStorage';
import type { ActivationCore, ExtensionServices, Started } from './services';
import { EnvironmentDecorations } from './tree/environmentDecorations';
import { InstancesTree } from './tree/instancesTree';
import { InstanceStatusStore } from './tree/instanceStatus';

/** What activate() returns: used by the in-editor test suite and the bench, not a public API. */
export interface ExtensionApi {
  secrets: SecretStore;
  profiles: ProfileStore;
  /** The services, once started (right after activation). */
  services(): Promise<ExtensionServices>;
  tree: InstancesTree;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = createLog();
  const profiles = new ProfileStore();
  const statuses = new InstanceStatusStore();
  let started: Promise<Started> | undefined;
  const start = (): Promise<Started> => (started ??= import('./services.js').then((m) => m.startServices(core)));
  const tree = new InstancesTree(profiles, statuses, async () => (await start()).children);
  // A credential whose instance now points elsewhere is sent only after the admin confirms the new host.
  const secrets = withOriginConfirmation(new VscodeSecretStore(context.secrets), confirmNewHost);
  const core: ActivationCore = { context, log, secrets, profiles, statuses, tree };
  const services = async () => (await start()).services;
  context.subscriptions.push(
    log,
    profiles,
    statuses,
    tree,
    vscode.window.createTreeView(INSTANCES_VIEW, { treeDataProvider: tree, showCollapseAll: true }),
    vscode.window.registerFileDecorationProvider(new EnvironmentDecorations()),
    ...registerCommands(services),
  );
  // After activation, not during it, and after the profiles the tree's first rows need: the
  // status bar, walkthrough keys and reminders come from here.
  setTimeout(() => void profiles.ready().then(start).catch((e) => log.error('The extension services did not start', e)), 0);
  return { secrets, profiles, services, tree };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
