/**
 * What the simulated Data Center instance answers, per the reference (docs section 1).
 * Statuses and messages of the tsv unenroll call are the documented ones. Two answers are
 * NOT documented and are the simulator's guess, so the client must not depend on their
 * wording: a caller without system administrator rights, and a caller without 2SV of
 * their own (both 403 here with a message of our invention).
 */
import { verifySync } from 'otplib';
import { groupRoute, type SimGroups } from './jiraSimulatorGroups';
import type { SimulatorStore, SimUser } from './simulatorStore';

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
  product: 'jira' | 'confluence';
  version: string;
  baseUrl: string;
  nowMs: () => number;
  /** Called with the decoded user name segment of an unenroll call. */
  onUnenrollTarget: (username: string) => void;
  /** Groups and their members (jiraSimulatorGroups.ts). */
  groups?: SimGroups;
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
  const groups = await groupRoute(req, ctx, () => authenticateOrUndefined(req, ctx), ctx.product === 'jira' ? jiraUser : confluenceUser);
  if (groups) return groups;
  const isStatus = /^\/rest\/tsv\/(1\.0|latest)\/status$/.test(req.path);
  const get = GETS[ctx.product][req.path];
  if (!get && !isStatus) return notFound(req.path);
  if (req.method !== 'GET') return methodNotAllowed();
  const caller = await authenticate(req, ctx);
  if (caller === 'invalid') return unauthorized();
  if (isStatus) return caller ? tsvStatus(caller, ctx) : unauthorized();
  return get!(req, caller, ctx);
}

type Get = (req: SimRequest, caller: SimUser | undefined, ctx: RouteContext) => Promise<SimResponse>;

const GETS: Record<'jira' | 'confluence', Record<string, Get>> = {
  jira: {
    '/rest/api/2/serverInfo': async (_req, _caller, ctx) => ({
      status: 200,
      json: { baseUrl: ctx.baseUrl, version: ctx.version, versionNumbers: ctx.version.split('.').map(Number), deploymentType: 'Server', buildNumber: 100300, serverTitle: 'Simulated Jira' },
    }),
    '/rest/api/2/myself': async (_req, caller) => (caller ? { status: 200, json: jiraUser(caller) } : unauthorized()),
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
      return found ? { status: 200, json: jiraUser(found) } : { status: 404, json: { errorMessages: [`The user named '${name}' does not exist`], errors: {} } };
    },
  },
  confluence: {
    '/rest/api/user/current': async (_req, caller) => ({ status: 200, json: caller ? confluenceUser(caller) : { type: 'anonymous' } }),
    '/rest/api/user': async (req, caller, ctx) => {
      if (!caller) return unauthorized();
      const name = req.query.get('username') ?? '';
      const found = await ctx.store.findUser(name);
      return found ? { status: 200, json: confluenceUser(found) } : { status: 404, json: { statusCode: 404, message: `No user found with username: ${name}` } };
    },
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
  return { status: 200, json: { twoSVActive: enrolled, methods: [{ type: 'TOTP', enabled: enrolled, enforced: false, enabledAt: enrolled ? '2025-01-01T00:00:00Z' : null }] } };
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
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [name, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (colon > 0 && (await ctx.store.checkPassword(name, password))) username = name;
  }
  const user = username ? await ctx.store.findUser(username) : undefined;
  return user ?? 'invalid';
}

function jiraUser(u: SimUser) {
  return { name: u.username, key: u.key, displayName: u.displayName, emailAddress: u.email, active: u.active };
}

function confluenceUser(u: SimUser) {
  return { type: 'known', username: u.username, userKey: u.key, displayName: u.displayName };
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
