/**
 * Turns an HTTP answer into an Outcome. The unenroll call has its own table (the statuses
 * documented for the tsv plugin, see docs reference section 1); read calls share the
 * generic part (redirects, login pages, 401, 429, 5xx...).
 *
 * Where the tsv plugin's documented message and status agree we use the specific kind;
 * a known status with another message (a different version, a language pack, a proxy)
 * gets the generic kind for that status and the server's words verbatim.
 */
import { redactor } from '../redact';
import type { FailedOutcome, Outcome } from './outcomes';
import { clean, isHtml, serverMessageFrom } from './serverMessage';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
}

export interface AnswerContext {
  /** What we asked, for the texts: "remove 2SV of jdoe", "read your profile"... */
  action: string;
  /** Host (and port) of the instance, for the texts. */
  host: string;
  /** The request path, shown when an endpoint is missing. */
  path: string;
  /** Seconds since the epoch, to turn an HTTP-date Retry-After into seconds. */
  nowMs?: number;
}

const MESSAGES = {
  noEnrollment: /no enrol?lment/i,
  invalidCode: /invalid totp code|totp code.*invalid/i,
  selfUnenroll: /cannot unenrol?l themselves/i,
  noSuchUser: /no user matches/i,
};

/** The unenroll call: 204 and the documented 400/401/403/404 answers, then the generic ones. */
export function classifyUnenrollAnswer(a: HttpAnswer, ctx: AnswerContext, username: string): Outcome {
  const message = messageOf(a);
  const who = quote(username);
  if (a.status === 204) {
    return {
      kind: 'unenrolled', ok: true, status: 204,
      summary: `Two-step verification of ${who} was removed.`,
      next: `Ask ${who} to sign in: they set up two-step verification again if it is enforced.`,
    };
  }
  if (a.status === 400 && matches(message, MESSAGES.noEnrollment)) {
    return fail('noEnrollment', a, message, 'refused', `${who} has no two-step verification enrollment: there is nothing to remove.`,
      'If they still cannot sign in, the problem is elsewhere (password, SSO, or an enforced 2SV they never completed).');
  }
  if (a.status === 401 && matches(message, MESSAGES.invalidCode)) {
    return fail('invalidCode', a, message, 'refused', 'The server rejected the TOTP code.',
      'It must be YOUR OWN current code (not the user\'s), unused, from a device with the right time. Wait for the next code and try again.');
  }
  if (a.status === 403 && matches(message, MESSAGES.selfUnenroll)) {
    return fail('selfUnenroll', a, message, 'refused', 'An administrator cannot remove their own two-step verification.',
      'Ask another system administrator to do it, or use the database recovery.');
  }
  if (a.status === 403) {
    return fail('forbidden', a, message, 'refused', `The server refused to ${ctx.action}.`,
      'The signed-in account must be a system administrator and must have TOTP two-step verification set up on itself.');
  }
  if (a.status === 404 && matches(message, MESSAGES.noSuchUser)) {
    return fail('noSuchUser', a, message, 'refused', `There is no user ${who} on ${ctx.host}.`,
      'Check the spelling: it is the user name (login), not the display name or e-mail address.');
  }
  if (a.status >= 200 && a.status < 300 && !isHtml(a.bodyText, header(a, 'content-type'))) {
    return fail('unexpectedStatus', a, message, 'refused', `The server answered ${a.status} instead of 204, so it is not certain that 2SV of ${who} was removed.`,
      'Check the user\'s state (the database view, or ask them to sign in) before trying again.');
  }
  return classifyFailedAnswer(a, ctx);
}

/** Any answer that is not the expected success: shared by every call. */
export function classifyFailedAnswer(a: HttpAnswer, ctx: AnswerContext): FailedOutcome {
  const message = messageOf(a);
  const contentType = header(a, 'content-type');
  const s = a.status;
  if (s >= 300 && s < 400) {
    const location = clean(header(a, 'location') ?? '', 500) ?? '';
    if (looksLikeLogin(location)) {
      return { ...fail('loginRedirect', a, message, 'refused', `${ctx.host} sent the request to a login page instead of answering.`,
        'The token or password was not accepted for REST calls, or the instance demands a browser session (SSO). Check the credentials; ask whether personal access tokens are allowed.'), location };
    }
    return { ...fail('redirect', a, message, 'input', `${ctx.host} redirected the request to ${location || 'another address'}.`,
      'Set the instance base URL to the address the server uses (https://, host name and context path such as /jira).'), location };
  }
  if (s === 401) {
    const denied = /AUTHENTICATION_DENIED/i.test(header(a, 'x-seraph-loginreason') ?? '');
    return fail('authFailed', a, message, 'refused',
      denied ? 'Sign-in is blocked until a CAPTCHA is answered (too many failed logins).' : `${ctx.host} did not accept the credentials (token invalid, expired or revoked, or wrong password).`,
      denied ? 'Sign in once in a browser to clear the CAPTCHA, or use a personal access token.' : 'Create a new personal access token (profile → Personal Access Tokens) and store it with "Set Credentials…".');
  }
  if (s === 403) {
    return fail('forbidden', a, message, 'refused', `The server refused to ${ctx.action}.`, 'The signed-in account lacks the permission for this; use a system administrator\'s credentials.');
  }
  if (s === 404) {
    return fail('notFound', a, message, 'input', `${ctx.host} has no ${ctx.path}.`,
      'Check the base URL (including a context path such as /jira) and that this product version has native two-step verification; try tsvApiVersion "latest".');
  }
  if (s === 407) {
    return fail('proxyError', a, message, 'unreachable', 'The proxy asks for authentication.', 'Put the proxy user and password in HTTPS_PROXY, or use a proxy that does not need them.');
  }
  if (s === 429) {
    const retryAfterSeconds = retryAfter(header(a, 'retry-after'), ctx.nowMs ?? Date.now());
    const wait = retryAfterSeconds !== undefined ? `Wait ${retryAfterSeconds} s and try again.` : 'Wait a minute and try again.';
    return { ...fail('rateLimited', a, message, 'unreachable', `${ctx.host} is limiting the rate of requests.`, wait), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  }
  if (s >= 500) {
    const gateway = s === 502 || s === 503 || s === 504;
    return fail('serverError', a, message, 'unreachable', gateway ? `${ctx.host} (or a proxy in front of it) is unavailable (${s}).` : `${ctx.host} failed with an internal error (${s}).`,
      gateway ? 'Try again in a few minutes; check that the instance is running.' : 'Try again; if it persists, look for the error in the instance\'s application log.');
  }
  if (isHtml(a.bodyText, contentType)) {
    return fail('loginPage', a, message, 'refused', `${ctx.host} answered with a web page instead of data, most likely a login page.`,
      'The credentials were not accepted for REST calls or a browser session (SSO) is required; check the token, or whether a proxy page is in the way.');
  }
  if (s === 400) {
    return fail('badRequest', a, message, 'refused', `The server refused the request as invalid (400).`, 'See the server\'s message; this version may expect something else.');
  }
  return fail('unexpectedStatus', a, message, s >= 400 && s < 500 ? 'refused' : 'unreachable', `Unexpected answer ${s} when trying to ${ctx.action}.`, 'See the server\'s message; report it if it keeps happening.');
}

/** A 2xx answer whose body is not the JSON the call expects. */
export function classifyUnexpectedBody(a: HttpAnswer, ctx: AnswerContext): FailedOutcome {
  if (isHtml(a.bodyText, header(a, 'content-type'))) return classifyFailedAnswer(a, ctx);
  return fail('nonJson', a, messageOf(a), 'unreachable', `${ctx.host} answered ${ctx.path} with something that is not the expected JSON.`,
    'A proxy or another application may be answering at this address: check the base URL.');
}

function fail<K extends FailedOutcome['kind']>(kind: K, a: HttpAnswer, serverMessage: string | undefined, failure: FailedOutcome['failure'], summary: string, next: string) {
  return { kind, ok: false as const, status: a.status, summary: redactor.redact(summary), next, failure, ...(serverMessage ? { serverMessage } : {}) };
}

function messageOf(a: HttpAnswer): string | undefined {
  return serverMessageFrom(a.bodyText, header(a, 'content-type'));
}

function matches(message: string | undefined, re: RegExp): boolean {
  return !!message && re.test(message);
}

export function header(a: Pick<HttpAnswer, 'headers'>, name: string): string | undefined {
  const v = a.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function looksLikeLogin(location: string): boolean {
  return /login|signin|sign-in|saml|sso|oauth|openid|auth(entication)?\b|plugins\/servlet\/(samlsso|oidc)/i.test(location);
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function quote(username: string): string {
  return `"${clean(username, 80) ?? username}"`;
}
