/** The status slot of each instance in the tree, filled by "Test connection". In memory only. */
import * as vscode from 'vscode';

export type InstanceStatus =
  | { state: 'unchecked' }
  | { state: 'ok'; summary: string; checkedAt: Date }
  | { state: 'error'; reason: string; checkedAt: Date };

export class InstanceStatusStore implements vscode.Disposable {
  private readonly statuses = new Map<string, InstanceStatus>();
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;

  get(id: string): InstanceStatus {
    return this.statuses.get(id) ?? { state: 'unchecked' };
  }

  set(id: string, status: InstanceStatus): void {
    this.statuses.set(id, status);
    this.changed.fire(id);
  }

  clear(id: string): void {
    this.statuses.delete(id);
    this.changed.fire(id);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
