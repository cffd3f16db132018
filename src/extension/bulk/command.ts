/** "Bulk disable 2SV…": the handler (loaded on first use, commandTable.ts) and the flow's dependencies. */
import path from 'node:path';
import { resolveInstance, type InstanceArg } from '../instancePicker';
import { isDataCenter } from '../instanceCandidates';
import { Command, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';
import type { BulkDeps } from './flow';

export function bulkDeps(s: ExtensionServices): BulkDeps {
  return {
    admin: () => s.adminName(),
    audit: s.audit,
    // The folder the CLI uses too, so "jira2fa backups restore" finds the editor's backups.
    backups: s.backups,
    reportDir: path.join(s.context.globalStorageUri.fsPath, 'bulk-reports'),
    withDatabase: (profile, fn) => s.databases.use(profile, fn),
    jiraClient: (profile) => s.jira.client(profile),
    runRest: async (profile, run) => {
      const [{ runBulkRest }, { replayGuardFor }, { requestGateFor }] = await Promise.all([import('../../core/actions/bulkRest.js'), import('../../core/totp.js'), import('../requestGate.js')]);
      // The instance's pooled client and process-wide replay guard, shared with single unenrolls.
      return runBulkRest(
        { audit: s.audit, secrets: s.secrets, replayGuard: replayGuardFor(profile.id, undefined, s.totpLedger), withClient: async (p, fn) => fn(await s.jira.client(p)), requests: requestGateFor(s) },
        { profile, ...run },
      );
    },
    log: (line) => s.log.info(line),
  };
}

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  return {
    [Command.bulkDisable]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(s.profiles, arg, 'Bulk disable 2SV on which instance?', isDataCenter);
      if (!profile) return;
      const [{ runBulkFlow }, { VscodeBulkUi }, { requestGateFor }] = await Promise.all([import('./flow.js'), import('./vscodeUi.js'), import('../requestGate.js')]);
      await runBulkFlow(profile, new VscodeBulkUi(s), { ...bulkDeps(s), requests: requestGateFor(s) });
    },
  };
}
