/**
 * What every database action needs, and how it writes its audit entry.
 */
import { AppError, describeError } from '../errors';
import type { AuditEntry, AuditEntryInput, AuditOutcome, AuditSink } from '../audit/types';
import type { InstanceProfile } from '../profiles/schema';
import { redactor } from '../redact';
import type { Driver } from '../db/types';
import type { BackupStore } from '../backup/store';

export interface RecoveryContext {
  /** The instance; its `database` section describes the connection. */
  profile: InstanceProfile;
  /** A session opened with connectDatabase(profile.database, password). */
  driver: Driver;
  audit: AuditSink;
  /** Who acts: the signed-in admin, else the OS user. */
  admin: string;
  /** Required for destructive snippets and restores. */
  backups?: BackupStore;
  /** Links the entries of one bulk run. */
  runId?: string;
}

export type AuditBase = Pick<AuditEntryInput, 'action' | 'target' | 'details' | 'backupId'>;

export function outcomeOf(e: unknown): AuditOutcome {
  return e instanceof AppError && (e.kind === 'refused' || e.kind === 'input') ? 'refused' : 'error';
}

/**
 * Appends one entry. Returns the entry, or the reason it could not be written: an action that
 * already happened is not undone because its log line failed; the caller reports it.
 */
export async function writeAudit(
  ctx: Pick<RecoveryContext, 'profile' | 'audit' | 'admin' | 'runId'>,
  base: AuditBase,
  outcome: AuditOutcome,
  message: string,
  extra: Partial<AuditEntryInput> = {},
): Promise<{ entry?: AuditEntry; error?: string }> {
  try {
    const entry = await ctx.audit.append({
      admin: ctx.admin,
      instance: { id: ctx.profile.id, name: ctx.profile.name, baseUrl: ctx.profile.baseUrl },
      ...base,
      ...extra,
      outcome,
      message: redactor.redact(message),
      ...(ctx.runId ? { runId: ctx.runId } : {}),
    });
    return { entry };
  } catch (e) {
    return { error: `The audit entry could not be written: ${describeError(e)}` };
  }
}

/** The user a snippet acts on, for the audit entry: its `username` parameter when it has one. */
export function targetOf(params: Record<string, unknown>): string | undefined {
  const u = params.username;
  return typeof u === 'string' && u ? u : undefined;
}
