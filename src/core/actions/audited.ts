/**
 * The one shape of every audited action in this folder: `run<Action>(deps, input)`.
 *
 *  - deps: what the caller's environment supplies: the audit log, the secrets, who acts, and
 *    how a client or database session is opened (the extension reuses its pooled ones; the
 *    default opens one from the secrets and closes it after);
 *  - input: what the admin asked for, as one object, so a later field reaches every action
 *    (and its audit entry) without touching the extension or the CLI again.
 *
 * The action opens its client or session itself and ends in exactly one audit entry, refused
 * attempts included. The domain services it calls (unenrollUser, moveToTemporaryPolicy,
 * runReadSnippet, restoreBackup, the bulk runs) write that entry once they have started; what
 * can stop an attempt before them (no credential stored, no database section, the connection
 * failing, a production confirmation not typed) is audited here, once, by auditedAttempt().
 */
import os from 'node:os';
import type { AuditEntry, AuditEntryInput, AuditOutcome, AuditSink } from '../audit/types';
import { AppError, describeError } from '../errors';
import type { InstanceProfile } from '../profiles/schema';
import { redactor } from '../redact';
import type { SecretStore } from '../secrets';

export interface ActionDeps {
  audit: AuditSink;
  secrets: SecretStore;
  /** Name written to the audit log; each action says its default. */
  admin?: string;
}

/** Runs `fn` with the instance's client or session (opened when needed), returning what fn returns. */
export type WithResource<R> = <T>(profile: InstanceProfile, fn: (resource: R) => Promise<T>) => Promise<T>;

/** Opens a resource for one action and closes it afterwards; a failing close changes nothing. */
export async function withOwned<R extends { close(): Promise<void> }, T>(open: () => Promise<R>, fn: (resource: R) => Promise<T>): Promise<T> {
  const resource = await open();
  try {
    return await fn(resource);
  } finally {
    await resource.close().catch(() => undefined);
  }
}

/** The entry written when an attempt stops before the domain service wrote its own. */
export interface StoppedEntry {
  action: string;
  target?: string;
  details?: AuditEntryInput['details'];
  runId?: string;
  backupId?: string;
}

export interface Stopped {
  error: unknown;
  outcome: AuditOutcome;
  auditEntry?: AuditEntry;
  auditError?: string;
}

/** For actions that report failure by throwing: the stopped attempt's error, after its entry. */
export function rethrowStopped(s: Stopped): never {
  throw s.error;
}

/** Refused when the admin's input or the setup stopped it, else an error (network, bug). */
export function stoppedOutcome(e: unknown): AuditOutcome {
  return e instanceof AppError && (e.kind === 'refused' || e.kind === 'input') ? 'refused' : 'error';
}

/**
 * Runs one attempt so that it ends in exactly one audit entry. `attempt` gets the audit sink
 * to hand to the domain service; when it throws before that service wrote anything, one entry
 * (`entry`, outcome from the error) is written here and `stopped` turns the error into the
 * action's result (or rethrows it). When it returns without any entry written, `unwritten`
 * (if given) names the entry to write.
 */
export async function auditedAttempt<T>(
  deps: Pick<ActionDeps, 'audit' | 'admin'>,
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl'>,
  entry: StoppedEntry,
  attempt: (audit: AuditSink) => Promise<T>,
  stopped: (s: Stopped) => T | Promise<T>,
  unwritten?: (result: T) => { outcome: AuditOutcome; message: string } | undefined,
): Promise<T> {
  const counted = countingSink(deps.audit);
  let result: T;
  try {
    result = await attempt(counted.sink);
  } catch (e) {
    if (counted.tries() > 0) throw e;
    const outcome = stoppedOutcome(e);
    const written = await writeStopped(deps, profile, entry, outcome, describeError(e));
    return stopped({ error: e, outcome, ...written });
  }
  const missing = counted.tries() === 0 ? unwritten?.(result) : undefined;
  if (missing) await writeStopped(deps, profile, entry, missing.outcome, missing.message);
  return result;
}

async function writeStopped(
  deps: Pick<ActionDeps, 'audit' | 'admin'>,
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl'>,
  entry: StoppedEntry,
  outcome: AuditOutcome,
  message: string,
): Promise<{ auditEntry?: AuditEntry; auditError?: string }> {
  const input: AuditEntryInput = {
    admin: deps.admin ?? osUser(),
    instance: { id: profile.id, name: profile.name, baseUrl: profile.baseUrl },
    action: entry.action,
    ...(entry.target !== undefined ? { target: entry.target } : {}),
    outcome,
    message: redactor.redact(message),
    ...(entry.details ? { details: entry.details } : {}),
    ...(entry.runId ? { runId: entry.runId } : {}),
    ...(entry.backupId ? { backupId: entry.backupId } : {}),
  };
  try {
    return { auditEntry: await deps.audit.append(input) };
  } catch (e) {
    return { auditError: `The audit log could not be written: ${redactor.redact(describeError(e))}` };
  }
}

/** The sink handed to a domain service, counting what it tried to write (failed writes too). */
function countingSink(audit: AuditSink): { sink: AuditSink; tries(): number } {
  let n = 0;
  const sink: AuditSink = {
    append: (e) => {
      n++;
      return audit.append(e);
    },
  };
  if (audit.appendMany) {
    const many = audit.appendMany.bind(audit);
    sink.appendMany = (entries) => {
      n += entries.length;
      return many(entries);
    };
  }
  return { sink, tries: () => n };
}

export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
