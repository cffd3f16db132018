/**
 * InstanceTransport, the part JiraClient and CloudAdminClient share: a read is retried once
 * after a dropped connection, a write never is, the drop retry can be withheld (Cloud spends
 * it once per call), and an unusable CA file is a config problem that is read again next call.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import { InstanceTransport } from '../../src/core/jira/transport';

describe('InstanceTransport', () => {
  let server: http.Server;
  let origin: string;
  let hits = 0;
  let dropFirst = 0;
  const sockets = new Set<Socket>();
  const dispatchers = new DispatcherCache();
  before(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (hits <= dropFirst) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    hits = 0;
    dropFirst = 0;
  });
  afterEach(async () => {
    await dispatchers.closeAll();
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  const transport = (tls?: { caFile?: string }) => new InstanceTransport({ instanceId: 'i1', origin, ...(tls ? { tls } : {}) }, { dispatchers, env: {} });
  const get = { method: 'GET' as const, path: '/x', headers: {} };

  it('knows its host and proxy', () => {
    const t = new InstanceTransport({ instanceId: 'i1', origin, proxy: 'http://proxy.example:3128' }, { dispatchers });
    assert.equal(t.host, new URL(origin).host);
    assert.equal(t.proxyUrl, 'http://proxy.example:3128');
    assert.equal(transport().proxyUrl, undefined);
  });

  it('answers, and says when the drop retry was spent', async () => {
    const r = await transport().send(get, { read: true });
    assert.equal(r.kind, 'answer');
    assert.equal(r.kind === 'answer' && r.answer.status, 200);
    assert.equal(r.kind === 'answer' && r.dropRetried, false);
    assert.equal(hits, 1);
  });

  it('retries a read once after a dropped connection', async () => {
    dropFirst = 1;
    const r = await transport().send(get, { read: true });
    assert.equal(r.kind, 'answer');
    assert.equal(r.kind === 'answer' && r.dropRetried, true);
    assert.equal(hits, 2);
  });

  it('does not retry a read twice', async () => {
    dropFirst = 2;
    const r = await transport().send(get, { read: true });
    assert.equal(r.kind, 'failed');
    assert.equal(r.kind === 'failed' && r.outcome.kind, 'connectionReset');
    assert.equal(r.kind === 'failed' && r.mayHaveArrived, false);
    assert.equal(hits, 2);
  });

  it('does not retry a read whose drop retry is withheld', async () => {
    dropFirst = 1;
    const r = await transport().send(get, { read: true, dropRetry: false });
    assert.equal(r.kind, 'failed');
    assert.equal(r.kind === 'failed' && r.mayHaveArrived, false);
    assert.equal(hits, 1);
  });

  it('never retries a write, and says it may have arrived', async () => {
    dropFirst = 1;
    const r = await transport().send({ method: 'DELETE', path: '/x', headers: {}, body: '{}' }, { read: false, dropRetry: true });
    assert.equal(r.kind, 'failed');
    assert.equal(r.kind === 'failed' && r.mayHaveArrived, true);
    assert.equal(hits, 1);
  });

  it('reports an unreadable CA file as a config problem, sends nothing, and reads the file again next call', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-transport-'));
    try {
      const caFile = path.join(dir, 'ca.pem');
      const t = transport({ caFile });
      const first = await t.send(get, { read: true });
      assert.equal(first.kind, 'config');
      assert.match(first.kind === 'config' ? first.message : '', /cannot be read/);
      assert.equal(first.kind === 'config' && first.hint, 'Check tls.caFile in the instance settings.');
      fs.writeFileSync(caFile, 'not a certificate');
      const second = await t.send(get, { read: true });
      assert.match(second.kind === 'config' ? second.message : '', /no PEM certificate/);
      assert.equal(hits, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
