/** Audit commands: the audit panel, the evidence report, and the team store's shipping and password (loaded on first use: commandTable.ts). */
import { Command, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';
import { exportEvidenceReport } from './evidenceCommand';

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  return {
    [Command.showAuditLog]: async (entryId?: string) =>
      (await import('./auditPanel.js')).showAuditLog(s.context.extensionUri, s.audit.file, s.log, typeof entryId === 'string' ? entryId : undefined, s.auditHead, s.teamAudit),
    [Command.exportEvidenceReport]: () => exportEvidenceReport(s),
    [Command.shipAuditNow]: () => s.teamAudit?.shipNow(),
    [Command.setAuditStorePassword]: () => s.teamAudit?.setPassword(),
  };
}
