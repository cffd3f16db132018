/**
 * SecretStore on VS Code's SecretStorage (the OS keychain on desktop). Every value read or
 * written is registered with the redactor so it can never reach a log line.
 */
import * as vscode from 'vscode';
import { redactor } from '../core/redact';
import { originKey, SECRET_LABELS, secretKey, SecretStoreUnavailableError, type OriginChange, type SecretKind, type SecretStore, type StoredSecret } from '../core/secrets';

const KEYRING_FIX =
  'On Linux, install and unlock a keyring (GNOME Keyring or KWallet), or choose one with "password-store" in VS Code\'s argv.json (Command Palette: "Preferences: Configure Runtime Arguments"), then restart VS Code.';

export class VscodeSecretStore implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(instanceId: string, kind: SecretKind): Promise<string | undefined> {
    const value = await this.guard(() => this.storage.get(secretKey(instanceId, kind)));
    redactor.add(value);
    return value;
  }

  async getWithOrigin(instanceId: string, kind: SecretKind): Promise<StoredSecret | undefined> {
    const value = await this.get(instanceId, kind);
    if (value === undefined) return undefined;
    const origin = await this.guard(() => this.storage.get(originKey(instanceId, kind)));
    return origin ? { value, origin } : { value };
  }

  async set(instanceId: string, kind: SecretKind, value: string, origin?: string): Promise<void> {
    redactor.add(value);
    await this.guard(() => this.storage.store(secretKey(instanceId, kind), value));
    await this.guard(() => (origin ? this.storage.store(originKey(instanceId, kind), origin) : this.storage.delete(originKey(instanceId, kind))));
  }

  async setOrigin(instanceId: string, kind: SecretKind, origin: string): Promise<void> {
    await this.guard(() => this.storage.store(originKey(instanceId, kind), origin));
  }

  async delete(instanceId: string, kind: SecretKind): Promise<void> {
    await this.guard(() => this.storage.delete(secretKey(instanceId, kind)));
    await this.guard(() => this.storage.delete(originKey(instanceId, kind)));
  }

  private async guard<T>(op: () => Thenable<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      // SecretStorage rejects when no keyring is reachable; never fall back to plaintext.
      throw new SecretStoreUnavailableError(KEYRING_FIX, e);
    }
  }
}

export const USE_WITH_NEW_HOST = 'Use with new host';

/**
 * Asks, in a modal naming both, whether a credential stored for one host may go to the host the
 * instance names now (an edit, an import or a synced settings file changed it). Anything but
 * "Use with new host" keeps it from being sent.
 */
export async function confirmNewHost(change: OriginChange): Promise<boolean> {
  const pick = await vscode.window.showWarningMessage(
    `⚠ "${change.instanceName}" now points at another ${change.kind === 'dbPassword' ? 'database' : 'host'}. Send its ${SECRET_LABELS[change.kind]} there?`,
    {
      modal: true,
      detail: `Stored for: ${change.storedOrigin}\nNow:        ${change.currentOrigin}\n\nIf you did not change this address yourself (an imported profiles file, synced settings), cancel: the credential is not sent.`,
    },
    USE_WITH_NEW_HOST,
  );
  return pick === USE_WITH_NEW_HOST;
}
