/** "Show Audit Log": the audit file as a filterable table, its chain verified on every load. */
import { actionLabel, actorLabel } from '../../core/audit/actionLabels';
import { localTime } from '../../core/audit/timeFormat';
import * as vscode from 'vscode';
import { exportCsv, readEntries, verify, type AuditEntry, type AuditHead } from '../../core/audit';
import { FromAuditSchema, type AuditRow, type FromAudit, type TeamRow, type ToAudit } from '../../webview/auditLog/protocol';
import type { TeamAudit } from './teamAudit';
import type { StoreRow } from './teamLazy';
import type { Log } from '../log';
import { PanelHost } from '../panels/panelHost';

/** The table shows the newest entries; the CSV export always has all of them. */
const MAX_ROWS = 5000;

let current: { host: PanelHost<FromAudit, ToAudit>; load: (focusId?: string) => Promise<void> } | undefined;

export function showAuditLog(extensionUri: vscode.Uri, auditFile: string, log: Log, focusId?: string, head?: AuditHead, team?: TeamAudit): void {
  if (current) {
    current.host.reveal();
    void current.load(focusId);
    return;
  }
  const host = new PanelHost<FromAudit, ToAudit>(extensionUri, log, {
    viewType: 'jira2fa.auditLog',
    title: 'Jira 2FA Audit Log',
    bundle: 'auditLog',
    fromWebview: FromAuditSchema,
    iconPath: vscode.Uri.joinPath(extensionUri, 'media', 'activitybar.svg'),
  });
  const load = async (focus?: string) => {
    const [{ entries, malformed }, check] = await Promise.all([readEntries(auditFile), verify(auditFile, { head })]);
    const gaps = check.gaps.length
      ? `; ${check.gaps.length} recorded gap(s): lines had been removed before line ${check.gaps[check.gaps.length - 1].line} (see the audit.gap entries)`
      : '';
    const verifyMessage = !check.exists && check.ok
      ? 'No action has been recorded yet'
      : check.ok
        ? `Chain verified: ${check.entries} entries, none edited, removed or reordered${gaps}`
        : `The log was altered: line ${check.firstBroken?.line}: ${check.firstBroken?.reason}`;
    if (check.head?.problem) log.warn(`Audit log: ${check.head.problem}; the removal of the last lines cannot be checked from it`);
    if (malformed.length) log.warn(`Audit log: ${malformed.length} unreadable line(s), first at line ${malformed[0].line}`);
    await host.post({
      type: 'entries',
      rows: entries.slice(-MAX_ROWS).reverse().map(toRow),
      total: entries.length,
      file: auditFile,
      verify: { ok: check.ok, message: verifyMessage },
      ...(focus ? { focusId: focus } : {}),
    });
  };
  current = { host, load };
  host.panel.onDidDispose(() => (current = undefined));
  host.onMessage(async (message) => {
    switch (message.type) {
      case 'ready':
      case 'refresh':
        await load(message.type === 'ready' ? focusId : undefined);
        return;
      case 'teamQuery': {
        if (!team) return void host.post({ type: 'team', store: '', rows: [], error: 'The team audit is not available in this window.' });
        try {
          const { store, rows } = await team.readStore(message.filter, TEAM_ROWS);
          await host.post({ type: 'team', store, rows: rows.map(toTeamRow) });
        } catch (e) {
          await host.post({ type: 'team', store: '', rows: [], error: (e as Error).message });
        }
        return;
      }
      case 'exportCsv': {
        const target = await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, saveLabel: 'Export', title: 'Export the audit log as CSV' });
        if (!target) return;
        const result = await exportCsv(auditFile, target.fsPath);
        log.info(`Exported the audit log to ${target.fsPath}`);
        void vscode.window.showInformationMessage(`Exported ${result.rows} audit entries to ${target.fsPath}.`);
        return;
      }
    }
  });
}

export function toRow(e: AuditEntry): AuditRow {
  return {
    id: e.id,
    // Local time with zone, readable action names and both identities, as in the tree and the
    // CLI; the CSV export keeps ISO times and the recorded names.
    time: localTime(e.time),
    admin: actorLabel(e),
    instance: e.instance.name,
    action: actionLabel(e.action),
    target: e.target ?? '',
    outcome: e.outcome,
    ...(e.status !== undefined ? { status: e.status } : {}),
    message: e.message,
    ...(e.runId ? { runId: e.runId } : {}),
    ...(e.backupId ? { backupId: e.backupId } : {}),
  };
}

/** The Team view shows at most this many of the newest matching entries. */
const TEAM_ROWS = 2000;

export function toTeamRow(r: StoreRow): TeamRow {
  const e = r.entry;
  return {
    id: e.id, time: e.time, dbTime: r.dbTime, admin: e.admin, computer: r.computer, instance: e.instance.name, action: e.action,
    target: e.target ?? '', ticket: r.ticket ?? '', outcome: e.outcome, message: e.message, writer: r.writer, seq: r.seq,
  };
}
