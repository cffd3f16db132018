/**
 * Bulk disable by REST: the recovery unenroll (unenrollUser, with its guards and its audit
 * entry) once per listed user, each with a fresh code from the admin's stored seed through
 * the instance's ReplayGuard. The server refuses a reused code, so the run paces itself at
 * one user per 30-second window; the clock is injectable, so tests do not wait.
 *
 *  - Cancel (the signal) stops after the user in flight: a request already sent is never
 *    aborted; a wait for the next window or for Retry-After is. Users not attempted stay
 *    "pending" and the report (persisted after every user) can be resumed.
 *  - 429: wait Retry-After (60 s when absent), then try the same user again with a new code.
 *  - A failure that would hit every user alike (credentials refused, network, TLS, a wrong
 *    seed) stops the run, leaving that user pending: fix it and resume.
 */
import { AppError } from '../errors';
import type { AuditSink } from '../audit/types';
import type { Outcome } from '../jira/outcomes';
import type { InstanceProfile } from '../profiles/schema';
import type { SecretStore } from '../secrets';
import { PERIOD_SECONDS, seedProblem, systemClock, type Clock, type ReplayGuard } from '../totp';
import { readSecretFor } from '../credentialOrigin';
import { unenrollUser, type UnenrollClient } from '../unenroll';
import { checkBulkConfirmation } from './confirm';
import { describeCounts, type BulkReport, type BulkUserResult, type UserStatus } from './report';

export interface RestBulkProgress {
  /** Users finished in this report (earlier runs included). */
  done: number;
  total: number;
  /** The user being worked on. */
  current?: string;
  /** Rough time left: one code window per remaining user, plus any wait in progress. */
  etaMs: number;
  /** What the run is waiting for right now, and how long. */
  waiting?: { for: 'code' | 'rate-limit'; ms: number };
}

export interface RestBulkOptions {
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl' | 'environment' | 'auth'>;
  client: UnenrollClient;
  audit: AuditSink;
  secrets: SecretStore;
  /** The instance's guard (replayGuardFor(profile.id)), shared with single unenrolls. */
  guard: ReplayGuard;
  /** For Retry-After waits; the guard waits on its own clock. */
  clock?: Clock;
  /** A new report (newReport(..., 'rest', ...)) or one loaded to resume. */
  report: BulkReport;
  /** Production: the number of users still pending. */
  confirmation?: string;
  admin?: string;
  /** Cancel: stops after the current user. */
  signal?: AbortSignal;
  /** Called after every user (and at start and end) to save the report. */
  persist?: (report: BulkReport) => Promise<void>;
  onProgress?: (p: RestBulkProgress) => void;
  /** Tries per user after 429 answers. */
  maxRateLimitRetries?: number;
}

const USER_SPECIFIC = new Set<Outcome['kind']>(['unenrolled', 'noSuchUser', 'noEnrollment', 'selfUnenroll', 'badRequest', 'notFound', 'serverError', 'nonJson', 'unexpectedStatus']);
const DEFAULT_RETRY_AFTER_S = 60;

function statusOf(o: Outcome): UserStatus {
  if (o.ok) return 'disabled';
  if (o.kind === 'noSuchUser') return 'not-found';
  if (o.kind === 'noEnrollment') return 'not-enrolled';
  return 'failed';
}

function outcomeText(o: Outcome): string {
  return o.serverMessage ? `${o.summary} Server said: "${o.serverMessage}".` : o.summary;
}

export async function runRestBulk(opts: RestBulkOptions): Promise<BulkReport> {
  const { report, profile } = opts;
  const clock = opts.clock ?? systemClock;
  if (report.via !== 'rest') throw new AppError('input', `Report ${report.runId} is a ${report.via} run; resume it with --via ${report.via}.`);
  if (report.instance.id !== profile.id) throw new AppError('input', `Report ${report.runId} belongs to instance ${report.instance.id}, not ${profile.id}.`);
  const pending = report.users.filter((u) => u.status === 'pending');
  const save = async () => {
    await opts.persist?.(report);
  };
  if (!pending.length) {
    report.state = 'completed';
    report.stateMessage = `Nothing left to do: ${describeCounts(report)}.`;
    await save();
    return report;
  }
  checkBulkConfirmation(profile, pending.length, opts.confirmation);
  const seed = await readSecretFor(opts.secrets, profile, 'totpSeed');
  if (!seed) throw new AppError('input', `No TOTP seed of yours is stored for ${profile.name}: a bulk run generates one code per user from it.`, 'Store your own seed ("Set Credentials…", or jira2fa login --kind totp).');
  const seedIssue = seedProblem(seed);
  if (seedIssue) throw new AppError('input', seedIssue, 'Store your own seed again.');

  // Requests already sent are never aborted: only waits see the signal.
  const client: UnenrollClient = { myself: () => opts.client.myself(), unenroll: (u, c) => opts.client.unenroll(u, c) };
  let signedInAs: string | undefined;
  const me = await client.myself();
  if (me.ok) signedInAs = me.value.username;
  else if (me.outcome.kind !== 'unavailable') {
    report.state = 'stopped';
    report.stateMessage = `Stopped before the first user: ${outcomeText(me.outcome)} ${me.outcome.next}`;
    await save();
    return report;
  }

  const total = report.users.length;
  const finished = () => report.users.filter((u) => u.status !== 'pending').length;
  const progress = (current?: string, waiting?: RestBulkProgress['waiting']) => {
    const remaining = report.users.filter((u) => u.status === 'pending').length;
    opts.onProgress?.({ done: finished(), total, ...(current ? { current } : {}), etaMs: remaining * PERIOD_SECONDS * 1000 + (waiting?.ms ?? 0), ...(waiting ? { waiting } : {}) });
  };
  const maxRetries = opts.maxRateLimitRetries ?? 5;
  report.state = 'running';
  report.stateMessage = undefined;
  await save();
  progress();

  let stop: { state: 'cancelled' | 'stopped'; message: string } | undefined;
  for (const u of pending) {
    if (opts.signal?.aborted) {
      stop = { state: 'cancelled', message: 'Cancelled; the users not attempted are pending: resume the report to continue.' };
      break;
    }
    progress(u.username);
    stop = await oneUser(u);
    await save();
    progress();
    if (stop) break;
  }
  report.state = stop?.state ?? 'completed';
  report.stateMessage = `${stop ? `${stop.message} ` : ''}${describeCounts(report)}.`;
  await save();
  return report;

  async function oneUser(u: BulkUserResult): Promise<typeof stop> {
    let rateLimited = 0;
    let invalidCodes = 0;
    for (;;) {
      const result = await unenrollUser({
        profile,
        client,
        audit: opts.audit,
        username: u.username,
        useStoredSeed: true,
        secrets: opts.secrets,
        // The run as a whole was confirmed (checkBulkConfirmation); each user is its own target.
        confirmation: u.username,
        replayGuard: opts.guard,
        admin: opts.admin,
        signedInAs,
        runId: report.runId,
        signal: opts.signal,
        onWaitForFreshCode: (ms) => progress(u.username, { for: 'code', ms }),
      });
      const o = result.outcome;
      u.attempts++;
      u.at = new Date(clock.now()).toISOString();
      u.outcome = o.kind;
      u.httpStatus = o.status;
      if (result.auditEntry) u.auditEntryIds.push(result.auditEntry.id);
      const auditNote = result.auditError ? ` (${result.auditError})` : '';
      if (o.kind === 'cancelled') {
        u.message = `cancelled before a request was sent${auditNote}`;
        return { state: 'cancelled', message: 'Cancelled while waiting for a fresh code; nothing was sent for the current user.' };
      }
      if (o.kind === 'rateLimited' && rateLimited < maxRetries) {
        rateLimited++;
        const ms = (o.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S) * 1000;
        u.message = `rate limited (HTTP 429), waiting ${Math.ceil(ms / 1000)} s before retry ${rateLimited}${auditNote}`;
        progress(u.username, { for: 'rate-limit', ms });
        try {
          await clock.sleep(ms, opts.signal);
        } catch {
          if (!opts.signal?.aborted) throw new Error('the Retry-After wait failed');
          u.message = `rate limited (HTTP 429); cancelled while waiting for Retry-After${auditNote}`;
          return { state: 'cancelled', message: 'Cancelled while waiting for the server\'s Retry-After.' };
        }
        continue;
      }
      // A code can be refused when another tool used the same window; one retry with the next.
      if (o.kind === 'invalidCode' && invalidCodes === 0) {
        invalidCodes++;
        continue;
      }
      const status = statusOf(o);
      if (status === 'failed' && !USER_SPECIFIC.has(o.kind) && !(o.kind === 'refusedByGuard' && (o.guard === 'username' || o.guard === 'selfUnenroll'))) {
        u.message = `not attempted to the end: ${outcomeText(o)}${auditNote}`;
        return { state: 'stopped', message: `Stopped at ${u.username}: ${outcomeText(o)} ${o.next}` };
      }
      u.status = status;
      u.message = `${outcomeText(o)}${auditNote}`;
      return undefined;
    }
  }
}
