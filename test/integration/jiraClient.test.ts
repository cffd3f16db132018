import assert from 'node:assert/strict';
import net from 'node:net';
import type { Outcome } from '../../src/core/jira/outcomes';
import { ADMIN2_TOKEN, ADMIN_PASSWORD, EXPIRED_TOKEN, HELPDESK_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { MESSAGES } from '../support/jiraSimulatorRoutes';
import { FakeClock } from '../support/fakes';
import { adminCode, DispatcherCache, T0, testClient, testProfile } from '../support/jiraTestKit';

describe('jira client against the simulator', () => {
  let sim: JiraSimulator;
  let clock: FakeClock;
  const dispatchers = new DispatcherCache();

  beforeEach(async () => {
    clock = new FakeClock(T0);
    sim = await JiraSimulator.start({ now: () => clock.now() });
  });
  afterEach(async () => {
    await dispatchers.closeAll();
    await sim.stop();
  });

  const client = (opts: Parameters<typeof testClient>[2] = {}) => testClient(testProfile(sim.baseUrl), dispatchers, opts);
  const kind = (o: Outcome) => o.kind;

  describe('read endpoints', () => {
    it('reads server info, the signed-in user, sysadmin rights and own 2SV with a Bearer token', async () => {
      const c = client();
      const info = await c.serverInfo();
      assert.ok(info.ok);
      assert.equal(info.value.version, '10.3.2');
      const me = await c.myself();
      assert.deepEqual(me.ok && { name: me.value.username, display: me.value.displayName }, { name: 'admin', display: 'Ada Admin' });
      assert.deepEqual(await c.isSystemAdmin(), { ok: true, value: true, status: 200 });
      const tsv = await c.tsvStatus();
      assert.deepEqual(tsv.ok && tsv.value, { twoSVActive: true, totpEnabled: true, totpEnforced: false });
      const perm = sim.requests.find((r) => r.rawPath.startsWith('/rest/api/2/mypermissions'));
      assert.equal(perm?.rawPath, '/rest/api/2/mypermissions?permissions=SYSTEM_ADMIN');
      assert.ok(sim.requests.every((r) => r.authScheme === 'Bearer'));
    });

    it('signs in with basic auth (user:password, UTF-8)', async () => {
      const c = client({ credentials: { type: 'basic', username: 'admin', password: ADMIN_PASSWORD } });
      const me = await c.myself();
      assert.equal(me.ok && me.value.username, 'admin');
      assert.equal(sim.requests[0].authScheme, 'Basic');
    });

    it('reports a helpdesk account as not a system administrator and an admin without 2SV as 2SV off', async () => {
      assert.deepEqual(await client({ credentials: { type: 'pat', token: HELPDESK_TOKEN } }).isSystemAdmin(), { ok: true, value: false, status: 200 });
      const tsv = await client({ credentials: { type: 'pat', token: ADMIN2_TOKEN } }).tsvStatus();
      assert.equal(tsv.ok && tsv.value.twoSVActive, false);
    });

    it('a rejected token or password is authFailed, never a crash', async () => {
      const bad = await client({ credentials: { type: 'pat', token: EXPIRED_TOKEN } }).myself();
      assert.equal(!bad.ok && bad.outcome.kind, 'authFailed');
      assert.equal(!bad.ok && bad.outcome.status, 401);
      const wrong = await client({ credentials: { type: 'basic', username: 'admin', password: 'nope' } }).myself();
      assert.equal(!wrong.ok && wrong.outcome.kind, 'authFailed');
    });

    it('looks users up, and "not found" is a value, not a failure', async () => {
      const c = client();
      const found = await c.findUser('JDoe');
      assert.deepEqual(found.ok && found.value, { found: true, username: 'jdoe', displayName: 'John Doe', email: 'jdoe@example.com', active: true });
      assert.deepEqual(await c.findUser('ghost user'), { ok: true, value: { found: false }, status: 404 });
      assert.equal(sim.requests.at(-1)?.rawPath, '/rest/api/2/user?username=ghost%20user');
    });

    it('sends the User-Agent from package.json, or the version given, and never records credentials', async () => {
      await client().serverInfo();
      await client({ version: '9.9.9' }).serverInfo();
      assert.equal(sim.requests[0].headers['user-agent'], 'jira-2fa-admin/0.1.0');
      assert.equal(sim.requests[1].headers['user-agent'], 'jira-2fa-admin/9.9.9');
      assert.equal(sim.requests[0].headers['authorization'], undefined);
      assert.equal(sim.requests[0].headers['x-atlassian-token'], 'no-check');
    });

    it('keeps one connection alive per instance and closes it on close()', async () => {
      const c = client();
      await c.serverInfo();
      await c.myself();
      await client().tsvStatus(); // another client object for the same instance shares it
      const ports = sim.requests.map((r) => r.remotePort);
      assert.equal(new Set(ports).size, 1, `one socket expected, got ports ${ports.join(',')}`);
      await c.close();
      assert.equal(dispatchers.size, 0);
      await c.serverInfo();
      assert.notEqual(sim.requests.at(-1)?.remotePort, ports[0]);
    });

    it('product lookups that do not exist say so without a request', async () => {
      const bb = testClient(testProfile(sim.baseUrl, { product: 'bitbucket' }), dispatchers);
      const lookup = await bb.findUser('jdoe');
      assert.equal(!lookup.ok && lookup.outcome.kind, 'unavailable');
      assert.match(!lookup.ok ? lookup.outcome.summary : '', /User lookup is not available for Bitbucket/);
      assert.equal((await bb.myself()).ok, false);
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('unenroll: every documented answer', () => {
    const code = () => adminCode(clock.now());
    const nextWindow = () => clock.advance(30_000);

    it('204 unenrolled, then 400 no enrollment for the same user', async () => {
      const c = client();
      const first = await c.unenroll('jdoe', code());
      assert.equal(kind(first), 'unenrolled');
      assert.equal(first.ok, true);
      nextWindow();
      const second = await c.unenroll('jdoe', code());
      assert.equal(kind(second), 'noEnrollment');
      assert.equal(second.serverMessage, MESSAGES.noEnrollment);
      const del = sim.requestsOf('DELETE');
      assert.equal(del[0].rawPath, '/rest/tsv/1.0/totp/unenroll/user/jdoe');
      assert.equal(del[0].headers['content-type'], 'application/json');
      assert.deepEqual(Object.keys(JSON.parse(del[0].body)), ['totpCode']);
    });

    it('401 invalid code: wrong code, and the same code a second time (server-side replay)', async () => {
      const c = client();
      const wrong = await c.unenroll('jdoe', code() === '000000' ? '111111' : '000000');
      assert.equal(kind(wrong), 'invalidCode');
      assert.equal(wrong.serverMessage, MESSAGES.invalidCode);
      const good = code();
      assert.equal(kind(await c.unenroll('nosv', good)), 'noEnrollment');
      const replayed = await c.unenroll('jdoe', good);
      assert.equal(kind(replayed), 'invalidCode', 'the simulator refuses a used time step');
    });

    it('401 bad or expired token', async () => {
      const o = await client({ credentials: { type: 'pat', token: EXPIRED_TOKEN } }).unenroll('jdoe', code());
      assert.equal(kind(o), 'authFailed');
      assert.equal(o.failure, 'refused');
    });

    it('403 self-unenroll (sent directly, bypassing the service guard)', async () => {
      const o = await client().unenroll('ADMIN', code());
      assert.equal(kind(o), 'selfUnenroll');
      assert.equal(o.serverMessage, MESSAGES.selfUnenroll);
    });

    it('403 when the caller is not a system administrator or has no 2SV of their own', async () => {
      const helpdesk = await client({ credentials: { type: 'pat', token: HELPDESK_TOKEN } }).unenroll('jdoe', code());
      assert.equal(kind(helpdesk), 'forbidden');
      assert.equal(helpdesk.serverMessage, MESSAGES.notSysadmin);
      const noOwn2sv = await client({ credentials: { type: 'pat', token: ADMIN2_TOKEN } }).unenroll('jdoe', code());
      assert.equal(kind(noOwn2sv), 'forbidden');
      assert.match(noOwn2sv.next, /TOTP two-step verification set up/);
    });

    it('404 no such user', async () => {
      const o = await client().unenroll('ghost', code());
      assert.equal(kind(o), 'noSuchUser');
      assert.match(o.summary, /no user "ghost"/);
    });

    it('uses the profile tsvApiVersion in the path', async () => {
      const c = testClient(testProfile(sim.baseUrl, { tsvApiVersion: 'latest' }), dispatchers);
      assert.equal(kind(await c.unenroll('jdoe', code())), 'unenrolled');
      assert.equal(sim.requestsOf('DELETE')[0].rawPath, '/rest/tsv/latest/totp/unenroll/user/jdoe');
    });

    it('refuses a malformed code or user name without a request', async () => {
      const c = client();
      const badCode = await c.unenroll('jdoe', '12345');
      assert.equal(badCode.kind === 'refusedByGuard' && badCode.guard, 'code');
      const badUser = await c.unenroll(' ', code());
      assert.equal(badUser.kind === 'refusedByGuard' && badUser.guard, 'username');
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('faults', () => {
    it('429 with Retry-After', async () => {
      sim.setFault({ type: 'rateLimit', retryAfter: '17' });
      const o = await client().unenroll('jdoe', adminCode(clock.now()));
      assert.equal(o.kind === 'rateLimited' && o.retryAfterSeconds, 17);
      assert.equal(o.failure, 'unreachable');
    });

    it('500 and 503', async () => {
      sim.setFault({ type: 'status', status: 500, json: { message: 'java.lang.NullPointerException' } }, { times: 1 });
      sim.setFault({ type: 'status', status: 503, html: '<html><title>Service Unavailable</title></html>' }, { times: 1 });
      const c = client();
      const internal = await c.serverInfo();
      assert.equal(!internal.ok && internal.outcome.kind, 'serverError');
      assert.equal(!internal.ok && internal.outcome.serverMessage, 'java.lang.NullPointerException');
      const gateway = await c.unenroll('jdoe', adminCode(clock.now()));
      assert.equal(gateway.kind, 'serverError');
      assert.equal(gateway.status, 503);
    });

    it('connection reset on the DELETE: reported, never retried', async () => {
      sim.setFault({ type: 'reset' }, { times: 1 });
      const o = await client().unenroll('jdoe', adminCode(clock.now()));
      assert.equal(o.kind, 'connectionReset');
      assert.match(o.next, /may have reached the server/);
      assert.equal(sim.requestsOf('DELETE').length, 1, 'a DELETE with a one-time code is sent once');
    });

    it('connection reset on a GET: retried once on a fresh connection', async () => {
      sim.setFault({ type: 'reset' }, { times: 1 });
      const c = client();
      assert.ok((await c.serverInfo()).ok);
      assert.equal(sim.requests.length, 2);
      sim.setFault({ type: 'reset' });
      const twice = await c.serverInfo();
      assert.equal(!twice.ok && twice.outcome.kind, 'connectionReset');
      assert.equal(sim.requests.length, 4, 'one retry only');
    });

    it('HTML login page instead of JSON, for a read and for the unenroll', async () => {
      sim.setFault({ type: 'loginPage' });
      const c = client();
      const me = await c.myself();
      assert.equal(!me.ok && me.outcome.kind, 'loginPage');
      assert.equal(!me.ok && me.outcome.serverMessage, 'Log in - Simulated Jira');
      assert.equal((await c.unenroll('jdoe', adminCode(clock.now()))).kind, 'loginPage');
    });

    it('redirect to the login page is never followed', async () => {
      sim.setFault({ type: 'loginRedirect' });
      const o = await client().unenroll('jdoe', adminCode(clock.now()));
      assert.equal(o.kind, 'loginRedirect');
      assert.ok(o.kind === 'loginRedirect' && o.location.includes('/login.jsp'));
      assert.equal(sim.requests.length, 1, 'the Location was not followed');
    });

    it('a non-JSON 200 answer', async () => {
      sim.setFault({ type: 'nonJson' });
      const info = await client().serverInfo();
      assert.equal(!info.ok && info.outcome.kind, 'nonJson');
    });

    it('a slow server times out with the configured headers timeout', async () => {
      sim.setFault({ type: 'delay', ms: 5_000 });
      const info = await client({ timeouts: { headersMs: 150 } }).serverInfo();
      assert.equal(!info.ok && info.outcome.kind, 'timeout');
      assert.equal(!info.ok && info.outcome.kind === 'timeout' && info.outcome.errorCode, 'UND_ERR_HEADERS_TIMEOUT');
    });

    it('cancellation by the caller', async () => {
      sim.setFault({ type: 'delay', ms: 5_000 });
      const controller = new AbortController();
      const pending = client().serverInfo(controller.signal);
      setImmediate(() => controller.abort());
      const info = await pending;
      assert.equal(!info.ok && info.outcome.kind, 'cancelled');
    });
  });

  describe('transport failures', () => {
    it('connection refused', async () => {
      const port = await closedPort();
      const o = await testClient(testProfile(`http://127.0.0.1:${port}`), dispatchers).serverInfo();
      assert.equal(!o.ok && o.outcome.kind, 'connectionRefused');
    });

    it('DNS failure (RFC 6761 .invalid never resolves)', async () => {
      const o = await testClient(testProfile('https://jira2fa-test.invalid'), dispatchers).serverInfo();
      assert.equal(!o.ok && o.outcome.kind, 'dnsFailure');
      assert.match(!o.ok ? o.outcome.summary : '', /could not be resolved \((ENOTFOUND|EAI_AGAIN)\)/);
    });
  });
});

describe('jira client: context path and other products', () => {
  const dispatchers = new DispatcherCache();
  let sim: JiraSimulator;
  afterEach(async () => {
    await dispatchers.closeAll();
    await sim.stop();
  });

  it('joins a context path, with or without a trailing slash', async () => {
    const clock = new FakeClock(T0);
    sim = await JiraSimulator.start({ contextPath: '/jira', now: () => clock.now() });
    assert.match(sim.baseUrl, /\/jira$/);
    const c = testClient(testProfile(`${sim.baseUrl}/`), dispatchers);
    assert.ok((await c.serverInfo()).ok);
    assert.equal((await c.unenroll('jdoe', adminCode(clock.now()))).kind, 'unenrolled');
    assert.deepEqual(sim.requests.map((r) => r.rawPath), ['/jira/rest/api/2/serverInfo', '/jira/rest/tsv/1.0/totp/unenroll/user/jdoe']);
  });

  it('a base URL missing the context path gives notFound with the hint', async () => {
    sim = await JiraSimulator.start({ contextPath: '/jira' });
    const base = sim.baseUrl.replace(/\/jira$/, '');
    const o = await testClient(testProfile(base), dispatchers).unenroll('jdoe', '123456');
    assert.equal(o.kind, 'notFound');
    assert.match(o.next, /context path/);
  });

  it('Confluence: current user and user lookup; no sysadmin or server-info call', async () => {
    sim = await JiraSimulator.start({ product: 'confluence' });
    const c = testClient(testProfile(sim.baseUrl, { product: 'confluence' }), dispatchers);
    const me = await c.myself();
    assert.equal(me.ok && me.value.username, 'admin');
    const u = await c.findUser('jdoe');
    assert.equal(u.ok && u.value.found, true);
    assert.deepEqual(await c.findUser('nobody'), { ok: true, value: { found: false }, status: 404 });
    const admin = await c.isSystemAdmin();
    assert.equal(!admin.ok && admin.outcome.kind, 'unavailable');
    assert.deepEqual(sim.requests.map((r) => r.rawPath), ['/rest/api/user/current', '/rest/api/user?username=jdoe', '/rest/api/user?username=nobody']);
  });

  it('Confluence answering as anonymous is an authentication failure', async () => {
    sim = await JiraSimulator.start({ product: 'confluence' });
    sim.setFault({ type: 'status', status: 200, json: { type: 'anonymous' } });
    const me = await testClient(testProfile(sim.baseUrl, { product: 'confluence' }), dispatchers).myself();
    assert.equal(!me.ok && me.outcome.kind, 'authFailed');
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

