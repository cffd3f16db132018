/**
 * The team audit's work in the editor, in one lazily loaded bundle (dist/lazy/teamAudit.js):
 * validating the settings, shipping to the store and syslog, reading the store for the Team
 * view, setting the store's password. Activation loads none of it (teamAudit.ts keeps only the
 * status bar item and the trigger), nor any database driver or TLS code.
 */
import * as vscode from 'vscode';
import { auditPositionFilePath } from '../../core/audit/paths';
import { computerId, computerIdPath } from '../../core/audit/ship/computerId';
import { shipTeamAudit } from '../../core/audit/ship/team';
import { STORE_SECRET_ID, storeConfigFromSetting, storeId } from '../../core/audit/store/config';
import { openStore } from '../../core/audit/store/open';
import { readStore, storeFilterFrom, type StoreFilterInput, type StoreRow } from '../../core/audit/store/read';
import { syslogConfigFromSetting } from '../../core/audit/syslog/config';
import { redactor } from '../../core/redact';
import type { SecretStore } from '../../core/secrets';

export type { StoreFilterInput, StoreRow };

/** The raw values of jira2fa.audit.store and jira2fa.audit.syslog. */
export interface TeamSettings {
  store: unknown;
  syslog: unknown;
}

/** What the status bar shows: nothing when no entry waits. */
export type TeamShipView = { text: string; tooltip: string; warnings: string[] } | undefined;

async function storePassword(secrets: SecretStore): Promise<string | undefined> {
  const value = await secrets.get(STORE_SECRET_ID, 'dbPassword');
  redactor.add(value);
  return value;
}

/** Ships the backlog to the configured destinations; never throws. */
export async function shipFromSettings(settings: TeamSettings, secrets: SecretStore, auditFile: string): Promise<TeamShipView> {
  try {
    const store = storeConfigFromSetting(settings.store);
    const syslog = syslogConfigFromSetting(settings.syslog);
    if (!store && !syslog) return undefined;
    const targets = { ...(store ? { store: { cfg: store, password: await storePassword(secrets) } } : {}), ...(syslog ? { syslog } : {}) };
    const computer = await computerId(computerIdPath(process.env));
    const status = await shipTeamAudit(targets, { log: auditFile, computer, positionFile: (d) => auditPositionFilePath(d, process.env) });
    const waiting = status.filter((s) => s.backlog > 0);
    if (!waiting.length) return undefined;
    const warnings = waiting.map((s) => `${s.backlog} audit ${s.backlog === 1 ? 'entry waits' : 'entries wait'} for ${s.label}${s.waiting ? `: ${s.waiting}` : ''}`);
    return {
      text: `$(cloud-upload) Audit: ${Math.max(...waiting.map((s) => s.backlog))} waiting`,
      tooltip: redactor.redact(`${warnings.join('\n')}\n\nThe actions are done and recorded in the local log; click to try again.`),
      warnings,
    };
  } catch (e) {
    const message = redactor.redact((e as Error).message);
    return { text: '$(warning) Audit: not shipped', tooltip: message, warnings: [message] };
  }
}

/** The team store's entries for the Team view. */
export async function readTeamStore(setting: unknown, secrets: SecretStore, filter: StoreFilterInput, limit: number): Promise<{ store: string; rows: StoreRow[] }> {
  const cfg = storeConfigFromSetting(setting);
  if (!cfg) throw new Error('No team audit store is configured: set jira2fa.audit.store in the user settings (see README, "Audit for a team").');
  const storeFilter = storeFilterFrom(filter); // a bad date is refused before connecting
  const d = await openStore(cfg, await storePassword(secrets));
  try {
    return { store: storeId(cfg), rows: (await readStore(d, storeFilter, limit)).rows };
  } finally {
    await d.close();
  }
}

/** "Set Team Audit Store Password…": into SecretStorage, never a setting. Resolves true when something changed. */
export async function setStorePassword(secrets: SecretStore): Promise<boolean> {
  const value = await vscode.window.showInputBox({ title: 'Team audit store password', prompt: "The password of the store's user (kept in the OS keychain); empty to remove it", password: true, ignoreFocusOut: true });
  if (value === undefined) return false;
  if (!value) {
    await secrets.delete(STORE_SECRET_ID, 'dbPassword');
    void vscode.window.showInformationMessage('The team audit store password was removed.');
  } else {
    await secrets.set(STORE_SECRET_ID, 'dbPassword', value);
    redactor.add(value);
    void vscode.window.showInformationMessage('The team audit store password is stored in the keychain.');
  }
  return true;
}
