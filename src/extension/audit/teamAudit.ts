/**
 * The team audit in the editor, as little as the services' start needs: the trigger (after
 * every append and at start-up) and a status bar item showing how many entries wait and why,
 * only while some do. Settings (jira2fa.audit.store and jira2fa.audit.syslog, application
 * scope) are validated, shipped to and read by teamLazy.ts, a chunk imported on first use.
 */
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import type { SecretStore } from '../../core/secrets';
import type { Log } from '../log';
import type { StoreFilterInput, StoreRow, TeamSettings } from './teamLazy';

function settings(): TeamSettings {
  const cfg = vscode.workspace.getConfiguration('jira2fa.audit');
  return { store: cfg.get('store') ?? null, syslog: cfg.get('syslog') ?? null };
}

export class TeamAudit implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly secrets: SecretStore, private readonly auditFile: string, private readonly log: Log) {
    this.item = vscode.window.createStatusBarItem('jira2fa.auditBacklog', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Jira 2FA audit backlog';
    this.item.command = Command.shipAuditNow;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.disposables.push(
      this.item,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('jira2fa.audit')) this.schedule(0);
      }),
    );
  }

  /** Ships soon (appends in a burst are shipped together); a run in progress is followed by one more. */
  schedule(delayMs = 250): void {
    const s = settings();
    if (s.store === null && s.syslog === null) {
      this.item.hide();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.shipNow(), delayMs);
  }

  /** Ships now and updates the status bar. Never throws. */
  async shipNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.schedule(0);
      }
    });
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      const view = await (await loadTeamLazy()).shipFromSettings(settings(), this.secrets, this.auditFile);
      if (!view) return this.item.hide();
      for (const line of view.warnings) this.log.warn(`Team audit: ${line}`);
      this.item.text = view.text;
      this.item.tooltip = view.tooltip;
      this.item.show();
    } catch (e) {
      this.log.error(`Team audit: ${(e as Error).message}`);
    }
  }

  /** The team store's entries for the audit panel's Team view. */
  async readStore(filter: StoreFilterInput, limit: number): Promise<{ store: string; rows: StoreRow[] }> {
    return (await loadTeamLazy()).readTeamStore(settings().store, this.secrets, filter, limit);
  }

  async setPassword(): Promise<void> {
    if (await (await loadTeamLazy()).setStorePassword(this.secrets)) this.schedule(0);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Shipping and reading the store load on first use (their own chunk), not at activation. */
const loadTeamLazy = () => import('./teamLazy.js');
