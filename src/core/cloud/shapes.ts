/**
 * The request and response shapes of the Atlassian Cloud admin API, and tolerant parsers
 * for them. Every parser returns a value or a `problem` (what was missing); the client turns
 * a problem into an "unexpected response shape" failure that shows what came back. Unknown
 * extra fields are always accepted (looseObject): Atlassian adds fields without notice.
 *
 * What is DOCUMENTED (developer.atlassian.com, Organizations REST API and Control REST API
 * reference pages, and the "auth policy cookbook"):
 *  - POST /admin/control/v1/orgs/{orgId}/auth-policy/{policyId}/add-users
 *      body {"users": ["email", ...]} → 202 {"taskId": string, "taskLink": string}.
 *  - POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search
 *      body {searchTerm? | emails? (exclusive), accountIds?, mfaEnabled?, claimStatus?, limit?, cursor?}
 *      ("-" as directoryId = every directory the key may manage)
 *      → {"data": [user], "links": {"self", "prev", "next"}}, user = {accountId, name,
 *      nickname, email, mfaEnabled, claimStatus: "managed" | "unmanaged", accountStatus,
 *      membershipStatus, status, ...}.
 *  - GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates
 *      → {"data": {"product_access": [{id, key, last_active, last_active_timestamp}],
 *      "added_to_org"}, "links": {"next"}}.
 *  - The policy envelope of the Organizations API (GET /admin/v1/orgs/{orgId}/policies):
 *      {"data": [{"id", "type": "policy", "attributes": {"type", "name", "status", ...}}],
 *      "links": {"next"}}.
 *
 * What is ASSUMED (endpoint documented, body not, or not found at all):
 *  - GET /admin/control/v1/orgs/{orgId}/policies answers with the same envelope as above,
 *    and authentication policies have an attributes.type containing "auth".
 *  - WHICH FIELD SAYS A POLICY ENFORCES 2SV: not documented. We look for a few plausible
 *    fields (TWO_SV_FIELDS below) and otherwise report enforcement "unknown", never a guess.
 *  - GET .../auth-policy/task/{taskId}: the status field's name and values. We read
 *    status | state | taskStatus and known words (IN_PROGRESS, COMPLETED, FAILED...); any
 *    other value is an unexpected shape.
 *  - POST .../users/auth-policies/bulk-fetch: request body {"accountIds": [...]} and a
 *    response listing {accountId, policyId} entries (several spellings accepted). When the
 *    API refuses the body or answers otherwise, the user's policy is "unknown" and the
 *    admin names it (CLI --from).
 */
import * as z from 'zod/mini';

// ---- policies ----

export type TwoSvEnforcement = 'enforced' | 'optional' | 'unknown';

export interface CloudPolicy {
  id: string;
  name: string;
  /** attributes.type as sent, e.g. "authentication-policy"; undefined when absent. */
  policyType?: string;
  status?: string;
  /** Whether the policy makes two-step verification mandatory; "unknown" when no field says. */
  twoStepVerification: TwoSvEnforcement;
  /** Where the enforcement was read from (e.g. "attributes.settings.twoStepVerification"), for the UI. */
  enforcementField?: string;
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

/** Candidate names of a 2SV enforcement field (assumed: none is documented). */
const TWO_SV_FIELDS = [
  'twoStepVerification',
  'twoStepVerificationEnforcement',
  'twoStepVerificationEnforced',
  'enforceTwoStepVerification',
  'requireTwoStepVerification',
  'mfaEnforcement',
  'mfaEnforced',
  'mfa',
];

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
  const found = findEnforcement(raw as Record<string, unknown>);
  const policy: CloudPolicy = {
    id: e.id,
    name,
    ...(policyType ? { policyType } : {}),
    ...(str(attrs.status) ? { status: str(attrs.status) } : {}),
    twoStepVerification: found?.value ?? 'unknown',
    ...(found ? { enforcementField: found.field } : {}),
  };
  // No type at all: the Control API's list is taken to hold authentication policies only.
  return { ok: true, value: { policy, isAuthPolicy: policyType === undefined || /auth/i.test(policyType) } };
}

/** Looks for a 2SV enforcement field in the policy, its attributes, settings and rule. */
function findEnforcement(raw: Record<string, unknown>): { value: Exclude<TwoSvEnforcement, 'unknown'>; field: string } | undefined {
  const attrs = obj(raw.attributes);
  const places: Array<[string, Record<string, unknown> | undefined]> = [
    ['attributes.settings', obj(attrs?.settings)],
    ['attributes.rule', obj(attrs?.rule)],
    ['attributes', attrs],
    ['', raw],
  ];
  for (const [where, place] of places) {
    if (!place) continue;
    for (const field of TWO_SV_FIELDS) {
      const value = enforcementValue(place[field]);
      if (value) return { value, field: where ? `${where}.${field}` : field };
    }
  }
  return undefined;
}

function enforcementValue(v: unknown): Exclude<TwoSvEnforcement, 'unknown'> | undefined {
  if (typeof v === 'boolean') return v ? 'enforced' : 'optional';
  if (typeof v === 'string') {
    if (/^(required|enforced|mandatory|on|true|enabled)$/i.test(v.trim())) return 'enforced';
    if (/^(optional|off|false|disabled|none|not[_ -]?required)$/i.test(v.trim())) return 'optional';
    return undefined;
  }
  const o = obj(v);
  if (o) {
    for (const key of ['enforced', 'required', 'mandatory', 'enforcement', 'mode']) {
      const inner = enforcementValue(o[key]);
      if (inner) return inner;
    }
  }
  return undefined;
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

// ---- task status (ASSUMED shape) ----

export type TaskState = 'running' | 'done' | 'failed';

export interface TaskStatus {
  taskId: string;
  state: TaskState;
  /** The status word as the API sent it. */
  rawStatus: string;
  /** Error texts the task reported (per user or overall), when it listed any. */
  errors: string[];
}

const DONE = /^(completed?|success(ful)?|succeeded|done|finished)$/i;
const FAILED = /^(failed|failure|error|errored|cancell?ed|aborted|partial(ly)?[_ -]?(failed|success|completed))$/i;
const RUNNING = /^(in[_ -]?progress|pending|queued|running|processing|started|new|accepted|submitted|scheduled|not[_ -]?started)$/i;

export function parseTaskStatus(json: unknown, taskId: string): Parsed<TaskStatus> {
  const o = obj(json);
  if (!o) return { ok: false, problem: 'not a JSON object' };
  const attrs = obj(o.attributes) ?? obj(o.data);
  const rawStatus = str(o.status) ?? str(o.state) ?? str(o.taskStatus) ?? str(attrs?.status) ?? str(attrs?.state);
  if (!rawStatus) return { ok: false, problem: 'no "status" (or "state") text' };
  const errors = errorTexts(o.errors ?? o.failures ?? o.failedUsers ?? attrs?.errors);
  let state: TaskState;
  if (FAILED.test(rawStatus)) state = 'failed';
  else if (DONE.test(rawStatus)) state = errors.length ? 'failed' : 'done';
  else if (RUNNING.test(rawStatus)) state = 'running';
  else return { ok: false, problem: `status "${rawStatus.slice(0, 40)}" is not a known task state` };
  return { ok: true, value: { taskId: str(o.taskId) ?? str(o.id) ?? taskId, state, rawStatus, errors } };
}

function errorTexts(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .map((e) => {
      if (typeof e === 'string') return e;
      const o = obj(e);
      if (!o) return undefined;
      const who = str(o.user) ?? str(o.email) ?? str(o.accountId);
      const what = str(o.message) ?? str(o.detail) ?? str(o.reason) ?? str(o.error) ?? str(o.title) ?? str(o.code);
      return [who, what].filter(Boolean).join(': ') || undefined;
    })
    .filter((s): s is string => !!s);
}

// ---- which policy users are in (ASSUMED request and response) ----

/** The request body we send to bulk-fetch (assumed: the body is not documented). */
export function bulkFetchBody(accountIds: string[]): { accountIds: string[] } {
  return { accountIds };
}

export function parseBulkFetch(json: unknown): Parsed<Map<string, string>> {
  const o = obj(json);
  const list = Array.isArray(json) ? json : [o?.data, o?.users, o?.values, o?.results].find(Array.isArray);
  if (!Array.isArray(list)) return { ok: false, problem: 'no list of users ("data", "users", "values" or "results")' };
  const map = new Map<string, string>();
  for (const [i, raw] of list.entries()) {
    const e = obj(raw);
    const attrs = obj(e?.attributes);
    const accountId = str(e?.accountId) ?? str(e?.userId) ?? str(attrs?.accountId) ?? str(e?.id);
    const policyId = policyIdOf(e) ?? policyIdOf(attrs);
    if (!accountId) return { ok: false, problem: `entry ${i + 1}: no "accountId"` };
    if (!policyId) return { ok: false, problem: `entry ${i + 1}: no policy id ("policyId", "authPolicyId" or "policy.id")` };
    map.set(accountId, policyId);
  }
  return { ok: true, value: map };
}

function policyIdOf(e: Record<string, unknown> | undefined): string | undefined {
  if (!e) return undefined;
  const direct = str(e.policyId) ?? str(e.authPolicyId) ?? str(e.authenticationPolicyId);
  if (direct) return direct;
  const nested = obj(e.policy) ?? obj(e.authPolicy) ?? obj(e.authenticationPolicy);
  if (nested && str(nested.id)) return str(nested.id);
  // A list of policies is only read when it has exactly one: a user is in one auth policy.
  const many = [e.policies, e.authPolicies].find(Array.isArray) as unknown[] | undefined;
  if (many?.length === 1) return str(obj(many[0])?.id) ?? str(many[0]);
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
