import assert from 'node:assert/strict';
import path from 'node:path';
import type { ApiResult, FailedOutcome } from '../../src/core/jira/outcomes';
import type { ServerInfo } from '../../src/core/jira/client';
import { makeTestCerts, type KeyPair, type TestCerts } from '../support/certs';
import { ConnectProxy } from '../support/connectProxy';
import { JiraSimulator } from '../support/jiraSimulator';
import { DispatcherCache, testClient, testProfile } from '../support/jiraTestKit';

describe('jira client: TLS trust per instance', () => {
  let certs: TestCerts;
  const dispatchers = new DispatcherCache();
  const sims: JiraSimulator[] = [];

  before(() => {
    // Fails loudly (not skipped) when openssl is missing: these are the TLS guarantees.
    certs = makeTestCerts();
  });
  after(() => certs?.cleanup());
  afterEach(async () => {
    await dispatchers.closeAll();
    await Promise.all(sims.splice(0).map((s) => s.stop()));
  });

  async function httpsSim(pair: KeyPair): Promise<JiraSimulator> {
    const sim = await JiraSimulator.start({ tls: { key: pair.key, cert: pair.cert } });
    sims.push(sim);
    return sim;
  }

  function info(sim: JiraSimulator, id: string, tls: { caFile?: string; allowSelfSigned: boolean }, extra: { proxy?: string; env?: Record<string, string> } = {}): Promise<ApiResult<ServerInfo>> {
    const profile = testProfile(sim.baseUrl, { id, tls, ...(extra.proxy ? { proxy: extra.proxy } : {}) });
    return testClient(profile, dispatchers, extra.env ? { env: extra.env } : {}).serverInfo();
  }

  function tlsProblem(r: ApiResult<unknown>): string {
    assert.equal(r.ok, false, 'expected the connection to be refused');
    const o = (r as { outcome: FailedOutcome }).outcome;
    assert.equal(o.kind, 'tlsError', `expected tlsError, got ${o.kind}: ${o.summary}`);
    return o.kind === 'tlsError' ? o.tlsProblem : '';
  }

  it('never touches the process-wide switch', () => {
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
  });

  it('accepts a certificate signed by the instance CA file, refuses it without', async () => {
    const sim = await httpsSim(certs.leaf);
    const withCa = await info(sim, 'with-ca', { caFile: certs.ca.certFile, allowSelfSigned: false });
    assert.ok(withCa.ok, withCa.ok ? '' : withCa.outcome.summary);
    assert.equal(tlsProblem(await info(sim, 'without-ca', { allowSelfSigned: false })), 'unknownCa');
  });

  it('refuses a self-signed certificate, and accepts it only on the instance that allows it', async () => {
    const sim = await httpsSim(certs.selfSigned);
    const refused = await info(sim, 'strict', { allowSelfSigned: false });
    assert.equal(tlsProblem(refused), 'selfSigned');
    assert.match(!refused.ok ? refused.outcome.next : '', /allow a self-signed certificate on this instance only/);
    assert.ok((await info(sim, 'lenient', { allowSelfSigned: true })).ok);
    // The lenient instance's dispatcher is still alive; another instance must stay strict.
    assert.equal(tlsProblem(await info(sim, 'strict-again', { allowSelfSigned: false })), 'selfSigned');
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
  });

  it('allowSelfSigned still checks the host name', async () => {
    const sim = await httpsSim(certs.selfSignedWrongHost);
    assert.equal(tlsProblem(await info(sim, 'lenient', { allowSelfSigned: true })), 'hostnameMismatch');
  });

  it('allowSelfSigned does not accept a chain from an unknown CA (that needs the CA file)', async () => {
    const sim = await httpsSim(certs.leaf);
    assert.equal(tlsProblem(await info(sim, 'lenient', { allowSelfSigned: true })), 'unknownCa');
  });

  it('names a host name mismatch and an expired certificate', async () => {
    const wrong = await httpsSim(certs.wrongHost);
    assert.equal(tlsProblem(await info(wrong, 'a', { caFile: certs.ca.certFile, allowSelfSigned: false })), 'hostnameMismatch');
    const expired = await httpsSim(certs.expired);
    assert.equal(tlsProblem(await info(expired, 'b', { caFile: certs.ca.certFile, allowSelfSigned: false })), 'expired');
  });

  it('https:// to a plain HTTP port is named as such', async () => {
    const plain = await JiraSimulator.start();
    sims.push(plain);
    const r = await testClient(testProfile(plain.baseUrl.replace('http://', 'https://')), dispatchers).serverInfo();
    assert.equal(tlsProblem(r), 'notTls');
  });

  it('an unreadable or non-PEM CA file is a clear configuration refusal, before any connection', async () => {
    const sim = await httpsSim(certs.leaf);
    const missing = await info(sim, 'missing', { caFile: path.join(certs.dir, 'nope.pem'), allowSelfSigned: false });
    assert.equal(!missing.ok && missing.outcome.kind, 'refusedByGuard');
    assert.match(!missing.ok ? missing.outcome.summary : '', /nope\.pem cannot be read \(ENOENT\)/);
    const notPem = await info(sim, 'not-pem', { caFile: path.join(certs.dir, 'leaf.key'), allowSelfSigned: false });
    assert.match(!notPem.ok ? notPem.outcome.summary : '', /contains no PEM certificate/);
    assert.equal(sim.requests.length, 0);
  });

  describe('through a CONNECT proxy', () => {
    let proxy: ConnectProxy;
    beforeEach(async () => {
      proxy = await ConnectProxy.start();
    });
    afterEach(async () => {
      await dispatchers.closeAll();
      await proxy.stop();
    });

    it('uses the profile proxy and still verifies the instance certificate end to end', async () => {
      const sim = await httpsSim(certs.leaf);
      const ok = await info(sim, 'proxied', { caFile: certs.ca.certFile, allowSelfSigned: false }, { proxy: proxy.url });
      assert.ok(ok.ok, ok.ok ? '' : ok.outcome.summary);
      assert.deepEqual(proxy.tunnels, [`127.0.0.1:${sim.port}`]);
      assert.equal(tlsProblem(await info(sim, 'proxied-no-ca', { allowSelfSigned: false }, { proxy: proxy.url })), 'unknownCa');
    });

    it('applies the self-signed policy inside the tunnel too', async () => {
      const good = await httpsSim(certs.selfSigned);
      assert.ok((await info(good, 'p1', { allowSelfSigned: true }, { proxy: proxy.url })).ok);
      const wrong = await httpsSim(certs.selfSignedWrongHost);
      assert.equal(tlsProblem(await info(wrong, 'p2', { allowSelfSigned: true }, { proxy: proxy.url })), 'hostnameMismatch');
    });

    it('takes HTTPS_PROXY from the environment unless NO_PROXY names the host', async () => {
      const sim = await httpsSim(certs.leaf);
      const tls = { caFile: certs.ca.certFile, allowSelfSigned: false };
      assert.ok((await info(sim, 'env', tls, { env: { HTTPS_PROXY: proxy.url } })).ok);
      assert.equal(proxy.tunnels.length, 1);
      assert.ok((await info(sim, 'env-bypass', tls, { env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } })).ok);
      assert.equal(proxy.tunnels.length, 1, 'NO_PROXY bypassed the proxy');
    });
  });
});
