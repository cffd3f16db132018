/**
 * Helpers shared by the dialect files. Bundled into each driver bundle, so: no state, no
 * classes that other bundles would test with instanceof.
 */
import type { ColumnKind, DbErrorInfo, NativeConnectConfig } from '../types';

/** First line of an error's message, or its string form. */
export function firstLine(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  return (msg.split('\n')[0] || msg).trim();
}

function prop(error: unknown, key: string): unknown {
  return error && typeof error === 'object' ? (error as Record<string, unknown>)[key] : undefined;
}

export function errorCode(error: unknown): string | undefined {
  const code = prop(error, 'code');
  return typeof code === 'string' ? code : typeof code === 'number' ? String(code) : undefined;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/**
 * Classifies Node's own network and TLS errors (they look alike in every library), looking
 * through `cause` / `originalError` wrappers. Undefined when it is not one of them.
 */
export function classifyNodeError(error: unknown, depth = 0): DbErrorInfo | undefined {
  if (!error || typeof error !== 'object' || depth > 4) return undefined;
  const code = errorCode(error);
  const message = firstLine(error);
  if (code === 'ECONNREFUSED') return { category: 'refused', code, message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { category: 'host-not-found', code, message };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { category: 'timeout', code, message };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return { category: 'connection-lost', code, message };
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) return { category: 'tls', code, message };
  if (/self[- ]signed certificate|unable to verify the first certificate|certificate has expired|wrong version number|SSL routines/i.test(message)) {
    return { category: 'tls', code, message };
  }
  for (const key of ['cause', 'originalError', 'error']) {
    const inner = classifyNodeError(prop(error, key), depth + 1);
    if (inner) return inner;
  }
  const nested = prop(error, 'errors');
  if (Array.isArray(nested)) {
    for (const e of nested) {
      const inner = classifyNodeError(e, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Uint8Array → Buffer (the libraries want Buffers), bigint → string. */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

/** Where and as whom a network dialect's client connects (the start of its client options). */
export function serverLogin(config: NativeConnectConfig): { host?: string; port?: number; database: string; user?: string; password: string } {
  return { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '' };
}

/** A column's kind by its type name in `kinds` ('other' when the name is not there). */
export function namedColumnType(kinds: Record<string, ColumnKind>, name: string): { type: ColumnKind; nativeType: string } {
  return { type: kinds[name] ?? 'other', nativeType: name };
}

/**
 * Sets up a session just opened (reads its version and id, sets its schema). When the set-up
 * fails the native connection is closed before the error goes on, so no session is left open.
 */
export async function setUpOrClose(setUp: () => Promise<void>, close: () => Promise<unknown> | void): Promise<void> {
  try {
    await setUp();
  } catch (e) {
    await Promise.resolve()
      .then(close)
      .catch(() => undefined);
    throw e;
  }
}
