/**
 * A Jira Data Center stand-in for integration tests: an HTTP or HTTPS server on
 * 127.0.0.1:0 with an optional context path, the endpoints of jiraSimulatorRoutes.ts, every
 * request recorded exactly as it arrived (raw path, headers minus credentials, body), and
 * fault modes (delay, status, 429, connection reset, login page, redirect to login, non-JSON).
 * stop() closes every socket, kept-alive ones included.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { InMemorySimulatorStore, type SimulatorStore } from './simulatorStore';
import { standardFixtures } from './jiraFixtures';
import { standardGroups, type SimGroups } from './jiraSimulatorGroups';
import { standardTickets, type SimTicket } from './jiraSimulatorTickets';
import { page, route, type SimProduct, type SimResponse, type TsvFlag } from './jiraSimulatorRoutes';

export interface SimulatorOptions {
  store?: SimulatorStore;
  /** "" or e.g. "/jira". */
  contextPath?: string;
  product?: SimProduct;
  /** How the tsv status spells its flag (both appear in Bitbucket's spec). */
  tsvFlag?: TsvFlag;
  /** PEM key and certificate: serve HTTPS. */
  tls?: { key: string; cert: string };
  /** Clock for TOTP checks (ms since epoch). */
  now?: () => number;
  version?: string;
  /** Groups and their member user names (default: standardGroups()). */
  groups?: SimGroups;
  /** Tickets for recovery requests (default: standardTickets() around the clock's now). */
  tickets?: SimTicket[];
}

export type Fault =
  | { type: 'delay'; ms: number }
  | { type: 'status'; status: number; json?: unknown; html?: string; text?: string }
  | { type: 'rateLimit'; retryAfter: string }
  | { type: 'reset' }
  | { type: 'loginPage' }
  | { type: 'loginRedirect' }
  | { type: 'redirect'; location: string }
  | { type: 'nonJson' };

export interface RecordedRequest {
  method: string;
  /** The request target exactly as received (path and query, still encoded). */
  rawPath: string;
  /** Headers without authorization, proxy-authorization and cookie. */
  headers: Record<string, string | string[] | undefined>;
  /** "Bearer" or "Basic" when an Authorization header was sent. */
  authScheme?: string;
  body: string;
  remotePort: number;
  /** Decoded user name segment, for unenroll calls that reached the route. */
  unenrollTarget?: string;
}

export class JiraSimulator {
  readonly requests: RecordedRequest[] = [];
  readonly store: SimulatorStore;
  readonly baseUrl: string;
  private readonly faults: Array<{ fault: Fault; path?: RegExp; remaining: number }> = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly server: http.Server, private readonly opts: Required<Omit<SimulatorOptions, 'tls'>> & { tls?: SimulatorOptions['tls'] }) {
    this.store = opts.store;
    const port = (server.address() as AddressInfo).port;
    this.baseUrl = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}${opts.contextPath}`;
  }

  static async start(options: SimulatorOptions = {}): Promise<JiraSimulator> {
    const opts = {
      store: options.store ?? new InMemorySimulatorStore(standardFixtures()),
      contextPath: (options.contextPath ?? '').replace(/\/+$/, ''),
      product: options.product ?? 'jira',
      tsvFlag: options.tsvFlag ?? 'twoSVActive',
      now: options.now ?? Date.now,
      version: options.version ?? '10.3.2',
      groups: options.groups ?? standardGroups(),
      tickets: options.tickets ?? standardTickets((options.now ?? Date.now)()),
      tls: options.tls,
    } as const;
    // The handler needs the instance and the instance needs the listening server: a holder breaks the cycle.
    const holder: { sim?: JiraSimulator } = {};
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void holder.sim!.handle(req, res);
    const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
    // Connections that fail the TLS handshake are the client's business; keep the server quiet.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sim = new JiraSimulator(server, opts);
    holder.sim = sim;
    server.on('connection', (s: Socket) => sim.track(s));
    server.on('secureConnection', (s: Socket) => sim.track(s));
    return sim;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Injects a fault for requests whose raw path matches (all when omitted), `times` times. */
  setFault(fault: Fault, opts: { path?: RegExp; times?: number } = {}): void {
    this.faults.push({ fault, path: opts.path, remaining: opts.times ?? Infinity });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests of one method, for assertions. */
  requestsOf(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const rawPath = req.url ?? '';
    const { authorization, 'proxy-authorization': _p, cookie: _c, ...headers } = req.headers;
    const record: RecordedRequest = {
      method: req.method ?? '', rawPath, headers, body, remotePort: req.socket.remotePort ?? 0,
      ...(authorization ? { authScheme: authorization.split(/\s+/)[0] } : {}),
    };
    this.requests.push(record);

    const fault = this.takeFault(rawPath);
    if (fault?.type === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.type === 'delay') {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, fault.ms);
        this.timers.add(t);
      });
      if (req.socket.destroyed) return;
    }
    const faulty = fault && fault.type !== 'delay' ? this.faultResponse(fault) : undefined;
    try {
      const answer = faulty ?? (await this.answer(req.method ?? '', rawPath, authorization, body, record));
      send(res, answer);
    } catch (e) {
      send(res, { status: 500, html: page('Internal error', String(e).replace(/[<>&]/g, '')) });
    }
  }

  private async answer(method: string, rawPath: string, authorization: string | undefined, body: string, record: RecordedRequest): Promise<SimResponse> {
    const [pathPart, query = ''] = splitOnce(rawPath, '?');
    const ctx = this.opts.contextPath;
    if (ctx && !pathPart.startsWith(`${ctx}/`)) return { status: 404, html: page('HTTP Status 404 – Not Found', 'Outside the context path') };
    const path = pathPart.slice(ctx.length);
    // Like Tomcat: a dot-segment, literal or encoded, is refused rather than resolved.
    if (path.split('/').some((seg) => /^(\.|%2e){1,2}$/i.test(seg))) return { status: 400, html: page('HTTP Status 400 – Bad Request', 'Invalid URI') };
    return route(
      { method, path, query: new URLSearchParams(query), authorization, body },
      { store: this.store, product: this.opts.product, tsvFlag: this.opts.tsvFlag, version: this.opts.version, baseUrl: this.baseUrl, nowMs: this.opts.now, onUnenrollTarget: (u) => (record.unenrollTarget = u), groups: this.opts.groups, tickets: this.opts.tickets },
    );
  }

  private takeFault(rawPath: string): Fault | undefined {
    const entry = this.faults.find((f) => f.remaining > 0 && (!f.path || f.path.test(rawPath)));
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }

  private faultResponse(fault: Exclude<Fault, { type: 'delay' } | { type: 'reset' }>): SimResponse {
    switch (fault.type) {
      case 'status':
        if (fault.text !== undefined) return { status: fault.status, headers: { 'content-type': 'text/plain' }, html: fault.text };
        return { status: fault.status, ...(fault.html !== undefined ? { html: fault.html } : { json: fault.json ?? { message: `Simulated failure ${fault.status}` } }) };
      case 'rateLimit':
        return { status: 429, headers: { 'retry-after': fault.retryAfter }, json: { message: 'Rate limit exceeded.' } };
      case 'loginPage':
        return { status: 200, html: page('Log in - Simulated Jira', '<form action="login.jsp">Username Password</form>') };
      case 'loginRedirect':
        return { status: 302, headers: { location: `${this.baseUrl}/login.jsp?permissionViolation=true&os_destination=%2Frest` }, html: '' };
      case 'redirect':
        return { status: 301, headers: { location: fault.location }, html: '' };
      case 'nonJson':
        return { status: 200, headers: { 'content-type': 'text/plain' }, html: 'OK' };
    }
  }
}

function send(res: http.ServerResponse, answer: SimResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let payload = '';
  if (answer.json !== undefined) {
    payload = JSON.stringify(answer.json);
    headers['content-type'] ??= 'application/json;charset=UTF-8';
  } else if (answer.html !== undefined) {
    payload = answer.html;
    headers['content-type'] ??= 'text/html;charset=UTF-8';
  }
  res.writeHead(answer.status, headers);
  res.end(answer.status === 204 ? undefined : payload);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function splitOnce(s: string, sep: string): [string, string?] {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}
