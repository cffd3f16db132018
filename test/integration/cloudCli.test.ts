import { osUser } from '../../src/core/osUser';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedDispatchers } from '../../src/core/jira/dispatcher';
import { EnvSecretStore } from '../../src/cli/secrets';
import { runCliInProcess, type InProcessRun } from '../support/cliInProcess';
import { CloudSimulator, ORG_ID, ORG_KEY, POLICY_ENFORCED, POLICY_OPTIONAL, USERS } from '../support/cloudSimulator';

type Run = InProcessRun;

describe('cli: jira2fa cloud', () => {
  let sim: CloudSimulator;
  let dir: string;
  let profiles: string;
  let auditFile: string;
  let pendingFile: string;
  const outputs: string[] = [];

  beforeEach(async () => {
    // Tasks end on their first poll: the CLI's real clock never has to wait.
    sim = await CloudSimulator.start({ pollsToFinish: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-cloud-cli-'));
    profiles = path.join(dir, 'profiles.json');
    auditFile = path.join(dir, 'audit.jsonl');
    pendingFile = path.join(dir, 'state', 'cloud-pending.json');
    fs.writeFileSync(profiles, JSON.stringify({
      version: 1,
      instances: [
        { id: 'acme', name: 'Acme Cloud', product: 'cloud', baseUrl: sim.baseUrl, environment: 'test', orgId: ORG_ID, cloud: { recoveryPolicyId: POLICY_OPTIONAL, defaultPolicyId: POLICY_ENFORCED } },
        { id: 'acme-prod', name: 'Acme Prod', product: 'cloud', baseUrl: sim.baseUrl, environment: 'production', orgId: ORG_ID },
        { id: 'dc', name: 'Data Center Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test' },
      ],
    }));
    outputs.length = 0;
  });

  afterEach(async function () {
    const audit = fs.existsSync(auditFile) ? fs.readFileSync(auditFile, 'utf8') : '';
    for (const text of [...outputs, audit]) assert.ok(!text.includes(ORG_KEY), `"${this.currentTest?.title}" printed or logged the API key`);
    await sharedDispatchers.closeAll();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
    const runEnv = { JIRA2FA_CLOUD_PENDING_FILE: pendingFile, JIRA2FA_ORG_API_KEY: ORG_KEY, JIRA2FA_ADMIN: 'ada', ...env };
    const r = await runCliInProcess(args, dir, new EnvSecretStore(runEnv), runEnv);
    outputs.push(r.stdout, r.stderr);
    return r;
  }

  function json(r: Run): Record<string, unknown> {
    const v: unknown = JSON.parse(r.stdout);
    assert.ok(v && typeof v === 'object' && !Array.isArray(v));
    return v as Record<string, unknown>;
  }

  function pending(): Array<Record<string, unknown>> {
    if (!fs.existsSync(pendingFile)) return [];
    return (JSON.parse(fs.readFileSync(pendingFile, 'utf8')) as { entries: Array<Record<string, unknown>> }).entries;
  }

  it('--help lists the cloud commands', async () => {
    const r = await run(['cloud', '--help']);
    assert.equal(r.code, 0);
    for (const c of ['find', 'move', 'move-back', 'pending']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  });

  describe('find', () => {
    it('prints the user, their 2SV state, policy, diagnosis, admin hub link and temporary policies', async () => {
      const r = await run(['cloud', 'find', '--instance', 'acme', '--query', 'alice@example.com']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Alice Enrolled <alice@example\.com>/);
      assert.match(r.stdout, /2SV: on {3}managed: yes {3}last active: 2026-11-20T09:15:00Z/);
      assert.match(r.stdout, /policy: Employees \(2SV required\) \[pol-2sv-required\], 2SV not given by the API: check it in the admin hub/);
      assert.match(r.stdout, /diagnosis: undetermined: /);
      assert.ok(r.stdout.includes(`admin hub: https://admin.atlassian.com/o/${ORG_ID}/users/${encodeURIComponent(USERS.enrolled.accountId)}`));
      assert.match(r.stdout, /temporary policies: pol-2sv-optional "Recovery \(2SV optional\)" \[recovery\] \(2SV not given by the API: check it in the admin hub\); pol-legacy-sso "Legacy SSO" \(2SV not given/);
      assert.match(r.stdout, /POLICY\s+NAME\s+ROLE\s+2SV/);
      assert.match(r.stdout, /pol-2sv-optional\s+Recovery \(2SV optional\)\s+recovery\s+not given by the API/);
    });

    it('--json: one object with users, diagnoses and policies', async () => {
      const r = await run(['--json', 'cloud', 'find', '--instance', 'acme', '--query', 'example.com']);
      assert.equal(r.code, 0, r.stderr);
      const j = json(r);
      const users = j.users as Array<{ email: string; diagnosis: { code: string } }>;
      assert.deepEqual(Object.fromEntries(users.map((u) => [u.email, u.diagnosis.code])), {
        'alice@example.com': 'undetermined',
        'bob@example.com': 'undetermined',
        'carol@example.com': 'reset-in-hub',
        'dave@example.com': 'no-2sv-required',
        'frank@example.com': 'undetermined',
      });
      const policies = j.policies as Array<{ id: string; designation: string | null; twoStepVerification: string; hubLink: string }>;
      assert.equal(policies.length, 3);
      assert.deepEqual(policies.map((p) => [p.id, p.designation, p.twoStepVerification]), [[POLICY_ENFORCED, 'usual', 'unknown'], [POLICY_OPTIONAL, 'recovery', 'unknown'], ['pol-legacy-sso', null, 'unknown']]);
      assert.equal(policies[1].hubLink, `https://admin.atlassian.com/o/${ORG_ID}/security/authentication-policies/${POLICY_OPTIONAL}`);
    });

    it('warns when the organization has no designated recovery policy', async () => {
      const r = await run(['cloud', 'find', '--instance', 'acme-prod', '--query', 'alice@example.com']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /No recovery policy is designated for this organization \(cloud\.recoveryPolicyId\)/);
      const designated = await run(['cloud', 'find', '--instance', 'acme', '--query', 'alice@example.com']);
      assert.doesNotMatch(designated.stderr, /No recovery policy is designated/);
    });

    it('no match is not an error', async () => {
      const r = await run(['cloud', 'find', '--instance', 'acme', '--query', 'zelda']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /No user matches "zelda" in Acme Cloud\./);
    });
  });

  describe('move, pending, move-back', () => {
    it('moves a user to the designated recovery policy (no --to), lists them as pending, and moves them back', async () => {
      const moved = await run(['cloud', 'move', '--instance', 'acme', '--user', 'alice@example.com']);
      assert.equal(moved.code, 0, moved.stdout + moved.stderr);
      assert.match(moved.stdout, /✓ alice@example\.com was moved from "Employees \(2SV required\)" to "Recovery \(2SV optional\)"/);
      assert.match(moved.stdout, /recorded: alice@example\.com must be moved back to Employees \(2SV required\)/);
      assert.match(moved.stdout, /audit entry [0-9a-f]{16}/);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_OPTIONAL);
      assert.deepEqual(pending().map((e) => [e.email, e.fromPolicyId, e.toPolicyId, e.movedBy]), [['alice@example.com', POLICY_ENFORCED, POLICY_OPTIONAL, 'ada']]);

      const list = await run(['cloud', 'pending', '--instance', 'acme']);
      assert.equal(list.code, 0);
      assert.match(list.stdout, /alice@example\.com\s+Employees \(2SV required\)\s+Recovery \(2SV optional\)/);

      const back = await run(['--json', 'cloud', 'move-back', '--instance', 'acme', '--user', 'alice@example.com']);
      assert.equal(back.code, 0, back.stderr);
      const j = json(back);
      assert.deepEqual([j.ok, j.moved, j.tracker, j.outcome], [true, 'yes', 'removed', 'ok']);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_ENFORCED);
      assert.deepEqual(pending(), []);
      const empty = await run(['cloud', 'pending', '--instance', 'acme']);
      assert.match(empty.stdout, /No user of Acme Cloud is waiting to be moved back\./);

      const audit = fs.readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; outcome: string; admin: string });
      assert.deepEqual(audit.map((e) => [e.action, e.outcome, e.admin]), [['cloud.move', 'ok', 'ada'], ['cloud.moveBack', 'ok', 'ada']]);
    });

    it('the API key owner as entered in the profile is the product identity of the entries, marked not verified, in audit show and the CSV export', async () => {
      const file = JSON.parse(fs.readFileSync(profiles, 'utf8')) as { instances: Array<Record<string, unknown>> };
      file.instances[0].cloud = { ...(file.instances[0].cloud as object), apiKeyOwner: 'ops-bot@acme.example' };
      fs.writeFileSync(profiles, JSON.stringify(file));
      const noAdmin = { JIRA2FA_ADMIN: undefined };
      const moved = await run(['cloud', 'move', '--instance', 'acme', '--user', 'alice@example.com'], noAdmin);
      assert.equal(moved.code, 0, moved.stdout + moved.stderr);
      // refused before any request (production without --confirm) is recorded under the same identity
      await run(['cloud', 'move', '--instance', 'acme-prod', '--user', 'alice@example.com', '--to', POLICY_OPTIONAL], noAdmin);
      const entries = fs.readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; outcome: string; admin: string; osUser?: string; instance: { id: string } });
      const owner = 'ops-bot@acme.example (entered, not verified)';
      assert.deepEqual(entries.map((e) => [e.instance.id, e.action, e.outcome, e.admin]), [['acme', 'cloud.move', 'ok', owner], ['acme-prod', 'cloud.move', 'refused', osUser()]]);
      assert.equal(entries[0].osUser, osUser());
      const shown = await run(['audit', 'show', '--instance', 'acme']);
      assert.ok(shown.stdout.includes(`ops-bot@acme.example (entered, not verified) (OS user ${osUser()})`), shown.stdout);
      const csv = path.join(dir, 'audit.csv');
      assert.equal((await run(['audit', 'export', '--csv', csv])).code, 0);
      assert.ok(fs.readFileSync(csv, 'utf8').includes(`"ops-bot@acme.example (entered, not verified)",${osUser()},acme,cloud.move`), fs.readFileSync(csv, 'utf8'));
      // $JIRA2FA_ADMIN, when set, names the admin instead
      await run(['cloud', 'move-back', '--instance', 'acme', '--user', 'alice@example.com']);
      const last = JSON.parse(fs.readFileSync(auditFile, 'utf8').trim().split('\n').pop()!) as { admin: string };
      assert.equal(last.admin, 'ada');
    });

    it('pending flags users left longer than --max-age-hours', async () => {
      fs.mkdirSync(path.dirname(pendingFile), { recursive: true });
      const old = new Date(Date.now() - 30 * 3_600_000).toISOString();
      fs.writeFileSync(pendingFile, JSON.stringify({ version: 1, entries: [
        { orgId: ORG_ID, instanceId: 'acme', accountId: 'a1', email: 'old@example.com', fromPolicyId: 'p1', toPolicyId: 'p2', movedAt: old, state: 'moved' },
        { orgId: ORG_ID, instanceId: 'other', accountId: 'a2', email: 'elsewhere@example.com', fromPolicyId: 'p1', toPolicyId: 'p2', movedAt: old, state: 'moved' },
      ] }));
      const r = await run(['cloud', 'pending', '--instance', 'acme']);
      assert.equal(r.code, 0);
      assert.match(r.stderr, /warning: 1 user\(s\) have been in a temporary policy for more than 24 h/);
      assert.match(r.stdout, /old@example\.com .* 30 h !/);
      assert.doesNotMatch(r.stdout, /elsewhere/);
      const j = json(await run(['--json', 'cloud', 'pending', '--instance', 'acme', '--max-age-hours', '48']));
      assert.deepEqual((j.pending as Array<{ overdue: boolean }>).map((e) => e.overdue), [false]);
    });

    it('a failed move back exits 1 and keeps the user in the pending list', async () => {
      assert.equal((await run(['cloud', 'move', '--instance', 'acme', '--user', 'bob@example.com', '--to', POLICY_OPTIONAL])).code, 0);
      sim.failNextTask('Temporary failure');
      const r = await run(['--json', 'cloud', 'move-back', '--instance', 'acme', '--user', 'bob@example.com']);
      assert.equal(r.code, 1);
      const j = json(r);
      assert.deepEqual([j.ok, j.outcome, j.tracker], [false, 'taskFailed', 'kept']);
      assert.equal(pending().length, 1);
    });

    it('a failed move exits 1, shows the task\'s title, detail and HTTP status, and records nothing', async () => {
      sim.failNextTask('The user is not in a verified domain', 400, 'Bad Request');
      const r = await run(['cloud', 'move', '--instance', 'acme', '--user', 'alice@example.com']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /✗ The policy change \(task task-1-0+\) failed for alice@example\.com\. \[HTTP 400\] Server said: "Bad Request: The user is not in a verified domain"\./);
      assert.doesNotMatch(r.stdout, /recorded:/);
      assert.deepEqual(pending(), []);
      assert.equal(sim.policyOf(USERS.enrolled.accountId), POLICY_ENFORCED);
      const j = json(await run(['--json', 'cloud', 'pending', '--instance', 'acme']));
      assert.deepEqual(j.pending, []);
    });

    it('refuses a move with neither --to nor a designated recovery policy (exit 2) and production moves without --confirm', async () => {
      const none = await run(['--json', 'cloud', 'move', '--instance', 'acme-prod', '--user', 'bob@example.com', '--confirm', 'bob@example.com', '--reason', 'lost phone, ticket by phone']);
      assert.equal(none.code, 2);
      assert.equal(json(none).outcome, 'refusedByGuard');
      assert.match(String(json(none).next), /recovery policy in the instance settings/);
      const prod = await run(['cloud', 'move', '--instance', 'acme-prod', '--user', 'alice@example.com', '--to', POLICY_OPTIONAL, '--reason', 'lost phone, ticket by phone']);
      assert.equal(prod.code, 1);
      assert.match(prod.stdout, /production organization: type the user's e-mail address/);
      assert.match(prod.stdout, /--confirm/);
      const ok = await run(['cloud', 'move', '--instance', 'acme-prod', '--user', 'alice@example.com', '--to', POLICY_OPTIONAL, '--confirm', 'alice@example.com', '--reason', 'lost phone, ticket by phone']);
      assert.equal(ok.code, 0, ok.stdout);
      assert.equal(sim.requestsTo(/add-users/).length, 1);
    });

    it('prints a line while honouring a 429', async () => {
      sim.setFault({ type: 'rateLimit', retryAfter: '0' }, { path: /add-users$/, times: 1 });
      const r = await run(['cloud', 'move', '--instance', 'acme', '--user', 'alice@example.com', '--to', POLICY_OPTIONAL]);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stderr, /limiting the request rate: waiting 0 s/);
    });
  });

  describe('errors and exit codes', () => {
    it('no API key: exit 2 naming JIRA2FA_ORG_API_KEY', async () => {
      const r = await run(['cloud', 'find', '--instance', 'acme', '--query', 'alice'], { JIRA2FA_ORG_API_KEY: undefined });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /No organization API key is stored for Acme Cloud/);
      assert.match(r.stderr, /JIRA2FA_ORG_API_KEY/);
    });

    it('a wrong key: exit 1, and the key is not printed', async () => {
      const wrong = 'ATCTT3xFfGN0-cli-wrong-key-0000000000';
      const r = await run(['cloud', 'find', '--instance', 'acme', '--query', 'alice'], { JIRA2FA_ORG_API_KEY: wrong });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /did not accept the organization API key/);
      assert.ok(!(r.stdout + r.stderr).includes(wrong));
      const moved = await run(['--json', 'cloud', 'move', '--instance', 'acme', '--user', 'alice@example.com', '--to', POLICY_OPTIONAL], { JIRA2FA_ORG_API_KEY: wrong });
      assert.equal(moved.code, 1);
      assert.ok(!(moved.stdout + moved.stderr + fs.readFileSync(auditFile, 'utf8')).includes(wrong));
    });

    it('a Data Center instance: exit 2', async () => {
      const r = await run(['cloud', 'pending', '--instance', 'dc']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /not an Atlassian Cloud organization/);
    });

    it('the API unreachable: exit 3', async () => {
      await sim.stop();
      const r = await run(['cloud', 'find', '--instance', 'acme', '--query', 'alice']);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /refused the connection/);
      sim = await CloudSimulator.start();
    });

    it('an unexpected response shape: exit 3 with what came back', async () => {
      sim.setFault({ type: 'shape', json: { unexpected: true } }, { path: /\/policies$/ });
      const r = await run(['cloud', 'find', '--instance', 'acme', '--query', 'alice']);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /Unexpected response shape .* Received: \{"unexpected":true\}/);
    });

    it('a damaged pending file: exit 2, file untouched', async () => {
      fs.mkdirSync(path.dirname(pendingFile), { recursive: true });
      fs.writeFileSync(pendingFile, 'not json');
      const r = await run(['cloud', 'pending', '--instance', 'acme']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /is not valid JSON/);
      assert.equal(fs.readFileSync(pendingFile, 'utf8'), 'not json');
    });

    (process.platform === 'linux' ? it : it.skip)('keeps the pending list in the state folder by default', async () => {
      const state = path.join(dir, 'xdg-state');
      const r = await run(['cloud', 'move', '--instance', 'acme', '--user', 'alice@example.com', '--to', POLICY_OPTIONAL], { JIRA2FA_CLOUD_PENDING_FILE: undefined, XDG_STATE_HOME: state });
      assert.equal(r.code, 0, r.stdout);
      assert.ok(fs.existsSync(path.join(state, 'jira2fa', 'cloud-pending.json')));
    });
  });
});
