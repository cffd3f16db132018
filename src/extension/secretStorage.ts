/**
 * SecretStore on VS Code's SecretStorage (the OS keychain on desktop). Every value read or
 * written is registered with the redactor so it can never reach a log line.
 */
import * as vscode from 'vscode';
import { redactor } from '../core/redact';
import { secretKey, SecretStoreUnavailableError, type SecretKind, type SecretStore } from '../core/secrets';

const KEYRING_FIX =
  'On Linux, install and unlock a keyring (GNOME Keyring or KWallet), or choose one with "password-store" in VS Code\'s argv.json (Command Palette: "Preferences: Configure Runtime Arguments"), then restart VS Code.';

export class VscodeSecretStore implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(instanceId: string, kind: SecretKind): Promise<string | undefined> {
    const value = await this.guard(() => this.storage.get(secretKey(instanceId, kind)));
    redactor.add(value);
    return value;
  }

  async set(instanceId: string, kind: SecretKind, value: string): Promise<void> {
    redactor.add(value);
    await this.guard(() => this.storage.store(secretKey(instanceId, kind), value));
  }

  async delete(instanceId: string, kind: SecretKind): Promise<void> {
    await this.guard(() => this.storage.delete(secretKey(instanceId, kind)));
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
