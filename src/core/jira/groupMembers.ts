/**
 * Group membership pages of the Data Center products, as their REST references document them:
 *  - Jira `GET /rest/api/2/group/member?groupname=…&includeInactiveUsers=false&startAt=…&maxResults=…`
 *    answers a page `{ self, nextPage?, maxResults, startAt, total, isLast, values: [user] }`,
 *    a user being `{ name, key, emailAddress, displayName, active, … }`; at most 50 per page.
 *  - Confluence `GET /rest/api/group/{groupName}/member?start=…&limit=…` answers
 *    `{ results: [{ type, username, userKey, displayName, … }], start, limit, size, _links }`;
 *    at most 200 per page, and `_links.next` is present only when there is more.
 * The contract fixtures in test/contract/atlassian/datacenter/ hold the documented examples.
 */
import { usernameProblem } from './paths';

export interface GroupMember {
  username: string;
  key?: string;
  displayName?: string;
  active?: boolean;
}

export interface MemberPage {
  members: GroupMember[];
  /** The server says this is the last page. */
  last: boolean;
  /** Jira's `total` when given (the whole group, not this page). */
  total?: number;
}

/** Members per request: each product's documented maximum. */
export const GROUP_PAGE_SIZE = { jira: 50, confluence: 200 } as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function member(u: unknown, nameField: 'name' | 'username', keyField: 'key' | 'userKey'): GroupMember | undefined {
  if (!isObject(u) || typeof u[nameField] !== 'string' || u[nameField] === '') return undefined;
  return {
    username: u[nameField] as string,
    ...(typeof u[keyField] === 'string' ? { key: u[keyField] as string } : {}),
    ...(typeof u.displayName === 'string' ? { displayName: u.displayName } : {}),
    ...(typeof u.active === 'boolean' ? { active: u.active } : {}),
  };
}

/** A Jira page, or undefined when the body is not one (a member without a name included). */
export function parseJiraMemberPage(body: unknown): MemberPage | undefined {
  if (!isObject(body) || !Array.isArray(body.values) || typeof body.isLast !== 'boolean') return undefined;
  const members = body.values.map((u) => member(u, 'name', 'key'));
  if (members.some((m) => !m)) return undefined;
  return { members: members as GroupMember[], last: body.isLast, ...(typeof body.total === 'number' ? { total: body.total } : {}) };
}

/**
 * A Confluence page. Without `_links.next` the page is the last; a page shorter than the limit
 * asked for is the last too (some versions omit the link, others always send it).
 */
export function parseConfluenceMemberPage(body: unknown, limit: number): MemberPage | undefined {
  if (!isObject(body) || !Array.isArray(body.results)) return undefined;
  const members = body.results.map((u) => member(u, 'username', 'userKey'));
  if (members.some((m) => !m)) return undefined;
  const links = isObject(body._links) ? body._links : {};
  const last = typeof links.next !== 'string' || body.results.length < limit;
  return { members: members as GroupMember[], last };
}

/**
 * Why a group name cannot be sent, or undefined. Group names travel as a query value (Jira) or
 * a path segment (Confluence), so the same characters as a user name are refused.
 */
export function groupNameProblem(group: string): string | undefined {
  return usernameProblem(group)?.replace(/user name/g, 'group name').replace(/this account/, 'this group');
}
