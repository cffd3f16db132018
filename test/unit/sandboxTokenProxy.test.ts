/**
 * The sandbox's front door (scripts/sandbox/tokenProxy.mjs) in front of a real HTTP server on a
 * Unix socket: only /<token>/ paths with a 127.0.0.1/localhost Host get through, HTTP and
 * WebSocket-style upgrades alike, with the token stripped. (Issue #13 finding 8; the real
 * code-server behind it is exercised by test/e2e/specs/06-sandbox.spec.mjs.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error a plain .mjs script without types
import { startTokenProxy } from '../../scripts/sandbox/tokenProxy.mjs';

interface Proxy { url: string; port: number; token: string; close(): Promise<void> }

function get(port: number, pathname: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathname, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
    }).on('error', reject);
  });
}

describe('sandbox token proxy', () => {
  let dir: string;
  let upstream: http.Server;
  let proxy: Proxy;
  const seen: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-proxy-'));
    const socket = path.join(dir, 's.sock');
    upstream = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} host=${req.headers.host}`);
      res.end(`upstream saw ${req.url}`);
    });
    upstream.on('upgrade', (req, sock: net.Socket) => {
      seen.push(`UPGRADE ${req.url}`);
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      sock.on('data', (d: Buffer) => sock.write(`echo:${d.toString()}`));
      sock.on('end', () => sock.end());
    });
    await new Promise<void>((resolve) => upstream.listen(socket, resolve));
    proxy = (await startTokenProxy({ socket })) as Proxy;
  });

  after(async () => {
    await proxy.close();
    upstream.closeAllConnections(); // the proxy's keep-alive connections
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a URL with a long random token; each start has another one', async () => {
    assert.match(proxy.url, new RegExp(`^http://127\\.0\\.0\\.1:${proxy.port}/[A-Za-z0-9_-]{24}/$`));
    const other = (await startTokenProxy({ socket: path.join(dir, 's.sock') })) as Proxy;
    assert.notEqual(other.token, proxy.token);
    await other.close();
  });

  it('forwards /<token>/… with the token removed; the bare token redirects to /<token>/', async () => {
    const r = await get(proxy.port, `/${proxy.token}/static/x.js?v=1`);
    assert.deepEqual([r.status, r.body], [200, 'upstream saw /static/x.js?v=1']);
    assert.equal((await get(proxy.port, `/${proxy.token}/`, `localhost:${proxy.port}`)).body, 'upstream saw /');
    const bare = await get(proxy.port, `/${proxy.token}`);
    assert.deepEqual([bare.status, bare.location], [302, `/${proxy.token}/`]);
  });

  it('refuses no token, a wrong or partial token, and a foreign Host header; nothing reaches the server', async () => {
    seen.length = 0;
    for (const p of ['/', '/healthz', '/login', `/${proxy.token.slice(0, -1)}/`, `/x${proxy.token}/`, `/${proxy.token}x/`]) {
      assert.equal((await get(proxy.port, p)).status, 404, p);
    }
    assert.equal((await get(proxy.port, `/${proxy.token}/`, `rebound.example:${proxy.port}`)).status, 421);
    assert.equal((await get(proxy.port, `/${proxy.token}/`, '127.0.0.1:1')).status, 421);
    assert.deepEqual(seen, []);
  });

  it('forwards a WebSocket upgrade under the token and refuses one without it', async () => {
    const talk = (pathname: string) =>
      new Promise<string>((resolve, reject) => {
        const s = net.connect(proxy.port, '127.0.0.1', () => {
          s.write(`GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
        });
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString();
          if (got.includes('101') && !got.includes('echo:')) s.write('ping');
          if (got.includes('echo:ping') || got.includes('Refused')) {
            s.destroy();
            resolve(got);
          }
        });
        s.on('error', reject);
        s.on('close', () => resolve(got));
      });
    assert.match(await talk(`/${proxy.token}/ws?x=1`), /101 Switching Protocols[\s\S]*echo:ping/);
    assert.ok(seen.includes('UPGRADE /ws?x=1'), seen.join('\n'));
    assert.match(await talk('/ws'), /^HTTP\/1\.1 404 Refused/);
  });
});
