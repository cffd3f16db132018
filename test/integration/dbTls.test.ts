/**
 * Database TLS on real certificates and real handshakes (finding 5 of issue #13: on main,
 * database.ssl.allowSelfSigned meant rejectUnauthorized: false, so any certificate, any host
 * name and an expired one were accepted, even with a caFile).
 *
 * PostgreSQL: a TLS-terminating proxy in front of the real server at 127.0.0.1:5432 answers
 * the SSLRequest with "S", does the TLS handshake with the certificate a test chooses and
 * forwards the decrypted stream, so connectDatabase talks to real PostgreSQL over real TLS.
 * The proxy counts the connections it forwards: a refused certificate must leave it at 0,
 * which proves the startup message and the password never left the client.
 * MySQL/MariaDB (the local server has TLS off): a server that sends a real MariaDB greeting
 * shape with the SSL capability and then does the TLS handshake, for the probe.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { connectDatabase } from '../../src/core/db/connect';
import { probeServerCertificate } from '../../src/core/db/tlsProbe';
import { AppError } from '../../src/core/errors';
import { makeTestCerts, type KeyPair, type TestCerts } from '../support/certs';

interface PgTlsProxy {
  port: number;
  /** Connections forwarded to PostgreSQL (one per client that got past the handshake and spoke). */
  forwarded: number;
  /** The certificates to present, in turn (the last one repeats). */
  present: KeyPair[];
  close(): Promise<void>;
}

async function startPgTlsProxy(present: KeyPair[]): Promise<PgTlsProxy> {
  const sockets = new Set<net.Socket>();
  let served = 0;
  const proxy: PgTlsProxy = { port: 0, forwarded: 0, present, close: async () => undefined };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const pair = proxy.present[Math.min(served++, proxy.present.length - 1)];
    client.once('data', (first: Buffer) => {
      if (first.length < 8 || first.readInt32BE(4) !== 80877103) return void client.destroy();
      client.write('S');
      const secure = new tls.TLSSocket(client, { isServer: true, key: pair.key, cert: pair.cert });
      secure.on('error', () => undefined);
      secure.once('data', (startup: Buffer) => {
        proxy.forwarded++;
        const upstream = net.connect({ host: '127.0.0.1', port: 5432 });
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => secure.destroy());
        upstream.write(startup);
        secure.pipe(upstream).pipe(secure);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  server.unref();
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

/** Just enough of a MariaDB server to start TLS: the protocol-10 greeting with CLIENT_SSL, then the handshake. */
async function startMysqlTlsGreeter(pair: KeyPair, offerTls = true): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    const version = Buffer.from('10.11.19-MariaDB\0', 'latin1');
    const caps = offerTls ? 0xffff : 0xffff & ~0x800;
    const body = Buffer.concat([Buffer.from([10]), version, Buffer.from([1, 0, 0, 0]), Buffer.from('abcdefgh', 'latin1'), Buffer.from([0]),
      Buffer.from([caps & 0xff, caps >> 8]), Buffer.from([45, 2, 0, 0xff, 0x81, 21]), Buffer.alloc(10), Buffer.from('ijklmnopqrst\0mysql_native_password\0', 'latin1')]);
    const header = Buffer.alloc(4);
    header.writeUIntLE(body.length, 0, 3);
    client.write(Buffer.concat([header, body]));
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 36) return;
      client.off('data', onData);
      // 4-byte header with sequence id 1, then 32 bytes whose flags ask for SSL
      if (buffered[3] !== 1 || buffered.readUIntLE(0, 3) !== 32 || !(buffered.readUInt32LE(4) & 0x800)) return void client.destroy();
      // The client's TLS hello may follow in the same chunk, as it does with a real server: hand it on.
      const stream = new Duplex({ read() {}, write(chunk: Buffer, _enc, done) { client.write(chunk, done); } });
      stream.push(buffered.subarray(36));
      client.on('data', (d: Buffer) => stream.push(d));
      client.on('end', () => stream.push(null));
      const secure = new tls.TLSSocket(stream, { isServer: true, key: pair.key, cert: pair.cert });
      secure.on('error', () => undefined);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('database TLS: allowSelfSigned accepts only an in-date self-signed certificate for the configured host; caFile always verifies', function () {
  this.timeout(30_000);
  let certs: TestCerts;
  let proxy: PgTlsProxy | undefined;

  before(() => {
    certs = makeTestCerts();
  });
  after(() => certs.cleanup());
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  const pg = (port: number, ssl: { caFile?: string; allowSelfSigned: boolean }, host = '127.0.0.1') =>
    ({ driver: 'postgres' as const, host, port, database: 'postgres', user: 'postgres', readOnly: true, ssl });

  async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof AppError, String(e));
      assert.match(`${e.message} ${e.hint ?? ''}`, pattern);
      return true;
    });
  }

  it('PostgreSQL, allowSelfSigned: a self-signed certificate naming the host connects to the real server over TLS', async () => {
    proxy = await startPgTlsProxy([certs.selfSigned]);
    for (const host of ['127.0.0.1', 'localhost']) {
      const driver = await connectDatabase(pg(proxy.port, { allowSelfSigned: true }, host), 'not-needed-trust-auth');
      try {
        assert.match(driver.serverVersion, /PostgreSQL/);
      } finally {
        await driver.close();
      }
    }
    assert.equal(proxy.forwarded, 2);
  });

  it('PostgreSQL, allowSelfSigned: another host name, an expired one, or a CA-signed one without caFile are refused before anything is sent', async () => {
    for (const [pair, pattern] of [
      [certs.selfSignedWrongHost, /refused .*(altnames|Hostname|IP: 127\.0\.0\.1 is not in the cert)/i],
      [certs.selfSignedExpired, /refused .*expired/i],
      [certs.leaf, /refused .*(UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify)/i],
    ] as const) {
      proxy = await startPgTlsProxy([pair]);
      await refused(connectDatabase(pg(proxy.port, { allowSelfSigned: true }), 'secret-db-pw'), pattern);
      assert.equal(proxy.forwarded, 0, `${pair.certFile}: nothing may reach the server`);
      await proxy.close();
      proxy = undefined;
    }
  });

  it('PostgreSQL, allowSelfSigned: a server that shows one certificate to the probe and another to the driver is refused (the probed one is the only one trusted)', async () => {
    proxy = await startPgTlsProxy([certs.selfSigned, certs.selfSignedExpired]);
    // a second self-signed certificate for the same host, made by the same helper
    const other = makeTestCerts();
    try {
      proxy.present = [certs.selfSigned, other.selfSigned];
      await assert.rejects(connectDatabase(pg(proxy.port, { allowSelfSigned: true }), 'secret-db-pw'));
      assert.equal(proxy.forwarded, 0);
    } finally {
      other.cleanup();
    }
  });

  it('PostgreSQL, caFile (with allowSelfSigned too): verified against the CA and the host name; a wrong host is refused', async () => {
    proxy = await startPgTlsProxy([certs.leaf]);
    const driver = await connectDatabase(pg(proxy.port, { caFile: certs.ca.certFile, allowSelfSigned: true }), 'pw');
    await driver.close();
    assert.equal(proxy.forwarded, 1);
    await proxy.close();
    // On main, allowSelfSigned made this one pass: rejectUnauthorized false, no host check.
    proxy = await startPgTlsProxy([certs.wrongHost]);
    await assert.rejects(connectDatabase(pg(proxy.port, { caFile: certs.ca.certFile, allowSelfSigned: true }), 'secret-db-pw'), /altnames|Hostname|not in the cert|certificate/i);
    assert.equal(proxy.forwarded, 0);
    await proxy.close();
    proxy = await startPgTlsProxy([certs.expired]);
    await assert.rejects(connectDatabase(pg(proxy.port, { caFile: certs.ca.certFile, allowSelfSigned: true }), 'secret-db-pw'), /expired|certificate/i);
    assert.equal(proxy.forwarded, 0);
  });

  it('MySQL/MariaDB probe: the SSL request after the greeting, then the shared check on the real certificate', async () => {
    for (const [pair, expected] of [
      [certs.selfSigned, undefined],
      [certs.selfSignedWrongHost, 'ERR_TLS_CERT_ALTNAME_INVALID'],
      [certs.selfSignedExpired, 'CERT_HAS_EXPIRED'],
      [certs.leaf, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ] as const) {
      const server = await startMysqlTlsGreeter(pair);
      try {
        const probed = await probeServerCertificate('mysql', '127.0.0.1', server.port, 5000);
        assert.equal(probed.problem?.code, expected, pair.certFile);
        assert.equal(new (await import('node:crypto')).X509Certificate(probed.pem).fingerprint256, new (await import('node:crypto')).X509Certificate(pair.cert).fingerprint256);
      } finally {
        await server.close();
      }
    }
    const plain = await startMysqlTlsGreeter(certs.selfSigned, false);
    try {
      await assert.rejects(probeServerCertificate('mysql', '127.0.0.1', plain.port, 5000), (e: NodeJS.ErrnoException) => e.code === 'J2FA-NO-TLS');
    } finally {
      await plain.close();
    }
  });

  it('the real PostgreSQL and MariaDB here have TLS off: the probe says so (J2FA-NO-TLS) instead of hanging', async () => {
    await assert.rejects(probeServerCertificate('postgres', '127.0.0.1', 5432, 5000), (e: NodeJS.ErrnoException) => e.code === 'J2FA-NO-TLS');
    await assert.rejects(probeServerCertificate('mysql', '127.0.0.1', 3306, 5000), (e: NodeJS.ErrnoException) => e.code === 'J2FA-NO-TLS');
  });
});
