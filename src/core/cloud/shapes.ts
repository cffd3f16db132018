/**
 * The request and response shapes of the Atlassian Cloud admin API, and tolerant parsers
 * for them. Every parser returns a value or a `problem` (what was missing); the client turns
 * a problem into an "unexpected response shape" failure that shows what came back. Unknown
 * extra fields are always accepted (looseObject): Atlassian adds fields without notice.
 * The documented examples are kept as contract fixtures in test/contract/atlassian/cloud/.
 *
 * DOCUMENTED (developer.atlassian.com: Control REST API "Authentication Policies" group, the
 * "Add users to authentication policy" cookbook, Organizations REST API "Users" group):
 *  - POST /admin/control/v1/orgs/{orgId}/auth-policy/{policyId}/add-users
 *      body {"users": ["email", ...]} → 202 {"taskId": string, "taskLink": string}.
 *  - GET /admin/control/v1/orgs/{orgId}/auth-policy/task/{taskId} → 200 {"inProgressCount",
 *      "successCount", "failureCount", "failureReasons": [{"emails": [...], "details":
 *      {"status", "title", "detail"}}]}. No status word: running while inProgressCount > 0.
 *  - POST /admin/control/v1/orgs/{orgId}/users/auth-policies/bulk-fetch body {"accountIds"}
 *      → 200 a bare array of UserPolicyInfo whose documented field is "email".
 *  - POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search → {"data": [user],
 *      "links": {"next"}}, user = {accountId, name, nickname, email, mfaEnabled, claimStatus,
 *      accountStatus, status, ...}.
 *  - GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates
 *      → {"data": {"product_access": [{id, key, last_active}], "added_to_org"}, "links"}.
 *  - GET /admin/control/v1/orgs/{orgId}/policies → {"data", "meta", "links": {"next"}}.
 *
 * NOT DOCUMENTED, so never relied on silently:
 *  - the attributes of a policy list item: both a JSON:API item {id, type, attributes:{name,
 *    type}} and a flat one {id, name, type} are read;
 *  - any field saying whether a policy enforces 2SV: none is read. The admin designates the
 *    recovery policy (2SV optional) in the profile; enforcement is shown as "not given by the
 *    API" everywhere;
 *  - the name of the policy id field of a UserPolicyInfo: a few plausible names are read
 *    (POLICY_ID_FIELDS); when none is there the user's policy is "unknown" and the admin
 *    names it (CLI --from), never a guess.
 */
import * as z from 'zod/mini';

// ---- policies ----

export type TwoSvEnforcement = 'enforced' | 'optional' | 'unknown';

/** What the admin said a policy is for (profile cloud.recoveryPolicyId / cloud.defaultPolicyId). */
export type PolicyDesignation = 'recovery' | 'usual';

export interface CloudPolicy {
  id: string;
  name: string;
  /** attributes.type (or type) as sent, e.g. "authentication-policy"; undefined when absent. */
  policyType?: string;
  status?: string;
  /**
   * Whether the policy makes two-step verification mandatory. No documented field says it,
   * so the parser always gives "unknown"; the value stays for a field Atlassian may document.
   */
  twoStepVerification: TwoSvEnforcement;
  /** The role the admin gave this policy in the profile, if any. */
  designation?: PolicyDesignation;
}

export interface PolicyList {
  /** Authentication policies only. */
  policies: CloudPolicy[];
  /** Policies of other types (IP allowlist, data security...) left out. */
  otherTypes: number;
  /** True when the API said there is another page (we read the first pages only). */
  more: boolean;
}

const PolicyEntry = z.looseObject({
  id: z.string(),
  type: z.optional(z.unknown()),
  name: z.optional(z.unknown()),
  attributes: z.optional(z.looseObject({
    type: z.optional(z.unknown()),
    name: z.optional(z.unknown()),
    status: z.optional(z.unknown()),
  })),
});

const Links = z.optional(z.nullable(z.looseObject({ next: z.optional(z.nullable(z.unknown())) })));

const PolicyPage = z.looseObject({ data: z.array(z.unknown()), links: Links });
const PolicyOne = z.looseObject({ data: z.unknown() });

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parsePolicyPage(json: unknown): Parsed<{ entries: CloudPolicyEntry[]; next?: string }> {
  const page = Array.isArray(json) ? { data: json, links: undefined } : PolicyPage.safeParse(json).data;
  if (!page) return { ok: false, problem: 'no "data" list of policies' };
  const entries: CloudPolicyEntry[] = [];
  for (const [i, raw] of page.data.entries()) {
    const entry = parsePolicyEntry(raw);
    if (!entry.ok) return { ok: false, problem: `policy ${i + 1}: ${entry.problem}` };
    entries.push(entry.value);
  }
  const next = nextCursor(page.links);
  return { ok: true, value: { entries, ...(next ? { next } : {}) } };
}

export function parsePolicyOne(json: unknown): Parsed<CloudPolicyEntry> {
  const one = PolicyOne.safeParse(json);
  // The single-policy answer wraps the policy in "data" (documented for /admin/v1); a bare
  // policy object is accepted too.
  return parsePolicyEntry(one.success && one.data.data && typeof one.data.data === 'object' ? one.data.data : json);
}

/** A policy as listed, with whether it is an authentication policy. */
export interface CloudPolicyEntry {
  policy: CloudPolicy;
  isAuthPolicy: boolean;
}

function parsePolicyEntry(raw: unknown): Parsed<CloudPolicyEntry> {
  const p = PolicyEntry.safeParse(raw);
  if (!p.success) return { ok: false, problem: 'no string "id"' };
  const e = p.data;
  const attrs = e.attributes ?? {};
  const policyType = str(attrs.type) ?? (str(e.type) !== 'policy' ? str(e.type) : undefined);
  const name = str(attrs.name) ?? str(e.name) ?? e.id;
  const policy: CloudPolicy = {
    id: e.id,
    name,
    ...(policyType ? { policyType } : {}),
    ...(str(attrs.status) ? { status: str(attrs.status) } : {}),
    twoStepVerification: 'unknown',
  };
  // No type at all: the Control API's list is taken to hold authentication policies only.
  return { ok: true, value: { policy, isAuthPolicy: policyType === undefined || /auth/i.test(policyType) } };
}

// ---- directory users ----

export interface CloudUser {
  accountId: string;
  email?: string;
  name?: string;
  /** Whether the account is managed by the organization; undefined when the API did not say. */
  managed?: boolean;
  /** Two-step verification on (documented field mfaEnabled); undefined when not sent. */
  mfaEnabled?: boolean;
  accountStatus?: string;
  /** Composite status (active, suspended...) when sent. */
  status?: string;
  /** Latest last-active date over all products (ISO 8601); null: never active; undefined: not read. */
  lastActive?: string | null;
  /** Why the last active date could not be read. */
  lastActiveProblem?: string;
}

const UserEntry = z.looseObject({
  accountId: z.string(),
  email: z.optional(z.nullable(z.unknown())),
  name: z.optional(z.nullable(z.unknown())),
  nickname: z.optional(z.nullable(z.unknown())),
  mfaEnabled: z.optional(z.nullable(z.unknown())),
  claimStatus: z.optional(z.nullable(z.unknown())),
  accountStatus: z.optional(z.nullable(z.unknown())),
  status: z.optional(z.nullable(z.unknown())),
});

const UserPage = z.looseObject({ data: z.array(z.unknown()), links: Links });

export function parseUserPage(json: unknown): Parsed<{ users: CloudUser[]; more: boolean }> {
  const page = UserPage.safeParse(json);
  if (!page.success) return { ok: false, problem: 'no "data" list of users' };
  const users: CloudUser[] = [];
  for (const [i, raw] of page.data.data.entries()) {
    const u = UserEntry.safeParse(raw);
    if (!u.success) return { ok: false, problem: `user ${i + 1}: no string "accountId"` };
    const d = u.data;
    const claim = str(d.claimStatus);
    users.push({
      accountId: d.accountId,
      ...(str(d.email) ? { email: str(d.email) } : {}),
      ...(str(d.name) ?? str(d.nickname) ? { name: str(d.name) ?? str(d.nickname) } : {}),
      ...(claim === 'managed' ? { managed: true } : claim === 'unmanaged' ? { managed: false } : {}),
      ...(typeof d.mfaEnabled === 'boolean' ? { mfaEnabled: d.mfaEnabled } : {}),
      ...(str(d.accountStatus) ? { accountStatus: str(d.accountStatus) } : {}),
      ...(str(d.status) ? { status: str(d.status) } : {}),
    });
  }
  return { ok: true, value: { users, more: nextCursor(page.data.links) !== undefined } };
}

// ---- last active dates (documented) ----

export interface LastActive {
  /** Latest over all products, ISO 8601; null when the user never used a product. */
  lastActive: string | null;
  products: Array<{ key: string; lastActive: string }>;
}

const LastActivePage = z.looseObject({
  data: z.looseObject({
    product_access: z.array(z.looseObject({
      key: z.optional(z.unknown()),
      last_active: z.optional(z.nullable(z.unknown())),
      last_active_timestamp: z.optional(z.nullable(z.unknown())),
    })),
  }),
});

export function parseLastActive(json: unknown): Parsed<LastActive> {
  const p = LastActivePage.safeParse(json);
  if (!p.success) return { ok: false, problem: 'no "data.product_access" list' };
  const products = p.data.data.product_access
    .map((a) => ({ key: str(a.key) ?? 'unknown', lastActive: str(a.last_active_timestamp) ?? str(a.last_active) ?? '' }))
    .filter((a) => a.lastActive && !Number.isNaN(Date.parse(a.lastActive)));
  const latest = products.reduce<string | null>((best, a) => (best === null || Date.parse(a.lastActive) > Date.parse(best) ? a.lastActive : best), null);
  return { ok: true, value: { lastActive: latest, products } };
}

// ---- add users to a policy (documented) ----

export interface PolicyTask {
  taskId: string;
  taskLink?: string;
}

const TaskAccepted = z.looseObject({ taskId: z.string().check(z.minLength(1)), taskLink: z.optional(z.nullable(z.unknown())) });

export function parseTaskAccepted(json: unknown): Parsed<PolicyTask> {
  const t = TaskAccepted.safeParse(json);
  if (!t.success) return { ok: false, problem: 'no string "taskId"' };
  return { ok: true, value: { taskId: t.data.taskId, ...(str(t.data.taskLink) ? { taskLink: str(t.data.taskLink) } : {}) } };
}

// ---- task status (documented) ----

export type TaskState = 'running' | 'done';

/** One entry of failureReasons: who failed, and the problem details the API gave. */
export interface TaskFailureReason {
  emails: string[];
  /** details.status: the HTTP status of that failure. */
  status?: number;
  title?: string;
  detail?: string;
}

export interface TaskStatus {
  taskId: string;
  /** running while inProgressCount > 0, done when it is 0. */
  state: TaskState;
  inProgressCount: number;
  successCount: number;
  failureCount: number;
  failureReasons: TaskFailureReason[];
}

const Count = z.number().check(z.int(), z.minimum(0));
const TaskStatusBody = z.looseObject({
  inProgressCount: Count,
  successCount: Count,
  failureCount: Count,
  failureReasons: z.optional(z.nullable(z.array(z.unknown()))),
});

export function parseTaskStatus(json: unknown, taskId: string): Parsed<TaskStatus> {
  const t = TaskStatusBody.safeParse(json);
  if (!t.success) return { ok: false, problem: 'no whole-number "inProgressCount", "successCount" and "failureCount"' };
  const failureReasons: TaskFailureReason[] = [];
  for (const [i, raw] of (t.data.failureReasons ?? []).entries()) {
    const r = obj(raw);
    const emails = Array.isArray(r?.emails) ? r.emails.filter((e): e is string => typeof e === 'string') : undefined;
    if (!r || !emails) return { ok: false, problem: `failureReasons ${i + 1}: no "emails" list` };
    const d = obj(r.details);
    const status = typeof d?.status === 'number' && Number.isInteger(d.status) ? d.status : undefined;
    failureReasons.push({ emails, ...(status !== undefined ? { status } : {}), ...(str(d?.title) ? { title: str(d?.title) } : {}), ...(str(d?.detail) ? { detail: str(d?.detail) } : {}) });
  }
  const { inProgressCount, successCount, failureCount } = t.data;
  return { ok: true, value: { taskId, state: inProgressCount > 0 ? 'running' : 'done', inProgressCount, successCount, failureCount, failureReasons } };
}

/**
 * How a finished task ended for the users it was given: moved when the task counted a
 * success and named none of them in failureReasons; failed with the reasons that name them,
 * or with every reason when the task failed without naming anyone it was asked about.
 */
export function taskOutcomeFor(t: TaskStatus, emails: readonly string[]): { moved: true } | { moved: false; reasons: TaskFailureReason[] } {
  const named = t.failureReasons.filter((r) => r.emails.some((e) => emails.some((x) => sameAddress(e, x))));
  if (named.length) return { moved: false, reasons: named };
  if (t.successCount >= emails.length && t.successCount > 0) return { moved: true };
  return { moved: false, reasons: t.failureReasons };
}

function sameAddress(a: string, b: string): boolean {
  return a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
}

// ---- which policy users are in (documented request; policy id field NOT documented) ----

/** The request body of bulk-fetch (documented). */
export function bulkFetchBody(accountIds: string[]): { accountIds: string[] } {
  return { accountIds };
}

/** One UserPolicyInfo: the documented e-mail, and what else could be read. */
export interface UserPolicyInfo {
  email: string;
  accountId?: string;
  /** Undefined when no field we know names the policy (the field is not documented). */
  policyId?: string;
  /** The field the policy id was read from, e.g. "policyId", for the admin to see. */
  policyField?: string;
}

/** Names of a policy id field tried in a UserPolicyInfo, in this order (not documented). */
export const POLICY_ID_FIELDS = ['policyId', 'authPolicyId', 'authenticationPolicyId', 'policy.id', 'authPolicy.id', 'authenticationPolicy.id'] as const;

export function parseBulkFetch(json: unknown): Parsed<UserPolicyInfo[]> {
  if (!Array.isArray(json)) return { ok: false, problem: 'not a JSON array of users (the documented answer is a bare array)' };
  const out: UserPolicyInfo[] = [];
  for (const [i, raw] of json.entries()) {
    const e = obj(raw);
    const email = str(e?.email);
    if (!e || !email) return { ok: false, problem: `entry ${i + 1}: no "email"` };
    const accountId = str(e.accountId);
    const found = policyIdOf(e);
    out.push({ email, ...(accountId ? { accountId } : {}), ...(found ? { policyId: found.id, policyField: found.field } : {}) });
  }
  return { ok: true, value: out };
}

function policyIdOf(e: Record<string, unknown>): { id: string; field: string } | undefined {
  for (const field of POLICY_ID_FIELDS) {
    const [outer, inner] = field.split('.');
    const v = inner ? obj(e[outer])?.[inner] : e[outer];
    if (str(v)) return { id: str(v)!, field };
  }
  return undefined;
}

// ---- helpers ----

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The cursor of the next page. links.next is documented as "cursor to fetch the next page";
 * when it is a URL instead, its cursor parameter is used.
 */
function nextCursor(links: { next?: unknown } | null | undefined): string | undefined {
  const next = links?.next;
  if (typeof next !== 'string' || !next) return undefined;
  if (/^https?:\/\//i.test(next) || next.startsWith('/')) {
    try {
      return new URL(next, 'https://x.invalid').searchParams.get('cursor') ?? undefined;
    } catch {
      return undefined;
    }
  }
  return next;
}
