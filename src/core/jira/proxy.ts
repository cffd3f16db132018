/**
 * Which proxy, if any, a request to an instance goes through. We resolve it ourselves
 * (instead of undici's EnvHttpProxyAgent) so the choice is part of the dispatcher cache key
 * and can be shown to the user ("via proxy.corp:3128").
 *
 * Rules: a proxy in the profile always wins (it is an explicit, per-instance choice, so
 * NO_PROXY does not apply to it). Otherwise HTTPS_PROXY (https targets) or HTTP_PROXY (http
 * targets), lower-case spelling first as curl does, unless NO_PROXY matches the host.
 */
type Env = Record<string, string | undefined>;

export function resolveProxy(target: string, profileProxy: string | undefined, env: Env = process.env): string | undefined {
  if (profileProxy) return profileProxy;
  const url = new URL(target);
  const fromEnv = url.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY;
  if (!fromEnv) return undefined;
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return bypassed(url.hostname, port, noProxy) ? undefined : fromEnv;
}

/**
 * NO_PROXY as most tools read it: comma or space separated; "*" matches all; an entry
 * matches the host itself and its subdomains (a leading "." or "*." is ignored); an entry
 * with ":port" only matches that port. CIDR ranges are not supported.
 */
export function bypassed(hostname: string, port: number, noProxy: string): boolean {
  const host = stripBrackets(hostname.toLowerCase()).replace(/\.$/, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const { name, port: entryPort } = parseEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function parseEntry(entry: string): { name: string; port?: number } {
  let name = entry;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) [, name, port] = bracketed;
  // Two or more colons without brackets: a bare IPv6 address, which has no port.
  else if ((entry.match(/:/g) ?? []).length === 1) [name, port] = entry.split(':');
  return { name: name.replace(/^\*?\./, '').replace(/\.$/, ''), port: port ? Number(port) : undefined };
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}
