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
import { osUser } from '../osUser';
import type { AuditEntry, AuditEntryInput, AuditOutcome, AuditRequest, AuditSink } from '../audit/types';
import { commentOnTicket, prepareRequest, requestOfRefusal, type CommentResult, type PreparedRequest, type RequestGateDeps } from '../requests/gate';
import type { RequestInput } from '../requests/policy';
import type { TargetUser } from '../requests/ticketCheck';
import { AppError, describeError } from '../errors';
import type { InstanceProfile } from '../profiles/schema';
import { redactor } from '../redact';
import type { SecretStore } from '../secrets';

export interface ActionDeps {
  audit: AuditSink;
  secrets: SecretStore;
  /** Name written to the audit log; each action says its default. */
  admin?: string;
  /** Ticket checks and comments on the ticket instance (recovery requests); without it a ticket is refused. */
  requests?: RequestGateDeps;
}

/**
 * The request behind an action that changes a user's 2SV (src/core/requests): checked before
 * the attempt (a refusal is the attempt's one audit entry), carried by every entry the attempt
 * writes, and followed by the ticket comment (its own `ticket.comment` entry).
 */
export interface RequestStep {
  profile: InstanceProfile;
  input?: RequestInput;
  /** The user whose 2SV changes, for the identity match (bulk: none). */
  target?: TargetUser;
  /** What the comment says was done, e.g. "Recovery unenroll". */
  label: string;
  /** Runs over many users: the comment's message (counts), instead of the last user's entry. */
  runSummary?: () => string;
  /** Told how the ticket comment went (posted, failed: offer a retry). */
  onComment?: (r: CommentResult, entry: AuditEntry, prepared: PreparedRequest) => void;
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
  request?: AuditRequest;
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
  deps: Pick<ActionDeps, 'audit' | 'admin' | 'requests'>,
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl'>,
  entry: StoppedEntry,
  attempt: (audit: AuditSink) => Promise<T>,
  stopped: (s: Stopped) => T | Promise<T>,
  unwritten?: (result: T) => { outcome: AuditOutcome; message: string } | undefined,
  request?: RequestStep,
): Promise<T> {
  // A full disk under the log: nothing starts (and nothing can be recorded), the error says why.
  await deps.audit.ready?.();
  let prepared: PreparedRequest | undefined;
  const counted = countingSink(deps.audit, () => prepared?.audit);
  let result: T;
  try {
    if (request) prepared = await prepareRequest(request.profile, request.input, request.target, deps.requests);
    result = await attempt(counted.sink);
  } catch (e) {
    if (counted.tries() > 0) {
      await commentAfter(deps, profile, request, prepared, counted.last());
      throw e;
    }
    const outcome = stoppedOutcome(e);
    const requestBlock = prepared?.audit ?? (request ? requestOfRefusal(request.input) : undefined);
    const written = await writeStopped(deps, profile, { ...entry, ...(requestBlock ? { request: requestBlock } : {}) }, outcome, describeError(e));
    return stopped({ error: e, outcome, ...written });
  }
  const missing = counted.tries() === 0 ? unwritten?.(result) : undefined;
  if (missing) await writeStopped(deps, profile, { ...entry, ...(prepared?.audit ? { request: prepared.audit } : {}) }, missing.outcome, missing.message);
  await commentAfter(deps, profile, request, prepared, counted.last());
  return result;
}

/** The ticket comment after an attempt that reached its service, and its own audit entry. */
async function commentAfter(
  deps: Pick<ActionDeps, 'audit' | 'admin' | 'requests'>,
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl'>,
  request: RequestStep | undefined,
  prepared: PreparedRequest | undefined,
  last: AuditEntry | undefined,
): Promise<void> {
  if (!request || !prepared?.check || !last || !deps.requests) return;
  const said = request.runSummary ? { ...last, target: undefined, message: request.runSummary() } : last;
  const r = await commentOnTicket(prepared, said, request.label, deps.requests);
  if (r.posted === false && r.why !== 'failed') return;
  await recordComment(deps, (await deps.requests.profileOf(prepared.policy.ticketInstance)) ?? profile, prepared, r);
  request.onComment?.(r, last, prepared);
}

/** One `ticket.comment` entry for a comment added or not (also for a retry). */
export async function recordComment(
  deps: Pick<ActionDeps, 'audit' | 'admin'>,
  ticketProfile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl'>,
  prepared: PreparedRequest,
  r: CommentResult,
): Promise<void> {
  const ticket = prepared.check!.ticket.key;
  await writeStopped(
    deps,
    ticketProfile,
    { action: 'ticket.comment', target: ticket, request: { ticket, ticketUrl: prepared.check!.ticketUrl }, ...(r.posted ? { details: { commentId: r.id } } : {}) },
    r.posted ? 'ok' : 'error',
    r.posted ? `Internal comment added to ${ticket}.` : r.why === 'failed' ? r.error : `No comment on ${ticket}.`,
  );
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
    ...(entry.request ? { request: entry.request } : {}),
  };
  try {
    return { auditEntry: await deps.audit.append(input) };
  } catch (e) {
    return { auditError: `The audit log could not be written: ${redactor.redact(describeError(e))}` };
  }
}

/**
 * The sink handed to a domain service: counts what it tried to write (failed writes too), stamps
 * the request block on every entry, and remembers the last entry written (for the ticket comment).
 */
function countingSink(audit: AuditSink, request: () => AuditRequest | undefined): { sink: AuditSink; tries(): number; last(): AuditEntry | undefined } {
  let n = 0;
  let last: AuditEntry | undefined;
  const stamp = (e: AuditEntryInput): AuditEntryInput => {
    const r = request();
    return r && !e.request ? { ...e, request: r } : e;
  };
  const sink: AuditSink = {
    append: async (e) => {
      n++;
      return (last = await audit.append(stamp(e)));
    },
  };
  if (audit.appendMany) {
    const many = audit.appendMany.bind(audit);
    sink.appendMany = async (entries) => {
      n += entries.length;
      const written = await many(entries.map(stamp));
      last = written.at(-1) ?? last;
      return written;
    };
  }
  return { sink, tries: () => n, last: () => last };
}

