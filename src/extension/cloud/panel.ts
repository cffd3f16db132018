/** Opens the "Recover a Cloud user" panel for one organization and backs its controller with the core. */
import * as vscode from 'vscode';
import type { MoveResult } from '../../core/cloud/recovery';
import type { InstanceProfile } from '../../core/profiles/schema';
import { FromCloudRecoverSchema, type FromCloudRecover, type ToCloudRecover } from '../../webview/cloudRecover/protocol';
import { PanelHost } from '../panels/panelHost';
import type { ExtensionServices } from '../services';
import { CloudRecoverController, type CloudRecoverBackend } from './controller';
import { thrownCloudFailure } from './thrownFailure';

const open = new Map<string, PanelHost<FromCloudRecover, ToCloudRecover>>();

export function openCloudRecoverPanel(s: ExtensionServices, profile: InstanceProfile, onChange: () => void): void {
  const existing = open.get(profile.id);
  if (existing) return existing.reveal();
  const host = new PanelHost<FromCloudRecover, ToCloudRecover>(s.extensionUri, s.log, {
    viewType: 'jira2fa.cloudRecover',
    title: `Recover a Cloud user · ${profile.name}`,
    bundle: 'cloudRecover',
    fromWebview: FromCloudRecoverSchema,
    iconPath: vscode.Uri.joinPath(s.extensionUri, 'media', 'activitybar.svg'),
  });
  open.set(profile.id, host);
  host.panel.onDidDispose(() => open.delete(profile.id));
  const controller = new CloudRecoverController(backendFor(s, profile, onChange), (m) => host.post(m));
  host.onMessage((m) => controller.handle(m));
}

function backendFor(s: ExtensionServices, profile: InstanceProfile, onChange: () => void): CloudRecoverBackend {
  return {
    instance: { id: profile.id, name: profile.name, environment: profile.environment, product: profile.product, orgId: profile.orgId ?? '' },
    keyStored: async () => !!(await s.secrets.get(profile.id, 'orgApiKey')),
    connection: () => s.cloud.test(profile),
    find: async (query) => {
      try {
        const pending = await s.cloudTracker.list({ instanceId: profile.id });
        const { findAndDiagnose } = await import('../../core/cloud/diagnose.js');
        return await s.cloud.withClient(profile, (client) => findAndDiagnose(client, query, { pending }));
      } catch (e) {
        return { ok: false, outcome: thrownCloudFailure(e) };
      }
    },
    move: async (req, events) => {
      let result: MoveResult;
      try {
        const [{ moveToTemporaryPolicy }, { taskProgressText }] = await Promise.all([import('../../core/cloud/recovery.js'), import('../../core/cloud/tasks.js')]);
        result = await s.cloud.withClient(
          profile,
          (client) => moveToTemporaryPolicy(
            { profile, client, tracker: s.cloudTracker, audit: s.audit, admin: s.adminName(), task: { onPoll: (st, n) => events.onPoll(taskProgressText(st), n) } },
            req,
          ),
          events.onRateLimited,
        );
      } catch (e) {
        // No key stored and the like: refused before any request, audited like any refusal.
        const outcome = thrownCloudFailure(e);
        const auditEntry = await s.audit.append({
          admin: s.adminName(),
          instance: { id: profile.id, name: profile.name, baseUrl: profile.baseUrl },
          action: 'cloud.move',
          target: req.email,
          outcome: 'refused',
          message: outcome.summary,
        }).catch(() => undefined);
        result = { ok: false, action: 'cloud.move', summary: outcome.summary, next: outcome.next, outcome, moved: 'no', tracker: 'unchanged', warnings: [], ...(auditEntry ? { auditEntry } : {}) };
      }
      s.log.info(`Cloud move ${req.email} on ${profile.id}: ${result.outcome?.kind ?? 'ok'} (moved: ${result.moved}, tracker: ${result.tracker})`);
      if (result.auditError) s.log.error(`Audit entry not written: ${result.auditError}`);
      onChange();
      return result;
    },
    openLink: (url) => void vscode.env.openExternal(vscode.Uri.parse(url, true)),
    openAuditLog: (entryId) => void vscode.commands.executeCommand('jira2fa.showAuditLog', entryId),
    setKey: async () => {
      await vscode.commands.executeCommand('jira2fa.setCredentials', profile.id, 'orgApiKey');
    },
  };
}

