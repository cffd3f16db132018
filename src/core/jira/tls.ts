/**
 * Per-instance TLS trust. Two settings, both scoped to one instance's dispatcher and never
 * to the process (no NODE_TLS_REJECT_UNAUTHORIZED, no global agent):
 *  - caFile: a PEM bundle trusted for this instance in addition to Node's public roots;
 *  - allowSelfSigned: accept a certificate that signs itself, and nothing else. Node's
 *    rejectUnauthorized:false would accept ANY bad certificate and skip the host name
 *    check, so we turn it off only to inspect the socket ourselves (checkSocket, shared with
 *    the database side in ../tlsPolicy.ts).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { buildConnector } from 'undici';
import { AppError } from '../errors';
import { checkSocket } from '../tlsPolicy';

export interface TlsTrust {
  /** PEM text of the extra CA(s); undefined when the profile names none. */
  caPem?: string;
  allowSelfSigned: boolean;
  /** Stable fingerprint of the settings, part of the dispatcher cache key. */
  key: string;
}

/** Reads the profile's CA file. Throws AppError('input') with the path when it is unusable. */
export async function loadTlsTrust(settings: { caFile?: string; allowSelfSigned?: boolean } | undefined): Promise<TlsTrust> {
  const allowSelfSigned = settings?.allowSelfSigned === true;
  if (!settings?.caFile) return { allowSelfSigned, key: `self:${allowSelfSigned}` };
  const file = settings.caFile.startsWith('~/') ? path.join(os.homedir(), settings.caFile.slice(2)) : settings.caFile;
  let caPem: string;
  try {
    caPem = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new AppError('input', `The CA file ${file} cannot be read (${code}).`, 'Check tls.caFile in the instance settings.', { cause: e });
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(caPem)) {
    throw new AppError('input', `The CA file ${file} contains no PEM certificate ("-----BEGIN CERTIFICATE-----").`, 'Export the CA certificate in PEM (Base64) format.');
  }
  try {
    new X509Certificate(caPem);
  } catch (e) {
    throw new AppError('input', `The CA file ${file} is not a valid PEM certificate.`, 'Export the CA certificate in PEM (Base64) format.', { cause: e });
  }
  const digest = createHash('sha256').update(caPem).digest('hex').slice(0, 16);
  return { caPem, allowSelfSigned, key: `ca:${digest}:self:${allowSelfSigned}` };
}

/** Options for tls.connect (through undici's connector) that implement the trust above. */
export function connectOptions(trust: TlsTrust, connectTimeoutMs: number): buildConnector.BuildOptions {
  return {
    // Appending keeps public roots valid: an instance moving to a public certificate keeps working.
    ...(trust.caPem ? { ca: [...tls.rootCertificates, trust.caPem] } : {}),
    rejectUnauthorized: !trust.allowSelfSigned,
    timeout: connectTimeoutMs,
  };
}

/** Wraps an undici connector so every new TLS socket passes checkSocket first. */
export function enforcingConnector(inner: buildConnector.connector): buildConnector.connector {
  return (opts, callback) => {
    inner(opts, (err, socket) => {
      if (err || !socket) {
        callback(err ?? new Error('no socket'), null);
        return;
      }
      if (socket instanceof tls.TLSSocket) {
        const problem = checkSocket(socket, opts.hostname.replace(/^\[|\]$/g, ''));
        if (problem) {
          socket.destroy();
          callback(problem, null);
          return;
        }
      }
      callback(null, socket);
    });
  };
}
