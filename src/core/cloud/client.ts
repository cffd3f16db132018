/**
 * The client for one Atlassian Cloud organization's admin API (api.atlassian.com, org API
 * key as Bearer): authentication policies, directory user search, last active dates, which
 * policy a user is in, adding users to a policy (an asynchronous task) and polling that task.
 *
 * Sends through the same InstanceTransport as src/core/jira/client.ts (per-instance
 * dispatcher, TLS trust, proxy, no redirects, bounded bodies, one retry of a read after a
 * dropped connection, transport error classification). Every method resolves to a value or
 * a CloudFailure; none throws for anything the network or the server does.
 *
 * 429 answers are retried after the wait the server asks for (rateLimit.ts), at most
 * `maxRetries` times and never for longer than `maxWaitMs` at once. A 429 means the request
 * was not processed, so this is safe for the add-users POST too. Sleeping goes through an
 * injectable clock so tests never wait. Task polling and its failures: tasks.ts.
 *
 * Response shapes: see shapes.ts for what is documented and what is assumed.
 */
import { AppError } from '../errors';
import type { HttpAnswer } from '../jira/classifyResponse';
import { splitBaseUrl, type SplitBase } from '../jira/paths';
import { parseJson } from '../jira/serverMessage';
import { InstanceTransport, type ClientTransportOptions } from '../jira/transport';
import { userAgent } from '../jira/userAgent';
import type { InstanceProfile } from '../profiles/schema';
import { redactor } from '../redact';
import type { SecretStore } from '../secrets';
import type { Clock } from '../totp';
import { classifyCloudAnswer, fromTransport, guard, unexpectedShape, type CloudAnswerContext, type CloudFailure, type CloudResult, type MissingThing } from './outcomes';
import { ALL_DIRECTORIES, apiPath, emailProblem, idProblem, looksLikeAccountId, looksLikeEmail } from './paths';
import { readSecretFor } from '../credentialOrigin';
import { DEFAULT_RETRY, rateLimitWaitMs, realClock, type RetryPolicy } from './rateLimit';
import {
  bulkFetchBody,
  parseBulkFetch,
  parseLastActive,
  parsePolicyOne,
  parsePolicyPage,
  parseTaskAccepted,
  parseTaskStatus,
  parseUserPage,
  type CloudPolicy,
  type CloudUser,
  type LastActive,
  type Parsed,
  type PolicyList,
  type PolicyTask,
  type TaskStatus,
  type UserPolicyInfo,
} from './shapes';
import { cancelled, unexpectedTaskId, waitForTask, type TaskWaitOptions } from './tasks';

export type CloudClientProfile = Pick<InstanceProfile, 'id' | 'name' | 'product' | 'baseUrl' | 'tls' | 'proxy' | 'orgId' | 'directoryId' | 'cloud'>;

export const DEFAULT_CLOUD_BASE_URL = 'https://api.atlassian.com';

/** Policy list pages followed at most. */
const MAX_POLICY_PAGES = 10;
/** Last active dates are read for at most this many users of one search. */
const MAX_LAST_ACTIVE_LOOKUPS = 10;

export interface FindOptions {
  /** Page size asked for; default 20. */
  limit?: number;
  /** Also read each user's last active date (one request per user); default true. */
  lastActive?: boolean;
  signal?: AbortSignal;
}

export interface FoundUsers {
  users: CloudUser[];
  /** The API has more matches than were read: refine the query. */
  more: boolean;
  /** How the query was sent: exact e-mail, account id, or free-text search. */
  matchedBy: 'email' | 'accountId' | 'searchTerm';
}

export interface CloudClientOptions extends ClientTransportOptions {
  profile: CloudClientProfile;
  /** The organization API key (Bearer). Registered with the redactor at once. */
  apiKey: string;
  /** Time and sleep for back-off and polling; default the real clock. */
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  /** Told about each 429 wait, so a UI can say why it is slow. */
  onRateLimited?: (waitMs: number, retry: number) => void;
}

/** Reads the organization API key from the store and builds a client. */
export async function createCloudClient(profile: CloudClientProfile, secrets: SecretStore, options: Omit<CloudClientOptions, 'profile' | 'apiKey'> = {}): Promise<CloudAdminClient> {
  const key = (await readSecretFor(secrets, profile, 'orgApiKey'))?.trim();
  redactor.add(key);
  if (!key) {
    throw new AppError('input', `No organization API key is stored for ${profile.name}.`,
      'Store it with "Set Credentials…" (CLI: set JIRA2FA_ORG_API_KEY). Create one in admin.atlassian.com → Settings → API keys.');
  }
  return new CloudAdminClient({ ...options, profile, apiKey: key });
}

interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  /** For the texts: "list the authentication policies"... */
  action: string;
  /** What a 404 means for this call. */
  resource: MissingThing;
  resourceId?: string;
  body?: unknown;
  /** A read (GET or a search POST): safe to retry after a dropped connection. */
  read: boolean;
  signal?: AbortSignal;
}

type CallAnswer = { answer: HttpAnswer; ctx: CloudAnswerContext } | { outcome: CloudFailure };

export class CloudAdminClient {
  readonly profile: CloudClientProfile;
  readonly orgId: string;
  /** The directory searched: the profile's, else "-" (every directory). */
  readonly directoryId: string;
  /** host[:port], for messages. */
  readonly host: string;
  private readonly base: SplitBase;
  private readonly transport: InstanceTransport;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly onRateLimited?: (waitMs: number, retry: number) => void;
  private readonly headers: Record<string, string>;

  constructor(options: CloudClientOptions) {
    const { profile } = options;
    if (profile.product !== 'cloud') throw new AppError('input', `${profile.name} is not an Atlassian Cloud organization.`, 'Use the Data Center commands for it.');
    if (!profile.orgId) throw new AppError('input', `${profile.name} has no orgId.`, 'Set orgId in the instance settings: the id after /o/ in your admin.atlassian.com address.');
    const orgProblem = idProblem('organization id', profile.orgId);
    if (orgProblem) throw new AppError('input', orgProblem, 'Check orgId in the instance settings.');
    const directoryId = profile.directoryId ?? ALL_DIRECTORIES;
    const dirProblem = directoryId === ALL_DIRECTORIES ? undefined : idProblem('directory id', directoryId);
    if (dirProblem) throw new AppError('input', dirProblem, 'Check directoryId in the instance settings, or remove it.');
    redactor.add(options.apiKey);
    if (!/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new AppError('input', 'The stored organization API key contains spaces or non-ASCII characters.', 'Copy the key again from admin.atlassian.com and store it with "Set Credentials…".');
    }
    this.profile = profile;
    this.orgId = profile.orgId;
    this.directoryId = directoryId;
    this.base = splitBaseUrl(profile.baseUrl || DEFAULT_CLOUD_BASE_URL);
    this.transport = new InstanceTransport({ instanceId: profile.id, origin: this.base.origin, tls: profile.tls, proxy: profile.proxy }, options);
    this.host = this.transport.host;
    this.clock = options.clock ?? realClock;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.onRateLimited = options.onRateLimited;
    this.headers = {
      accept: 'application/json',
      'user-agent': userAgent(options.version),
      authorization: `Bearer ${options.apiKey}`,
    };
  }

  /** The proxy requests go through, if any. */
  get proxyUrl(): string | undefined {
    return this.transport.proxyUrl;
  }

  /**
   * The organization's authentication policies, with the role the admin designated in the
   * profile (recovery / usual); 2SV enforcement is "unknown" (no documented field says it).
   * GET /admin/control/v1/orgs/{orgId}/policies, following up to 10 pages.
   */
  async listPolicies(signal?: AbortSignal): Promise<CloudResult<PolicyList>> {
    const policies: CloudPolicy[] = [];
    let otherTypes = 0;
    let cursor: string | undefined;
    let status = 200;
    for (let page = 1; page <= MAX_POLICY_PAGES; page++) {
      const path = this.path(['admin/control/v1/orgs', { id: this.orgId }, 'policies']) + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : '');
      const r = await this.json({ method: 'GET', path, action: 'list the authentication policies', resource: 'org', read: true, signal }, parsePolicyPage, 'the policy list');
      if (!r.ok) return r;
      status = r.status;
      for (const e of r.value.entries) {
        if (e.isAuthPolicy) policies.push(this.designated(e.policy));
        else otherTypes += 1;
      }
      cursor = r.value.next;
      if (!cursor) return { ok: true, status, value: { policies, otherTypes, more: false } };
    }
    return { ok: true, status, value: { policies, otherTypes, more: true } };
  }

  /** One policy: GET /admin/control/v1/orgs/{orgId}/policies/{policyId}. */
  async getPolicy(policyId: string, signal?: AbortSignal): Promise<CloudResult<CloudPolicy>> {
    const problem = idProblem('policy id', policyId);
    if (problem) return { ok: false, outcome: guard('id', problem, 'Use the policy id shown by "cloud find" or the policy list.', 'input') };
    const path = this.path(['admin/control/v1/orgs', { id: this.orgId }, 'policies', { id: policyId }]);
    const r = await this.json({ method: 'GET', path, action: `read policy ${policyId}`, resource: 'policy', resourceId: policyId, read: true, signal }, parsePolicyOne, 'the policy');
    return r.ok ? { ok: true, status: r.status, value: this.designated(r.value.policy) } : r;
  }

  /** The policy with the role the admin gave it in the profile (cloud.recoveryPolicyId / defaultPolicyId). */
  private designated(p: CloudPolicy): CloudPolicy {
    const c = this.profile.cloud;
    const designation = p.id === c?.recoveryPolicyId ? 'recovery' : p.id === c?.defaultPolicyId ? 'usual' : undefined;
    return designation ? { ...p, designation } : p;
  }

  /**
   * Users matching a query: an e-mail address is matched exactly ("emails"), an account id
   * by id, anything else is a free-text search of names and addresses ("searchTerm").
   * POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search (documented).
   */
  async findUsers(query: string, options: FindOptions = {}): Promise<CloudResult<FoundUsers>> {
    const q = query.trim();
    if (!q) return { ok: false, outcome: guard('email', 'The search is empty.', 'Type a name, an e-mail address or an account id.', 'input') };
    if (/[\u0000-\u001f\u007f]/.test(q) || q.length > 254) return { ok: false, outcome: guard('email', 'The search contains control characters or is too long.', 'Type a name or an e-mail address.', 'input') };
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
    const matchedBy: FoundUsers['matchedBy'] = looksLikeEmail(q) ? 'email' : looksLikeAccountId(q) ? 'accountId' : 'searchTerm';
    const body = matchedBy === 'email' ? { emails: [q], limit } : matchedBy === 'accountId' ? { accountIds: [q], limit } : { searchTerm: q, limit };
    const path = this.path(['admin/v2/orgs', { id: this.orgId }, 'directories', { id: this.directoryId }, 'users/search']);
    const r = await this.json({ method: 'POST', path, body, action: 'search the directory for users', resource: 'directory', resourceId: this.directoryId === ALL_DIRECTORIES ? undefined : this.directoryId, read: true, signal: options.signal }, parseUserPage, 'the user search');
    if (!r.ok) return r;
    const users = r.value.users;
    if (options.lastActive !== false) {
      for (const user of users.slice(0, MAX_LAST_ACTIVE_LOOKUPS)) {
        const la = await this.lastActive(user.accountId, options.signal);
        if (la.ok) user.lastActive = la.value.lastActive;
        else user.lastActiveProblem = la.outcome.summary;
        if (!la.ok && la.outcome.kind === 'cancelled') return { ok: false, outcome: la.outcome };
      }
    }
    return { ok: true, status: r.status, value: { users, more: r.value.more, matchedBy } };
  }

  /** The one user with exactly this e-mail address, or undefined. */
  async userByEmail(email: string, signal?: AbortSignal): Promise<CloudResult<CloudUser | undefined>> {
    const problem = emailProblem(email);
    if (problem) return { ok: false, outcome: guard('email', problem, 'Type the user\'s e-mail address exactly.', 'input') };
    const r = await this.findUsers(email, { limit: 5, lastActive: false, signal });
    if (!r.ok) return r;
    const exact = r.value.users.filter((u) => u.email !== undefined && u.email.toLowerCase() === email.toLowerCase());
    return { ok: true, status: r.status, value: exact[0] };
  }

  /** GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates (documented). */
  async lastActive(accountId: string, signal?: AbortSignal): Promise<CloudResult<LastActive>> {
    const problem = idProblem('account id', accountId);
    if (problem) return { ok: false, outcome: guard('id', problem, 'Use the account id shown by the search.', 'input') };
    const path = this.path(['admin/v1/orgs', { id: this.orgId }, 'directory/users', { id: accountId }, 'last-active-dates']);
    return this.json({ method: 'GET', path, action: 'read the last active dates', resource: 'user', resourceId: accountId, read: true, signal }, parseLastActive, 'the last active dates');
  }

  /**
   * Which authentication policy each of these (managed) users is in. POST
   * /admin/control/v1/orgs/{orgId}/users/auth-policies/bulk-fetch answers a bare array of
   * UserPolicyInfo keyed by e-mail; the policy id field is NOT documented (see shapes.ts):
   * callers treat a missing id or a failure as "unknown".
   */
  async policyMemberships(accountIds: string[], signal?: AbortSignal): Promise<CloudResult<UserPolicyInfo[]>> {
    for (const id of accountIds) {
      const problem = idProblem('account id', id);
      if (problem) return { ok: false, outcome: guard('id', problem, 'Use the account id shown by the search.', 'input') };
    }
    if (!accountIds.length) return { ok: true, status: 200, value: [] };
    const path = this.path(['admin/control/v1/orgs', { id: this.orgId }, 'users/auth-policies/bulk-fetch']);
    return this.json({ method: 'POST', path, body: bulkFetchBody(accountIds), action: 'read which authentication policy the users are in', resource: 'org', read: true, signal }, parseBulkFetch, 'the users\' policies');
  }

  /**
   * Starts moving users (by e-mail address) into a policy: POST
   * /admin/control/v1/orgs/{orgId}/auth-policy/{policyId}/add-users → 202 {taskId, taskLink}.
   * The move happens asynchronously: follow it with waitForTask().
   */
  async addUsersToPolicy(policyId: string, emails: string[], signal?: AbortSignal): Promise<CloudResult<PolicyTask>> {
    const idIssue = idProblem('policy id', policyId);
    if (idIssue) return { ok: false, outcome: guard('id', idIssue, 'Use the policy id shown by "cloud find" or the policy list.', 'input') };
    const emailIssue = emails.length ? emails.map(emailProblem).find(Boolean) : 'No e-mail address given.';
    if (emailIssue) return { ok: false, outcome: guard('email', emailIssue, 'Type the user\'s e-mail address exactly.', 'input') };
    const path = this.path(['admin/control/v1/orgs', { id: this.orgId }, 'auth-policy', { id: policyId }, 'add-users']);
    const action = `add ${emails.join(', ')} to policy ${policyId}`;
    const r = await this.json({ method: 'POST', path, body: { users: emails }, action, resource: 'policy', resourceId: policyId, read: false, signal }, parseTaskAccepted, 'the task that was started');
    if (!r.ok) return r.outcome.kind === 'unexpectedShape' ? { ok: false, outcome: { ...r.outcome, mayHaveArrived: true } } : r;
    const taskIssue = idProblem('task id', r.value.taskId);
    if (taskIssue) return { ok: false, outcome: unexpectedTaskId(r.value.taskId, taskIssue) };
    return r;
  }

  /** GET /admin/control/v1/orgs/{orgId}/auth-policy/task/{taskId} (documented counts, no status word). */
  async taskStatus(taskId: string, signal?: AbortSignal): Promise<CloudResult<TaskStatus>> {
    const problem = idProblem('task id', taskId);
    if (problem) return { ok: false, outcome: unexpectedTaskId(taskId, problem) };
    const path = this.path(['admin/control/v1/orgs', { id: this.orgId }, 'auth-policy/task', { id: taskId }]);
    return this.json({ method: 'GET', path, action: `read the status of task ${taskId}`, resource: 'task', resourceId: taskId, read: true, signal }, (j) => parseTaskStatus(j, taskId), 'the task status');
  }

  /**
   * Polls a task until it is done (ok), failed (taskFailed), or still running after the
   * timeout (taskTimeout: the change may still be applied later). A few transient poll
   * failures in a row (network, 5xx) are waited out; anything else ends the wait.
   */
  async waitForTask(taskId: string, options: TaskWaitOptions = {}): Promise<CloudResult<TaskStatus>> {
    return waitForTask((id, signal) => this.taskStatus(id, signal), this.clock, taskId, options);
  }

  /** Closes this organization's kept-alive connections. */
  async close(): Promise<void> {
    await this.transport.release();
  }

  private path(parts: Array<string | { id: string }>): string {
    return apiPath(this.base, parts);
  }

  /** One call whose 2xx body is parsed; a body that does not parse is an unexpected shape. */
  private async json<T>(spec: CallSpec, parse: (json: unknown) => Parsed<T>, what: string): Promise<CloudResult<T>> {
    const r = await this.call(spec);
    if ('outcome' in r) return { ok: false, outcome: r.outcome };
    const { answer: a, ctx } = r;
    if (a.status < 200 || a.status >= 300) return { ok: false, outcome: classifyCloudAnswer(a, ctx) };
    const json = parseJson(a.bodyText);
    if (json === undefined) return { ok: false, outcome: unexpectedShape(a, ctx, `${what} is not JSON`) };
    const parsed = parse(json);
    if (!parsed.ok) return { ok: false, outcome: unexpectedShape(a, ctx, `${what}: ${parsed.problem}`) };
    return { ok: true, value: parsed.value, status: a.status };
  }

  private async call(spec: CallSpec): Promise<CallAnswer> {
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    // The one retry after a dropped connection is spent once per call, 429 retries included.
    let dropRetry = spec.read;
    for (let retries = 0; ; ) {
      const nowMs = this.clock.now();
      const ctx: CloudAnswerContext = { action: spec.action, host: this.host, orgId: this.orgId, resource: spec.resource, ...(spec.resourceId ? { resourceId: spec.resourceId } : {}), nowMs };
      const r = await this.transport.send({ method: spec.method, path: spec.path, headers: this.headers, body, signal: spec.signal }, { read: spec.read, dropRetry });
      if (r.kind === 'config') return { outcome: guard('config', r.message, r.hint, 'input') };
      if (r.kind === 'failed') return { outcome: fromTransport(r.outcome, r.mayHaveArrived) };
      const { answer } = r;
      if (r.dropRetried) dropRetry = false;
      if (answer.status === 429 && retries < this.retry.maxRetries) {
        const waitMs = rateLimitWaitMs(answer, nowMs, retries + 1, this.retry.baseDelayMs);
        if (waitMs <= this.retry.maxWaitMs) {
          retries += 1;
          this.onRateLimited?.(waitMs, retries);
          try {
            await this.clock.sleep(waitMs, spec.signal);
          } catch {
            return { outcome: cancelled(!spec.read) };
          }
          continue;
        }
      }
      return { answer, ctx };
    }
  }
}
