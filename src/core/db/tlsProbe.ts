/**
 * Reads a database server's TLS certificate without logging in: the dialect's own upgrade to
 * TLS (PostgreSQL: the SSLRequest message; MySQL/MariaDB: the SSL request packet after the
 * server's greeting), the handshake, then the socket is closed. No user name, password or
 * query is ever written. Used for database.ssl.allowSelfSigned (db/tls.ts).
 */
import net from 'node:net';
import tls from 'node:tls';
import { checkSocket, type TlsPolicyError } from '../tlsPolicy';

export interface ProbedCertificate {
  /** The leaf as PEM. */
  pem: string;
  /** Why the shared self-signed rule refuses it (tlsPolicy.checkSocket), or undefined. */
  problem?: TlsPolicyError;
}

const SSL_REQUEST_CODE = 80877103;
// MySQL capability flags (client/server protocol 4.1)
const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;

/** The certificate a PostgreSQL or MySQL/MariaDB server presents at host:port. */
export async function probeServerCertificate(dialect: 'postgres' | 'mysql', host: string, port: number, timeoutMs: number): Promise<ProbedCertificate> {
  const socket = net.connect({ host, port });
  socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    if (dialect === 'postgres') await startPostgresTls(socket);
    else await startMysqlTls(socket);
    return await handshake(socket, host, timeoutMs);
  } finally {
    socket.destroy();
  }
}

/** Reads exactly n bytes (or fails when the server closes first). */
function readBytes(socket: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < n) return;
      done();
      // Bytes past n belong to the TLS handshake: none are expected before we speak.
      if (got.length > n) socket.unshift(got.subarray(n));
      resolve(got.subarray(0, n));
    };
    const onEnd = () => {
      done();
      reject(Object.assign(new Error('the server closed the connection before TLS started'), { code: 'ECONNRESET' }));
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.pause();
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
}

function noTls(): Error {
  return Object.assign(new Error('the server does not offer TLS'), { code: 'J2FA-NO-TLS' });
}

async function startPostgresTls(socket: net.Socket): Promise<void> {
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(SSL_REQUEST_CODE, 4);
  socket.write(request);
  const answer = (await readBytes(socket, 1)).toString('latin1');
  if (answer !== 'S') throw noTls();
}

async function startMysqlTls(socket: net.Socket): Promise<void> {
  const header = await readBytes(socket, 4);
  const length = header.readUIntLE(0, 3);
  if (length > 1 << 16) throw Object.assign(new Error('the server greeting is not a MySQL handshake'), { code: 'J2FA-NOT-MYSQL' });
  const greeting = await readBytes(socket, length);
  if (greeting[0] === 0xff) throw Object.assign(new Error(`the server refused the connection: ${greeting.subarray(3).toString('utf8').slice(0, 200)}`), { code: 'J2FA-MYSQL-ERROR' });
  if (greeting[0] !== 10) throw Object.assign(new Error('the server greeting is not a MySQL protocol 10 handshake'), { code: 'J2FA-NOT-MYSQL' });
  // protocol(1) version(NUL-terminated) thread id(4) auth data part 1(8) filler(1) capabilities low(2)
  const versionEnd = greeting.indexOf(0, 1);
  const capsAt = versionEnd + 1 + 4 + 8 + 1;
  if (versionEnd < 0 || greeting.length < capsAt + 2) throw Object.assign(new Error('the MySQL server greeting is truncated'), { code: 'J2FA-NOT-MYSQL' });
  if (!(greeting.readUInt16LE(capsAt) & CLIENT_SSL)) throw noTls();
  const payload = Buffer.alloc(32);
  payload.writeUInt32LE(CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION, 0);
  payload.writeUInt32LE(1 << 24, 4); // max packet size
  payload[8] = 45; // utf8mb4_general_ci
  const packet = Buffer.alloc(4);
  packet.writeUIntLE(payload.length, 0, 3);
  packet[3] = header[3] + 1; // sequence id follows the greeting's
  socket.write(Buffer.concat([packet, payload]));
}

function handshake(socket: net.Socket, host: string, timeoutMs: number): Promise<ProbedCertificate> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket,
      // A server name for SNI only; the certificate is judged below, by the shared rule.
      servername: net.isIP(host) ? undefined : host,
      // Unverified only so that we can look at it; nothing is sent over this connection.
      rejectUnauthorized: false,
    });
    secure.setTimeout(timeoutMs, () => secure.destroy(Object.assign(new Error(`the TLS handshake with ${host} did not finish within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    secure.once('error', reject);
    secure.once('secureConnect', () => {
      const cert = secure.getPeerCertificate();
      const problem = checkSocket(secure, host);
      secure.destroy();
      if (!cert?.raw) return reject(Object.assign(new Error('the server sent no certificate'), { code: 'J2FA-NO-CERT' }));
      resolve({ pem: toPem(cert.raw), ...(problem ? { problem } : {}) });
    });
  });
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
