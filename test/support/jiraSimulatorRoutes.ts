/**
 * What the simulated Data Center instance answers, per the reference (docs sections 1 and 4)
 * and the documented examples in test/contract/atlassian/datacenter/ (the version answers are
 * those fixtures' bodies with this instance's version and base URL put in).
 * Per product: Jira and Confluence (9.1+ server-information, older: 404), Bitbucket
 * (application-properties), Bamboo (info; tsv status by POST, 405 on GET; Basic only with
 * os_authType=basic). The tsv status flag is spelled as `tsvFlag` says: both spellings
 * appear in Bitbucket's spec.
 * Statuses and messages of the tsv unenroll call are the documented ones. Two answers are
 * NOT documented and are the simulator's guess, so the client must not depend on their
 * wording: a caller without system administrator rights, and a caller without 2SV of
 * their own (both 403 here with a message of our invention).
 */
import { verifySync } from 'otplib';
import { groupRoute, type SimGroups } from './jiraSimulatorGroups';
import { ticketRoute, type SimTicket } from './jiraSimulatorTickets';
import type { SimulatorStore, SimUser } from './simulatorStore';
import { fixture } from '../contract/fixtures';

export type SimProduct = 'jira' | 'confluence' | 'bitbucket' | 'bamboo';
export type TsvFlag = 'twoSVActive' | 'isTwoSVActive';

export interface SimRequest {
  method: string;
  /** Path after the context path, still encoded, without query. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
  body: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  html?: string;
}

export interface RouteContext {
  store: SimulatorStore;
  product: SimProduct;
  tsvFlag: TsvFlag;
  version: string;
  baseUrl: string;
  nowMs: () => number;
  /** Called with the decoded user name segment of an unenroll call. */
  onUnenrollTarget: (username: string) => void;
  /** Groups and their members (jiraSimulatorGroups.ts). */
  groups?: SimGroups;
  /** Tickets behind recovery requests (jiraSimulatorTickets.ts). */
  tickets?: SimTicket[];
}

export const MESSAGES = {
  noEnrollment: 'No enrollment found for the specified user.',
  invalidCode: 'The user has entered an invalid TOTP code.',
  selfUnenroll: 'The user cannot unenroll themselves.',
  noSuchUser: 'No user matches the supplied username.',
  // Not documented (see the file comment):
  notSysadmin: 'You must be a system administrator to unenroll users.',
  callerNotEnrolled: 'Two-step verification is not set up for the current user.',
};

const UNENROLL = /^\/rest\/tsv\/(1\.0|latest)\/totp\/unenroll\/user\/([^/]*)$/;

export async function route(req: SimRequest, ctx: RouteContext): Promise<SimResponse> {
  const unenroll = UNENROLL.exec(req.path);
  if (unenroll) {
    if (req.method !== 'DELETE') return methodNotAllowed();
    let target: string;
    try {
      target = decodeURIComponent(unenroll[2]);
    } catch {
      return { status: 400, html: page('Bad Request', 'Malformed percent-encoding in the path') };
    }
    ctx.onUnenrollTarget(target);
    return unenrollUser(req, target, ctx);
  }
  const groups = await groupRoute(req, ctx, () => authenticateOrUndefined(req, ctx), (u) => (ctx.product === 'jira' ? jiraMember(u, ctx) : confluenceUser(u, ctx)));
  if (groups) return groups;
  const tickets = await ticketRoute(req, ctx, () => authenticateOrUndefined(req, ctx), (u) => jiraUser(u, ctx));
  if (tickets) return tickets;
  const isStatus = /^\/rest\/tsv\/(1\.0|latest)\/status$/.test(req.path);
  const get = GETS[ctx.product][req.path];
  if (!get && !isStatus) return notFound(req.path);
  // Bamboo documents the status call as POST; the others as GET.
  const method = isStatus && ctx.product === 'bamboo' ? 'POST' : 'GET';
  if (req.method !== method) return methodNotAllowed();
  const caller = await authenticate(req, ctx);
  if (caller === 'invalid') return unauthorized();
  if (isStatus) return caller ? tsvStatus(caller, ctx) : unauthorized();
  return get!(req, caller, ctx);
}

/** A documented example body with this instance's version and base URL. */
function versionAnswer(name: string, ctx: RouteContext): SimResponse {
  const body = { ...(fixture(`datacenter/${name}.json`).response.body as Record<string, unknown>), version: ctx.version };
  if ('baseUrl' in body) body.baseUrl = ctx.baseUrl;
  if ('versionNumbers' in body) body.versionNumbers = ctx.version.split('.').map(Number);
  return { status: 200, json: body };
}

/** Confluence has server-information from 9.1 on. */
function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

type Get = (req: SimRequest, caller: SimUser | undefined, ctx: RouteContext) => Promise<SimResponse>;

const GETS: Record<SimProduct, Record<string, Get>> = {
  jira: {
    '/rest/api/2/serverInfo': async (_req, _caller, ctx) => versionAnswer('jira-serverinfo', ctx),
    '/rest/api/2/myself': async (_req, caller, ctx) => (caller ? { status: 200, json: jiraUser(caller, ctx) } : unauthorized()),
    '/rest/api/2/mypermissions': async (req, caller) => {
      if (!caller) return unauthorized();
      const wanted = (req.query.get('permissions') ?? '').split(',').filter(Boolean);
      const permissions: Record<string, unknown> = {};
      if (wanted.length === 0 || wanted.includes('SYSTEM_ADMIN')) {
        permissions.SYSTEM_ADMIN = { id: '44', key: 'SYSTEM_ADMIN', name: 'Jira System Administrators', type: 'GLOBAL', havePermission: caller.sysadmin };
      }
      return { status: 200, json: { permissions } };
    },
    '/rest/api/2/user': async (req, caller, ctx) => {
      if (!caller) return unauthorized();
      const name = req.query.get('username') ?? '';
      const found = await ctx.store.findUser(name);
      return found ? { status: 200, json: jiraUser(found, ctx) } : { status: 404, json: { errorMessages: [`The user named '${name}' does not exist`], errors: {} } };
    },
  },
  confluence: {
    '/rest/api/server-information': async (req, _caller, ctx) => (atLeast(ctx.version, 9, 1) ? versionAnswer('confluence-server-information', ctx) : notFound(req.path)),
    '/rest/api/user/current': async (_req, caller, ctx) => ({ status: 200, json: caller ? confluenceUser(caller, ctx) : { type: 'anonymous' } }),
    '/rest/api/user': async (req, caller, ctx) => {
      if (!caller) return unauthorized();
      const name = req.query.get('username') ?? '';
      const found = await ctx.store.findUser(name);
      return found ? { status: 200, json: confluenceUser(found, ctx) } : { status: 404, json: { statusCode: 404, message: `No user found with username: ${name}` } };
    },
  },
  bitbucket: {
    '/rest/api/1.0/application-properties': async (_req, _caller, ctx) => versionAnswer('bitbucket-application-properties', ctx),
  },
  bamboo: {
    '/rest/api/latest/info': async (_req, _caller, ctx) => versionAnswer('bamboo-info', ctx),
  },
};

async function unenrollUser(req: SimRequest, target: string, ctx: RouteContext): Promise<SimResponse> {
  const caller = await authenticate(req, ctx);
  if (!caller || caller === 'invalid') return unauthorized();
  if (!caller.sysadmin) return { status: 403, json: { message: MESSAGES.notSysadmin } };
  let code: unknown;
  try {
    code = (JSON.parse(req.body) as { totpCode?: unknown }).totpCode;
  } catch {
    return { status: 400, json: { message: 'The request body is not valid JSON.' } };
  }
  const seed = await ctx.store.enrollmentSeed(caller.username);
  if (!seed) return { status: 403, json: { message: MESSAGES.callerNotEnrolled } };
  if (target.toLowerCase() === caller.username.toLowerCase()) return { status: 403, json: { message: MESSAGES.selfUnenroll } };
  if (typeof code !== 'string' || !(await codeAccepted(caller.username, seed, code, ctx))) return { status: 401, json: { message: MESSAGES.invalidCode } };
  const user = await ctx.store.findUser(target);
  if (!user) return { status: 404, json: { message: MESSAGES.noSuchUser } };
  if (!(await ctx.store.removeEnrollment(user.username))) return { status: 400, json: { message: MESSAGES.noEnrollment } };
  return { status: 204 };
}

/** Current window ±1, and never a time step at or before one already used (replay). */
async function codeAccepted(username: string, seed: string, code: string, ctx: RouteContext): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const last = await ctx.store.lastUsedStep(username);
  try {
    const result = verifySync({ secret: seed, token: code, epoch: Math.floor(ctx.nowMs() / 1000), epochTolerance: 30, ...(last !== undefined ? { afterTimeStep: last } : {}) });
    if (!result.valid) return false;
    // TOTP results carry the matched time step (HOTP ones do not, hence the cast).
    await ctx.store.setLastUsedStep(username, (result as { timeStep: number }).timeStep);
    return true;
  } catch {
    return false;
  }
}

async function tsvStatus(caller: SimUser, ctx: RouteContext): Promise<SimResponse> {
  const enrolled = !!(await ctx.store.enrollmentSeed(caller.username));
  return { status: 200, json: { [ctx.tsvFlag]: enrolled, methods: [{ type: 'TOTP', enabled: enrolled, enforced: false, enabledAt: enrolled ? '2025-01-01T00:00:00Z' : null }] } };
}

async function authenticateOrUndefined(req: SimRequest, ctx: RouteContext): Promise<SimUser | undefined> {
  const caller = await authenticate(req, ctx);
  return caller === 'invalid' ? undefined : caller;
}

/** undefined: anonymous; 'invalid': credentials given but wrong. */
async function authenticate(req: SimRequest, ctx: RouteContext): Promise<SimUser | undefined | 'invalid'> {
  const header = req.authorization;
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(/\s+/, 2);
  let username: string | undefined;
  if (/^bearer$/i.test(scheme)) {
    username = await ctx.store.userForToken(value);
  } else if (/^basic$/i.test(scheme)) {
    // Bamboo takes Basic only from requests that ask for it (reference section 4).
    if (ctx.product === 'bamboo' && req.query.get('os_authType') !== 'basic') return 'invalid';
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [name, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (colon > 0 && (await ctx.store.checkPassword(name, password))) username = name;
  }
  const user = username ? await ctx.store.findUser(username) : undefined;
  return user ?? 'invalid';
}

/** The fields of the documented Jira User example (datacenter/jira-myself.json). */
function jiraUser(u: SimUser, ctx: RouteContext) {
  return {
    self: `${ctx.baseUrl}/rest/api/2/user?username=${encodeURIComponent(u.username)}`,
    key: u.key, name: u.username, emailAddress: u.email, displayName: u.displayName, active: u.active, timeZone: 'UTC', locale: 'en_US',
  };
}

/** A user in a documented Jira group-member page: the User fields without locale. */
function jiraMember(u: SimUser, ctx: RouteContext) {
  const { locale: _locale, ...member } = jiraUser(u, ctx);
  return member;
}

/** The fields of the documented Confluence user example (datacenter/confluence-user-current.json). */
function confluenceUser(u: SimUser, ctx: RouteContext) {
  const context = new URL(ctx.baseUrl).pathname.replace(/\/+$/, '');
  return {
    type: 'known', username: u.username, userKey: u.key,
    profilePicture: { path: `${context}/images/icons/profilepics/default.png`, width: 48, height: 48, isDefault: true },
    displayName: u.displayName,
    _links: { base: ctx.baseUrl, context, self: `${ctx.baseUrl}/rest/api/user?key=${encodeURIComponent(u.key)}` },
  };
}

function unauthorized(): SimResponse {
  return { status: 401, headers: { 'www-authenticate': 'OAuth realm="simulated"', 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' }, html: page('Unauthorized (401)', 'Encountered a "401 - Unauthorized" error while loading this page.') };
}

function notFound(path: string): SimResponse {
  return { status: 404, html: page('HTTP Status 404 – Not Found', `The requested resource [${path.replace(/[<>&"]/g, '')}] is not available`) };
}

function methodNotAllowed(): SimResponse {
  return { status: 405, html: page('HTTP Status 405 – Method Not Allowed', 'Method not allowed') };
}

export function page(title: string, text: string): string {
  return `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}
