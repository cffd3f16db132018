/**
 * One undici dispatcher per instance, kept alive between calls (a bulk unenroll or a tree
 * refresh reuses the TLS connection). The cache key holds everything a dispatcher is built
 * from: when an instance's TLS or proxy settings change, the old one is closed and a new
 * one built, so a stale trust decision never outlives the setting that made it.
 */
import { Agent, buildConnector, Pool, ProxyAgent, type Dispatcher } from 'undici';
import { connectOptions, enforcingConnector, type TlsTrust } from './tls';

export interface Timeouts {
  /** TCP + TLS handshake (and the proxy CONNECT). */
  connectMs: number;
  /** From request sent to response headers received. */
  headersMs: number;
  /** Longest pause between two body chunks. */
  bodyMs: number;
  /** How long an idle connection is kept for the next call. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000, keepAliveMs: 20_000 };

export interface DispatcherSpec {
  instanceId: string;
  origin: string;
  trust: TlsTrust;
  /** Proxy URL, already resolved (profile or environment). */
  proxy?: string;
  timeouts: Timeouts;
}

export class DispatcherCache {
  private readonly entries = new Map<string, { key: string; dispatcher: Dispatcher }>();

  /** The dispatcher for an instance; replaces (and closes) one built from other settings. */
  get(spec: DispatcherSpec): Dispatcher {
    const key = JSON.stringify([spec.origin, spec.trust.key, spec.proxy ?? '', spec.timeouts]);
    const current = this.entries.get(spec.instanceId);
    if (current?.key === key) return current.dispatcher;
    if (current) void current.dispatcher.close().catch(() => undefined);
    const dispatcher = createDispatcher(spec);
    this.entries.set(spec.instanceId, { key, dispatcher });
    return dispatcher;
  }

  /** Closes an instance's connections (after edit or removal of the instance). */
  async release(instanceId: string): Promise<void> {
    const current = this.entries.get(instanceId);
    this.entries.delete(instanceId);
    if (current) await current.dispatcher.close().catch(() => undefined);
  }

  /** Closes every connection: extension deactivation, CLI exit, test teardown. */
  async closeAll(): Promise<void> {
    const all = [...this.entries.keys()];
    await Promise.all(all.map((id) => this.release(id)));
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The process-wide cache used when a client is not given its own. */
export const sharedDispatchers = new DispatcherCache();

function createDispatcher(spec: DispatcherSpec): Dispatcher {
  const { timeouts } = spec;
  const tlsOptions = connectOptions(spec.trust, timeouts.connectMs);
  const common = {
    // One connection per instance: calls queue on it and reuse it. With several, undici
    // opens a new socket whenever the idle one is still being validated (7.x), so reuse
    // became a matter of luck; and a bulk run should not open parallel sessions anyway.
    connections: 1,
    keepAliveTimeout: timeouts.keepAliveMs,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    connectTimeout: timeouts.connectMs,
  };
  if (!spec.proxy) {
    return new Agent({ ...common, connect: enforcingConnector(buildConnector(tlsOptions)) });
  }
  return new ProxyAgent({
    ...common,
    uri: spec.proxy,
    // Through a CONNECT tunnel the instance's TLS is set by requestTls, not `connect`.
    requestTls: tlsOptions,
    proxyTls: { timeout: timeouts.connectMs },
    // The tunnel's connect function is handed to each origin pool: wrap it so the
    // self-signed policy applies to proxied connections too.
    factory: (origin: string | URL, opts: object) => {
      const options = opts as Pool.Options & { connect: buildConnector.connector };
      return new Pool(origin, { ...options, connect: enforcingConnector(options.connect) });
    },
  });
}
