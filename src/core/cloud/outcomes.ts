/**
 * Every way a call to the Atlassian Cloud admin API can fail, as one shape with a `kind`.
 * Like src/core/jira/outcomes.ts, each failure says what happened in one line (summary),
 * what to do about it (next), the server's own words when there were some (serverMessage:
 * one line, redacted, bounded), the HTTP status, and the FailureKind the CLI turns into an
 * exit code: "refused" (1) for the API or a guard saying no, "input" (2) for settings or
 * input that cannot work, "unreachable" (3) for anything where trying again later is the
 * answer (network, TLS, 429, 5xx).
 *
 * No failure ever holds the organization API key: texts are fixed phrases plus ids, e-mail
 * addresses and policy names, and anything the server sent goes through the redactor.
 */
import type { FailureKind } from '../errors';
import type { HttpAnswer } from '../jira/classifyResponse';
import { header, retryAfter } from '../jira/classifyResponse';
import type { FailedOutcome, TlsProblem, TransportKind } from '../jira/outcomes';
import { clean, isHtml, parseJson, serverMessageFrom } from '../jira/serverMessage';
import { redactor } from '../redact';

/** Why a guard refused before (or instead of) a request. */
export type CloudGuard =
  | 'email'
  | 'id'
  | 'config'
  | 'confirmation'
  | 'noSuchUser'
  | 'notManaged'
  | 'alreadyMoved'
  | 'notMoved'
  | 'unknownSource'
  | 'sourceMismatch'
  | 'samePolicy'
  | 'noSuchPolicy'
  | 'targetEnforces'
  | 'singlePolicy'
  /** No --to and no designated recovery policy. */
  | 'noTarget'
  | 'tracker';

export type CloudFailureKind =
  /** 401: the API key is invalid, expired or revoked. */
  | 'badKey'
  /** 403: the key lacks a scope, or its owner is not an admin of this organization. */
  | 'forbidden'
  /** 404: the organization, directory, policy, user or task does not exist (see `missing`). */
  | 'notFound'
  /** 429 and the retries (or the longest wait we accept) are used up. */
  | 'rateLimited'
  | 'serverError'
  | 'badRequest'
  | 'redirect'
  | 'unexpectedStatus'
  /** 2xx whose body is not what we parse: `received` shows what came back. */
  | 'unexpectedShape'
  /** The asynchronous policy task ended in failure. */
  | 'taskFailed'
  /** The task was still running when we stopped waiting: the move may still happen. */
  | 'taskTimeout'
  | 'refusedByGuard'
  | 'tlsError'
  | TransportKind;

export type MissingThing = 'org' | 'directory' | 'policy' | 'user' | 'task';

export interface CloudFailure {
  ok: false;
  kind: CloudFailureKind;
  failure: FailureKind;
  /** One line: what happened. */
  summary: string;
  /** One or two sentences: what to do next. */
  next: string;
  status?: number;
  /** The server's message, verbatim but sanitized. */
  serverMessage?: string;
  /** notFound: what the request named that does not exist, as far as we can tell. */
  missing?: MissingThing;
  retryAfterSeconds?: number;
  /** unexpectedShape / nonJson: the start of what came back, redacted, one line, bounded. */
  received?: string;
  guard?: CloudGuard;
  errorCode?: string;
  tlsProblem?: TlsProblem;
  /** A write whose answer never came: the change may have been made. */
  mayHaveArrived?: boolean;
}

export type CloudResult<T> = { ok: true; value: T; status: number } | { ok: false; outcome: CloudFailure };

/** What the texts need to know about the request that got an answer. */
export interface CloudAnswerContext {
  /** "list the authentication policies", "move alice@example.com to policy X"... */
  action: string;
  host: string;
  orgId: string;
  /** What a 404 most likely means for this request. */
  resource: MissingThing;
  /** The id named by the request for that resource (policy id, task id...). */
  resourceId?: string;
  nowMs: number;
}

const RECEIVED_MAX = 300;

export function guard(guardReason: CloudGuard, summary: string, next: string, failure: FailureKind = 'refused'): CloudFailure {
  return { ok: false, kind: 'refusedByGuard', guard: guardReason, failure, summary: redactor.redact(summary), next };
}

/** A transport failure from classifyTransportError (shared with the Jira client). */
export function fromTransport(o: FailedOutcome, mayHaveArrived: boolean): CloudFailure {
  return {
    ok: false,
    kind: o.kind as CloudFailureKind,
    failure: o.failure,
    summary: o.summary,
    next: o.next,
    ...('errorCode' in o && o.errorCode ? { errorCode: o.errorCode } : {}),
    ...('tlsProblem' in o ? { tlsProblem: o.tlsProblem } : {}),
    ...(mayHaveArrived ? { mayHaveArrived: true } : {}),
  };
}

/**
 * Error bodies of the admin APIs come as {"code": 401, "message": "..."} or, JSON:API style,
 * {"errors": [{"status", "code", "title", "detail"}]}. The second is not understood by the
 * shared serverMessageFrom, so it is read here first.
 */
export function cloudServerMessage(a: Pick<HttpAnswer, 'bodyText' | 'headers'>): string | undefined {
  const json = parseJson(a.bodyText) as { errors?: unknown } | undefined;
  if (json && typeof json === 'object' && Array.isArray(json.errors)) {
    const parts = json.errors
      .map((e: unknown) => {
        if (!e || typeof e !== 'object') return typeof e === 'string' ? e : undefined;
        const o = e as Record<string, unknown>;
        const title = typeof o.title === 'string' ? o.title : undefined;
        const detail = typeof o.detail === 'string' ? o.detail : typeof o.message === 'string' ? o.message : undefined;
        return [title, detail].filter(Boolean).join(': ') || undefined;
      })
      .filter((s): s is string => !!s);
    if (parts.length) return clean(parts.join('; '));
  }
  return serverMessageFrom(a.bodyText, header(a, 'content-type'));
}

/** The start of a body, safe to show: one line, redacted, at most 300 characters. */
export function receivedExcerpt(bodyText: string): string {
  return clean(bodyText, RECEIVED_MAX) ?? '(empty body)';
}

/** Any answer that is not the success the call expects. */
export function classifyCloudAnswer(a: HttpAnswer, ctx: CloudAnswerContext): CloudFailure {
  const s = a.status;
  const serverMessage = cloudServerMessage(a);
  const base = { ok: false as const, status: s, ...(serverMessage ? { serverMessage } : {}) };
  if (s === 401) {
    return { ...base, kind: 'badKey', failure: 'refused',
      summary: `${ctx.host} did not accept the organization API key (invalid, expired or revoked).`,
      next: 'Create an API key in admin.atlassian.com (Settings → API keys) and store it with "Set Credentials…" (CLI: JIRA2FA_ORG_API_KEY).' };
  }
  if (s === 403) {
    return { ...base, kind: 'forbidden', failure: 'refused',
      summary: `The API key may not ${ctx.action}.`,
      next: `Use an API key of organization ${ctx.orgId} created by an organization admin, with the scopes for users and authentication policies (a read-only or site-scoped key cannot move users).` };
  }
  if (s === 404) return notFound(base, ctx);
  if (s === 429) {
    const seconds = retryAfter(header(a, 'retry-after'), ctx.nowMs);
    return { ...base, kind: 'rateLimited', failure: 'unreachable', ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}),
      summary: `${ctx.host} is limiting the rate of requests, and waiting did not help.`,
      next: seconds !== undefined ? `Wait ${seconds} s and try again.` : 'Wait a minute and try again.' };
  }
  if (s >= 500) {
    return { ...base, kind: 'serverError', failure: 'unreachable',
      summary: `The Atlassian admin API failed while trying to ${ctx.action} (${s}).`,
      next: 'Try again in a few minutes; check status.atlassian.com if it persists.' };
  }
  if (s >= 300 && s < 400) {
    const location = clean(header(a, 'location') ?? '', 300) ?? '';
    return { ...base, kind: 'redirect', failure: 'input',
      summary: `${ctx.host} redirected the request${location ? ` to ${location}` : ''}; the API key is not sent on to another address.`,
      next: 'Set the base URL of this organization to https://api.atlassian.com (or the address your proxy documents).' };
  }
  if (s >= 200 && s < 300) return unexpectedShape(a, ctx, isHtml(a.bodyText, header(a, 'content-type')) ? 'a web page' : 'something else');
  if (s === 400) {
    return { ...base, kind: 'badRequest', failure: 'refused',
      summary: `The API refused the request to ${ctx.action} as invalid (400).`,
      next: 'See the server\'s message; the API may expect another request shape than this version sends.' };
  }
  return { ...base, kind: 'unexpectedStatus', failure: s >= 400 && s < 500 ? 'refused' : 'unreachable',
    summary: `Unexpected answer ${s} when trying to ${ctx.action}.`,
    next: 'See the server\'s message; report it if it keeps happening.' };
}

/**
 * A 2xx answer whose body we could not read. `what` says what we found instead; the start of
 * the body is kept (redacted, bounded) so the user and a bug report see what came back
 * instead of a silent guess.
 */
export function unexpectedShape(a: HttpAnswer, ctx: Pick<CloudAnswerContext, 'action' | 'host'>, what: string): CloudFailure {
  return {
    ok: false,
    kind: 'unexpectedShape',
    failure: 'unreachable',
    status: a.status,
    summary: redactor.redact(`Unexpected response shape when trying to ${ctx.action}: ${what}.`),
    next: 'The Atlassian API may have changed, or a proxy answered instead. Nothing was guessed; report the response shown here.',
    received: receivedExcerpt(a.bodyText),
  };
}

function notFound(base: { ok: false; status: number; serverMessage?: string }, ctx: CloudAnswerContext): CloudFailure {
  const id = ctx.resourceId ? ` ${ctx.resourceId}` : '';
  // An org 404 is the likeliest reading of any 404 when the server names the organization.
  const saysOrg = /organi[sz]ation|\borg\b/i.test(base.serverMessage ?? '');
  const missing: MissingThing = saysOrg ? 'org' : ctx.resource;
  const texts: Record<MissingThing, [string, string]> = {
    org: [`Organization ${ctx.orgId} was not found (or the API key belongs to another organization).`,
      'Check orgId in the instance settings: it is the id after /o/ in your admin.atlassian.com address.'],
    directory: [`Directory${id} was not found in organization ${ctx.orgId}.`,
      'Check directoryId in the instance settings, or remove it to search every directory.'],
    policy: [`Authentication policy${id} was not found in organization ${ctx.orgId} (deleted or renamed?).`,
      'List the policies again ("cloud find" shows them) and choose one that exists.'],
    user: [`User${id} was not found in organization ${ctx.orgId}.`,
      'Search again by e-mail address; the account may have been removed from the organization.'],
    task: [`Task${id} is no longer known to the API.`,
      'Check the user\'s authentication policy in admin.atlassian.com before trying again.'],
  };
  const [summary, next] = texts[missing];
  return { ...base, kind: 'notFound', failure: 'input', missing, summary: redactor.redact(summary), next };
}

/** "summary [HTTP n] Server said: "…". next", for a log line or a CLI error. */
export function describeCloudFailure(o: CloudFailure): string {
  const status = o.status ? ` [HTTP ${o.status}]` : '';
  const server = o.serverMessage ? ` Server said: "${o.serverMessage}".` : '';
  const received = o.received ? ` Received: ${o.received}` : '';
  return `${o.summary}${status}${server}${received} ${o.next}`.trim();
}
