/**
 * Tickets behind a recovery request, as Jira and Jira Service Management Data Center document
 * them (fixtures in test/contract/atlassian/datacenter/ticket-*.json):
 *  - `GET /rest/api/2/issue/{key}?fields=summary,status,reporter,created,resolution` →
 *    `{ key, fields: { summary, status: { name, statusCategory: { key } }, reporter: { name, key,
 *    emailAddress, displayName }, created, resolution } }`;
 *  - `GET /rest/servicedeskapi/request/{key}` → `{ issueKey, serviceDeskId, requestTypeId,
 *    reporter: { name, key, emailAddress, displayName }, createdDate: { iso8601, epochMillis },
 *    currentStatus: { status, statusCategory? } }`; 404 when the issue is not a customer request.
 * Comments: `POST /rest/api/2/issue/{key}/comment {"body"}` and, for customer requests,
 * `POST /rest/servicedeskapi/request/{key}/comment {"body","public":false}` (an internal note).
 */

export interface TicketPerson {
  username?: string;
  key?: string;
  email?: string;
  displayName?: string;
}

export interface Ticket {
  key: string;
  summary: string;
  status: string;
  /** Jira's status category key: "new", "indeterminate" or "done". */
  statusCategory?: string;
  resolved: boolean;
  reporter?: TicketPerson;
  /** ISO 8601. */
  created: string;
}

export interface ServiceDeskRequest {
  key: string;
  serviceDeskId?: string;
  requester?: TicketPerson;
  created?: string;
  status?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function personOf(u: unknown): TicketPerson | undefined {
  if (!isObject(u)) return undefined;
  const p: TicketPerson = {};
  const username = str(u.name);
  const key = str(u.key);
  const email = str(u.emailAddress);
  const displayName = str(u.displayName);
  if (username) p.username = username;
  if (key) p.key = key;
  if (email) p.email = email;
  if (displayName) p.displayName = displayName;
  return Object.keys(p).length ? p : undefined;
}

/** Jira writes times as 2026-12-05T09:30:00.000+0000; Date needs the zone as +00:00. */
export function jiraTime(value: string): string | undefined {
  const t = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function parseIssue(body: unknown): Ticket | undefined {
  if (!isObject(body) || !str(body.key) || !isObject(body.fields)) return undefined;
  const f = body.fields;
  const status = isObject(f.status) ? f.status : {};
  const category = isObject(status.statusCategory) ? str(status.statusCategory.key) : undefined;
  const created = typeof f.created === 'string' ? jiraTime(f.created) : undefined;
  if (typeof f.summary !== 'string' || !str(status.name) || !created) return undefined;
  const reporter = personOf(f.reporter);
  return {
    key: body.key as string,
    summary: f.summary,
    status: status.name as string,
    ...(category ? { statusCategory: category } : {}),
    resolved: (f.resolution !== null && f.resolution !== undefined) || category === 'done',
    ...(reporter ? { reporter } : {}),
    created,
  };
}

export function parseServiceDeskRequest(body: unknown): ServiceDeskRequest | undefined {
  if (!isObject(body) || !str(body.issueKey)) return undefined;
  const created = isObject(body.createdDate) ? str(body.createdDate.iso8601) : undefined;
  const status = isObject(body.currentStatus) ? str(body.currentStatus.status) : undefined;
  const requester = personOf(body.reporter);
  return {
    key: body.issueKey as string,
    ...(str(body.serviceDeskId) ? { serviceDeskId: body.serviceDeskId as string } : {}),
    ...(requester ? { requester } : {}),
    ...(created && jiraTime(created) ? { created: jiraTime(created) } : {}),
    ...(status ? { status } : {}),
  };
}

/** The id of a comment just added (both APIs answer 201 with the comment). */
export function parseCommentId(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  return typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : undefined;
}
