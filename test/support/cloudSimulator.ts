/**
 * An Atlassian Cloud admin API stand-in for integration tests: an HTTP server on
 * 127.0.0.1:0 with the endpoints the Cloud client uses (policies, directory user search,
 * last active dates, bulk-fetch of users' policies, add users to a policy, task status),
 * a Bearer key check, asynchronous tasks that finish after a few polls, injectable failures
 * (task fails with problem details, 429 with Retry-After, any status, a malformed 200,
 * connection reset), a single-policy organization fixture, and every request recorded
 * (without the key). stop() closes every socket, kept-alive ones included (there are no
 * timers: tasks advance on polls, not on time).
 *
 * Shapes: only those documented by Atlassian, as kept in test/contract/atlassian/cloud/ (the
 * contract suite checks every answer against those fixtures). Where the documentation says
 * nothing, the simulator offers each plausible variant as an option, and a test runs the
 * product against each: the policy list item (`policyShape`), the policy id field of a
 * bulk-fetch entry and whether it carries the account id (`bulkFetch`). No answer says
 * whether a policy enforces 2SV: no documented field does.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { InstanceProfile } from '../../src/core/profiles/schema';

export const ORG_ID = 'a1b2c3d4-0000-4000-8000-00000000c10d';
export const DIRECTORY_ID = 'dir-0001';
/** A full admin key. */
export const ORG_KEY = 'ATCTT3xFfGN0sim-org-admin-key-7f3e9a1c5b';
/** A key without write scopes: reads work, add-users answers 403. */
export const READ_ONLY_KEY = 'ATCTT3xFfGN0sim-read-only-key-2b8d4e6f0a';
/** A key of another organization: every org path answers 404. */
export const OTHER_ORG_KEY = 'ATCTT3xFfGN0sim-other-org-key-9c1e3a5b7d';

/** A Cloud profile pointing at a simulator. */
export function cloudProfile(baseUrl: string, overrides: Partial<InstanceProfile> = {}): InstanceProfile {
  return {
    id: 'sim-cloud',
    name: 'Simulated Cloud org',
    product: 'cloud',
    baseUrl,
    environment: 'test',
    auth: { type: 'pat' },
    tsvApiVersion: '1.0',
    tls: { allowSelfSigned: false },
    orgId: ORG_ID,
    ...overrides,
  };
}

export interface SimPolicy {
  id: string;
  name: string;
  /** The policy's type (attributes.type, or type in the flat item); "authentication-policy" for auth policies. */
  type: string;
}

/** How a policy list item looks (not documented): JSON:API {id, type, attributes} or flat {id, name, type}. */
export type PolicyShape = 'jsonapi' | 'flat';

/** The policy id field of a bulk-fetch UserPolicyInfo (not documented); "none": no such field. */
export type BulkFetchPolicyField = 'policyId' | 'authPolicyId' | 'policy.id' | 'none';
export const BULK_FETCH_POLICY_FIELDS: readonly BulkFetchPolicyField[] = ['policyId', 'authPolicyId', 'policy.id', 'none'];

export interface SimUser {
  accountId: string;
  email: string;
  name: string;
  mfaEnabled: boolean;
  managed: boolean;
  lastActive?: string;
}

export interface CloudFixtures {
  orgId: string;
  directoryId: string;
  policies: SimPolicy[];
  users: SimUser[];
  /** accountId → auth policy id (managed users only). */
  membership: Record<string, string>;
}

export const POLICY_ENFORCED = 'pol-2sv-required';
export const POLICY_OPTIONAL = 'pol-2sv-optional';
export const POLICY_UNKNOWN = 'pol-legacy-sso';
export const POLICY_IP = 'pol-ip-allowlist';

export const USERS = {
  /** 2SV on, in the enforcing policy: "policy-enforces". */
  enrolled: { accountId: '712020:0a1b2c3d-1111-4aaa-8bbb-000000000001', email: 'alice@example.com', name: 'Alice Enrolled', mfaEnabled: true, managed: true, lastActive: '2026-11-20T09:15:00Z' },
  /** 2SV off, in the enforcing policy: "never-enrolled". */
  neverEnrolled: { accountId: '712020:0a1b2c3d-2222-4aaa-8bbb-000000000002', email: 'bob@example.com', name: 'Bob Neverenrolled', mfaEnabled: false, managed: true },
  /** 2SV on, in the optional policy: "reset-in-hub". */
  optionalEnrolled: { accountId: '712020:0a1b2c3d-3333-4aaa-8bbb-000000000003', email: 'carol@example.com', name: 'Carol Optional', mfaEnabled: true, managed: true, lastActive: '2026-11-01T08:00:00Z' },
  /** 2SV off, in the optional policy: "no-2sv-required". */
  optionalNone: { accountId: '712020:0a1b2c3d-4444-4aaa-8bbb-000000000004', email: 'dave@example.com', name: 'Dave Plain', mfaEnabled: false, managed: true },
  /** Not managed by the org: "not-managed". */
  unmanaged: { accountId: '5b10ac8d82e05b22cc7d4ef5', email: 'erin@gmail.example', name: 'Erin Outside', mfaEnabled: true, managed: false },
  /** In the policy whose 2SV enforcement is not stated: "undetermined". */
  legacy: { accountId: '712020:0a1b2c3d-6666-4aaa-8bbb-000000000006', email: 'frank@example.com', name: 'Frank Legacy', mfaEnabled: true, managed: true },
} satisfies Record<string, SimUser>;

export function standardCloudFixtures(): CloudFixtures {
  return {
    orgId: ORG_ID,
    directoryId: DIRECTORY_ID,
    policies: [
      { id: POLICY_ENFORCED, name: 'Employees (2SV required)', type: 'authentication-policy' },
      { id: POLICY_OPTIONAL, name: 'Recovery (2SV optional)', type: 'authentication-policy' },
      { id: POLICY_UNKNOWN, name: 'Legacy SSO', type: 'authentication-policy' },
      { id: POLICY_IP, name: 'Office IPs', type: 'ip-allowlist' },
    ],
    users: Object.values(USERS).map((u) => ({ ...u })),
    membership: {
      [USERS.enrolled.accountId]: POLICY_ENFORCED,
      [USERS.neverEnrolled.accountId]: POLICY_ENFORCED,
      [USERS.optionalEnrolled.accountId]: POLICY_OPTIONAL,
      [USERS.optionalNone.accountId]: POLICY_OPTIONAL,
      [USERS.legacy.accountId]: POLICY_UNKNOWN,
    },
  };
}

/** Standard plan: one authentication policy, enforcing 2SV. */
export function singlePolicyFixtures(): CloudFixtures {
  const f = standardCloudFixtures();
  return {
    ...f,
    policies: [{ id: POLICY_ENFORCED, name: 'Default policy', type: 'authentication-policy' }],
    membership: Object.fromEntries(Object.keys(f.membership).map((id) => [id, POLICY_ENFORCED])),
  };
}

export type CloudFault =
  | { type: 'status'; status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | { type: 'rateLimit'; retryAfter?: string; headers?: Record<string, string> }
  /** A 2xx with this body instead of the real answer. */
  | { type: 'shape'; json?: unknown; text?: string; status?: number }
  | { type: 'reset' };

export interface CloudRecordedRequest {
  method: string;
  /** Path and query exactly as received. */
  rawPath: string;
  /** Headers without authorization, proxy-authorization and cookie. */
  headers: Record<string, string | string[] | undefined>;
  /** "Bearer" when an Authorization header was sent. */
  authScheme?: string;
  /** Whether the credential was the expected key (never the key itself). */
  keyAccepted: boolean;
  body: string;
}

/** A failure as the task status documents it: failureReasons[].details. */
export interface SimTaskFailure {
  status: number;
  title: string;
  detail: string;
}

interface SimTask {
  id: string;
  policyId: string;
  emails: string[];
  polls: number;
  /** Polls answering inProgressCount > 0 before the end; Infinity: never ends. */
  pollsToFinish: number;
  failWith?: SimTaskFailure;
  done: boolean;
  successCount: number;
  failureReasons: Array<{ emails: string[]; details: SimTaskFailure }>;
}

export interface CloudSimulatorOptions {
  fixtures?: CloudFixtures;
  /** Polls of a task that answer "in progress" before it ends; default 2. */
  pollsToFinish?: number;
  /** The policy list item shape; default "jsonapi". */
  policyShape?: PolicyShape;
  /** The bulk-fetch entry: its policy id field (default "policyId") and whether it has accountId (default true). */
  bulkFetch?: { policyField?: BulkFetchPolicyField; accountId?: boolean };
}

interface SimAnswer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export class CloudSimulator {
  readonly requests: CloudRecordedRequest[] = [];
  readonly fixtures: CloudFixtures;
  readonly baseUrl: string;
  readonly tasks = new Map<string, SimTask>();
  pollsToFinish: number;
  readonly policyShape: PolicyShape;
  readonly bulkFetch: { policyField: BulkFetchPolicyField; accountId: boolean };
  private readonly faults: Array<{ fault: CloudFault; path?: RegExp; method?: string; remaining: number }> = [];
  private readonly taskFailures: SimTaskFailure[] = [];
  private readonly sockets = new Set<Socket>();
  private taskCounter = 0;

  private constructor(private readonly server: http.Server, options: CloudSimulatorOptions) {
    this.fixtures = structuredClone(options.fixtures ?? standardCloudFixtures());
    this.pollsToFinish = options.pollsToFinish ?? 2;
    this.policyShape = options.policyShape ?? 'jsonapi';
    this.bulkFetch = { policyField: options.bulkFetch?.policyField ?? 'policyId', accountId: options.bulkFetch?.accountId ?? true };
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: CloudSimulatorOptions = {}): Promise<CloudSimulator> {
    const holder: { sim?: CloudSimulator } = {};
    const server = http.createServer((req, res) => void holder.sim!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sim = new CloudSimulator(server, options);
    holder.sim = sim;
    server.on('connection', (s: Socket) => {
      sim.sockets.add(s);
      s.on('close', () => sim.sockets.delete(s));
    });
    return sim;
  }

  /** Injects a fault for matching requests (all when no path/method), `times` times. */
  setFault(fault: CloudFault, opts: { path?: RegExp; method?: string; times?: number } = {}): void {
    this.faults.push({ fault, path: opts.path, method: opts.method, remaining: opts.times ?? Infinity });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The next task created ends with every user in failureReasons, with these problem details. */
  failNextTask(detail = 'Failed to add user to policy', status = 400, title = 'Bad Request'): void {
    this.taskFailures.push({ status, title, detail });
  }

  /** The policy a user is in now. */
  policyOf(accountId: string): string | undefined {
    return this.fixtures.membership[accountId];
  }

  requestsTo(re: RegExp, method?: string): CloudRecordedRequest[] {
    return this.requests.filter((r) => re.test(r.rawPath) && (!method || r.method === method));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const rawPath = req.url ?? '';
    const method = req.method ?? '';
    const { authorization, 'proxy-authorization': _p, cookie: _c, ...headers } = req.headers;
    const key = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    this.requests.push({
      method, rawPath, headers, body,
      ...(authorization ? { authScheme: authorization.split(/\s+/)[0] } : {}),
      keyAccepted: key === ORG_KEY || key === READ_ONLY_KEY,
    });
    const fault = this.takeFault(method, rawPath);
    if (fault?.type === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    let answer: SimAnswer;
    try {
      answer = fault ? faultAnswer(fault) : this.route(method, rawPath, key, body);
    } catch (e) {
      answer = { status: 500, json: { code: 500, message: `simulator error: ${String(e)}` } };
    }
    const out: Record<string, string> = { ...answer.headers };
    let payload = '';
    if (answer.json !== undefined) {
      payload = JSON.stringify(answer.json);
      out['content-type'] ??= 'application/json';
    } else if (answer.text !== undefined) {
      payload = answer.text;
      out['content-type'] ??= 'text/plain';
    }
    res.writeHead(answer.status, out);
    res.end(payload);
  }

  private takeFault(method: string, rawPath: string): CloudFault | undefined {
    const f = this.faults.find((x) => x.remaining > 0 && (!x.path || x.path.test(rawPath)) && (!x.method || x.method === method));
    if (!f) return undefined;
    f.remaining -= 1;
    return f.fault;
  }

  private route(method: string, rawPath: string, key: string | undefined, body: string): SimAnswer {
    if (key !== ORG_KEY && key !== READ_ONLY_KEY && key !== OTHER_ORG_KEY) return { status: 401, json: { code: 401, message: 'Unauthorized; scope does not match' } };
    const [path, query = ''] = rawPath.split('?');
    const f = this.fixtures;
    const org = /^\/admin\/(?:control\/v1|v1|v2)\/orgs\/([^/]+)\//.exec(path)?.[1];
    if (!org) return { status: 404, json: { code: 404, message: 'Not Found' } };
    if (decodeURIComponent(org) !== f.orgId || key === OTHER_ORG_KEY) {
      return { status: 404, json: { errors: [{ status: '404', code: 'ADMIN-404-1', title: 'Not Found', detail: 'Organization not found' }] } };
    }
    const rest = path.slice(path.indexOf(org) + org.length);
    const json = () => parseBody(body);
    let m: RegExpExecArray | null;

    if (method === 'GET' && path.startsWith('/admin/control/v1/') && rest === '/policies') {
      return { status: 200, json: { data: f.policies.map((p) => policyJson(p, this.policyShape)), meta: {}, links: { next: null } } };
    }
    if (method === 'GET' && path.startsWith('/admin/control/v1/') && (m = /^\/policies\/([^/]+)$/.exec(rest))) {
      const p = f.policies.find((x) => x.id === decodeURIComponent(m![1]));
      return p ? { status: 200, json: { data: policyJson(p, this.policyShape) } } : notFound('Policy not found');
    }
    if (method === 'POST' && path.startsWith('/admin/v2/') && (m = /^\/directories\/([^/]+)\/users\/search$/.exec(rest))) {
      const dir = decodeURIComponent(m[1]);
      if (dir !== '-' && dir !== f.directoryId) return notFound('Directory not found');
      const b = json();
      if (!b) return badRequest('Invalid request body');
      if (b.searchTerm !== undefined && b.emails !== undefined) return badRequest('searchTerm and emails are mutually exclusive');
      return { status: 200, json: { data: this.search(b).map((u) => userJson(u)), links: { next: null } } };
    }
    if (method === 'GET' && path.startsWith('/admin/v2/') && (m = /^\/directories\/([^/]+)\/users$/.exec(rest))) {
      const q = new URLSearchParams(query);
      const mfa = q.get('mfaEnabled');
      const b: Record<string, unknown> = { ...(q.get('searchTerm') ? { searchTerm: q.get('searchTerm') } : {}), ...(mfa ? { mfaEnabled: mfa === 'true' } : {}), ...(q.get('claimStatus') ? { claimStatus: q.get('claimStatus') } : {}) };
      return { status: 200, json: { data: this.search(b).map((u) => userJson(u)), links: { next: null } } };
    }
    if (method === 'GET' && path.startsWith('/admin/v1/') && (m = /^\/directory\/users\/([^/]+)\/last-active-dates$/.exec(rest))) {
      const u = f.users.find((x) => x.accountId === decodeURIComponent(m![1]));
      if (!u) return notFound('User not found');
      const access = u.lastActive ? [{ id: 'site-1', key: 'jira-software', last_active: u.lastActive }] : [];
      return { status: 200, json: { data: { product_access: access, added_to_org: '2024-01-02' }, links: {} } };
    }
    if (method === 'POST' && path.startsWith('/admin/control/v1/') && rest === '/users/auth-policies/bulk-fetch') {
      const b = json();
      if (!b || !Array.isArray(b.accountIds)) return badRequest('accountIds is required');
      // Documented: a bare array of UserPolicyInfo, "email" first; the rest per the options.
      const infos = (b.accountIds as unknown[])
        .filter((id): id is string => typeof id === 'string' && !!f.membership[id])
        .map((id) => userPolicyInfo(f.users.find((u) => u.accountId === id)!, f.membership[id], this.bulkFetch));
      return { status: 200, json: infos };
    }
    if (method === 'POST' && path.startsWith('/admin/control/v1/') && (m = /^\/auth-policy\/([^/]+)\/add-users$/.exec(rest))) {
      if (key === READ_ONLY_KEY) return { status: 403, json: { code: 403, message: 'The API key does not have the write:policies:admin scope' } };
      const policyId = decodeURIComponent(m[1]);
      const p = f.policies.find((x) => x.id === policyId && x.type === 'authentication-policy');
      if (!p) return notFound('Policy not found');
      const b = json();
      if (!b || !Array.isArray(b.users) || !b.users.every((e) => typeof e === 'string')) return badRequest('users must be a list of e-mail addresses');
      const id = `task-${++this.taskCounter}-${'0'.repeat(8)}`;
      const failWith = this.taskFailures.shift();
      this.tasks.set(id, { id, policyId, emails: b.users as string[], polls: 0, pollsToFinish: this.pollsToFinish, done: false, successCount: 0, failureReasons: [], ...(failWith ? { failWith } : {}) });
      return { status: 202, json: { taskId: id, taskLink: `/admin/control/v1/orgs/${f.orgId}/auth-policy/task/${id}` } };
    }
    if (method === 'GET' && path.startsWith('/admin/control/v1/') && (m = /^\/auth-policy\/task\/([^/]+)$/.exec(rest))) {
      const t = this.tasks.get(decodeURIComponent(m[1]));
      if (!t) return notFound('Task not found');
      this.advance(t);
      const failed = t.failureReasons.reduce((n, r) => n + r.emails.length, 0);
      return { status: 200, json: { inProgressCount: t.done ? 0 : t.emails.length, successCount: t.successCount, failureCount: failed, failureReasons: t.failureReasons } };
    }
    return notFound(`No route ${method} ${path}`);
  }

  private search(b: Record<string, unknown>): SimUser[] {
    const f = this.fixtures;
    const limit = typeof b.limit === 'number' ? b.limit : 50;
    return f.users
      .filter((u) => {
        if (Array.isArray(b.emails) && !b.emails.some((e) => typeof e === 'string' && e.toLowerCase() === u.email.toLowerCase())) return false;
        if (Array.isArray(b.accountIds) && !b.accountIds.includes(u.accountId)) return false;
        if (typeof b.searchTerm === 'string') {
          const t = b.searchTerm.toLowerCase();
          if (!u.name.toLowerCase().includes(t) && !u.email.toLowerCase().includes(t)) return false;
        }
        if (typeof b.mfaEnabled === 'boolean' && u.mfaEnabled !== b.mfaEnabled) return false;
        if (b.claimStatus === 'managed' && !u.managed) return false;
        if (b.claimStatus === 'unmanaged' && u.managed) return false;
        return true;
      })
      .slice(0, limit);
  }

  /** One poll: in progress until pollsToFinish polls were answered, then the end. */
  private advance(t: SimTask): void {
    if (t.done) return;
    t.polls += 1;
    if (t.polls <= t.pollsToFinish) return;
    t.done = true;
    if (t.failWith) {
      t.failureReasons = [{ emails: [...t.emails], details: t.failWith }];
      return;
    }
    for (const email of t.emails) {
      const u = this.fixtures.users.find((x) => x.email.toLowerCase() === email.toLowerCase());
      const problem = !u ? 'User not found' : !u.managed ? 'User is not a managed account' : undefined;
      if (problem) t.failureReasons.push({ emails: [email], details: { status: 400, title: 'Bad Request', detail: problem } });
      else {
        this.fixtures.membership[u!.accountId] = t.policyId;
        t.successCount += 1;
      }
    }
  }
}

function userPolicyInfo(u: SimUser, policyId: string, shape: CloudSimulator['bulkFetch']): Record<string, unknown> {
  const policy = shape.policyField === 'none' ? {} : shape.policyField === 'policy.id' ? { policy: { id: policyId } } : { [shape.policyField]: policyId };
  return { email: u.email, ...(shape.accountId ? { accountId: u.accountId } : {}), ...policy };
}

function policyJson(p: SimPolicy, shape: PolicyShape): unknown {
  if (shape === 'flat') return { id: p.id, name: p.name, type: p.type, status: 'enabled' };
  return { id: p.id, type: 'policy', attributes: { type: p.type, name: p.name, status: 'enabled' } };
}

function userJson(u: SimUser): unknown {
  return {
    accountId: u.accountId,
    email: u.email,
    name: u.name,
    nickname: u.name.split(' ')[0],
    mfaEnabled: u.mfaEnabled,
    claimStatus: u.managed ? 'managed' : 'unmanaged',
    accountStatus: 'active',
    status: 'active',
  };
}

function faultAnswer(fault: Exclude<CloudFault, { type: 'reset' }>): SimAnswer {
  switch (fault.type) {
    case 'status':
      return { status: fault.status, ...(fault.text !== undefined ? { text: fault.text } : { json: fault.json ?? { code: fault.status, message: `Simulated failure ${fault.status}` } }), ...(fault.headers ? { headers: fault.headers } : {}) };
    case 'rateLimit':
      return { status: 429, headers: { ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}), ...fault.headers }, json: { code: 429, message: 'Too many requests' } };
    case 'shape':
      return { status: fault.status ?? 200, ...(fault.text !== undefined ? { text: fault.text } : { json: fault.json }) };
  }
}

function notFound(detail: string): SimAnswer {
  return { status: 404, json: { errors: [{ status: '404', title: 'Not Found', detail }] } };
}

function badRequest(detail: string): SimAnswer {
  return { status: 400, json: { errors: [{ status: '400', title: 'Bad Request', detail }] } };
}

function parseBody(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
