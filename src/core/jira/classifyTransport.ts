/**
 * Turns a thrown network error into an Outcome. Errors arrive in several shapes: Node
 * system errors (ENOTFOUND...), TLS verification codes, undici errors (UND_ERR_*), wrapped
 * in `cause` or an AggregateError (happy eyeballs tries every address). We collect every
 * code in the chain and pick the most specific one.
 */
import { redactor } from '../redact';
import type { FailedOutcome, TlsProblem, TransportKind } from './outcomes';

export interface TransportContext {
  /** Host (and port) of the instance, for the texts. */
  host: string;
  /** The proxy in use, if any (shown redacted). */
  proxy?: string;
  /** True when the request could have reached the server (matters for unenroll). */
  mayHaveArrived: boolean;
  /** True when the caller aborted the request. */
  aborted: boolean;
}

const TLS_PROBLEMS: Record<string, TlsProblem> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'selfSigned',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknownCa',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknownCa',
  UNABLE_TO_GET_ISSUER_CERT: 'unknownCa',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknownCa',
  CERT_UNTRUSTED: 'unknownCa',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostnameMismatch',
  HOSTNAME_MISMATCH: 'hostnameMismatch',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'notYetValid',
  ERR_SSL_WRONG_VERSION_NUMBER: 'notTls',
};

const TLS_TEXT: Record<TlsProblem, [string, string]> = {
  selfSigned: ['its certificate is self-signed', 'Get the certificate (or the CA that signed it) from the instance admin and set tls.caFile; for a test instance you may instead allow a self-signed certificate on this instance only.'],
  unknownCa: ['its certificate is signed by a CA this computer does not trust (a company CA?)', 'Set tls.caFile of this instance to that CA\'s PEM file.'],
  hostnameMismatch: ['its certificate is for a different host name', 'Use the host name the certificate names in the base URL, or have the certificate reissued.'],
  expired: ['its certificate has expired', 'Ask the instance admin to renew the certificate (and check this computer\'s clock).'],
  notYetValid: ['its certificate is not valid yet', 'Check this computer\'s clock and time zone.'],
  notTls: ['the port does not speak TLS', 'Check the base URL: http:// versus https://, and the port.'],
  other: ['the TLS handshake failed', 'Check the base URL and the instance\'s TLS setup.'],
};

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ECONNABORTED']);

export function classifyTransportError(error: unknown, ctx: TransportContext): FailedOutcome {
  const chain = flatten(error);
  const codes = chain.map((e) => e.code).filter((c): c is string => typeof c === 'string');
  const text = chain.map((e) => e.message ?? '').join(' | ');
  const host = ctx.host;
  const via = ctx.proxy ? ` via proxy ${redactor.redact(ctx.proxy)}` : '';
  const arrived = ctx.mayHaveArrived ? ' The request may have reached the server: check the result before repeating it.' : '';

  if (ctx.aborted) return transport('cancelled', undefined, 'refused', 'The request was cancelled.', 'Nothing more to do; start again when ready.' + arrived);

  const tlsCode = codes.find((c) => c in TLS_PROBLEMS) ?? (codes.find((c) => /^ERR_SSL_|^ERR_TLS_/.test(c)) || (/wrong version number/i.test(text) ? 'ERR_SSL_WRONG_VERSION_NUMBER' : undefined));
  if (tlsCode) {
    const problem = TLS_PROBLEMS[tlsCode] ?? 'other';
    const [what, next] = TLS_TEXT[problem];
    return { kind: 'tlsError', ok: false, failure: 'unreachable', tlsProblem: problem, errorCode: tlsCode, summary: `Refused the TLS connection to ${host}: ${what} (${tlsCode}).`, next };
  }
  if (/Proxy response \((\d+)\)/.test(text) || codes.includes('UND_ERR_PRX_TLS') || /Proxy Authentication Required/i.test(text)) {
    const status = /Proxy response \((\d+)\)/.exec(text)?.[1];
    return transport('proxyError', codes[0], 'unreachable', `The proxy${via} refused to connect to ${host}${status ? ` (${status})` : ''}.`,
      'Check the proxy address and whether it allows this host; a 407 means the proxy needs credentials.');
  }
  const dns = codes.find((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_NONAME' || c === 'EAI_FAIL');
  if (dns) {
    return transport('dnsFailure', dns, 'unreachable', `The host name of ${host} could not be resolved (${dns}).`,
      dns === 'EAI_AGAIN' ? 'The name server did not answer: check the network or VPN and try again.' : 'Check the host name in the base URL, and the VPN if it is an internal name.');
  }
  if (codes.includes('ECONNREFUSED')) {
    return transport('connectionRefused', 'ECONNREFUSED', 'unreachable', `${host}${via} refused the connection (nothing listens on that port).`,
      'Check the port in the base URL and that the instance is running.');
  }
  const timeout = codes.find((c) => TIMEOUT_CODES.has(c));
  if (timeout) {
    const phase = timeout === 'UND_ERR_CONNECT_TIMEOUT' || timeout === 'ETIMEDOUT' ? 'connecting to' : 'waiting for an answer from';
    return transport('timeout', timeout, 'unreachable', `Timed out ${phase} ${host}${via}.`,
      (phase === 'connecting to' ? 'Check the network, VPN or firewall.' : 'The instance is slow or stuck; try again later.') + arrived);
  }
  const reset = codes.find((c) => RESET_CODES.has(c));
  if (reset) {
    return transport('connectionReset', reset, 'unreachable', `${host}${via} closed the connection unexpectedly (${reset}).`,
      'Try again; if it repeats, a proxy or firewall may be cutting the connection.' + arrived);
  }
  const unreachable = codes.find((c) => c === 'EHOSTUNREACH' || c === 'ENETUNREACH' || c === 'EADDRNOTAVAIL');
  return transport('networkError', unreachable ?? codes[0], 'unreachable', `Could not talk to ${host}${via}: ${redactor.redact(firstLine(text) || 'network error')}.`,
    'Check the network and the base URL.' + arrived);
}

/**
 * A connection that dropped without an answer: typically a kept-alive socket the server (or
 * a load balancer) closed while idle. Safe to retry for a GET, never for the DELETE.
 */
export function isConnectionDrop(error: unknown): boolean {
  return flatten(error).some((e) => typeof e.code === 'string' && RESET_CODES.has(e.code));
}

function transport(kind: TransportKind, code: string | undefined, failure: FailedOutcome['failure'], summary: string, next: string): FailedOutcome {
  return { kind, ok: false, failure, summary, next, ...(code ? { errorCode: code } : {}) };
}

interface ErrorLike {
  code?: unknown;
  message?: string;
}

/** The error, its causes and aggregated errors, outermost first, cycles ignored. */
function flatten(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || seen.has(e) || depth > 8) return;
    seen.add(e);
    out.push(e as ErrorLike);
    const anyE = e as { cause?: unknown; errors?: unknown };
    if (Array.isArray(anyE.errors)) for (const inner of anyE.errors) visit(inner, depth + 1);
    visit(anyE.cause, depth + 1);
  };
  visit(error, 0);
  return out;
}

function firstLine(text: string): string {
  return (text.split(' | ')[0] ?? '').slice(0, 200);
}
