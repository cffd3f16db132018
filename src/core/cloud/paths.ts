/**
 * Request paths of the Cloud admin API, and the checks that keep user input to one path
 * segment. Ids from the API (policy, task, account ids such as "557058:f581…") and from the
 * profile (orgId, directoryId) are checked against a conservative alphabet before they are
 * percent-encoded, so that nothing typed can reach another endpoint.
 */
import type { SplitBase } from '../jira/paths';
import { printable } from '../printable';

/** Policy, task, account and directory ids: letters, digits and : . _ - (not leading). */
const ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** "-" stands for every directory the key may manage (documented for the v2 user APIs). */
export const ALL_DIRECTORIES = '-';

export function idProblem(label: string, id: string): string | undefined {
  if (typeof id !== 'string' || !id) return `The ${label} is empty.`;
  if (!ID.test(id)) return `The ${label} "${printable(id, 80)}" is not a valid id (letters, digits, ":", ".", "_" and "-").`;
  return undefined;
}

/** Why an e-mail address cannot be sent, or undefined. Deliberately loose: the API decides. */
export function emailProblem(email: string): string | undefined {
  if (typeof email !== 'string' || !email.trim()) return 'The e-mail address is empty.';
  if (CONTROL.test(email)) return 'The e-mail address contains control characters.';
  if (email !== email.trim()) return 'The e-mail address has leading or trailing spaces.';
  if (email.length > 254) return 'The e-mail address is longer than 254 characters.';
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return `"${printable(email, 80)}" is not an e-mail address.`;
  return undefined;
}

export function looksLikeEmail(text: string): boolean {
  return emailProblem(text) === undefined;
}

/** Atlassian account ids: 24 hex digits (old) or "<digits>:<uuid>". */
export function looksLikeAccountId(text: string): boolean {
  return /^[0-9a-f]{24}$/i.test(text) || /^\d{1,10}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

/** Same address, different case or Unicode form: the same Atlassian account. */
export function sameEmail(a: string, b: string): boolean {
  return a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
}

/**
 * Joins the base path with fixed text and ids. Each id must have passed idProblem();
 * the function throws otherwise (callers check first and return a guard outcome).
 */
export function apiPath(base: SplitBase, parts: Array<string | { id: string }>): string {
  const out = parts.map((p) => {
    if (typeof p === 'string') return p.replace(/^\/+|\/+$/g, '');
    if (p.id !== ALL_DIRECTORIES && idProblem('id', p.id)) throw new Error(`internal: unchecked id in a path`);
    return encodeURIComponent(p.id);
  });
  return `${base.basePath}/${out.join('/')}`;
}

/** The user's page in the admin hub, where the reset of 2SV lives (no API resets it). */
export function hubUserLink(orgId: string, accountId: string): string {
  return `https://admin.atlassian.com/o/${encodeURIComponent(orgId)}/users/${encodeURIComponent(accountId)}`;
}

/** The organization's admin hub home; authentication policies are under Security there. */
export function hubOrgLink(orgId: string): string {
  return `https://admin.atlassian.com/o/${encodeURIComponent(orgId)}/overview`;
}


/**
 * A policy's page in the admin hub (Security → Authentication policies). The address of a
 * single policy is not documented: this is the pattern the admin hub uses today.
 */
export function hubPolicyLink(orgId: string, policyId: string): string {
  return `https://admin.atlassian.com/o/${encodeURIComponent(orgId)}/security/authentication-policies/${encodeURIComponent(policyId)}`;
}
