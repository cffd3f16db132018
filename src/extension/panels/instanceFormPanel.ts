/** Opens the Add / Edit instance form and saves what it sends, after validating it again. */
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import type { InstanceProfile } from '../../core/profiles/schema';
import { checkForm, EMPTY_FORM, fromProfile, type FormValues } from '../../webview/instanceForm/formModel';
import { FromFormSchema, type FromForm, type PolicyChoices, type ToForm } from '../../webview/instanceForm/protocol';
import type { Log } from '../log';
import type { ProfileStore } from '../profileStore';
import { PanelHost } from './panelHost';

export interface InstanceFormRequest {
  mode: 'add' | 'edit';
  /** edit: the profile being edited; add: optional prefill (Duplicate). */
  profile?: InstanceProfile;
  /** Cloud: the organization's authentication policies for the picker (the stored API key is used). */
  listPolicies?: (profile: InstanceProfile) => Promise<PolicyChoices>;
}

/** One form per edited instance (and one for "add"): opening it again reveals the open one. */
const open = new Map<string, PanelHost<FromForm, ToForm>>();

export function openInstanceForm(extensionUri: vscode.Uri, store: ProfileStore, log: Log, request: InstanceFormRequest): void {
  const key = request.mode === 'edit' && request.profile ? `edit:${request.profile.id}` : 'add';
  const existing = open.get(key);
  if (existing) {
    existing.reveal();
    return;
  }
  const editedId = request.mode === 'edit' ? request.profile?.id : undefined;
  const title = request.mode === 'add' ? 'Add Instance' : `Edit ${request.profile?.name ?? 'Instance'}`;
  const host = new PanelHost<FromForm, ToForm>(extensionUri, log, {
    viewType: 'jira2fa.instanceForm',
    title,
    bundle: 'instanceForm',
    fromWebview: FromFormSchema,
    iconPath: vscode.Uri.joinPath(extensionUri, 'media', 'activitybar.svg'),
  });
  open.set(key, host);
  host.panel.onDidDispose(() => open.delete(key));

  const takenIds = () => store.snapshot().profiles.map((p) => p.id).filter((id) => id !== editedId);
  const initial: FormValues = request.profile ? fromProfile(request.profile) : EMPTY_FORM;

  host.onMessage(async (message) => {
    switch (message.type) {
      case 'ready':
        await host.post({ type: 'init', mode: request.mode, values: initial, takenIds: takenIds() });
        return;
      case 'cancel':
        host.dispose();
        return;
      case 'listPolicies': {
        const { check } = checkForm(message.values, takenIds());
        const answer: PolicyChoices = !check.ok
          ? { ok: false, message: 'Fix the fields marked in the form first (organization id, base URL).' }
          : request.listPolicies
            ? await request.listPolicies(check.profile)
            : { ok: false, message: 'Listing policies is not available here: type the policy ids.' };
        await host.post({ type: 'policies', ok: answer.ok, policies: answer.ok ? answer.policies : [], ...(answer.ok ? {} : { message: answer.message }) });
        return;
      }
      case 'save': {
        const { check } = checkForm(message.values, takenIds());
        if (!check.ok) {
          await host.post({ type: 'saveFailed', errors: check.errors, message: 'The instance was not saved: fix the fields marked below.' });
          return;
        }
        await store.upsert(check.profile, editedId);
        log.info(`${request.mode === 'add' ? 'Added' : 'Updated'} instance ${check.profile.id} (${check.profile.baseUrl})`);
        host.dispose();
        for (const warning of check.warnings) void vscode.window.showWarningMessage(`${check.profile.name}: ${warning}`);
        const choice = await vscode.window.showInformationMessage(
          `Saved instance "${check.profile.name}".`,
          'Set Credentials…',
        );
        if (choice) await vscode.commands.executeCommand(Command.setCredentials, check.profile.id);
        return;
      }
    }
  });
}
