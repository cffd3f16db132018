/**
 * What the database actions (snippet runs, restore, bulk by SQL) share: their deps, the
 * session they open (the extension passes its pooled sessions instead), and the context the
 * recovery services take.
 */
import type { BackupStore } from '../backup/store';
import { readSecretFor } from '../credentialOrigin';
import { connectDatabase, type ConnectOptions } from '../db/connect';
import type { Driver } from '../db/types';
import { AppError } from '../errors';
import type { AuditSink } from '../audit/types';
import type { InstanceProfile } from '../profiles/schema';
import type { RecoveryContext } from '../recovery/context';
import type { SecretStore } from '../secrets';
import { osUser } from '../osUser';
import { withOwned, type ActionDeps, type WithResource } from './audited';

/** The session comes from `withDatabase` (the extension's pooled ones), else is opened with the database password from `secrets`. */
export type DatabaseDeps = Omit<ActionDeps, 'secrets'> & {
  /** Where destructive snippets and bulk runs back rows up, and restores read them. */
  backups?: BackupStore;
  /** For the default session (e.g. applicationName). */
  connectOptions?: ConnectOptions;
} & ({ withDatabase: WithResource<Driver>; secrets?: SecretStore } | { withDatabase?: undefined; secrets: SecretStore });

/** The profile's database section, or the refusal that says how to add one. */
export function requireDatabase(profile: InstanceProfile): NonNullable<InstanceProfile['database']> {
  if (!profile.database) throw new AppError('input', `The instance "${profile.name}" has no database connection configured.`, 'Add a database section to its profile.');
  return profile.database;
}

/**
 * Who SQL actions are recorded as: a name the admin set explicitly (the CLI's $JIRA2FA_ADMIN),
 * else the database user they run as (the product identity), else the OS user. The audit log
 * adds the OS user beside it (AuditEntry.osUser).
 */
export function databaseIdentity(profile: InstanceProfile, explicit: string | undefined): string {
  return explicit || profile.database?.user || osUser();
}

/** Runs `fn` in a database session of the profile, with the context the recovery services take. */
export function withRecoveryContext<T>(deps: DatabaseDeps, audit: AuditSink, profile: InstanceProfile, fn: (ctx: RecoveryContext) => Promise<T>, runId?: string): Promise<T> {
  requireDatabase(profile);
  const withDatabase: WithResource<Driver> = deps.withDatabase ?? ((p, run) => withOwned(() => openSession(deps, p), run));
  return withDatabase(profile, (driver) =>
    fn({ profile, driver, audit, admin: databaseIdentity(profile, deps.admin), ...(deps.backups ? { backups: deps.backups } : {}), ...(runId ? { runId } : {}) }),
  );
}

/**
 * A session on the profile's database with the password from `deps.secrets`, sent only to the
 * database it was entered for (credentialOrigin.ts).
 */
export async function openSession(deps: Pick<DatabaseDeps, 'secrets' | 'connectOptions'>, profile: InstanceProfile): Promise<Driver> {
  const db = requireDatabase(profile);
  return connectDatabase(db, deps.secrets ? await readSecretFor(deps.secrets, profile, 'dbPassword') : undefined, deps.connectOptions);
}

/**
 * One session for several actions in a row (a bulk run's preview and its change): opened by
 * the first action that needs it, so that its failure is audited there; close() at the end.
 */
export function sharedSession(deps: Pick<DatabaseDeps, 'secrets' | 'connectOptions'>): { withDatabase: WithResource<Driver>; close(): Promise<void> } {
  let opened: Promise<Driver> | undefined;
  return {
    withDatabase: async (profile, fn) => fn(await (opened ??= openSession(deps, profile))),
    close: async () => {
      const driver = await opened?.catch(() => undefined);
      await driver?.close().catch(() => undefined);
    },
  };
}
