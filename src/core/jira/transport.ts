/**
 * The transport one client (Data Center or Cloud) uses to reach one instance: its origin,
 * host and proxy, the lazily loaded TLS trust, the kept-alive dispatcher and send() with a
 * single retry of a read after a dropped kept-alive connection. It returns what happened
 * as data; each client maps that to its own outcome types and keeps its own policies
 * (which calls are reads, Cloud's 429 back-off).
 */
import { AppError } from '../errors';
import type { HttpAnswer } from './classifyResponse';
import { classifyTransportError, isConnectionDrop } from './classifyTransport';
import { DEFAULT_TIMEOUTS, sharedDispatchers, type DispatcherCache, type Timeouts } from './dispatcher';
import { send, type SendRequest } from './http';
import type { FailedOutcome } from './outcomes';
import { resolveProxy } from './proxy';
import { loadTlsTrust, type TlsTrust } from './tls';

/** The options every client shares. */
export interface ClientTransportOptions {
  /** Our version for the User-Agent; default: package.json. */
  version?: string;
  timeouts?: Partial<Timeouts>;
  /** Environment for HTTPS_PROXY / NO_PROXY; default process.env. */
  env?: Record<string, string | undefined>;
  /** Where dispatchers are kept; default the process-wide cache (shared by Jira and Cloud clients). */
  dispatchers?: DispatcherCache;
}

export interface TransportTarget {
  /** The dispatcher cache key: the profile id. */
  instanceId: string;
  /** scheme://host[:port] of the base URL. */
  origin: string;
  tls?: Parameters<typeof loadTlsTrust>[0];
  /** The profile's proxy; else the environment's. */
  proxy?: string;
}

export interface SendPolicy {
  /** A read: a failure means nothing was changed (mayHaveArrived false). */
  read: boolean;
  /** Whether the one retry after a dropped connection may be spent; default `read`. */
  dropRetry?: boolean;
}

export type TransportResult =
  /** The TLS settings could not be loaded (CA file missing...): nothing was sent. */
  | { kind: 'config'; message: string; hint: string }
  /** No answer: classified by classifyTransportError. */
  | { kind: 'failed'; outcome: FailedOutcome; mayHaveArrived: boolean }
  /** An answer, whatever its status; `dropRetried` when the drop retry was spent on it. */
  | { kind: 'answer'; answer: HttpAnswer; dropRetried: boolean };

export class InstanceTransport {
  readonly origin: string;
  /** host[:port], for messages. */
  readonly host: string;
  /** The proxy requests go through, if any. */
  readonly proxyUrl: string | undefined;
  private readonly instanceId: string;
  private readonly tls: TransportTarget['tls'];
  private readonly timeouts: Timeouts;
  private readonly dispatchers: DispatcherCache;
  private trust?: Promise<TlsTrust>;

  constructor(target: TransportTarget, options: ClientTransportOptions) {
    this.instanceId = target.instanceId;
    this.origin = target.origin;
    this.tls = target.tls;
    this.host = new URL(target.origin).host;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.dispatchers = options.dispatchers ?? sharedDispatchers;
    this.proxyUrl = resolveProxy(target.origin, target.proxy, options.env ?? process.env);
  }

  /** Loads the trust, picks the dispatcher and sends; a read is retried once after a connection drop. */
  async send(req: SendRequest, policy: SendPolicy): Promise<TransportResult> {
    let trust: TlsTrust;
    try {
      trust = await (this.trust ??= loadTlsTrust(this.tls));
    } catch (e) {
      this.trust = undefined; // a fixed CA file is picked up on the next call
      const message = e instanceof AppError ? e.message : String(e);
      return { kind: 'config', message, hint: e instanceof AppError && e.hint ? e.hint : 'Check the instance settings.' };
    }
    const dispatcher = this.dispatchers.get({ instanceId: this.instanceId, origin: this.origin, trust, proxy: this.proxyUrl, timeouts: this.timeouts });
    let mayRetry = policy.dropRetry ?? policy.read;
    for (let dropRetried = false; ; dropRetried = true) {
      try {
        return { kind: 'answer', answer: await send(dispatcher, this.origin, req), dropRetried };
      } catch (e) {
        // A kept-alive socket closed by the server while idle: a read is retried once on a
        // fresh connection. A write never is (a DELETE carried a one-time code).
        if (mayRetry && policy.read && !req.signal?.aborted && isConnectionDrop(e)) {
          mayRetry = false;
          continue;
        }
        const mayHaveArrived = !policy.read;
        return { kind: 'failed', mayHaveArrived, outcome: classifyTransportError(e, { host: this.host, proxy: this.proxyUrl, mayHaveArrived, aborted: req.signal?.aborted === true }) };
      }
    }
  }

  /** Closes this instance's kept-alive connections. */
  async release(): Promise<void> {
    await this.dispatchers.release(this.instanceId);
  }
}
