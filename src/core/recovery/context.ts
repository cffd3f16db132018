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

/** One entry to write: what writeAudit() takes, as one value. */
export interface AuditItem {
  base: AuditBase;
  outcome: AuditOutcome;
  message: string;
  extra?: Partial<AuditEntryInput>;
}

type AuditResult = { entry?: AuditEntry; error?: string };

function auditInput(ctx: Pick<RecoveryContext, 'profile' | 'admin' | 'runId'>, item: AuditItem, redacted?: Map<string, string>): AuditEntryInput {
  let message = redacted?.get(item.message);
  if (message === undefined) {
    message = redactor.redact(item.message);
    redacted?.set(item.message, message);
  }
  // Object.assign rather than spreads (a bulk run builds a thousand of these): same members.
  const input: AuditEntryInput = Object.assign({ admin: ctx.admin, instance: { id: ctx.profile.id, name: ctx.profile.name, baseUrl: ctx.profile.baseUrl } }, item.base, item.extra, { outcome: item.outcome, message });
  if (ctx.runId) input.runId = ctx.runId;
  return input;
}

function auditError(e: unknown): string {
  return `The audit entry could not be written: ${describeError(e)}`;
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
): Promise<AuditResult> {
  try {
    return { entry: await ctx.audit.append(auditInput(ctx, { base, outcome, message, extra })) };
  } catch (e) {
    return { error: auditError(e) };
  }
}

/**
 * Appends several entries in order, one result per item like writeAudit(). With a sink that
 * offers appendMany (the file log) the batch is one locked write and one fsync, all or
 * nothing: on failure every item carries the same error. Other sinks get one append each.
 */
export async function writeAuditMany(ctx: Pick<RecoveryContext, 'profile' | 'audit' | 'admin' | 'runId'>, items: readonly AuditItem[]): Promise<AuditResult[]> {
  if (!items.length) return [];
  if (!ctx.audit.appendMany) {
    const results: AuditResult[] = [];
    for (const item of items) results.push(await writeAudit(ctx, item.base, item.outcome, item.message, item.extra));
    return results;
  }
  try {
    // The entries of a bulk run share their messages: each distinct one is redacted once.
    const redacted = new Map<string, string>();
    const written = await ctx.audit.appendMany(items.map((item) => auditInput(ctx, item, redacted)));
    return items.map((_, i) => (written[i] ? { entry: written[i] } : { error: 'The audit log did not return this entry.' }));
  } catch (e) {
    const error = auditError(e);
    return items.map(() => ({ error }));
  }
}

/** The user a snippet acts on, for the audit entry: its `username` parameter when it has one. */
export function targetOf(params: Record<string, unknown>): string | undefined {
  const u = params.username;
  return typeof u === 'string' && u ? u : undefined;
}
