/**
 * Sends one request on an instance's dispatcher and reads the answer. It never follows a
 * redirect (a token must not travel to wherever a Location header points) and reads at
 * most MAX_BODY bytes: an error body is only ever shown as a one-line message.
 */
import type { Dispatcher } from 'undici';
import type { HttpAnswer } from './classifyResponse';

export const MAX_BODY = 64 * 1024;

export interface SendRequest {
  /** POST: the Cloud admin API (src/core/cloud); never replayed, like DELETE. */
  method: 'GET' | 'POST' | 'DELETE';
  /** Already encoded path with query, starting at the context path. */
  path: string;
  headers: Record<string, string>;
  /** JSON text; Content-Type is set when present. */
  body?: string;
  signal?: AbortSignal;
}

/** Throws the transport error unchanged (classifyTransportError reads it). */
export async function send(dispatcher: Dispatcher, origin: string, req: SendRequest): Promise<HttpAnswer> {
  const headers = { ...req.headers, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) };
  // dispatcher.request with origin + path, not a URL string: no WHATWG parsing of the
  // path, so what we encoded is exactly what goes on the wire.
  const res = await dispatcher.request({
    origin,
    path: req.path,
    method: req.method,
    headers,
    body: req.body,
    signal: req.signal,
    // A DELETE that consumed a TOTP code must never be replayed on a fresh connection.
    idempotent: req.method === 'GET',
  });
  const bodyText = await readLimited(res.body);
  return { status: res.statusCode, headers: res.headers, bodyText };
}

async function readLimited(body: AsyncIterable<Buffer | string> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buf);
    size += buf.length;
    // Leaving the loop early destroys the stream (and that connection), which is what we
    // want for a runaway body.
    if (size >= MAX_BODY) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
}
