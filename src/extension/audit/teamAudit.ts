/**
 * The team audit in the editor: reads the application-scope settings jira2fa.audit.store and
 * jira2fa.audit.syslog (the store's password from SecretStorage), ships the local audit log
 * after every append and at start-up, and shows in the status bar how many entries wait and
 * why, only while some do. The shipping code is loaded lazily (dist/lazy/teamAudit.js).
 */
import * as vscode from 'vscode';
import { STORE_SECRET_ID, storeConfigFromSetting, type StoreConfig } from '../../core/audit/store/config';
import { syslogConfigFromSetting, type SyslogConfig } from '../../core/audit/syslog/config';
import type { SecretStore } from '../../core/secrets';
import { redactor } from '../../core/redact';
import { loadTeamAudit } from '../lazy';
import type { Log } from '../log';
import type { StoreFilterInput, StoreRow } from './teamLazy';

interface Settings {
  store?: StoreConfig;
  syslog?: SyslogConfig;
  problem?: string;
}

function readSettings(): Settings {
  const cfg = vscode.workspace.getConfiguration('jira2fa.audit');
  const out: Settings = {};
  try {
    const store = storeConfigFromSetting(cfg.get('store'));
    if (store) out.store = store;
  } catch (e) {
    out.problem = (e as Error).message;
  }
  try {
    const syslog = syslogConfigFromSetting(cfg.get('syslog'));
    if (syslog) out.syslog = syslog;
  } catch (e) {
    out.problem = [out.problem, (e as Error).message].filter(Boolean).join(' ');
  }
  return out;
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
    this.item.command = 'jira2fa.audit.shipNow';
    this.disposables.push(
      this.item,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('jira2fa.audit')) this.schedule(0);
      }),
    );
  }

  /** Whether a store or syslog is configured (reading the settings only). */
  configured(): boolean {
    const s = readSettings();
    return !!(s.store || s.syslog || s.problem);
  }

  /** Ships soon (appends in a burst are shipped together); a run in progress is followed by one more. */
  schedule(delayMs = 250): void {
    if (!this.configured()) {
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

  private async password(): Promise<string | undefined> {
    const value = await this.secrets.get(STORE_SECRET_ID, 'dbPassword');
    redactor.add(value);
    return value;
  }

  private async run(): Promise<void> {
    const settings = readSettings();
    if (settings.problem) {
      this.show('$(warning) Audit: settings', settings.problem);
      return;
    }
    if (!settings.store && !settings.syslog) {
      this.item.hide();
      return;
    }
    try {
      const m = await loadTeamAudit();
      const targets = { ...(settings.store ? { store: { cfg: settings.store, password: await this.password() } } : {}), ...(settings.syslog ? { syslog: settings.syslog } : {}) };
      const computer = await m.computerId(m.computerIdPath(process.env));
      const status = await m.shipTeamAudit(targets, { log: this.auditFile, computer, positionFile: (d) => m.auditPositionFilePath(d, process.env) });
      const waiting = status.filter((s) => s.backlog > 0);
      if (!waiting.length) {
        this.item.hide();
        return;
      }
      const total = Math.max(...waiting.map((s) => s.backlog));
      const why = waiting.map((s) => `${s.backlog} audit ${s.backlog === 1 ? 'entry waits' : 'entries wait'} for ${s.label}${s.waiting ? `: ${s.waiting}` : ''}`).join('\n');
      for (const line of why.split('\n')) this.log.warn(`Team audit: ${line}`);
      this.show(`$(cloud-upload) Audit: ${total} waiting`, `${why}\n\nThe actions are done and recorded in the local log; click to try again.`);
    } catch (e) {
      this.show('$(warning) Audit: not shipped', (e as Error).message);
    }
  }

  private show(text: string, tooltip: string): void {
    this.item.text = text;
    this.item.tooltip = redactor.redact(tooltip);
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.item.show();
  }

  /** The team store's entries for the audit panel's Team view. */
  async readStore(filter: StoreFilterInput, limit: number): Promise<{ store: string; rows: StoreRow[] }> {
    const settings = readSettings();
    if (settings.problem) throw new Error(settings.problem);
    if (!settings.store) throw new Error('No team audit store is configured: set jira2fa.audit.store in the user settings (see README, "Audit for a team").');
    const m = await loadTeamAudit();
    const storeFilter = m.storeFilterFrom(filter); // a bad date is refused before connecting
    const d = await m.openStore(settings.store, await this.password());
    try {
      return { store: m.storeId(settings.store), rows: (await m.readStore(d, storeFilter, limit)).rows };
    } finally {
      await d.close();
    }
  }

  /** "Set Team Audit Store Password…": into SecretStorage, never a setting. */
  async setPassword(): Promise<void> {
    const value = await vscode.window.showInputBox({ title: 'Team audit store password', prompt: 'The password of the store\'s user (kept in the OS keychain)', password: true, ignoreFocusOut: true });
    if (value === undefined) return;
    if (!value) {
      await this.secrets.delete(STORE_SECRET_ID, 'dbPassword');
      void vscode.window.showInformationMessage('The team audit store password was removed.');
    } else {
      await this.secrets.set(STORE_SECRET_ID, 'dbPassword', value);
      redactor.add(value);
      void vscode.window.showInformationMessage('The team audit store password is stored in the keychain.');
    }
    this.schedule(0);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
