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

/**
 * Why a user name cannot be sent, or undefined when it can. Checked before any request.
 * Leading and trailing spaces are NOT trimmed: old instances allow them, and silently
 * changing the target of an unenroll would be worse than a "no such user" answer.
 */
export function usernameProblem(username: string): string | undefined {
  if (typeof username !== 'string' || username.length === 0) return 'The user name is empty.';
  if (username.trim().length === 0) return 'The user name is only spaces.';
  if (CONTROL.test(username)) return 'The user name contains control characters (a stray newline or tab?).';
  if (BIDI_OVERRIDE.test(username)) return 'The user name contains text-direction override characters, so it would not display as what it is.';
  if (LONE_SURROGATE.test(username)) return 'The user name contains an invalid Unicode character (half of a surrogate pair).';
  if ([...username].length > MAX_USERNAME_LENGTH) return `The user name is longer than ${MAX_USERNAME_LENGTH} characters.`;
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
