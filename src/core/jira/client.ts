/**
 * The REST client for one Data Center instance: the few product endpoints the app needs
 * (server info, who am I, am I a system administrator, my own 2SV state, user lookup, group
 * members) and
 * the tsv recovery unenroll. Every method resolves to a value or an Outcome; none throws
 * for anything the network or the server does.
 */
import { AppError } from '../errors';
import { redactor } from '../redact';
import type { InstanceProfile, Product } from '../profiles/schema';
import type { SecretStore } from '../secrets';
import { classifyFailedAnswer, classifyUnenrollAnswer, classifyUnexpectedBody, type AnswerContext, type HttpAnswer } from './classifyResponse';
import { authorizationHeader, checked, loadCredentials, type Credentials } from './credentials';
import { GROUP_PAGE_SIZE, groupNameProblem, parseConfluenceMemberPage, parseJiraMemberPage, type GroupMember } from './groupMembers';
import { guardRefusal, unavailable, type ApiResult, type FailedOutcome, type Outcome } from './outcomes';
import { restPath, splitBaseUrl, usernameProblem, type SplitBase } from './paths';
import { parseJson } from './serverMessage';
import { parseCommentId, parseIssue, parseServiceDeskRequest, type ServiceDeskRequest, type Ticket } from './tickets';
import { parseServerInfo, parseSignedInUser, parseSystemAdmin, parseTsvStatus, type ServerInfo, type SignedInUser, type TsvStatus } from './parsers';
import { InstanceTransport, type ClientTransportOptions } from './transport';
import { userAgent } from './userAgent';

export type ClientProfile = Pick<InstanceProfile, 'id' | 'name' | 'product' | 'baseUrl' | 'tsvApiVersion' | 'tls' | 'proxy'>;

export interface JiraClientOptions extends ClientTransportOptions {
  profile: ClientProfile;
  credentials: Credentials;
  /** Clock for Retry-After dates (ms since epoch). */
  now?: () => number;
}

export type { ServerInfo, SignedInUser, TsvStatus } from './parsers';

/** A group's active members, or that the group does not exist. */
export type GroupLookup = { found: true; members: GroupMember[] } | { found: false };

export type UserLookup = { found: true; username: string; displayName?: string; email?: string; active?: boolean } | { found: false };

/**
 * Each product's own REST paths (reference section 4). tsv paths are the same in every Data
 * Center product. Confluence has server-information from 9.1 on; Bitbucket's and Bamboo's
 * version paths are seen only in third-party clients: a 404 there means "version unknown".
 */
export const ENDPOINTS: Record<Product, { serverInfo?: string; myself?: string; user?: string; permissions?: string }> = {
  jira: { serverInfo: '/rest/api/2/serverInfo', myself: '/rest/api/2/myself', user: '/rest/api/2/user', permissions: '/rest/api/2/mypermissions' },
  confluence: { serverInfo: '/rest/api/server-information', myself: '/rest/api/user/current', user: '/rest/api/user' },
  bitbucket: { serverInfo: '/rest/api/1.0/application-properties' },
  bamboo: { serverInfo: '/rest/api/latest/info' },
  cloud: {},
};

export const TSV_STATUS_PATH = '/rest/tsv/latest/status';

const PRODUCT_NAMES: Record<Product, string> = { jira: 'Jira', confluence: 'Confluence', bitbucket: 'Bitbucket', bamboo: 'Bamboo', cloud: 'Atlassian Cloud' };

/** Reads the profile's credentials from the store and builds a client. */
export async function createJiraClient(profile: ClientProfile & Pick<InstanceProfile, 'auth'>, secrets: SecretStore, options: Omit<JiraClientOptions, 'profile' | 'credentials'> = {}): Promise<JiraClient> {
  return new JiraClient({ ...options, profile, credentials: await loadCredentials(profile, secrets) });
}

export class JiraClient {
  readonly profile: ClientProfile;
  readonly product: Product;
  readonly productName: string;
  /** host[:port], for messages. */
  readonly host: string;
  private readonly base: SplitBase;
  private readonly credentials: Credentials;
  private readonly transport: InstanceTransport;
  private readonly now: () => number;
  private readonly headers: Record<string, string>;

  constructor(options: JiraClientOptions) {
    this.profile = options.profile;
    this.product = options.profile.product;
    this.productName = PRODUCT_NAMES[this.product] ?? this.product;
    try {
      this.base = splitBaseUrl(options.profile.baseUrl);
    } catch (e) {
      throw new AppError('input', `The base URL of ${options.profile.name} is not a valid http(s) URL.`, 'Edit the instance and correct its base URL.', { cause: e });
    }
    this.host = new URL(this.base.origin).host;
    this.credentials = checked(options.credentials);
    this.transport = new InstanceTransport({ instanceId: options.profile.id, origin: this.base.origin, tls: options.profile.tls, proxy: options.profile.proxy }, options);
    this.now = options.now ?? Date.now;
    this.headers = {
      accept: 'application/json',
      'user-agent': userAgent(options.version),
      authorization: authorizationHeader(this.credentials),
      // Atlassian's XSRF filter refuses some non-GET REST calls without it; harmless elsewhere.
      'x-atlassian-token': 'no-check',
    };
  }

  /** The proxy requests go through, if any. */
  get proxyUrl(): string | undefined {
    return this.transport.proxyUrl;
  }

  /** The product's version call (ENDPOINTS.serverInfo): Jira serverInfo, Confluence server-information, … */
  async serverInfo(signal?: AbortSignal): Promise<ApiResult<ServerInfo>> {
    const path = ENDPOINTS[this.product].serverInfo;
    if (!path) return { ok: false, outcome: this.unsupported('Reading the server version') };
    return this.getJson(path, {}, 'read the server version', signal, parseServerInfo);
  }

  /** The signed-in user: Jira /rest/api/2/myself, Confluence /rest/api/user/current. */
  async myself(signal?: AbortSignal): Promise<ApiResult<SignedInUser>> {
    const path = ENDPOINTS[this.product].myself;
    if (!path) return { ok: false, outcome: this.unsupported('Reading the signed-in user') };
    const result = await this.getJson(path, {}, 'read your profile', signal, parseSignedInUser);
    // Confluence answers 200 {"type":"anonymous"} when it ignored the credentials.
    if (result.ok && result.value.username === '') {
      return { ok: false, outcome: { kind: 'authFailed', ok: false, failure: 'refused', status: result.status,
        summary: `${this.host} treated the request as anonymous: the credentials were ignored.`,
        next: 'Check the token or password, and that this product version accepts personal access tokens.' } };
    }
    return result;
  }

  /**
   * Whether the signed-in user holds the global "System administrators" permission.
   * Jira: GET /rest/api/2/mypermissions?permissions=SYSTEM_ADMIN (the filter parameter is
   * accepted by Jira 7+; the answer lists SYSTEM_ADMIN with havePermission). Other products
   * have no equivalent single call: "unavailable".
   */
  async isSystemAdmin(signal?: AbortSignal): Promise<ApiResult<boolean>> {
    const path = ENDPOINTS[this.product].permissions;
    if (!path) return { ok: false, outcome: this.unsupported('Checking system administrator rights') };
    return this.getJson(path, { permissions: 'SYSTEM_ADMIN' }, 'read your permissions', signal, parseSystemAdmin);
  }

  /**
   * The signed-in user's own 2SV state: GET /rest/tsv/latest/status (Bitbucket's REST spec),
   * and POST when the server answers 405 (Bamboo's "Two-step verification REST API" page
   * documents POST). The POST carries no body and changes nothing.
   */
  async tsvStatus(signal?: AbortSignal): Promise<ApiResult<TsvStatus>> {
    if (this.product === 'cloud') return { ok: false, outcome: this.unsupported('Reading two-step verification status') };
    const action = 'read your two-step verification status';
    const got = await this.getJson(TSV_STATUS_PATH, {}, action, signal, parseTsvStatus);
    if (got.ok || got.outcome.status !== 405) return got;
    return this.readJson('POST', TSV_STATUS_PATH, {}, action, signal, parseTsvStatus);
  }

  /** Looks a user up by user name (Jira, Confluence). A 404 with a JSON body means "no such user". */
  async findUser(username: string, signal?: AbortSignal): Promise<ApiResult<UserLookup>> {
    const problem = usernameProblem(username);
    if (problem) return { ok: false, outcome: guardRefusal('username', problem, 'Enter the user name (login) exactly.', 'input') };
    const path = ENDPOINTS[this.product].user;
    if (!path) {
      return { ok: false, outcome: unavailable(`User lookup is not available for ${this.productName}.`, 'The unenroll call itself reports an unknown user ("No user matches the supplied username").') };
    }
    const answer = await this.call('GET', restPath(this.base, path, { query: { username } }), 'look the user up', { signal });
    if ('outcome' in answer) return { ok: false, outcome: answer.outcome };
    const { answer: a, ctx } = answer;
    if (a.status === 404 && parseJson(a.bodyText) !== undefined) return { ok: true, value: { found: false }, status: 404 };
    if (a.status !== 200) return { ok: false, outcome: classifyFailedAnswer(a, ctx) };
    const j = parseJson(a.bodyText) as Record<string, unknown> | undefined;
    const name = typeof j?.name === 'string' ? j.name : typeof j?.username === 'string' ? j.username : undefined;
    if (!j || !name) return { ok: false, outcome: classifyUnexpectedBody(a, ctx) };
    return {
      ok: true,
      status: 200,
      value: {
        found: true,
        username: name,
        ...(typeof j.displayName === 'string' ? { displayName: j.displayName } : {}),
        ...(typeof j.emailAddress === 'string' ? { email: j.emailAddress } : {}),
        ...(typeof j.active === 'boolean' ? { active: j.active } : {}),
      },
    };
  }

  /**
   * Every active member of a group, page after page (Jira, Confluence). A 404 with a JSON body
   * on the first page means "no such group". A server that ignores the page offset (a known
   * Confluence fault) would repeat the first page for ever: a page that brings no new member
   * ends the walk with an error instead.
   */
  async groupMembers(group: string, signal?: AbortSignal): Promise<ApiResult<GroupLookup>> {
    const problem = groupNameProblem(group);
    if (problem) return { ok: false, outcome: guardRefusal('config', problem, 'Enter the group name exactly as the product shows it.', 'input') };
    if (this.product !== 'jira' && this.product !== 'confluence') {
      return { ok: false, outcome: unavailable(`Reading group members is not available for ${this.productName} instances.`, 'Export the members by hand and give them as a list.') };
    }
    const limit = GROUP_PAGE_SIZE[this.product];
    const members: GroupMember[] = [];
    const seen = new Set<string>();
    for (let start = 0; ; start += limit) {
      const path = this.product === 'jira'
        ? restPath(this.base, '/rest/api/2/group/member', { query: { groupname: group, includeInactiveUsers: 'false', startAt: String(start), maxResults: String(limit) } })
        : `${restPath(this.base, '/rest/api/group', { segments: [group] })}/member?start=${start}&limit=${limit}`;
      const answer = await this.call('GET', path, `read the members of group "${group}"`, { signal });
      if ('outcome' in answer) return { ok: false, outcome: answer.outcome };
      const { answer: a, ctx } = answer;
      if (a.status === 404 && start === 0 && parseJson(a.bodyText) !== undefined) return { ok: true, status: 404, value: { found: false } };
      if (a.status !== 200) return { ok: false, outcome: classifyFailedAnswer(a, ctx) };
      const body = parseJson(a.bodyText);
      const page = this.product === 'jira' ? parseJiraMemberPage(body) : parseConfluenceMemberPage(body, limit);
      if (!page) return { ok: false, outcome: classifyUnexpectedBody(a, ctx) };
      let added = 0;
      for (const m of page.members) {
        const key = m.username.normalize('NFC').toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        members.push(m);
        added++;
      }
      if (page.last || page.members.length === 0) return { ok: true, status: 200, value: { found: true, members } };
      if (added === 0) {
        return { ok: false, outcome: { ...classifyUnexpectedBody(a, ctx), summary: `${this.host} answered the same members again for the page from ${start}: it ignores the page offset, so the group "${group}" cannot be read completely.`, next: 'Export the group members by hand and give them as a list.' } };
      }
    }
  }

  /**
   * DELETE {base}/rest/tsv/{tsvApiVersion}/totp/unenroll/user/{username} with the admin's
   * own current code. The user name is one encoded path segment; the code is never echoed.
   */
  async unenroll(username: string, totpCode: string, signal?: AbortSignal): Promise<Outcome> {
    const problem = usernameProblem(username);
    if (problem) return guardRefusal('username', problem, 'Enter the user name (login) exactly.', 'input');
    if (!/^\d{6}$/.test(totpCode)) return guardRefusal('code', 'The TOTP code must be exactly 6 digits.', 'Type the current code from your authenticator app.', 'input');
    if (this.product === 'cloud') return this.unsupported('Data Center recovery unenroll');
    const version = this.profile.tsvApiVersion ?? '1.0';
    if (!/^(\d{1,2}\.\d{1,2}|latest)$/.test(version)) {
      return guardRefusal('config', `tsvApiVersion "${version}" is not valid.`, 'Set it to 1.0 or latest in the instance settings.', 'input');
    }
    // Short-lived: a code used once is worthless after a few windows, and a permanent mask
    // would hide every equal six-digit user name and id for the rest of the process.
    redactor.addShortLived(totpCode);
    const path = restPath(this.base, `/rest/tsv/${version}/totp/unenroll/user`, { segments: [username] });
    const answer = await this.call('DELETE', path, `remove two-step verification of "${username}"`, { signal, body: JSON.stringify({ totpCode }) });
    if ('outcome' in answer) return answer.outcome;
    return classifyUnenrollAnswer(answer.answer, answer.ctx, username);
  }

  /** A ticket for a recovery request (Jira); a 404 with a JSON body is "no such issue". */
  async ticket(key: string, signal?: AbortSignal): Promise<ApiResult<{ found: true; ticket: Ticket } | { found: false }>> {
    return this.getMaybe(restPath(this.base, '/rest/api/2/issue', { segments: [key], query: { fields: 'summary,status,reporter,created,resolution' } }), `read ticket ${key}`, signal, (j) => {
      const ticket = parseIssue(j);
      return ticket ? { found: true as const, ticket } : undefined;
    });
  }

  /** The service desk view of an issue; "no such request" when the issue is not a customer request. */
  async serviceDeskRequest(key: string, signal?: AbortSignal): Promise<ApiResult<{ found: true; request: ServiceDeskRequest } | { found: false }>> {
    return this.getMaybe(restPath(this.base, '/rest/servicedeskapi/request', { segments: [key] }), `read service desk request ${key}`, signal, (j) => {
      const request = parseServiceDeskRequest(j);
      return request ? { found: true as const, request } : undefined;
    });
  }

  /**
   * Adds a comment to a ticket: an internal one (not shown to the customer) on a service desk
   * request, a plain issue comment otherwise. Never retried: a second POST would comment twice.
   */
  async addComment(key: string, body: string, serviceDesk: boolean, signal?: AbortSignal): Promise<ApiResult<{ id: string }>> {
    const path = serviceDesk ? `${restPath(this.base, '/rest/servicedeskapi/request', { segments: [key] })}/comment` : `${restPath(this.base, '/rest/api/2/issue', { segments: [key] })}/comment`;
    const answer = await this.call('POST', path, `comment on ${key}`, { signal, body: JSON.stringify(serviceDesk ? { body, public: false } : { body }) });
    if ('outcome' in answer) return { ok: false, outcome: answer.outcome };
    const { answer: a, ctx } = answer;
    if (a.status !== 201 && a.status !== 200) return { ok: false, outcome: classifyFailedAnswer(a, ctx) };
    const id = parseCommentId(parseJson(a.bodyText));
    return id ? { ok: true, status: a.status, value: { id } } : { ok: false, outcome: classifyUnexpectedBody(a, ctx) };
  }

  private async getMaybe<T>(path: string, action: string, signal: AbortSignal | undefined, parse: (j: Record<string, unknown>) => T | undefined): Promise<ApiResult<T | { found: false }>> {
    const answer = await this.call('GET', path, action, { signal });
    if ('outcome' in answer) return { ok: false, outcome: answer.outcome };
    const { answer: a, ctx } = answer;
    const json = parseJson(a.bodyText);
    if (a.status === 404 && json !== undefined) return { ok: true, status: 404, value: { found: false } };
    if (a.status !== 200) return { ok: false, outcome: classifyFailedAnswer(a, ctx) };
    const value = json && typeof json === 'object' && !Array.isArray(json) ? parse(json as Record<string, unknown>) : undefined;
    return value === undefined ? { ok: false, outcome: classifyUnexpectedBody(a, ctx) } : { ok: true, status: 200, value };
  }

  /** Closes this instance's kept-alive connections. */
  async close(): Promise<void> {
    await this.transport.release();
  }

  private getJson<T>(fixed: string, query: Record<string, string>, action: string, signal: AbortSignal | undefined, parse: (j: Record<string, unknown>) => T | undefined): Promise<ApiResult<T>> {
    return this.readJson('GET', fixed, query, action, signal, parse);
  }

  private async readJson<T>(method: 'GET' | 'POST', fixed: string, query: Record<string, string>, action: string, signal: AbortSignal | undefined, parse: (j: Record<string, unknown>) => T | undefined): Promise<ApiResult<T>> {
    const path = restPath(this.base, fixed, Object.keys(query).length ? { query } : {});
    const answer = await this.call(method, path, action, { signal });
    if ('outcome' in answer) return { ok: false, outcome: answer.outcome };
    const { answer: a, ctx } = answer;
    if (a.status < 200 || a.status >= 300) return { ok: false, outcome: classifyFailedAnswer(a, ctx) };
    const json = parseJson(a.bodyText);
    const value = json && typeof json === 'object' && !Array.isArray(json) ? parse(json as Record<string, unknown>) : undefined;
    if (value === undefined) return { ok: false, outcome: classifyUnexpectedBody(a, ctx) };
    return { ok: true, value, status: a.status };
  }

  private async call(method: 'GET' | 'POST' | 'DELETE', fullPath: string, action: string, opts: { signal?: AbortSignal; body?: string }): Promise<{ answer: HttpAnswer; ctx: AnswerContext } | { outcome: FailedOutcome }> {
    // Bamboo deprecates Basic authentication and accepts it only when the request says so.
    const path = this.product === 'bamboo' && this.credentials.type === 'basic' ? `${fullPath}${fullPath.includes('?') ? '&' : '?'}os_authType=basic` : fullPath;
    const ctx: AnswerContext = { action, host: this.host, path, nowMs: this.now() };
    // A GET is retried once after a dropped connection; the DELETE never is: it carried a one-time code.
    const r = await this.transport.send({ method, path, headers: this.headers, body: opts.body, signal: opts.signal }, { read: method === 'GET' });
    if (r.kind === 'config') return { outcome: guardRefusal('config', r.message, r.hint, 'input') };
    if (r.kind === 'failed') return { outcome: r.outcome };
    return { answer: r.answer, ctx };
  }

  private unsupported(what: string): FailedOutcome {
    return unavailable(`${what} is not available for ${this.productName} instances.`,
      this.product === 'cloud' ? 'Cloud organizations are handled through admin.atlassian.com, not this API.' : 'The unenroll call still works; its answer reports what the server knows.');
  }
}
