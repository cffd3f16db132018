/** The status slot of each instance in the tree, filled by "Test connection". In memory only. */
import * as vscode from 'vscode';
import { AppError, describeError } from '../../core/errors';

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

  /**
   * Runs a connection test and records its result as the instance's status. A test that throws
   * (no credentials stored and the like) becomes a failed report made by `failed`, which the UI
   * shows like any failure: never throws.
   */
  async test<R extends { ok: boolean; summary: string }>(id: string, run: () => Promise<R>, failed: (summary: string) => R): Promise<R> {
    let report: R;
    try {
      report = await run();
    } catch (e) {
      const hint = e instanceof AppError && e.hint ? ` ${e.hint}` : '';
      report = failed(`${describeError(e instanceof AppError ? new AppError(e.kind, e.message) : e)}${hint}`);
    }
    this.set(id, report.ok ? { state: 'ok', summary: report.summary, checkedAt: new Date() } : { state: 'error', reason: report.summary, checkedAt: new Date() });
    return report;
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
