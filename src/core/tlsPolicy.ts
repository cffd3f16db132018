/**
 * What "allowSelfSigned" means, for the Jira/Cloud HTTP side (jira/tls.ts) and the database
 * (db/tls.ts) alike: accept a certificate that signs itself, and nothing else. It must still
 * name the host we asked for and be within its dates; a CA chain we do not trust, a wrong
 * host name or an expired certificate stay refused (the fix there is a CA file).
 */
import tls, { type TLSSocket } from 'node:tls';

/** An Error carrying the same code Node would have used, so classification is uniform. */
export class TlsPolicyError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
    this.name = 'TlsPolicyError';
  }
}

/**
 * With allowSelfSigned, sockets arrive unverified (rejectUnauthorized: false only so that we
 * can look). Accept one only when its sole problem is that the leaf signs itself.
 * Returns the reason to refuse, or undefined to accept.
 */
export function checkSocket(socket: TLSSocket, hostname: string, now = new Date()): TlsPolicyError | undefined {
  if (socket.authorized) return undefined;
  const error = String(socket.authorizationError ?? 'UNKNOWN');
  if (error !== 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    // e.g. a private CA chain (SELF_SIGNED_CERT_IN_CHAIN) or a name mismatch: not what the
    // setting allows; a CA file is the right fix there.
    return new TlsPolicyError(error, `certificate refused (${error})`);
  }
  const cert = socket.getPeerCertificate();
  const nameProblem = tls.checkServerIdentity(hostname, cert);
  if (nameProblem) return new TlsPolicyError('ERR_TLS_CERT_ALTNAME_INVALID', nameProblem.message);
  if (now < new Date(cert.valid_from)) return new TlsPolicyError('CERT_NOT_YET_VALID', 'certificate is not yet valid');
  if (now > new Date(cert.valid_to)) return new TlsPolicyError('CERT_HAS_EXPIRED', 'certificate has expired');
  return undefined;
}
