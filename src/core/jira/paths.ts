/**
 * URL building for instance REST calls. Two jobs: join a base URL that may carry a context
 * path (https://host/jira) with a fixed REST path, and turn a user name into exactly one
 * path segment that no server, proxy or URL library can split, shorten or normalise away.
 */

/** Jira's cwd_user.user_name is varchar(255); longer input is a paste mistake, not a user. */
export const MAX_USERNAME_LENGTH = 255;

// C0/C1 controls and DEL: invisible, and CR/LF would be a header or log injection.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Bidi overrides make a name display as a different one: the typed confirmation would lie.
const BIDI_OVERRIDE = /[\u202a-\u202e\u2066-\u2069]/;
// A surrogate half alone cannot be UTF-8 encoded: encodeURIComponent would throw.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Characters that show as nothing at all (zero-width space, word joiner, byte-order mark, soft
// hyphen, direction marks, Hangul fillers): a name holding one looks like another name. The
// zero-width joiner and variation selectors stay allowed: emoji sequences are made of them.
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u2060-\u2064\u3164\ufeff\uffa0]/;

/**
 * A user name as typed or pasted, made ready to send: surrounding whitespace (spaces, tabs,
 * no-break spaces, a pasted newline) is removed, with a note saying so. This is the one place
 * where names are changed; what is sent, shown and audited is the returned `username`.
 * Whitespace-only input is returned unchanged so that usernameProblem() names the problem.
 */
export function tidyUsername(raw: string): { username: string; note?: string } {
  const username = raw.trim();
  if (username === raw || username.length === 0) return { username: raw };
  return { username, note: `Used "${username}" without the spaces around it.` };
}

/**
 * Why a user name cannot be sent, or undefined when it can. Checked before any request.
 * Surrounding whitespace is refused here (tidyUsername() removes it at every input): a
 * pasted " dave " must never reach the server and come back as "no user ' dave '".
 * `subject` starts each message: a form field's label ("User name") instead of "The user name".
 */
export function usernameProblem(username: string, subject = 'The user name'): string | undefined {
  if (typeof username !== 'string' || username.length === 0) return `${subject} is empty.`;
  if (username.trim().length === 0) return `${subject} is only spaces.`;
  if (username.trim() !== username) return `${subject} has spaces (or other whitespace) around it.`;
  if (CONTROL.test(username)) return `${subject} contains control characters (a stray newline or tab?).`;
  if (BIDI_OVERRIDE.test(username)) return `${subject} contains text-direction override characters, so it would not display as what it is.`;
  if (INVISIBLE.test(username)) return `${subject} contains an invisible character (a zero-width space, word joiner or byte-order mark, often pasted from a chat or ticket): type it again by hand.`;
  if (LONE_SURROGATE.test(username)) return `${subject} contains an invalid Unicode character (half of a surrogate pair).`;
  if ([...username].length > MAX_USERNAME_LENGTH) return `${subject} is longer than ${MAX_USERNAME_LENGTH} characters.`;
  // "." and ".." are dot-segments: servers and proxies resolve them (RFC 3986 5.2.4), and
  // most decode %2E first, so no encoding keeps them in place. Such accounts need the
  // database route instead.
  if (username === '.' || username === '..') {
    return `The user name "${username}" cannot be sent in a URL path (servers resolve it as a directory step); use the database recovery for this account.`;
  }
  return undefined;
}

/**
 * Percent-encodes a user name as one path segment. Only RFC 3986 unreserved characters
 * (A-Z a-z 0-9 - . _ ~) stay literal; encodeURIComponent already encodes / ? # % ; and
 * spaces, and we also encode ! ' ( ) * so that no proxy or WAF treats them as delimiters.
 * Throws on a name that usernameProblem() refuses: callers check first.
 */
export function encodeUsernameSegment(username: string): string {
  const problem = usernameProblem(username);
  if (problem) throw new Error(problem);
  return encodeURIComponent(username).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SplitBase {
  /** scheme://host[:port], what undici dispatches to. */
  origin: string;
  /** The context path without trailing slash: "" or "/jira". Already percent-encoded by URL. */
  basePath: string;
}

/** Splits a profile base URL. Query and fragment are dropped (the schema refuses them anyway). */
export function splitBaseUrl(baseUrl: string): SplitBase {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`unsupported URL scheme ${url.protocol}`);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/**
 * The request path for one REST call: context path + the fixed path + encoded segments.
 * `fixed` is written by us ("/rest/api/2/myself"); anything from a user goes through
 * `segments` (encoded here) or `query` (URLSearchParams-encoded).
 */
export function restPath(base: SplitBase, fixed: string, opts: { segments?: string[]; query?: Record<string, string> } = {}): string {
  const fixedPart = '/' + fixed.replace(/^\/+|\/+$/g, '');
  const segments = (opts.segments ?? []).map((s) => '/' + encodeUsernameSegment(s)).join('');
  const query = opts.query ? '?' + encodeQuery(opts.query) : '';
  return `${base.basePath}${fixedPart}${segments}${query}`;
}

function encodeQuery(query: Record<string, string>): string {
  // Not URLSearchParams: it writes spaces as "+", which Jira's user lookup reads literally.
  return Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** The URL shown to a user (no credentials ever live in it). */
export function displayUrl(base: SplitBase, path: string): string {
  return base.origin + path;
}
