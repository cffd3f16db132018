import assert from 'node:assert/strict';
import { diagnose, membershipsOf, type DiagnosisInput } from '../../src/core/cloud/diagnose';
import type { CloudPolicy, CloudUser } from '../../src/core/cloud/shapes';

const STRICT: CloudPolicy = { id: 'strict', name: 'Strict', twoStepVerification: 'enforced' };
const RELAXED: CloudPolicy = { id: 'relaxed', name: 'Relaxed', twoStepVerification: 'optional' };
const LEGACY: CloudPolicy = { id: 'legacy', name: 'Legacy', twoStepVerification: 'unknown' };
const OTHER_STRICT: CloudPolicy = { id: 'strict-2', name: 'Strict too', twoStepVerification: 'enforced' };
const USER: CloudUser = { accountId: '712020:abc', email: 'u@example.com', name: 'U', managed: true, mfaEnabled: true };

function run(over: Partial<DiagnosisInput> = {}) {
  return diagnose({ orgId: 'org-1', user: USER, policies: [STRICT, LEGACY, RELAXED], membership: { known: true, policyId: 'strict', source: 'api' }, ...over });
}

describe('cloud diagnosis (pure)', () => {
  it('targets: not the current policy, none known to enforce 2SV, optional ones first', () => {
    const d = run({ policies: [STRICT, LEGACY, OTHER_STRICT, RELAXED] });
    assert.equal(d.code, 'policy-enforces');
    assert.deepEqual(d.targets.map((t) => t.id), ['relaxed', 'legacy']);
    assert.equal(d.canMove, true);
  });

  it('the designated recovery policy is offered first, named as such, without the "check it" note', () => {
    const recovery: CloudPolicy = { id: 'rescue', name: 'Rescue', twoStepVerification: 'unknown', designation: 'recovery' };
    const d = run({ policies: [STRICT, LEGACY, RELAXED, recovery], membership: { known: true, policyId: 'legacy', source: 'api' } });
    assert.deepEqual(d.targets.map((t) => t.id), ['rescue', 'relaxed', 'strict'].filter((id) => id !== 'strict'));
    assert.match(d.next, /"Rescue" \(your recovery policy\)/);
    assert.ok(!d.notes.some((n) => n.includes('"Rescue"')));
  });

  it('2SV state unknown in an enforcing policy: still policy-enforces, with a note', () => {
    const d = run({ user: { ...USER, mfaEnabled: undefined } });
    assert.equal(d.code, 'policy-enforces');
    assert.ok(d.notes.includes('The API did not say whether u@example.com has 2SV on.'));
  });

  it('no policy to move to: cannot move, says to create one', () => {
    const d = run({ policies: [STRICT, OTHER_STRICT] });
    assert.equal(d.code, 'policy-enforces');
    assert.equal(d.canMove, false);
    assert.match(d.next, /No other authentication policy has optional 2SV/);
  });

  it('membership unknown: undetermined with the reason, still offers the move (the admin names the current policy)', () => {
    const d = run({ membership: { known: false, reason: 'the API did not say (400)' } });
    assert.equal(d.code, 'undetermined');
    assert.match(d.summary, /the API did not say \(400\)/);
    assert.equal(d.canMove, true);
    assert.equal(d.currentPolicy, undefined);
  });

  it('a policy id that is not in the list: undetermined, not a guess', () => {
    const d = run({ membership: { known: true, policyId: 'ghost', source: 'api' } });
    assert.equal(d.code, 'undetermined');
    assert.match(d.summary, /policy ghost, which is not in the policy list/);
  });

  it('managed flag unknown does not block; unmanaged does', () => {
    assert.equal(run({ user: { ...USER, managed: undefined } }).code, 'policy-enforces');
    const d = run({ user: { ...USER, managed: false } });
    assert.deepEqual([d.code, d.canMove, d.targets], ['not-managed', false, []]);
  });

  it('single policy wins over everything but not-managed, and names that policy', () => {
    const d = run({ policies: [STRICT], membership: { known: false, reason: 'x' } });
    assert.equal(d.code, 'single-policy');
    assert.equal(d.currentPolicy?.id, 'strict');
    assert.match(d.next, /Security → Authentication policies → "Strict"/);
  });

  it('a pending move: no second move offered; a stale record (user back in the strict policy) is explained', () => {
    const pending = { orgId: 'org-1', instanceId: 'c', accountId: USER.accountId, email: USER.email!, fromPolicyId: 'strict', toPolicyId: 'relaxed', toPolicyName: 'Relaxed', movedAt: '2026-11-20T10:00:00.000Z', state: 'unconfirmed' as const };
    const stale = run({ pending });
    assert.equal(stale.canMove, false);
    assert.match(stale.next, /did not take effect or was undone/);
    assert.ok(stale.notes.some((n) => /not confirmed/.test(n)));
    const moved = run({ pending: { ...pending, state: 'moved' }, membership: { known: true, policyId: 'relaxed', source: 'api' } });
    assert.equal(moved.code, 'reset-in-hub');
    assert.match(moved.next, /Then move them back to strict\./);
  });

  it('the hub link is the user\'s page in the organization, encoded', () => {
    assert.equal(run().hubLink, 'https://admin.atlassian.com/o/org-1/users/712020%3Aabc');
  });

  it('membershipsOf reads a policy missing from the list on its own', async () => {
    const policies = [STRICT, RELAXED];
    const warnings: string[] = [];
    const api = {
      policyMemberships: async () => ({ ok: true as const, status: 200, value: [{ email: USER.email!, policyId: 'legacy' }] }),
      getPolicy: async (id: string) => ({ ok: true as const, status: 200, value: { ...LEGACY, id } }),
    };
    const m = await membershipsOf(api, [USER], policies, warnings);
    assert.deepEqual(m.get(USER.accountId), { known: true, policyId: 'legacy', source: 'api' });
    assert.deepEqual(policies.map((p) => p.id), ['strict', 'relaxed', 'legacy']);
    assert.deepEqual(warnings, []);
  });

  it('membershipsOf matches bulk-fetch entries by e-mail and account id, and leaves a missing policy id unknown', async () => {
    const other = { ...USER, accountId: '712020:other', email: 'other@example.com' };
    const api = {
      policyMemberships: async () => ({ ok: true as const, status: 200, value: [
        { email: USER.email!.toUpperCase(), accountId: USER.accountId, policyId: 'strict' },
        { email: other.email, accountId: 'someone-else', policyId: 'relaxed' },
      ] }),
      getPolicy: async (id: string) => ({ ok: true as const, status: 200, value: { ...LEGACY, id } }),
    };
    const m = await membershipsOf(api, [USER, other], [STRICT, RELAXED], []);
    assert.deepEqual(m.get(USER.accountId), { known: true, policyId: 'strict', source: 'api' });
    assert.equal(m.get(other.accountId)?.known, false, 'same e-mail but another account id: not this user');
    const noId = await membershipsOf({ ...api, policyMemberships: async () => ({ ok: true as const, status: 200, value: [{ email: USER.email! }] }) }, [USER], [STRICT, RELAXED], []);
    assert.deepEqual(noId.get(USER.accountId), { known: false, reason: 'the API listed the user without a policy id it documents' });
  });
});
