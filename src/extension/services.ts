/** What activate() builds once and hands to every command and view. */
import type * as vscode from 'vscode';
import type { SecretStore } from '../core/secrets';
import type { Log } from './log';
import type { ProfileStore } from './profileStore';
import type { InstancesTree } from './tree/instancesTree';
import type { InstanceStatusStore } from './tree/instanceStatus';

export interface ExtensionServices {
  context: vscode.ExtensionContext;
  extensionUri: vscode.Uri;
  log: Log;
  secrets: SecretStore;
  profiles: ProfileStore;
  statuses: InstanceStatusStore;
  tree: InstancesTree;
}
