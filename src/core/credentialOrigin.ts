/**
 * A credential goes only to the place it was entered for. Beside each stored secret the store
 * records its origin: for the Jira token or password, the TOTP seed (its codes go to the same
 * server) and the Cloud API key, the scheme, host and port of the profile's baseUrl; for the
 * database password, driver, host, port and database. Profiles come from settings, an import
 * or the CLI profiles file, all of which someone else may have written: when the profile now
 * points elsewhere, the secret is not read for sending until the admin confirms the new
 * origin (SecretStore.confirmNewOrigin: a modal in VS Code, --accept-new-host in the CLI).
 *
 * Every read of a secret that is then sent goes through readSecretFor() (or, where a core
 * path has the stored value already, checkCredentialOrigin()).
 */
import { driverFacts } from './db/dialect';
import { AppError } from './errors';
import type { InstanceProfile } from './profiles/schema';

type DatabaseConfig = NonNullable<InstanceProfile['database']>;
import { SECRET_LABELS, type OriginChange, type SecretKind, type SecretStore, type StoredSecret } from './secrets';

export type OriginProfile = Pick<InstanceProfile, 'id' | 'name' | 'baseUrl'> & { database?: Pick<DatabaseConfig, 'driver' | 'host' | 'port' | 'database'> };

const DEFAULT_WEB_PORTS: Record<string, string> = { 'https:': '443', 'http:': '80' };

/** "https://jira.example.com:443": what a web credential is bound to (ports always explicit). */
export function webOrigin(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${url.hostname}:${url.port || DEFAULT_WEB_PORTS[url.protocol] || ''}`;
}

/** "postgres://db.example.com:5432/jira": what the database password is bound to. */
export function databaseOrigin(db: Pick<DatabaseConfig, 'driver' | 'host' | 'port' | 'database'>): string {
  const port = db.port ?? driverFacts(db.driver).defaultPort ?? '';
  return `${db.driver}://${(db.host ?? '').toLowerCase()}:${port}/${encodeURIComponent(db.database)}`;
}

/** The origin a secret of this kind is sent to for this profile; undefined when it has none (no database). */
export function credentialOrigin(profile: OriginProfile, kind: SecretKind): string | undefined {
  if (kind === 'dbPassword') return profile.database ? databaseOrigin(profile.database) : undefined;
  return webOrigin(profile.baseUrl);
}

/** A credential was not sent because its instance points somewhere else than when it was stored. */
export class CredentialOriginChangedError extends AppError {
  constructor(readonly change: OriginChange) {
    super(
      'refused',
      `The ${SECRET_LABELS[change.kind]} of ${change.instanceName} was stored for ${change.storedOrigin}, but the instance now points at ${change.currentOrigin}; it was not sent.`,
      `If ${change.currentOrigin} is right, store the credential again ("Set Credentials…", or jira2fa login --instance ${change.instanceId}) or confirm the new host (VS Code: "Use with new host"; CLI: --accept-new-host); otherwise restore the instance's address.`,
    );
    this.name = 'CredentialOriginChangedError';
  }
}

export type OriginCheck =
  | { ok: true; bind?: string }
  | { ok: false; change: OriginChange };

/**
 * Compares the origin recorded beside a secret with the profile's. A secret stored before
 * origins were recorded (none) is bound to the profile's current origin: that is what the
 * admin had configured when the tool started recording them (`bind` says what to record).
 */
export function checkCredentialOrigin(profile: OriginProfile, kind: SecretKind, stored: Pick<StoredSecret, 'origin' | 'fromEnvironment'>): OriginCheck {
  // An environment variable is handed over by the caller for this one run; it is not stored.
  if (stored.fromEnvironment) return { ok: true };
  const current = credentialOrigin(profile, kind);
  if (current === undefined) return { ok: true };
  if (stored.origin === undefined) return { ok: true, bind: current };
  if (stored.origin === current) return { ok: true };
  return { ok: false, change: { instanceId: profile.id, instanceName: profile.name, kind, storedOrigin: stored.origin, currentOrigin: current } };
}

/** What readSecretFor needs of a store. */
export type SecretReader = Pick<SecretStore, 'getWithOrigin' | 'setOrigin' | 'confirmNewOrigin'>;

/**
 * Reads a secret that is about to be sent for this profile. Undefined when none is stored;
 * CredentialOriginChangedError when the profile points elsewhere and the store's
 * confirmNewOrigin (if any) did not accept the new origin.
 */
export async function readSecretFor(store: SecretReader, profile: OriginProfile, kind: SecretKind): Promise<string | undefined> {
  const stored = await store.getWithOrigin(profile.id, kind);
  if (!stored) return undefined;
  const check = checkCredentialOrigin(profile, kind, stored);
  if (check.ok) {
    if (check.bind) await store.setOrigin(profile.id, kind, check.bind);
    return stored.value;
  }
  if (!(await store.confirmNewOrigin?.(check.change))) throw new CredentialOriginChangedError(check.change);
  await store.setOrigin(profile.id, kind, check.change.currentOrigin);
  return stored.value;
}

/** Stores a secret bound to the profile's current origin (Set Credentials, jira2fa login). */
export async function storeSecretFor(store: SecretStore, profile: OriginProfile, kind: SecretKind, value: string): Promise<void> {
  await store.set(profile.id, kind, value, credentialOrigin(profile, kind));
}

/** The same store, asking `confirm` when a credential's origin changed. */
export function withOriginConfirmation(store: SecretStore, confirm: (change: OriginChange) => Promise<boolean>): SecretStore {
  return {
    get: (id, kind) => store.get(id, kind),
    getWithOrigin: (id, kind) => store.getWithOrigin(id, kind),
    set: (id, kind, value, origin) => store.set(id, kind, value, origin),
    setOrigin: (id, kind, origin) => store.setOrigin(id, kind, origin),
    delete: (id, kind) => store.delete(id, kind),
    confirmNewOrigin: confirm,
  };
}
