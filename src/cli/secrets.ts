/**
 * Where the CLI finds credentials. The environment variables below always work; the OS
 * keychain (keytar) is consulted first when it is available (see keychain.ts).
 */
import { AppError } from '../core/errors';
import { redactor } from '../core/redact';
import type { SecretKind, SecretStore, StoredSecret } from '../core/secrets';

export const SECRET_ENV: Record<SecretKind, string> = {
  token: 'JIRA2FA_TOKEN',
  password: 'JIRA2FA_PASSWORD',
  dbPassword: 'JIRA2FA_DB_PASSWORD',
  totpSeed: 'JIRA2FA_TOTP_SECRET',
  orgApiKey: 'JIRA2FA_ORG_API_KEY',
};

/**
 * Registers every secret variable that is set with the redactor, before any command runs: a
 * server (or an error) may repeat a secret this run never reads, e.g. the seed during
 * `jira2fa test`, or the password when the instance uses a token.
 */
export function redactEnvSecrets(env: Record<string, string | undefined>): void {
  for (const name of Object.values(SECRET_ENV)) redactor.add(env[name]);
}

/** Secrets from environment variables: read-only, the same value for every instance. */
export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: Record<string, string | undefined>) {}

  async get(_instanceId: string, kind: SecretKind): Promise<string | undefined> {
    const value = this.env[SECRET_ENV[kind]];
    redactor.add(value);
    return value === '' ? undefined : value;
  }

  async getWithOrigin(instanceId: string, kind: SecretKind): Promise<StoredSecret | undefined> {
    const value = await this.get(instanceId, kind);
    return value === undefined ? undefined : { value, fromEnvironment: true };
  }

  async set(): Promise<void> {
    throw new AppError('input', 'Environment variables cannot be written.', 'Store the secret in the OS keychain with "jira2fa login".');
  }

  async setOrigin(): Promise<void> {
    // Nothing stored, nothing to bind.
  }

  async delete(): Promise<void> {
    // Nothing stored: the variable belongs to the caller's shell.
  }
}
