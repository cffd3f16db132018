/**
 * Group membership endpoints of the simulated Data Center instance, in the shapes the products'
 * REST references document (fixtures in test/contract/atlassian/datacenter/group-members-*.json):
 *  - Jira `GET /rest/api/2/group/member?groupname&includeInactiveUsers&startAt&maxResults`
 *    (at most 50 per page, `isLast`, `nextPage`, `total`);
 *  - Confluence `GET /rest/api/group/{groupName}/member?start&limit` (at most 200 per page,
 *    `_links.next` only when there is more).
 * Members are looked up in the store, so a group follows the users the store holds. The 404
 * bodies for an unknown group are the products' usual error bodies; their wording is not
 * documented and the client must not depend on it.
 */
import type { RouteContext, SimRequest, SimResponse } from './jiraSimulatorRoutes';
import type { SimUser } from './simulatorStore';

/** Group name -> member user names; names compare as Jira compares them (case-insensitive). */
export type SimGroups = Record<string, string[]>;

/** The standard groups of the simulated instance. */
export function standardGroups(): SimGroups {
  return {
    'jira-software-users': ['admin', 'admin2', 'helpdesk', 'jdoe', 'nosv'],
    'phones-replaced': ['admin', 'jdoe', 'nosv'],
    'help-desk': ['helpdesk'],
    'empty-group': [],
  };
}

const CONFLUENCE_MEMBERS = /^\/rest\/api\/group\/([^/]+)\/member$/;

/** The answer when `req` is a group-member call, else undefined. */
export async function groupRoute(req: SimRequest, ctx: RouteContext, authenticate: () => Promise<SimUser | undefined>, toJson: (u: SimUser) => unknown): Promise<SimResponse | undefined> {
  const jira = ctx.product === 'jira' && req.path === '/rest/api/2/group/member';
  const conf = ctx.product === 'confluence' ? CONFLUENCE_MEMBERS.exec(req.path) : null;
  if (!jira && !conf) return undefined;
  if (req.method !== 'GET') return { status: 405, json: { message: 'Method not allowed' } };
  const caller = await authenticate();
  if (!caller) return { status: 401, json: { message: 'Client must be authenticated to access this resource.' } };
  let name: string;
  try {
    name = jira ? (req.query.get('groupname') ?? '') : decodeURIComponent(conf![1]);
  } catch {
    return { status: 400, json: { message: 'Malformed percent-encoding in the path' } };
  }
  const members = await membersOf(name, ctx);
  if (!members) {
    return jira
      ? { status: 404, json: { errorMessages: [`Group '${name}' does not exist.`], errors: {} } }
      : { status: 404, json: { statusCode: 404, data: { authorized: true, valid: true, errors: [], successful: false }, message: `Cannot find group with name '${name}'` } };
  }
  if (jira) {
    const active = req.query.get('includeInactiveUsers') === 'true' ? members : members.filter((u) => u.active);
    const startAt = Math.max(0, Number(req.query.get('startAt') ?? 0) || 0);
    const maxResults = Math.min(50, Math.max(1, Number(req.query.get('maxResults') ?? 50) || 50));
    const values = active.slice(startAt, startAt + maxResults);
    const isLast = startAt + values.length >= active.length;
    const self = (at: number) => `${ctx.baseUrl}/rest/api/2/group/member?groupname=${encodeURIComponent(name)}&includeInactiveUsers=false&startAt=${at}&maxResults=${maxResults}`;
    return { status: 200, json: { self: self(startAt), ...(isLast ? {} : { nextPage: self(startAt + maxResults) }), maxResults, startAt, total: active.length, isLast, values: values.map(toJson) } };
  }
  const start = Math.max(0, Number(req.query.get('start') ?? 0) || 0);
  const limit = Math.min(200, Math.max(1, Number(req.query.get('limit') ?? 200) || 200));
  const results = members.slice(start, start + limit);
  const more = start + results.length < members.length;
  const path = `/rest/api/group/${encodeURIComponent(name)}/member`;
  return {
    status: 200,
    json: {
      results: results.map(toJson),
      start,
      limit,
      size: results.length,
      _links: { base: ctx.baseUrl, context: '', self: `${ctx.baseUrl}${path}`, ...(more ? { next: `${path}?limit=${limit}&start=${start + limit}` } : {}) },
    },
  };
}

async function membersOf(name: string, ctx: RouteContext): Promise<SimUser[] | undefined> {
  const groups = ctx.groups ?? {};
  const found = Object.keys(groups).find((g) => g.toLowerCase() === name.toLowerCase());
  if (found === undefined) return undefined;
  const users: SimUser[] = [];
  for (const username of groups[found]) {
    const u = await ctx.store.findUser(username);
    if (u) users.push(u);
  }
  return users.sort((a, b) => a.username.localeCompare(b.username));
}
