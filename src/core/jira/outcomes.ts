/**
 * Every way a call to an instance can end, as one discriminated union. Each outcome says
 * what happened in one line (summary), what to do about it (next), the server's own words
 * when there were some (serverMessage: verbatim, one line, redacted, bounded), the HTTP
 * status, and the FailureKind the CLI turns into an exit code.
 *
 * FailureKind policy: a server or guard saying no is "refused" (1); malformed input or a
 * wrong base URL is "input" (2); anything transient, where trying again later is the
 * answer (network, TLS, timeouts, 5xx, 429), is "unreachable" (3).
 *
 * No outcome ever holds the token, password or TOTP code: texts are written here from
 * fixed phrases plus the target user name, and server text goes through the redactor.
 */
import type { FailureKind } from '../errors';

export type TlsProblem = 'selfSigned' | 'unknownCa' | 'hostnameMismatch' | 'expired' | 'notYetValid' | 'notTls' | 'other';

/** Why a guard refused before any request. */
export type GuardReason = 'username' | 'confirmation' | 'selfUnenroll' | 'replay' | 'code' | 'seed' | 'credentials' | 'config' | 'request';

export type TransportKind = 'dnsFailure' | 'connectionRefused' | 'connectionReset' | 'timeout' | 'proxyError' | 'networkError' | 'cancelled';

type PlainKind =
  | 'noEnrollment'
  | 'invalidCode'
  | 'authFailed'
  | 'selfUnenroll'
  | 'forbidden'
  | 'noSuchUser'
  | 'notFound'
  | 'badRequest'
  | 'serverError'
  | 'loginPage'
  | 'nonJson'
  | 'unexpectedStatus'
  | 'unavailable';

interface Base<K extends string> {
  kind: K;
  /** One line: what happened. */
  summary: string;
  /** One or two sentences: what the user can do next. */
  next: string;
  /** The server's message, verbatim but sanitized; absent when there was none. */
  serverMessage?: string;
  status?: number;
}

interface Failed<K extends string> extends Base<K> {
  ok: false;
  failure: FailureKind;
}

export type Outcome =
  | (Base<'unenrolled'> & { ok: true; failure?: undefined })
  | Failed<PlainKind>
  | (Failed<'rateLimited'> & { retryAfterSeconds?: number })
  | (Failed<'loginRedirect' | 'redirect'> & { location: string })
  | (Failed<'tlsError'> & { tlsProblem: TlsProblem; errorCode: string })
  | (Failed<TransportKind> & { errorCode?: string })
  | (Failed<'refusedByGuard'> & { guard: GuardReason });

export type OutcomeKind = Outcome['kind'];
export type FailedOutcome = Extract<Outcome, { ok: false }>;

/** Result of a read call: the value, or why there is none. */
export type ApiResult<T> = { ok: true; value: T; status: number } | { ok: false; outcome: FailedOutcome };

export function guardRefusal(guard: GuardReason, summary: string, next: string, failure: FailureKind = 'refused'): FailedOutcome {
  return { kind: 'refusedByGuard', ok: false, guard, summary, next, failure };
}

export function unavailable(summary: string, next: string): FailedOutcome {
  return { kind: 'unavailable', ok: false, summary, next, failure: 'input' };
}

/** "summary (server: message)" with the next step, for a log line or a CLI error. */
export function describeOutcome(o: Outcome): string {
  const status = o.status ? ` [HTTP ${o.status}]` : '';
  const server = o.serverMessage ? ` Server said: "${o.serverMessage}".` : '';
  return `${o.summary}${status}${server} ${o.next}`.trim();
}
