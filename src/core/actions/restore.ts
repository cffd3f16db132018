/**
 * Restoring a backup as an audited action (see audited.ts): opens a session on the profile's
 * database, runs restoreBackup() with its guards, and ends in exactly one audit entry
 * ("backup.restore"), also when no session could be opened.
 */
import { restoreBackup, type RestoreResult } from '../recovery/restore';
import type { InstanceProfile } from '../profiles/schema';
import type { RequestInput } from '../requests/policy';
import { auditedAttempt, rethrowStopped, type RequestStep } from './audited';
import { withRecoveryContext, type DatabaseDeps } from './database';

export interface RestoreInput {
  /** The instance the backup was taken on. */
  profile: InstanceProfile;
  backupId: string;
  /** The request behind the restore (it puts 2SV enrollments back): see src/core/requests. */
  request?: RequestInput;
  onComment?: RequestStep['onComment'];
}

export function runRestore(deps: DatabaseDeps, input: RestoreInput): Promise<RestoreResult> {
  return auditedAttempt(
    deps,
    input.profile,
    { action: 'backup.restore', backupId: input.backupId, details: {} },
    (audit) => withRecoveryContext(deps, audit, input.profile, (ctx) => restoreBackup(ctx, input.backupId)),
    rethrowStopped,
    undefined,
    { profile: input.profile, input: input.request, label: `Restore of backup ${input.backupId}`, ...(input.onComment ? { onComment: input.onComment } : {}) },
  );
}
