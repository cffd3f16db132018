import assert from 'node:assert/strict';
import { CloudAdminClient, type CloudClientOptions } from '../../src/core/cloud/client';
import type { CloudFailure, CloudResult } from '../../src/core/cloud/outcomes';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import { MemorySecretStore, FakeClock } from '../support/fakes';
import { cloudProfile, CloudSimulator, ORG_ID, ORG_KEY, OTHER_ORG_KEY, POLICY_ENFORCED, POLICY_OPTIONAL, POLICY_UNKNOWN, READ_ONLY_KEY, USERS } from '../support/cloudSimulator';
import { createCloudClient } from '../../src/core/cloud/client';
import { T0 } from '../support/jiraTestKit';

function failure<T>(r: CloudResult<T>): CloudFailure {
  assert.equal(r.ok, false, 'expected a failure');
  return (r as { ok: false; outcome: CloudFailure }).outcome;
}

function value<T>(r: CloudResult<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${r.outcome.kind}: ${r.outcome.summary}`);
  return r.value;
}

describe('cloud admin client against the simulator', () => {
  let sim: CloudSimulator;
  let clock: FakeClock;
  const dispatchers = new DispatcherCache();

  beforeEach(async () => {
    clock = new FakeClock(T0);
    sim = await CloudSimulator.start();
  });
  afterEach(async () => {
    await dispatchers.closeAll();
    await sim.stop();
  });

  const client = (opts: Partial<CloudClientOptions> = {}) =>
    new CloudAdminClient({ profile: cloudProfile(sim.baseUrl), apiKey: ORG_KEY, dispatchers, env: {}, clock, ...opts });

  describe('reads', () => {
    it('lists the authentication policies, leaving other policy types out; 2SV enforcement is not given by the API', async () => {
      const list = value(await client().listPolicies());
      assert.deepEqual(list.policies.map((p) => [p.id, p.twoStepVerification, p.designation]), [
        [POLICY_ENFORCED, 'unknown', undefined],
        [POLICY_OPTIONAL, 'unknown', undefined],
        [POLICY_UNKNOWN, 'unknown', undefined],
      ]);
      assert.equal(list.otherTypes, 1);
      const req = sim.requests[0];
      assert.equal(req.rawPath, `/admin/control/v1/orgs/${ORG_ID}/policies`);
      assert.equal(req.authScheme, 'Bearer');
      assert.equal(req.keyAccepted, true);
      assert.match(String(req.headers['user-agent']), /^jira-2fa-admin\//);
    });

    it('marks the policies the admin designated in the profile (recovery, usual)', async () => {
      const c = new CloudAdminClient({ profile: cloudProfile(sim.baseUrl, { cloud: { recoveryPolicyId: POLICY_OPTIONAL, defaultPolicyId: POLICY_ENFORCED } }), apiKey: ORG_KEY, dispatchers, env: {}, clock });
      const list = value(await c.listPolicies());
      assert.deepEqual(list.policies.map((p) => [p.id, p.designation]), [[POLICY_ENFORCED, 'usual'], [POLICY_OPTIONAL, 'recovery'], [POLICY_UNKNOWN, undefined]]);
      assert.equal(value(await c.getPolicy(POLICY_OPTIONAL)).designation, 'recovery');
    });

    for (const shape of ['jsonapi', 'flat'] as const) {
      it(`reads the policy list in the ${shape} item shape (item attributes are not documented)`, async () => {
        const flat = await CloudSimulator.start({ policyShape: shape });
        try {
          const c = new CloudAdminClient({ profile: cloudProfile(flat.baseUrl), apiKey: ORG_KEY, dispatchers, env: {}, clock });
          const list = value(await c.listPolicies());
          assert.deepEqual(list.policies.map((p) => [p.id, p.name]), [[POLICY_ENFORCED, 'Employees (2SV required)'], [POLICY_OPTIONAL, 'Recovery (2SV optional)'], [POLICY_UNKNOWN, 'Legacy SSO']]);
          assert.equal(list.otherTypes, 1);
        } finally {
          await flat.stop();
        }
      });
    }

    it('reads one policy', async () => {
      const p = value(await client().getPolicy(POLICY_OPTIONAL));
      assert.equal(p.name, 'Recovery (2SV optional)');
      assert.equal(p.twoStepVerification, 'unknown');
    });

    it('finds a user by exact e-mail with 2SV state, managed flag and last active date', async () => {
      const found = value(await client().findUsers('alice@example.com'));
      assert.equal(found.matchedBy, 'email');
      assert.equal(found.users.length, 1);
      assert.deepEqual(found.users[0], {
        accountId: USERS.enrolled.accountId, email: 'alice@example.com', name: 'Alice Enrolled', managed: true, mfaEnabled: true,
        accountStatus: 'active', status: 'active', lastActive: '2026-11-20T09:15:00Z',
      });
      const search = sim.requestsTo(/\/users\/search$/)[0];
      assert.equal(search.rawPath, `/admin/v2/orgs/${ORG_ID}/directories/-/users/search`);
      assert.deepEqual(JSON.parse(search.body), { emails: ['alice@example.com'], limit: 20 });
      assert.equal(sim.requestsTo(/last-active-dates$/).length, 1);
    });

    it('searches by name (searchTerm), by account id, and reports never-active users as null', async () => {
      const byName = value(await client().findUsers('bob'));
      assert.equal(byName.matchedBy, 'searchTerm');
      assert.deepEqual(byName.users.map((u) => [u.email, u.mfaEnabled, u.lastActive]), [['bob@example.com', false, null]]);
      const byId = value(await client().findUsers(USERS.unmanaged.accountId, { lastActive: false }));
      assert.equal(byId.matchedBy, 'accountId');
      assert.deepEqual(byId.users.map((u) => [u.email, u.managed, u.lastActive]), [['erin@gmail.example', false, undefined]]);
    });

    it('uses the directory of the profile when it names one, and reports an unknown one as 404 directory', async () => {
      const c = new CloudAdminClient({ profile: cloudProfile(sim.baseUrl, { directoryId: 'dir-nope' }), apiKey: ORG_KEY, dispatchers, env: {}, clock });
      const o = failure(await c.findUsers('alice'));
      assert.equal(o.kind, 'notFound');
      assert.equal(o.missing, 'directory');
      assert.equal(o.failure, 'input');
      assert.match(sim.requests[0].rawPath, /\/directories\/dir-nope\/users\/search$/);
    });

    it('reads which policy users are in (bulk-fetch: documented body {accountIds}, bare array answer)', async () => {
      const infos = value(await client().policyMemberships([USERS.enrolled.accountId, USERS.unmanaged.accountId]));
      assert.deepEqual(infos, [{ email: USERS.enrolled.email, accountId: USERS.enrolled.accountId, policyId: POLICY_ENFORCED, policyField: 'policyId' }]);
      assert.deepEqual(JSON.parse(sim.requests[0].body), { accountIds: [USERS.enrolled.accountId, USERS.unmanaged.accountId] });
    });
  });

  describe('add users and tasks', () => {
    it('starts a move (202 taskId) and polls the task until it completes, sleeping between polls on the injected clock', async () => {
      const c = client();
      const task = value(await c.addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      assert.match(task.taskId, /^task-1/);
      assert.deepEqual(JSON.parse(sim.requestsTo(/add-users$/)[0].body), { users: ['alice@example.com'] });
      const polls: number[] = [];
      const done = value(await c.waitForTask(task.taskId, { intervalMs: 1500, emails: ['alice@example.com'], onPoll: (s) => polls.push(s.inProgressCount) }));
      assert.equal(done.state, 'done');
      assert.deepEqual([done.successCount, done.failureCount], [1, 0]);
      assert.deepEqual(polls, [1, 1, 0]);
      assert.deepEqual(clock.sleeps, [1500, 1500]);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_OPTIONAL);
    });

    it('reports a failed task with the problem details it lists (title, detail, HTTP status)', async () => {
      const c = client();
      sim.failNextTask('Internal policy service error', 409, 'Conflict');
      const task = value(await c.addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      const o = failure(await c.waitForTask(task.taskId, { emails: ['alice@example.com'] }));
      assert.equal(o.kind, 'taskFailed');
      assert.equal(o.failure, 'refused');
      assert.equal(o.status, 409);
      assert.equal(o.serverMessage, 'Conflict: Internal policy service error');
      assert.match(o.summary, /failed for alice@example\.com/);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_ENFORCED);
    });

    it('gives up waiting after the timeout (taskTimeout, the change may still happen)', async () => {
      sim.pollsToFinish = Infinity;
      const c = client();
      const task = value(await c.addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      const o = failure(await c.waitForTask(task.taskId, { timeoutMs: 10_000, intervalMs: 2_000 }));
      assert.equal(o.kind, 'taskTimeout');
      assert.equal(o.mayHaveArrived, true);
      assert.equal(o.failure, 'unreachable');
      assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) <= 10_000);
      assert.ok(sim.requestsTo(/\/task\//).length >= 4);
    });

    it('waits out a transient poll failure (500) and goes on polling', async () => {
      const c = client();
      const task = value(await c.addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      sim.setFault({ type: 'status', status: 500 }, { path: /\/task\//, times: 1 });
      assert.equal(value(await c.waitForTask(task.taskId)).state, 'done');
    });

    it('read-only key: 403 with the server message and a next step about scopes', async () => {
      const o = failure(await client({ apiKey: READ_ONLY_KEY }).addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      assert.equal(o.kind, 'forbidden');
      assert.equal(o.status, 403);
      assert.match(o.serverMessage ?? '', /write:policies:admin/);
      assert.match(o.next, /scopes/);
    });

    it('unknown policy: 404 policy', async () => {
      const o = failure(await client().addUsersToPolicy('pol-gone', ['alice@example.com']));
      assert.equal(o.kind, 'notFound');
      assert.equal(o.missing, 'policy');
      assert.match(o.summary, /pol-gone/);
    });

    it('refuses malformed ids and addresses before any request', async () => {
      const c = client();
      assert.equal(failure(await c.addUsersToPolicy('../policies', ['a@b.c'])).guard, 'id');
      assert.equal(failure(await c.addUsersToPolicy(POLICY_OPTIONAL, ['not an address'])).guard, 'email');
      assert.equal(failure(await c.lastActive('a/b')).guard, 'id');
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('rate limits', () => {
    it('honours Retry-After on a 429 and then succeeds', async () => {
      sim.setFault({ type: 'rateLimit', retryAfter: '7' }, { path: /\/policies$/, times: 1 });
      const waits: number[] = [];
      const list = value(await client({ onRateLimited: (ms) => waits.push(ms) }).listPolicies());
      assert.equal(list.policies.length, 3);
      assert.deepEqual(clock.sleeps, [7000]);
      assert.deepEqual(waits, [7000]);
      assert.equal(sim.requestsTo(/\/policies$/).length, 2);
    });

    it('honours an X-RateLimit-Reset date when there is no Retry-After', async () => {
      const reset = new Date(T0 + 4_000).toISOString();
      sim.setFault({ type: 'rateLimit', headers: { 'x-ratelimit-reset': reset } }, { path: /\/policies$/, times: 1 });
      value(await client().listPolicies());
      assert.deepEqual(clock.sleeps, [4000]);
    });

    it('retries the add-users POST after a 429 (not processed), creating one task', async () => {
      sim.setFault({ type: 'rateLimit', retryAfter: '1' }, { path: /add-users$/, times: 1 });
      value(await client().addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      assert.equal(sim.requestsTo(/add-users$/).length, 2);
      assert.equal(sim.tasks.size, 1);
    });

    it('stops after the bounded number of retries with rateLimited and the wait asked for', async () => {
      sim.setFault({ type: 'rateLimit', retryAfter: '2' }, { path: /\/policies$/ });
      const o = failure(await client({ retry: { maxRetries: 2 } }).listPolicies());
      assert.equal(o.kind, 'rateLimited');
      assert.equal(o.retryAfterSeconds, 2);
      assert.equal(o.failure, 'unreachable');
      assert.equal(sim.requestsTo(/\/policies$/).length, 3);
      assert.deepEqual(clock.sleeps, [2000, 2000]);
    });

    it('does not sleep longer than maxWaitMs: a huge Retry-After is reported at once', async () => {
      sim.setFault({ type: 'rateLimit', retryAfter: '3600' }, { path: /\/policies$/ });
      const o = failure(await client().listPolicies());
      assert.equal(o.kind, 'rateLimited');
      assert.equal(o.retryAfterSeconds, 3600);
      assert.deepEqual(clock.sleeps, []);
    });
  });

  describe('failures', () => {
    it('401: a bad key is "badKey" with how to create one; the key is neither in the outcome nor recorded', async () => {
      const badKey = 'ATCTT3xFfGN0-this-key-is-wrong-1234567';
      const o = failure(await client({ apiKey: badKey }).listPolicies());
      assert.equal(o.kind, 'badKey');
      assert.equal(o.failure, 'refused');
      assert.match(o.next, /API key/);
      assert.ok(!JSON.stringify(o).includes(badKey));
      assert.equal(sim.requests[0].keyAccepted, false);
      assert.ok(!JSON.stringify(sim.requests).includes(badKey));
    });

    it('404 on the organization: says the orgId (or a key of another organization) is wrong', async () => {
      const o = failure(await client({ apiKey: OTHER_ORG_KEY }).listPolicies());
      assert.equal(o.kind, 'notFound');
      assert.equal(o.missing, 'org');
      assert.match(o.summary, new RegExp(ORG_ID));
      assert.match(o.serverMessage ?? '', /Organization not found/);
    });

    it('5xx: serverError, unreachable', async () => {
      sim.setFault({ type: 'status', status: 503, text: 'upstream unavailable' }, { times: 1 });
      const o = failure(await client().listPolicies());
      assert.equal(o.kind, 'serverError');
      assert.equal(o.failure, 'unreachable');
      assert.equal(o.serverMessage, 'upstream unavailable');
    });

    it('an unexpected 200 body is "unexpected response shape" with what came back, redacted and bounded', async () => {
      sim.setFault({ type: 'shape', json: { policies: [{ name: 'x' }], note: `token=${ORG_KEY}`, pad: 'y'.repeat(2000) } }, { times: 1 });
      const o = failure(await client().listPolicies());
      assert.equal(o.kind, 'unexpectedShape');
      assert.match(o.summary, /Unexpected response shape when trying to list the authentication policies: the policy list: no "data" list/);
      assert.ok(o.received && o.received.startsWith('{"policies":[{"name":"x"}]'));
      assert.ok(!o.received.includes(ORG_KEY));
      assert.ok(o.received.length <= 300);
    });

    it('a task status without the documented counts (e.g. a status word) is an unexpected shape, not a guess', async () => {
      const c = client();
      const task = value(await c.addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      sim.setFault({ type: 'shape', json: { taskId: task.taskId, status: 'WIBBLE' } }, { path: /\/task\//, times: 1 });
      const o = failure(await c.waitForTask(task.taskId));
      assert.equal(o.kind, 'unexpectedShape');
      assert.match(o.summary, /no whole-number "inProgressCount", "successCount" and "failureCount"/);
      assert.match(o.received ?? '', /WIBBLE/);
      assert.equal(o.mayHaveArrived, true);
    });

    it('a redirect is not followed (the key stays here)', async () => {
      sim.setFault({ type: 'status', status: 302, headers: { location: 'https://evil.example/steal' }, json: {} }, { times: 1 });
      const o = failure(await client().listPolicies());
      assert.equal(o.kind, 'redirect');
      assert.equal(sim.requests.length, 1);
    });

    it('connection refused is a transport failure (unreachable)', async () => {
      const port = new URL(sim.baseUrl).port;
      await sim.stop();
      const c = new CloudAdminClient({ profile: cloudProfile(`http://127.0.0.1:${port}`), apiKey: ORG_KEY, dispatchers, env: {}, clock });
      const o = failure(await c.listPolicies());
      assert.equal(o.kind, 'connectionRefused');
      assert.equal(o.failure, 'unreachable');
      sim = await CloudSimulator.start(); // for afterEach
    });

    it('a write whose connection is reset says the change may have been made', async () => {
      sim.setFault({ type: 'reset' }, { path: /add-users$/, times: 1 });
      const o = failure(await client().addUsersToPolicy(POLICY_OPTIONAL, ['alice@example.com']));
      assert.equal(o.kind, 'connectionReset');
      assert.equal(o.mayHaveArrived, true);
      assert.equal(sim.requestsTo(/add-users$/).length, 1, 'a write is never replayed');
    });
  });

  describe('createCloudClient', () => {
    it('reads the orgApiKey secret, and refuses without one or for a Data Center profile', async () => {
      const secrets = new MemorySecretStore();
      await assert.rejects(createCloudClient(cloudProfile(sim.baseUrl), secrets), /No organization API key is stored/);
      await secrets.set('sim-cloud', 'orgApiKey', ` ${ORG_KEY} `);
      const c = await createCloudClient(cloudProfile(sim.baseUrl), secrets, { dispatchers, env: {}, clock });
      assert.equal(value(await c.listPolicies()).policies.length, 3);
      await assert.rejects(createCloudClient(cloudProfile(sim.baseUrl, { product: 'jira' }), secrets), /not an Atlassian Cloud organization/);
    });
  });
});
