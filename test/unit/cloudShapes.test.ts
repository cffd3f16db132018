import assert from 'node:assert/strict';
import { rateLimitWaitMs } from '../../src/core/cloud/rateLimit';
import { classifyCloudAnswer, type CloudAnswerContext } from '../../src/core/cloud/outcomes';
import { apiPath, emailProblem, hubUserLink, idProblem, looksLikeAccountId } from '../../src/core/cloud/paths';
import { parseBulkFetch, parseLastActive, parsePolicyPage, parseTaskStatus, parseUserPage } from '../../src/core/cloud/shapes';

const NOW = Date.parse('2026-11-22T10:00:00Z');

function policies(json: unknown) {
  const r = parsePolicyPage(json);
  if (!r.ok) assert.fail(r.problem);
  return r.value.entries;
}

describe('cloud response shapes', () => {
  describe('policies', () => {
    it('reads the documented envelope and keeps only authentication policies', () => {
      const entries = policies({
        data: [
          { id: 'p1', type: 'policy', attributes: { type: 'authentication-policy', name: 'Strict', status: 'enabled', settings: { twoStepVerification: 'required' } } },
          { id: 'p2', type: 'policy', attributes: { type: 'ip-allowlist', name: 'IPs' } },
        ],
        links: { next: null },
      });
      assert.deepEqual(entries.map((e) => [e.policy.id, e.isAuthPolicy, e.policy.twoStepVerification, e.policy.status]), [['p1', true, 'enforced', 'enabled'], ['p2', false, 'unknown', undefined]]);
    });

    const enforcement: Array<[string, unknown, string, string | undefined]> = [
      ['a boolean in attributes', { attributes: { twoStepVerificationEnforced: true } }, 'enforced', 'attributes.twoStepVerificationEnforced'],
      ['an object in the rule', { attributes: { rule: { mfa: { enforced: false } } } }, 'optional', 'attributes.rule.mfa'],
      ['an upper-case word', { attributes: { settings: { twoStepVerification: 'REQUIRED' } } }, 'enforced', 'attributes.settings.twoStepVerification'],
      ['"optional"', { attributes: { settings: { twoStepVerification: 'optional' } } }, 'optional', 'attributes.settings.twoStepVerification'],
      ['a word we do not know', { attributes: { settings: { twoStepVerification: 'sometimes' } } }, 'unknown', undefined],
      ['no field at all', { attributes: { name: 'x' } }, 'unknown', undefined],
    ];
    for (const [label, extra, expected, field] of enforcement) {
      it(`2SV enforcement from ${label}: ${expected}`, () => {
        const [e] = policies({ data: [{ id: 'p', ...(extra as object) }] });
        assert.equal(e.policy.twoStepVerification, expected);
        assert.equal(e.policy.enforcementField, field);
      });
    }

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

  describe('task status (assumed shape)', () => {
    const cases: Array<[unknown, string]> = [
      [{ status: 'IN_PROGRESS' }, 'running'],
      [{ status: 'pending' }, 'running'],
      [{ state: 'COMPLETED' }, 'done'],
      [{ status: 'SUCCESS' }, 'done'],
      [{ status: 'COMPLETED', errors: [{ user: 'a@b.c', message: 'not managed' }] }, 'failed'],
      [{ status: 'FAILED' }, 'failed'],
      [{ status: 'PARTIALLY_FAILED' }, 'failed'],
      [{ attributes: { status: 'done' } }, 'done'],
    ];
    for (const [json, state] of cases) {
      it(`${JSON.stringify(json)} → ${state}`, () => {
        const r = parseTaskStatus(json, 't1');
        assert.ok(r.ok, !r.ok ? r.problem : '');
        assert.equal(r.value.state, state);
      });
    }

    it('keeps the task errors as text', () => {
      const r = parseTaskStatus({ taskId: 't9', status: 'FAILED', errors: [{ email: 'a@b.c', detail: 'nope' }, 'plain'] }, 't1');
      assert.ok(r.ok);
      assert.deepEqual([r.value.taskId, r.value.errors], ['t9', ['a@b.c: nope', 'plain']]);
    });

    it('refuses to guess: an unknown status word or no status at all is a problem', () => {
      assert.deepEqual(parseTaskStatus({ status: 'MAYBE' }, 't'), { ok: false, problem: 'status "MAYBE" is not a known task state' });
      assert.deepEqual(parseTaskStatus({ progress: 100 }, 't'), { ok: false, problem: 'no "status" (or "state") text' });
      assert.deepEqual(parseTaskStatus([], 't'), { ok: false, problem: 'not a JSON object' });
    });
  });

  describe('bulk-fetch (assumed shape)', () => {
    it('reads several spellings of the user → policy list', () => {
      const a = parseBulkFetch({ data: [{ accountId: 'u1', policyId: 'p1' }, { userId: 'u2', policy: { id: 'p2' } }] });
      const b = parseBulkFetch({ users: [{ accountId: 'u3', authPolicies: [{ id: 'p3' }] }] });
      const c = parseBulkFetch([{ accountId: 'u4', authenticationPolicyId: 'p4' }]);
      assert.ok(a.ok && b.ok && c.ok);
      assert.deepEqual([...a.value, ...b.value, ...c.value], [['u1', 'p1'], ['u2', 'p2'], ['u3', 'p3'], ['u4', 'p4']]);
    });

    it('does not pick one policy out of several, and names what is missing', () => {
      assert.deepEqual(parseBulkFetch({ data: [{ accountId: 'u', policies: [{ id: 'a' }, { id: 'b' }] }] }), { ok: false, problem: 'entry 1: no policy id ("policyId", "authPolicyId" or "policy.id")' });
      assert.deepEqual(parseBulkFetch({ count: 1 }), { ok: false, problem: 'no list of users ("data", "users", "values" or "results")' });
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
