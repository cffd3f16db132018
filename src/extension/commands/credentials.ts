/** "Set credentials…" and "Forget credentials…": password input boxes into the keychain. */
import { storeSecretFor } from '../../core/credentialOrigin';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { deleteAllSecrets, SECRET_LABELS, secretKindsFor, SecretStoreUnavailableError, type SecretKind } from '../../core/secrets';
import type { InstanceProfile } from '../../core/profiles/schema';
import { resolveInstance, type InstanceArg } from '../instancePicker';
import { Command, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  return {
    [Command.setCredentials]: async (arg: InstanceArg, kindArg?: SecretKind) => {
      const profile = await resolveInstance(s.profiles, arg, 'Set credentials for which instance?');
      if (!profile) return;
      try {
        const kind = kindArg ?? (await pickKind(s, profile));
        if (!kind) return;
        const value = await vscode.window.showInputBox({
          title: `${profile.name}: ${SECRET_LABELS[kind]}`,
          prompt: promptFor(kind, profile),
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => validateSecret(kind, v),
        });
        if (value === undefined) return;
        // Bound to the host (or database) the profile names now: it is sent nowhere else.
        await storeSecretFor(s.secrets, profile, kind, normaliseSecret(kind, value));
        s.statuses.clear(profile.id);
        s.log.info(`Stored ${theLabel(kind)} of ${profile.id} in the keychain`);
        void vscode.window.showInformationMessage(`Stored ${theLabel(kind)} for "${profile.name}" in the OS keychain.`);
      } catch (e) {
        reportSecretError(s, e);
      }
    },
    [Command.forgetCredentials]: async (arg: InstanceArg) => {
      const profile = await resolveInstance(s.profiles, arg, 'Forget the credentials of which instance?');
      if (!profile) return;
      const answer = await vscode.window.showWarningMessage(
        `Forget every stored credential of "${profile.name}"?`,
        { modal: true, detail: 'The token or password, database password and TOTP seed are deleted from the keychain.' },
        'Forget',
      );
      if (answer !== 'Forget') return;
      try {
        await deleteAllSecrets(s.secrets, profile.id);
        s.statuses.clear(profile.id);
        s.log.info(`Deleted the stored credentials of ${profile.id}`);
      } catch (e) {
        reportSecretError(s, e);
      }
    },
  };
}

async function pickKind(s: ExtensionServices, profile: InstanceProfile): Promise<SecretKind | undefined> {
  const kinds = secretKindsFor(profile);
  const items: Array<vscode.QuickPickItem & { secretKind: SecretKind }> = await Promise.all(
    kinds.map(async (kind) => ({
      label: capitalise(SECRET_LABELS[kind]),
      description: (await s.secrets.get(profile.id, kind)) ? 'stored' : 'not set',
      secretKind: kind,
    })),
  );
  return (await vscode.window.showQuickPick(items, { title: `Credentials of ${profile.name}`, placeHolder: 'Which credential to set?' }))?.secretKind;
}

function promptFor(kind: SecretKind, profile: InstanceProfile): string {
  switch (kind) {
    case 'token':
      return `Personal access token of a system administrator on ${profile.baseUrl} (profile → Personal Access Tokens). It has all of its owner's rights.`;
    case 'password':
      return `Password of ${profile.auth.type === 'basic' ? profile.auth.username : 'the admin user'} on ${profile.baseUrl}.`;
    case 'dbPassword':
      return `Password of database user ${profile.database?.user ?? ''} on ${profile.database?.host ?? 'the database'}.`;
    case 'totpSeed':
      return 'Optional: the base32 seed of YOUR OWN authenticator entry, so codes can be generated for you. Leave it unset to type codes from your app.';
    case 'orgApiKey':
      return 'An API key of your Atlassian organization (admin.atlassian.com → Settings → API keys).';
  }
}

/** Quick checks that catch a paste of the wrong thing; the server has the last word. */
export function validateSecret(kind: SecretKind, value: string): string | undefined {
  if (value.trim() === '') return 'Enter a value, or press Escape to cancel.';
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'The value contains control characters (a stray newline?).';
  if (kind === 'totpSeed') {
    const seed = normaliseSecret(kind, value);
    if (!/^[A-Z2-7]+=*$/.test(seed)) return 'A TOTP seed is base32: letters A-Z and digits 2-7 (spaces are ignored).';
    if (seed.replace(/=+$/, '').length < 16) return 'A TOTP seed has at least 16 base32 characters (80 bits).';
  }
  if ((kind === 'token' || kind === 'orgApiKey') && /\s/.test(value.trim())) return 'A token contains no spaces.';
  return undefined;
}

function normaliseSecret(kind: SecretKind, value: string): string {
  return kind === 'totpSeed' ? value.replace(/[\s-]/g, '').toUpperCase() : kind === 'password' || kind === 'dbPassword' ? value : value.trim();
}

function reportSecretError(s: ExtensionServices, e: unknown): void {
  s.log.error('Keychain operation failed', e);
  if (e instanceof SecretStoreUnavailableError) void vscode.window.showErrorMessage(e.message, { modal: true });
  else void vscode.window.showErrorMessage(describeError(e));
}

/** "the personal access token", but "your own TOTP seed" (no "the your own"). */
function theLabel(kind: SecretKind): string {
  const label = SECRET_LABELS[kind];
  return label.startsWith('your ') ? label : `the ${label}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
