import assert from 'node:assert/strict';
import { rateLimitWaitMs } from '../../src/core/cloud/rateLimit';
import { classifyCloudAnswer, type CloudAnswerContext } from '../../src/core/cloud/outcomes';
import { apiPath, emailProblem, hubUserLink, idProblem, looksLikeAccountId } from '../../src/core/cloud/paths';
import { parseBulkFetch, parseLastActive, parsePolicyPage, parseTaskStatus, parseUserPage, taskOutcomeFor } from '../../src/core/cloud/shapes';

const NOW = Date.parse('2026-11-22T10:00:00Z');

function policies(json: unknown) {
  const r = parsePolicyPage(json);
  if (!r.ok) assert.fail(r.problem);
  return r.value.entries;
}

describe('cloud response shapes', () => {
  describe('policies', () => {
    it('reads the JSON:API item and keeps only authentication policies', () => {
      const entries = policies({
        data: [
          { id: 'p1', type: 'policy', attributes: { type: 'authentication-policy', name: 'Strict', status: 'enabled' } },
          { id: 'p2', type: 'policy', attributes: { type: 'ip-allowlist', name: 'IPs' } },
        ],
        meta: {},
        links: { next: null },
      });
      assert.deepEqual(entries.map((e) => [e.policy.id, e.policy.name, e.isAuthPolicy, e.policy.status]), [['p1', 'Strict', true, 'enabled'], ['p2', 'IPs', false, undefined]]);
    });

    it('reads the flat item {id, name, type} as well (item attributes are not documented)', () => {
      const entries = policies({ data: [{ id: 'p1', name: 'Strict', type: 'authentication-policy' }, { id: 'p2', name: 'IPs', type: 'ip-allowlist' }], links: { next: null } });
      assert.deepEqual(entries.map((e) => [e.policy.id, e.policy.name, e.isAuthPolicy]), [['p1', 'Strict', true], ['p2', 'IPs', false]]);
    });

    it('never reads 2SV enforcement from a field no documentation names', () => {
      for (const extra of [{ twoStepVerificationEnforced: true }, { settings: { twoStepVerification: 'required' } }, { rule: { mfa: { enforced: false } } }]) {
        const [e] = policies({ data: [{ id: 'p', attributes: { name: 'x', ...extra } }] });
        assert.equal(e.policy.twoStepVerification, 'unknown', JSON.stringify(extra));
      }
    });

    it('accepts a bare array and policies without a type; follows a next cursor given as a URL', () => {
      assert.equal(policies([{ id: 'a', name: 'A' }])[0].isAuthPolicy, true);
      const r = parsePolicyPage({ data: [], links: { next: '/admin/control/v1/orgs/o/policies?cursor=abc%3D' } });
      assert.ok(r.ok);
      assert.equal(r.value.next, 'abc=');
    });

    it('names the problem of a malformed list', () => {
      assert.deepEqual(parsePolicyPage({ policies: [] }), { ok: false, problem: 'no "data" list of policies' });
      assert.deepEqual(parsePolicyPage({ data: [{ name: 'no id' }] }), { ok: false, problem: 'policy 1: no string "id"' });
    });
  });

  describe('task status (documented counts, no status word)', () => {
    it('running while inProgressCount > 0, done at 0', () => {
      const r = parseTaskStatus({ inProgressCount: 1, successCount: 0, failureCount: 0, failureReasons: [] }, 't1');
      assert.ok(r.ok);
      assert.deepEqual([r.value.state, r.value.taskId], ['running', 't1']);
      const d = parseTaskStatus({ inProgressCount: 0, successCount: 1, failureCount: 0, failureReasons: [] }, 't1');
      assert.ok(d.ok && d.value.state === 'done');
    });

    it('reads failureReasons with their problem details', () => {
      const r = parseTaskStatus({ inProgressCount: 0, successCount: 1, failureCount: 1, failureReasons: [{ emails: ['a@b.c'], details: { status: 404, title: 'Not Found', detail: 'No such user' } }] }, 't');
      assert.ok(r.ok);
      assert.deepEqual(r.value.failureReasons, [{ emails: ['a@b.c'], status: 404, title: 'Not Found', detail: 'No such user' }]);
    });

    it('a user moved only when counted in successCount and not named in failureReasons', () => {
      const t = (successCount: number, failureReasons: unknown[]) => {
        const r = parseTaskStatus({ inProgressCount: 0, successCount, failureCount: failureReasons.length, failureReasons }, 't');
        assert.ok(r.ok);
        return r.value;
      };
      assert.deepEqual(taskOutcomeFor(t(1, []), ['a@b.c']), { moved: true });
      const named = taskOutcomeFor(t(1, [{ emails: ['A@B.C'], details: { status: 400, title: 'Bad', detail: 'no' } }]), ['a@b.c']);
      assert.equal(named.moved, false);
      assert.equal(taskOutcomeFor(t(0, []), ['a@b.c']).moved, false, 'no success counted: not moved');
      const other = taskOutcomeFor(t(0, [{ emails: ['x@y.z'], details: {} }]), ['a@b.c']);
      assert.deepEqual(!other.moved && other.reasons.map((r) => r.emails), [['x@y.z']], 'a failure naming someone else is still shown');
    });

    it('refuses the guessed status-word shapes and names what is missing', () => {
      for (const old of [{ status: 'COMPLETED' }, { state: 'IN_PROGRESS' }, { inProgressCount: '0', successCount: 1, failureCount: 0 }, { inProgressCount: -1, successCount: 0, failureCount: 0 }]) {
        assert.deepEqual(parseTaskStatus(old, 't'), { ok: false, problem: 'no whole-number "inProgressCount", "successCount" and "failureCount"' }, JSON.stringify(old));
      }
      assert.deepEqual(parseTaskStatus({ inProgressCount: 0, successCount: 0, failureCount: 1, failureReasons: [{ details: {} }] }, 't'), { ok: false, problem: 'failureReasons 1: no "emails" list' });
    });
  });

  describe('bulk-fetch (documented bare array keyed by e-mail; policy id field not documented)', () => {
    it('reads each plausible policy id field, and the account id when there is one', () => {
      const r = parseBulkFetch([
        { email: 'a@x.io', accountId: 'u1', policyId: 'p1' },
        { email: 'b@x.io', authPolicyId: 'p2' },
        { email: 'c@x.io', policy: { id: 'p3' } },
        { email: 'd@x.io' },
      ]);
      assert.ok(r.ok);
      assert.deepEqual(r.value, [
        { email: 'a@x.io', accountId: 'u1', policyId: 'p1', policyField: 'policyId' },
        { email: 'b@x.io', policyId: 'p2', policyField: 'authPolicyId' },
        { email: 'c@x.io', policyId: 'p3', policyField: 'policy.id' },
        { email: 'd@x.io' },
      ]);
    });

    it('refuses an envelope (the documented answer is a bare array) and an entry without e-mail', () => {
      assert.deepEqual(parseBulkFetch({ data: [{ email: 'a@x.io', policyId: 'p' }] }), { ok: false, problem: 'not a JSON array of users (the documented answer is a bare array)' });
      assert.deepEqual(parseBulkFetch([{ accountId: 'u', policyId: 'p' }]), { ok: false, problem: 'entry 1: no "email"' });
    });
  });

  describe('users and last active dates (documented)', () => {
    it('reads claimStatus, mfaEnabled and names; refuses a user without accountId', () => {
      const r = parseUserPage({ data: [{ accountId: 'a', email: 'a@x.io', nickname: 'Al', claimStatus: 'unmanaged', mfaEnabled: false }], links: { next: 'c2' } });
      assert.ok(r.ok);
      assert.deepEqual(r.value, { users: [{ accountId: 'a', email: 'a@x.io', name: 'Al', managed: false, mfaEnabled: false }], more: true });
      assert.deepEqual(parseUserPage({ data: [{ email: 'x' }] }), { ok: false, problem: 'user 1: no string "accountId"' });
    });

    it('takes the latest last-active date over products, null when none', () => {
      const r = parseLastActive({ data: { product_access: [
        { key: 'confluence', last_active: '2026-10-01' },
        { key: 'jira-software', last_active: '2026-09-01', last_active_timestamp: '2026-11-02T03:04:05Z' },
      ] } });
      assert.ok(r.ok);
      assert.equal(r.value.lastActive, '2026-11-02T03:04:05Z');
      const none = parseLastActive({ data: { product_access: [] } });
      assert.ok(none.ok && none.value.lastActive === null);
    });
  });

  describe('rate-limit waits', () => {
    const h = (headers: Record<string, string>) => ({ headers });
    it('Retry-After in seconds or as an HTTP date', () => {
      assert.equal(rateLimitWaitMs(h({ 'retry-after': '12' }), NOW, 1, 1000), 12_000);
      assert.equal(rateLimitWaitMs(h({ 'retry-after': new Date(NOW + 5000).toUTCString() }), NOW, 1, 1000), 5000);
    });
    it('X-RateLimit-Reset as epoch seconds, epoch milliseconds, seconds from now or an ISO date', () => {
      assert.equal(rateLimitWaitMs(h({ 'x-ratelimit-reset': String((NOW + 3000) / 1000) }), NOW, 1, 1000), 3000);
      assert.equal(rateLimitWaitMs(h({ 'x-ratelimit-reset': String(NOW + 2500) }), NOW, 1, 1000), 2500);
      assert.equal(rateLimitWaitMs(h({ 'ratelimit-reset': '4' }), NOW, 1, 1000), 4000);
      assert.equal(rateLimitWaitMs(h({ 'x-ratelimit-reset': new Date(NOW + 1500).toISOString() }), NOW, 1, 1000), 1500);
    });
    it('exponential back-off without a hint', () => {
      assert.deepEqual([1, 2, 3].map((n) => rateLimitWaitMs(h({}), NOW, n, 1000)), [1000, 2000, 4000]);
    });
  });

  describe('answers', () => {
    const ctx: CloudAnswerContext = { action: 'list the authentication policies', host: 'api.atlassian.com', orgId: 'o1', resource: 'policy', resourceId: 'p1', nowMs: NOW };
    it('reads JSON:API error bodies and tells an organization 404 from a policy 404', () => {
      const org = classifyCloudAnswer({ status: 404, headers: {}, bodyText: JSON.stringify({ errors: [{ title: 'Not Found', detail: 'Organization not found' }] }) }, ctx);
      assert.deepEqual([org.kind, org.missing, org.serverMessage], ['notFound', 'org', 'Not Found: Organization not found']);
      const pol = classifyCloudAnswer({ status: 404, headers: {}, bodyText: '{"message":"No such policy"}' }, ctx);
      assert.deepEqual([pol.missing, pol.failure], ['policy', 'input']);
      assert.match(pol.summary, /policy p1 was not found/);
    });
    it('maps 401, 403, 429, 5xx to kinds and exit categories', () => {
      const k = (status: number) => {
        const o = classifyCloudAnswer({ status, headers: { 'retry-after': '9' }, bodyText: '' }, ctx);
        return [o.kind, o.failure, o.retryAfterSeconds];
      };
      assert.deepEqual([k(401), k(403), k(429), k(502)], [['badKey', 'refused', undefined], ['forbidden', 'refused', undefined], ['rateLimited', 'unreachable', 9], ['serverError', 'unreachable', undefined]]);
    });
    it('a 2xx web page is an unexpected shape, with what came back', () => {
      const o = classifyCloudAnswer({ status: 200, headers: { 'content-type': 'text/html' }, bodyText: '<html><title>Proxy login</title></html>' }, ctx);
      assert.equal(o.kind, 'unexpectedShape');
      assert.match(o.summary, /a web page/);
      assert.equal(o.received, '<html><title>Proxy login</title></html>');
    });
  });

  describe('paths', () => {
    it('accepts Atlassian ids and refuses path tricks', () => {
      assert.equal(idProblem('id', '712020:0a1b2c3d-1111-4aaa-8bbb-000000000001'), undefined);
      for (const bad of ['', '..', '.x', 'a/b', 'a?b', 'a b', 'a%2f', 'x'.repeat(201)]) assert.ok(idProblem('id', bad), bad);
      assert.throws(() => apiPath({ origin: 'https://x', basePath: '' }, ['orgs', { id: '../x' }]), /unchecked id/);
      assert.equal(apiPath({ origin: 'https://x', basePath: '/gw' }, ['admin/v1/orgs', { id: 'o:1' }, 'users']), '/gw/admin/v1/orgs/o%3A1/users');
    });
    it('checks e-mail addresses loosely, and recognises account ids', () => {
      assert.equal(emailProblem('a.b+c@example.co.uk'), undefined);
      for (const bad of ['', 'a', 'a b@c.d', ' a@b.c', 'a@b.c\n', 'a@@b']) assert.ok(emailProblem(bad), JSON.stringify(bad));
      assert.equal(looksLikeAccountId('5b10ac8d82e05b22cc7d4ef5'), true);
      assert.equal(looksLikeAccountId('712020:0a1b2c3d-1111-4aaa-8bbb-000000000001'), true);
      assert.equal(looksLikeAccountId('alice'), false);
      assert.equal(hubUserLink('o-1', '712020:x'), 'https://admin.atlassian.com/o/o-1/users/712020%3Ax');
    });
  });
});
