import assert from 'node:assert/strict';
import { diagnose, type LookupReport, type PolicyMembership, type UserReport } from '../../src/core/cloud/diagnose';
import type { CloudResult } from '../../src/core/cloud/outcomes';
import type { MoveResult } from '../../src/core/cloud/moveResult';
import type { CloudPolicy, CloudUser } from '../../src/core/cloud/shapes';
import { ageText, reminderHours } from '../../src/extension/cloud/age';
import { CloudRecoverController, type CloudRecoverBackend, type MoveEvents } from '../../src/extension/cloud/controller';
import { connectionSummary } from '../../src/extension/cloud/sessions';
import type { ToCloudRecover } from '../../src/webview/cloudRecover/protocol';

const ORG = 'org-1';
const ENFORCED: CloudPolicy = { id: 'pol-req', name: 'Employees', twoStepVerification: 'enforced' };
const OPTIONAL: CloudPolicy = { id: 'pol-opt', name: 'Recovery', twoStepVerification: 'optional' };
const UNKNOWN: CloudPolicy = { id: 'pol-sso', name: 'Legacy SSO', twoStepVerification: 'unknown' };
const POLICIES = [ENFORCED, OPTIONAL, UNKNOWN];
const NOW = new Date('2026-12-03T10:00:00Z');

const BOB: CloudUser = { accountId: 'acc-bob', email: 'bob@example.com', name: 'Bob Neverenrolled', managed: true, mfaEnabled: false, lastActive: null };
const ALICE: CloudUser = { accountId: 'acc-alice', email: 'alice@example.com', name: 'Alice', managed: true, mfaEnabled: true, lastActive: '2026-11-20T09:15:00Z' };
const FRANK: CloudUser = { accountId: 'acc-frank', email: 'frank@example.com', name: 'Frank', managed: true, mfaEnabled: true, lastActiveProblem: 'HTTP 403' };

function report(users: Array<[CloudUser, PolicyMembership]>, policies: CloudPolicy[] = POLICIES): LookupReport {
  const reports: UserReport[] = users.map(([user, membership]) => ({ user, membership, diagnosis: diagnose({ orgId: ORG, user, policies, membership }) }));
  return { query: 'q', matchedBy: 'searchTerm', users: reports, more: false, policies, otherPolicyTypes: 0, warnings: [] };
}

const inPolicy = (policyId: string): PolicyMembership => ({ known: true, policyId, source: 'api' });

function moved(email: string, overrides: Partial<MoveResult> = {}): MoveResult {
  return {
    ok: true,
    action: 'cloud.move',
    summary: `${email} was moved from "Employees" to "Recovery", where 2SV is optional.`,
    next: 'Reset their 2SV…',
    moved: 'yes',
    tracker: 'recorded',
    entry: { orgId: ORG, instanceId: 'org', accountId: 'acc-bob', email, fromPolicyId: 'pol-req', toPolicyId: 'pol-opt', movedAt: NOW.toISOString(), state: 'moved' },
    hubLink: `https://admin.atlassian.com/o/${ORG}/users/acc-bob`,
    warnings: [],
    auditEntry: { id: 'audit-7', time: '', admin: 'me', instance: { id: 'org', name: 'Org', baseUrl: '' }, action: 'cloud.move', outcome: 'ok', message: '', prevHash: '', hash: '' },
    ...overrides,
  };
}

function setup(found: CloudResult<LookupReport>, overrides: Partial<CloudRecoverBackend> = {}) {
  const calls: string[] = [];
  const sent: ToCloudRecover[] = [];
  const moves: Array<{ req: Parameters<CloudRecoverBackend['move']>[0]; events: MoveEvents }> = [];
  const backend: CloudRecoverBackend = {
    instance: { id: 'org', name: 'Org', environment: 'test', product: 'cloud', orgId: ORG },
    keyStored: async () => true,
    requests: {
      setup: { require: 'none', methods: [], ticketInstance: 'Org', comment: true, projects: [] },
      checkTicket: async () => {
        throw new Error('no tickets in this test');
      },
      retryComment: async () => {
        throw new Error('no tickets in this test');
      },
    },
    connection: async () => ({ ok: true, summary: 'API key works · 3 authentication policies (1 enforces 2SV)', warnings: [] }),
    find: async (q) => {
      calls.push(`find:${q}`);
      return found;
    },
    move: async (req, events) => {
      moves.push({ req, events });
      events.onPoll('1 in progress, 0 moved, 0 failed', 1);
      events.onPoll('0 in progress, 1 moved, 0 failed', 2);
      return moved(req.email);
    },
    openLink: (url) => calls.push(`link:${url}`),
    openAuditLog: (id) => calls.push(`audit:${id}`),
    setKey: async () => void calls.push('setKey'),
    ...overrides,
  };
  const controller = new CloudRecoverController(backend, (m) => void sent.push(m), () => NOW);
  return { controller, calls, sent, moves, backend };
}

function lastOf<T extends ToCloudRecover['type']>(sent: ToCloudRecover[], type: T): Extract<ToCloudRecover, { type: T }> {
  const m = [...sent].reverse().find((x) => x.type === type);
  assert.ok(m, `no ${type} message was posted`);
  return m as Extract<ToCloudRecover, { type: T }>;
}

describe('Cloud recover panel controller', () => {
  it('initialises the form with whether a key is stored, then the connection report', async () => {
    const { controller, sent } = setup({ ok: true, status: 200, value: report([]) }, { keyStored: async () => false });
    await controller.handle({ type: 'ready' });
    assert.deepEqual(sent.map((m) => m.type), ['init', 'connection']);
    assert.equal(lastOf(sent, 'init').keyStored, false);
    assert.match(lastOf(sent, 'connection').connection.summary, /API key works/);
  });

  it('shows a never-enrolled user plainly: managed, 2SV off, the enforcing policy, never active, and only policies without mandatory 2SV', async () => {
    const { controller, sent } = setup({ ok: true, status: 200, value: report([[BOB, inPolicy(ENFORCED.id)]]) });
    await controller.handle({ type: 'find', query: ' bob ' });
    const r = lastOf(sent, 'found').result;
    assert.equal(r.ok, true);
    const u = r.users[0];
    assert.equal(u.managed, 'yes');
    assert.equal(u.twoSv, 'off');
    assert.deepEqual(u.policy, { id: ENFORCED.id, name: 'Employees', twoStepVerification: 'enforced', hubLink: `https://admin.atlassian.com/o/${ORG}/security/authentication-policies/${ENFORCED.id}` });
    assert.match(u.lastActive, /^never/);
    assert.equal(u.diagnosis.code, 'never-enrolled');
    assert.equal(u.diagnosis.canMove, true);
    assert.equal(u.diagnosis.hubLink, `https://admin.atlassian.com/o/${ORG}/users/acc-bob`);
    assert.deepEqual(u.diagnosis.targets.map((t) => t.id), [OPTIONAL.id, UNKNOWN.id], 'optional first, the enforcing policy never offered');
  });

  it('says when it does not know: policy enforcement unknown, membership unknown with the reason, last active unknown with why', async () => {
    const { controller, sent } = setup({ ok: true, status: 200, value: report([[FRANK, inPolicy(UNKNOWN.id)], [ALICE, { known: false, reason: 'the API did not say (400)' }]]) });
    await controller.handle({ type: 'find', query: 'example.com' });
    const [frank, alice] = lastOf(sent, 'found').result.users;
    assert.equal(frank.policy?.twoStepVerification, 'unknown');
    assert.equal(frank.diagnosis.code, 'undetermined');
    assert.equal(frank.lastActive, 'unknown (HTTP 403)');
    assert.equal(alice.policy, undefined);
    assert.equal(alice.policyUnknown, 'the API did not say (400)');
    assert.equal(alice.lastActive, '2026-11-20 (13 days ago)');
  });

  it('shows a failed search with the server\'s words and what to do', async () => {
    const { controller, sent } = setup({ ok: false, outcome: { ok: false, kind: 'badKey', failure: 'refused', status: 401, summary: 'The key was refused.', next: 'Store a new key.', serverMessage: 'Unauthorized' } });
    await controller.handle({ type: 'find', query: 'bob' });
    const r = lastOf(sent, 'found').result;
    assert.equal(r.ok, false);
    assert.equal(r.message, 'The key was refused. [HTTP 401] Server said: "Unauthorized". Store a new key.');
  });

  it('moves once with progress, and shows the tracker, the admin hub link and the audit entry', async () => {
    const { controller, sent, moves, calls } = setup({ ok: true, status: 200, value: report([[BOB, inPolicy(ENFORCED.id)]]) });
    await controller.handle({ type: 'find', query: 'bob' });
    const msg = { type: 'move' as const, accountId: 'acc-bob', toPolicyId: OPTIONAL.id };
    await Promise.all([controller.handle(msg), controller.handle(msg)]);
    assert.equal(moves.length, 1, 'a double click must not move twice');
    const { onComment, ...req } = moves[0].req;
    assert.equal(typeof onComment, 'function');
    assert.deepEqual(req, { email: 'bob@example.com', toPolicyId: OPTIONAL.id });
    const progress = sent.filter((m) => m.type === 'progress').map((m) => (m as { what: string }).what);
    assert.deepEqual(progress, ['Atlassian is applying the change: check 1, 1 in progress, 0 moved, 0 failed…', 'Atlassian is applying the change: check 2, 0 in progress, 1 moved, 0 failed…']);
    const r = lastOf(sent, 'moved').result;
    assert.equal(r.ok, true);
    assert.match(r.tracker, /Waiting to move back/);
    assert.equal(r.hubLink, `https://admin.atlassian.com/o/${ORG}/users/acc-bob`);
    assert.equal(r.auditId, 'audit-7');
    await controller.handle({ type: 'openAuditLog' });
    assert.deepEqual(calls.slice(-1), ['audit:audit-7']);
    // the user was moved: a second move from the same (now stale) search is refused here
    await controller.handle(msg);
    assert.equal(moves.length, 1);
    assert.match(lastOf(sent, 'moved').result.title, /already moved from this panel/);
  });

  it('refuses, without calling Atlassian, a policy that was not offered (mandatory 2SV) and a user not from the search', async () => {
    const { controller, sent, moves } = setup({ ok: true, status: 200, value: report([[BOB, inPolicy(ENFORCED.id)]]) });
    await controller.handle({ type: 'move', accountId: 'acc-bob', toPolicyId: OPTIONAL.id });
    assert.match(lastOf(sent, 'moved').result.title, /Search for the user first/);
    await controller.handle({ type: 'find', query: 'bob' });
    await controller.handle({ type: 'move', accountId: 'acc-bob', toPolicyId: ENFORCED.id });
    const r = lastOf(sent, 'moved').result;
    assert.equal(r.ok, false);
    assert.match(r.title, /only policies without mandatory 2SV/);
    assert.equal(r.next, 'Nothing was sent to Atlassian.');
    await controller.handle({ type: 'move', accountId: 'acc-nobody', toPolicyId: OPTIONAL.id });
    assert.equal(moves.length, 0);
  });

  it('needs the admin\'s check for a policy whose 2SV enforcement is unknown', async () => {
    const { controller, sent, moves } = setup({ ok: true, status: 200, value: report([[BOB, inPolicy(ENFORCED.id)]]) });
    await controller.handle({ type: 'find', query: 'bob' });
    await controller.handle({ type: 'move', accountId: 'acc-bob', toPolicyId: UNKNOWN.id });
    assert.match(lastOf(sent, 'moved').result.title, /not given by the API: check it in the admin hub/);
    assert.equal(moves.length, 0);
    await controller.handle({ type: 'move', accountId: 'acc-bob', toPolicyId: UNKNOWN.id, acknowledgeUnknown: true });
    assert.equal(moves.length, 1);
  });

  it('offers the designated recovery policy first, named as such, and needs no extra check for it', async () => {
    const rescue: CloudPolicy = { id: 'pol-rescue', name: 'Rescue', twoStepVerification: 'unknown', designation: 'recovery' };
    const { controller, sent, moves } = setup({ ok: true, status: 200, value: report([[BOB, inPolicy(UNKNOWN.id)]], [ENFORCED, UNKNOWN, rescue]) });
    await controller.handle({ type: 'find', query: 'bob' });
    const u = lastOf(sent, 'found').result.users[0];
    assert.deepEqual(u.diagnosis.targets[0], { id: 'pol-rescue', name: 'Rescue', twoStepVerification: 'unknown', designation: 'recovery', hubLink: `https://admin.atlassian.com/o/${ORG}/security/authentication-policies/pol-rescue` });
    await controller.handle({ type: 'move', accountId: 'acc-bob', toPolicyId: 'pol-rescue' });
    assert.equal(moves.length, 1);
    assert.equal(moves[0].req.toPolicyId, 'pol-rescue');
  });

  it('asks for the current policy when the API did not say, and passes it and the production confirmation on', async () => {
    const { controller, sent, moves } = setup({ ok: true, status: 200, value: report([[ALICE, { known: false, reason: 'the API did not say' }]]) });
    await controller.handle({ type: 'find', query: 'alice' });
    await controller.handle({ type: 'move', accountId: 'acc-alice', toPolicyId: OPTIONAL.id });
    assert.match(lastOf(sent, 'moved').result.title, /choose their current policy/);
    await controller.handle({ type: 'move', accountId: 'acc-alice', toPolicyId: OPTIONAL.id, fromPolicyId: 'pol-invented' });
    assert.match(lastOf(sent, 'moved').result.title, /from the list/);
    assert.equal(moves.length, 0);
    await controller.handle({ type: 'move', accountId: 'acc-alice', toPolicyId: OPTIONAL.id, fromPolicyId: ENFORCED.id, confirmation: 'alice@example.com' });
    const { onComment: _, ...req } = moves[0].req;
    assert.deepEqual(req, { email: 'alice@example.com', toPolicyId: OPTIONAL.id, fromPolicyId: ENFORCED.id, confirmation: 'alice@example.com' });
  });

  it('refuses a move the diagnosis does not offer (2SV can be reset in the admin hub)', async () => {
    const carol: CloudUser = { accountId: 'acc-carol', email: 'carol@example.com', name: 'Carol', managed: true, mfaEnabled: true };
    const { controller, sent, moves } = setup({ ok: true, status: 200, value: report([[carol, inPolicy(OPTIONAL.id)]]) });
    await controller.handle({ type: 'find', query: 'carol' });
    assert.equal(lastOf(sent, 'found').result.users[0].diagnosis.code, 'reset-in-hub');
    await controller.handle({ type: 'move', accountId: 'acc-carol', toPolicyId: UNKNOWN.id, acknowledgeUnknown: true });
    assert.match(lastOf(sent, 'moved').result.title, /No move is offered/);
    assert.equal(moves.length, 0);
  });

  it('shows a failed task as failed, with what came back, and that the user is not listed', async () => {
    const { controller, sent } = setup({ ok: true, status: 200, value: report([[BOB, inPolicy(ENFORCED.id)]]) }, {
      move: async (req) => moved(req.email, {
        ok: false, moved: 'no', tracker: 'unchanged', summary: 'The policy change (task t-1) ended as FAILED: User is not a managed account.',
        next: 'Check the account.', outcome: { ok: false, kind: 'taskFailed', failure: 'refused', status: 200, summary: 'x', next: 'y', serverMessage: 'not managed' },
      }),
    });
    await controller.handle({ type: 'find', query: 'bob' });
    await controller.handle({ type: 'move', accountId: 'acc-bob', toPolicyId: OPTIONAL.id });
    const r = lastOf(sent, 'moved').result;
    assert.equal(r.ok, false);
    assert.equal(r.moved, 'no');
    assert.match(r.tracker, /Nothing recorded/);
    assert.equal(r.serverMessage, 'not managed');
  });

  it('opens admin hub links only', async () => {
    const { controller, calls } = setup({ ok: true, status: 200, value: report([]) });
    await controller.handle({ type: 'openLink', url: `https://admin.atlassian.com/o/${ORG}/users/acc-bob` });
    await controller.handle({ type: 'openLink', url: 'https://evil.example.com/o/x/' });
    await controller.handle({ type: 'openLink', url: 'file:///etc/passwd' });
    assert.deepEqual(calls, [`link:https://admin.atlassian.com/o/${ORG}/users/acc-bob`]);
  });
});

describe('Cloud helpers', () => {
  it('writes ages short enough for a tree row', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    assert.equal(ageText('2026-12-03T09:59:30Z', now), 'just now');
    assert.equal(ageText('2026-12-03T09:15:00Z', now), '45 min');
    assert.equal(ageText('2026-12-02T10:00:00Z', now), '24 h');
    assert.equal(ageText('2026-11-29T06:00:00Z', now), '4 d 4 h');
    assert.equal(ageText('not a date', now), 'unknown age');
  });

  it('reads the reminder setting defensively', () => {
    assert.equal(reminderHours(undefined), 24);
    assert.equal(reminderHours(-1), 24);
    assert.equal(reminderHours('12'), 24);
    assert.equal(reminderHours(0), 0);
    assert.equal(reminderHours(72), 72);
  });

  it('summarises Test connection with what the admin must know', () => {
    const policies = [{ id: 'p1', name: 'Staff' }, { id: 'p2', name: 'Rescue', designation: 'recovery' as const }, { id: 'p3', name: 'Legacy' }];
    assert.deepEqual(connectionSummary(policies, false, { recoveryPolicyId: 'p2' }), {
      ok: true,
      summary: 'API key works · 3 authentication policies · recovery policy "Rescue"',
      warnings: ['Whether a policy enforces 2SV is not given by the API: check it in the admin hub (Security → Authentication policies).'],
    });
    const none = connectionSummary([{ id: 'p1', name: 'Staff' }, { id: 'p3', name: 'Legacy' }], false, { defaultPolicyId: 'gone' });
    assert.match(none.warnings[0], /No recovery policy is designated/);
    assert.match(none.warnings[1], /designated usual policy gone is not in the organization's policy list/);
    assert.match(connectionSummary([{ id: 'p1', name: 'Only' }], false).warnings[0], /Only one authentication policy/);
  });
});
