/**
 * Tickets of the simulated Jira (and Jira Service Management) instance, in the shapes the REST
 * references document (fixtures in test/contract/atlassian/datacenter/ticket-*.json):
 *   GET  /rest/api/2/issue/{key}?fields=…            the issue with the fields asked for
 *   GET  /rest/servicedeskapi/request/{key}          customer requests only; 404 otherwise
 *   POST /rest/api/2/issue/{key}/comment             {"body"} → 201 the comment
 *   POST /rest/servicedeskapi/request/{key}/comment  {"body","public"} → 201 the comment
 *   GET  /rest/api/2/issue/{key}/comment             the comments, to see what was written
 * A ticket may refuse its next comments (`commentFailures`) to exercise the retry.
 */
import type { RouteContext, SimRequest, SimResponse } from './jiraSimulatorRoutes';
import type { SimUser } from './simulatorStore';

export interface SimTicket {
  key: string;
  summary: string;
  reporter: string;
  /** ISO time. */
  created: string;
  status: 'Open' | 'In Progress' | 'Resolved';
  serviceDesk?: boolean;
  /** How many comment POSTs fail with 500 before one succeeds. */
  commentFailures?: number;
  comments: Array<{ id: string; body: string; public: boolean; author: string; created: string }>;
}

const DAY = 86_400_000;

/** The standard tickets, created relative to `now`. */
export function standardTickets(now = Date.now()): SimTicket[] {
  const t = (key: string, reporter: string, daysAgo: number, extra: Partial<SimTicket> = {}): SimTicket => ({
    key, reporter, summary: `Lost my phone: please reset two-step verification (${key})`, created: new Date(now - daysAgo * DAY).toISOString(), status: 'Open', comments: [], ...extra,
  });
  return [
    t('HELP-1', 'jdoe', 1),
    t('HELP-2', 'jdoe', 2, { status: 'Resolved' }),
    t('HELP-3', 'helpdesk', 1, { summary: 'Please reset 2SV for John Doe (asked by phone)' }),
    t('HELP-4', 'jdoe', 10),
    t('HELP-5', 'jdoe', 0, { serviceDesk: true }),
    t('HELP-6', 'jdoe', 0, { commentFailures: 1 }),
    t('OPS-7', 'jdoe', 1),
  ];
}

const ISSUE = /^\/rest\/api\/2\/issue\/([^/]+)$/;
const ISSUE_COMMENT = /^\/rest\/api\/2\/issue\/([^/]+)\/comment$/;
const SD_REQUEST = /^\/rest\/servicedeskapi\/request\/([^/]+)$/;
const SD_COMMENT = /^\/rest\/servicedeskapi\/request\/([^/]+)\/comment$/;

/** Jira's own time format: 2026-12-05T09:30:00.000+0000. */
function jiraTime(iso: string): string {
  return iso.replace('Z', '+0000');
}

/** The answer when `req` is a ticket call, else undefined. */
export async function ticketRoute(req: SimRequest, ctx: RouteContext, authenticate: () => Promise<SimUser | undefined>, person: (u: SimUser) => unknown): Promise<SimResponse | undefined> {
  if (ctx.product !== 'jira') return undefined;
  const m = ISSUE_COMMENT.exec(req.path) ?? SD_COMMENT.exec(req.path) ?? ISSUE.exec(req.path) ?? SD_REQUEST.exec(req.path);
  if (!m) return undefined;
  const caller = await authenticate();
  if (!caller) return { status: 401, json: { errorMessages: ['You are not authenticated.'], errors: {} } };
  const key = decodeURIComponent(m[1]);
  const ticket = (ctx.tickets ?? []).find((t) => t.key === key);
  const serviceDeskPath = req.path.startsWith('/rest/servicedeskapi/');
  if (!ticket || (serviceDeskPath && !ticket.serviceDesk)) {
    return serviceDeskPath
      ? { status: 404, json: { errorMessage: `The request '${key}' could not be found.`, i18nErrorMessage: { i18nKey: 'sd.request.error.not.found', parameters: [] } } }
      : { status: 404, json: { errorMessages: ['Issue Does Not Exist'], errors: {} } };
  }
  const reporter = await ctx.store.findUser(ticket.reporter);
  const isComment = /\/comment$/.test(req.path);
  if (isComment) {
    if (req.method === 'GET' && !serviceDeskPath) return { status: 200, json: { startAt: 0, maxResults: ticket.comments.length, total: ticket.comments.length, comments: ticket.comments.map((c) => ({ id: c.id, body: c.body, author: { name: c.author }, created: jiraTime(c.created), visibility: c.public ? undefined : { type: 'internal' } })) } };
    if (req.method !== 'POST') return { status: 405, json: { message: 'Method not allowed' } };
    if ((ticket.commentFailures ?? 0) > 0) {
      ticket.commentFailures!--;
      return { status: 500, json: { errorMessages: ['Internal server error'], errors: {} } };
    }
    let body: { body?: unknown; public?: unknown };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return { status: 400, json: { errorMessages: ['Unexpected character in the request body'], errors: {} } };
    }
    if (typeof body.body !== 'string' || !body.body) return { status: 400, json: { errorMessages: [], errors: { comment: 'Comment body can not be empty!' } } };
    const created = new Date(ctx.nowMs()).toISOString();
    const comment = { id: String(10000 + ticket.comments.length), body: body.body, public: serviceDeskPath ? body.public !== false : true, author: caller.username, created };
    ticket.comments.push(comment);
    return serviceDeskPath
      ? { status: 201, json: { id: comment.id, body: comment.body, public: comment.public, author: person(caller), created: { iso8601: jiraTime(created), epochMillis: Date.parse(created) } } }
      : { status: 201, json: { self: `${ctx.baseUrl}/rest/api/2/issue/${key}/comment/${comment.id}`, id: comment.id, author: person(caller), body: comment.body, created: jiraTime(created), updated: jiraTime(created) } };
  }
  if (req.method !== 'GET') return { status: 405, json: { message: 'Method not allowed' } };
  const done = ticket.status === 'Resolved';
  if (serviceDeskPath) {
    return {
      status: 200,
      json: {
        issueId: String(20000 + Number(key.replace(/\D/g, ''))),
        issueKey: key,
        requestTypeId: '11',
        serviceDeskId: '1',
        createdDate: { iso8601: jiraTime(ticket.created), jira: ticket.created, friendly: 'Today', epochMillis: Date.parse(ticket.created) },
        reporter: reporter ? person(reporter) : null,
        requestFieldValues: [{ fieldId: 'summary', label: 'What do you need?', value: ticket.summary }],
        currentStatus: { status: ticket.status, statusCategory: done ? 'DONE' : 'NEW', statusDate: { iso8601: jiraTime(ticket.created) } },
        _links: { jiraRest: `${ctx.baseUrl}/rest/api/2/issue/${key}`, web: `${ctx.baseUrl}/servicedesk/customer/portal/1/${key}`, self: `${ctx.baseUrl}/rest/servicedeskapi/request/${key}` },
      },
    };
  }
  const wanted = (req.query.get('fields') ?? '').split(',').filter(Boolean);
  const all: Record<string, unknown> = {
    summary: ticket.summary,
    status: { self: `${ctx.baseUrl}/rest/api/2/status/1`, name: ticket.status, id: done ? '5' : '1', statusCategory: { id: done ? 3 : 2, key: done ? 'done' : 'new', colorName: done ? 'green' : 'blue-gray', name: done ? 'Done' : 'To Do' } },
    reporter: reporter ? person(reporter) : null,
    created: jiraTime(ticket.created),
    resolution: done ? { self: `${ctx.baseUrl}/rest/api/2/resolution/1`, id: '1', name: 'Done' } : null,
  };
  const fields = wanted.length ? Object.fromEntries(wanted.filter((f) => f in all).map((f) => [f, all[f]])) : all;
  return { status: 200, json: { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: String(20000 + Number(key.replace(/\D/g, ''))), self: `${ctx.baseUrl}/rest/api/2/issue/${key}`, key, fields } };
}
