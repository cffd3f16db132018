/** Opens the "Recover a Cloud user" panel for one organization and backs its controller with the core. */
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import { fromThrown } from '../../core/actions/cloudRefusal';
import type { InstanceProfile } from '../../core/profiles/schema';
import { FromCloudRecoverSchema, type FromCloudRecover, type ToCloudRecover } from '../../webview/cloudRecover/protocol';
import { PanelHost } from '../panels/panelHost';
import { requestBackendFor, requestGateFor } from '../requestGate';
import { verificationMethods } from '../requestSettings';
import type { ExtensionServices } from '../services';
import { CloudRecoverController, type CloudRecoverBackend } from './controller';

const open = new Map<string, PanelHost<FromCloudRecover, ToCloudRecover>>();

export function openCloudRecoverPanel(s: ExtensionServices, profile: InstanceProfile, onChange: () => void): void {
  const existing = open.get(profile.id);
  if (existing) return existing.reveal();
  const host = new PanelHost<FromCloudRecover, ToCloudRecover>(s.context.extensionUri, s.log, {
    viewType: 'jira2fa.cloudRecover',
    title: `Recover a Cloud user · ${profile.name}`,
    bundle: 'cloudRecover',
    fromWebview: FromCloudRecoverSchema,
    iconPath: vscode.Uri.joinPath(s.context.extensionUri, 'media', 'activitybar.svg'),
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
        return { ok: false, outcome: fromThrown(e) };
      }
    },
    requests: requestBackendFor(s, profile, verificationMethods),
    move: async (req, events) => {
      const [{ runCloudMove }, { taskProgressText }] = await Promise.all([import('../../core/actions/cloud.js'), import('../../core/cloud/tasks.js')]);
      const result = await runCloudMove(
        { audit: s.audit, secrets: s.secrets, tracker: s.cloudTracker, withClient: (p, fn) => s.cloud.withClient(p, fn, events.onRateLimited), requests: requestGateFor(s) },
        { profile, ...req, task: { onPoll: (st, n) => events.onPoll(taskProgressText(st), n) } },
      );
      s.log.info(`Cloud move ${req.email} on ${profile.id}: ${result.outcome?.kind ?? 'ok'} (moved: ${result.moved}, tracker: ${result.tracker})`);
      if (result.auditError) s.log.error(`Audit entry not written: ${result.auditError}`);
      onChange();
      return result;
    },
    openLink: (url) => void vscode.env.openExternal(vscode.Uri.parse(url, true)),
    openAuditLog: (entryId) => void vscode.commands.executeCommand(Command.showAuditLog, entryId),
    setKey: async () => {
      await vscode.commands.executeCommand(Command.setCredentials, profile.id, 'orgApiKey');
    },
  };
}
