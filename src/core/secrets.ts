/**
 * Where credentials live. The extension implements this on VS Code's SecretStorage (the OS
 * keychain on desktop); the CLI on the OS keychain through keytar, or environment variables.
 * A profile never holds a secret; it is looked up by instance id and kind.
 */
import { redactor } from './redact';

export const SECRET_KINDS = ['token', 'password', 'dbPassword', 'totpSeed', 'orgApiKey'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export const SECRET_LABELS: Record<SecretKind, string> = {
  token: 'personal access token',
  password: 'password',
  dbPassword: 'database password',
  totpSeed: 'your own TOTP seed (base32)',
  orgApiKey: 'organization API key',
};

/** A secret with where it may be sent (see credentialOrigin.ts). */
export interface StoredSecret {
  value: string;
  /** The origin it was entered for; undefined when stored before origins were recorded. */
  origin?: string;
  /** Given by an environment variable for this run (CLI), not stored: bound to no origin. */
  fromEnvironment?: true;
}

/** What the admin decided about a credential whose instance now points elsewhere. */
export interface OriginChange {
  instanceId: string;
  instanceName: string;
  kind: SecretKind;
  storedOrigin: string;
  currentOrigin: string;
}

export interface SecretStore {
  get(instanceId: string, kind: SecretKind): Promise<string | undefined>;
  /** The secret and the origin recorded beside it. */
  getWithOrigin(instanceId: string, kind: SecretKind): Promise<StoredSecret | undefined>;
  /** Stores a secret with the origin it is for; without one, any older origin record is removed. */
  set(instanceId: string, kind: SecretKind, value: string, origin?: string): Promise<void>;
  /** Records a new origin beside a stored secret (the admin confirmed the new host). */
  setOrigin(instanceId: string, kind: SecretKind, origin: string): Promise<void>;
  /** Deletes the secret and its origin record. */
  delete(instanceId: string, kind: SecretKind): Promise<void>;
  /**
   * Asked when a profile's origin no longer matches the one recorded beside a secret; true
   * lets it go to the new origin (and records it). Absent: refused.
   */
  confirmNewOrigin?(change: OriginChange): Promise<boolean>;
}

/** The storage key of the origin recorded beside a secret. */
export function originKey(instanceId: string, kind: SecretKind): string {
  return `${secretKey(instanceId, kind)}:origin`;
}

/** The storage key for one secret: stable, so renaming an instance keeps its secrets. */
export function secretKey(instanceId: string, kind: SecretKind): string {
  return `jira2fa:${instanceId}:${kind}`;
}

/** Thrown when no OS keychain can be reached: we never fall back to plaintext. */
export class SecretStoreUnavailableError extends Error {
  constructor(public readonly fix: string, cause?: unknown) {
    super(`The OS keychain is not available, so no credential can be stored. ${fix}`, { cause });
    this.name = 'SecretStoreUnavailableError';
  }
}

/** Deletes every kind of secret of one instance (used by Remove and Forget credentials). */
export async function deleteAllSecrets(store: SecretStore, instanceId: string): Promise<void> {
  for (const kind of SECRET_KINDS) await store.delete(instanceId, kind);
}

/**
 * Registers every secret stored for an instance with the redactor, also kinds the coming action
 * does not use: a server or an error text that repeats one (the seed, the database password)
 * must still be masked in logs, panels and the audit log.
 */
export async function redactInstanceSecrets(store: SecretStore, instanceId: string): Promise<void> {
  for (const value of await Promise.all(SECRET_KINDS.map((kind) => store.get(instanceId, kind)))) redactor.add(value);
}

/** Which secret kinds a profile can use, in the order "Set credentials…" asks for them. */
export function secretKindsFor(profile: { product: string; auth?: { type: string }; database?: unknown }): SecretKind[] {
  if (profile.product === 'cloud') return ['orgApiKey'];
  const kinds: SecretKind[] = [profile.auth?.type === 'basic' ? 'password' : 'token', 'totpSeed'];
  if (profile.database) kinds.push('dbPassword');
  return kinds;
}
