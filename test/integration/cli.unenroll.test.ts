/**
 * `jira2fa unenroll` and `jira2fa test` as a user runs them: the built dist/cli.js in its own
 * process, secrets from JIRA2FA_* variables, against a fresh Jira simulator per test (the
 * simulator remembers used code windows, as Jira does). Checks exit codes, --json shapes, what
 * reached the server, and the audit entry each attempt writes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeAt, decodeSeed } from '../../src/core/totp';
import { assertCliBuilt, cliEnv, runCli } from '../support/cliRunner';
import { standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { plantedSecrets, wrongCode } from '../support/simulatorMain';

describe('jira2fa unenroll / test (dist/cli.js against the simulator)', function () {
  this.timeout(30_000);
  let dir: string;
  let sim: JiraSimulator;
  let secrets: ReturnType<typeof plantedSecrets>;
  let auditFile: string;

  before(() => assertCliBuilt());

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-cli-unenroll-'));
    secrets = plantedSecrets();
    const fixtures = standardFixtures();
    fixtures.tokens[secrets.token] = 'admin';
    fixtures.enrollments.admin = secrets.seed;
    sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(fixtures) });
    auditFile = path.join(dir, 'audit.jsonl');
    const instance = (id: string, environment: string) => ({ id, name: `Sim ${environment}`, product: 'jira', baseUrl: sim.baseUrl, environment });
    fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify({ version: 1, instances: [instance('sim', 'test'), instance('sim-prod', 'production'),
      { id: 'cloud', name: 'Cloud org', product: 'cloud', orgId: 'org-1', baseUrl: 'https://admin.atlassian.com', environment: 'production' }] }));
  });

  afterEach(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) =>
    cliEnv(dir, { JIRA2FA_PROFILES: path.join(dir, 'profiles.json'), JIRA2FA_AUDIT_FILE: auditFile, JIRA2FA_TOKEN: secrets.token, ...extra });
  const code = () => codeAt(decodeSeed(secrets.seed), Date.now());
  const audit = () => fs.readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const deletes = () => sim.requestsOf('DELETE');

  describe('unenroll', () => {
    it('with --totp: exit 0, one DELETE with that code, the audit entry id printed', async () => {
      const typed = code();
      const r = await runCli(['unenroll', '--instance', 'sim', '--user', 'jdoe', '--totp', typed], env());
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^✓ .*jdoe.* \(HTTP 204\)$/m);
      const id = /audit entry (\S+)/.exec(r.stdout)?.[1];
      assert.ok(id, r.stdout);
      assert.deepEqual(deletes().map((d) => [d.unenrollTarget, JSON.parse(d.body).totpCode]), [['jdoe', typed]]);
      assert.equal(await sim.store.enrollmentSeed('jdoe'), undefined, 'the enrollment is gone');
      const [entry] = audit();
      assert.equal(entry.id, id);
      assert.deepEqual([entry.action, entry.target, entry.outcome, entry.status, entry.admin], ['unenroll', 'jdoe', 'ok', 204, 'admin']);
    });

    it('with JIRA2FA_TOTP_SECRET and --json: one JSON object {ok, status, outcome, message, auditId}', async () => {
      const r = await runCli(['unenroll', '--instance', 'sim', '--user', 'jdoe', '--json'], env({ JIRA2FA_TOTP_SECRET: secrets.seed }));
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.deepEqual(
        { ok: json.ok, status: json.status, outcome: json.outcome, auditId: json.auditId },
        { ok: true, status: 204, outcome: 'unenrolled', auditId: audit()[0].id },
      );
      assert.equal(typeof json.message, 'string');
      assert.match(json.message as string, /jdoe/);
      assert.equal(deletes().length, 1);
      assert.match(JSON.parse(deletes()[0].body).totpCode, /^\d{6}$/);
    });

    it('production: refused without --confirm or with another name (exit 1, nothing sent, audited); accepted with --confirm = --user', async () => {
      // with the reason production asks for: the confirmation is what is missing
      const missing = await runCli(['unenroll', '--instance', 'sim-prod', '--user', 'jdoe', '--totp', code(), '--json', '--reason', 'lost phone'], env());
      assert.equal(missing.code, 1);
      assert.deepEqual(pick(JSON.parse(missing.stdout)), { ok: false, status: null, outcome: 'refusedByGuard' });
      assert.match(JSON.parse(missing.stdout).message, /production/);
      const other = await runCli(['unenroll', '--instance', 'sim-prod', '--user', 'jdoe', '--totp', code(), '--confirm', 'JDOE', '--reason', 'lost phone'], env());
      assert.equal(other.code, 1);
      assert.match(other.stdout, /does not match/);
      assert.equal(sim.requests.length, 0, 'no request at all before the confirmation matched');
      assert.deepEqual(audit().map((e) => [e.target, e.outcome]), [['jdoe', 'refused'], ['jdoe', 'refused']]);

      const ok = await runCli(['unenroll', '--instance', 'sim-prod', '--user', 'jdoe', '--confirm', 'jdoe', '--totp', code(), '--reason', 'lost phone'], env());
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.equal(deletes().length, 1);
    });

    it('a wrong code: the server\'s 401 with its message, exit 1', async () => {
      const r = await runCli(['unenroll', '--instance', 'sim', '--user', 'jdoe', '--totp', wrongCode(secrets.seed), '--json'], env());
      assert.equal(r.code, 1);
      const json = JSON.parse(r.stdout);
      assert.deepEqual(pick(json), { ok: false, status: 401, outcome: 'invalidCode' });
      assert.match(json.serverMessage, /invalid TOTP code/i);
      assert.equal(json.auditId, audit()[0].id);
      assert.equal(deletes().length, 1);
      assert.ok(await sim.store.enrollmentSeed('jdoe'), 'still enrolled');
    });

    it('self-unenroll in another case is refused before any DELETE (exit 1)', async () => {
      const r = await runCli(['unenroll', '--instance', 'sim', '--user', 'ADMIN', '--totp', code()], env());
      assert.equal(r.code, 1);
      assert.match(r.stdout, /your own two-step verification/);
      assert.deepEqual(sim.requests.map((q) => `${q.method} ${q.rawPath}`), ['GET /rest/api/2/myself']);
    });

    it('no user, no enrollment: 404 and 400 explained, exit 1', async () => {
      const none = await runCli(['unenroll', '--instance', 'sim', '--user', 'ghost', '--totp', code(), '--json'], env());
      assert.equal(none.code, 1);
      assert.deepEqual(pick(JSON.parse(none.stdout)), { ok: false, status: 404, outcome: 'noSuchUser' });
      // the simulator, like Jira, refuses a second use of the code window, and the CLI would
      // wait for the next window (see "two runs in one window" below): to keep this test short,
      // forget the window on the server and give the second run its own ledger of used windows
      await sim.store.setLastUsedStep('admin', 0);
      const second = await runCli(['unenroll', '--instance', 'sim', '--user', 'nosv', '--json'],
        env({ JIRA2FA_TOTP_SECRET: secrets.seed, JIRA2FA_TOTP_LEDGER_FILE: path.join(dir, 'other-ledger.json') }));
      assert.equal(second.code, 1);
      assert.deepEqual(pick(JSON.parse(second.stdout)), { ok: false, status: 400, outcome: 'noEnrollment' });
    });

    it('an unknown user after a used code window: told at once, no wait, no DELETE; a padded name is trimmed', async function () {
      this.timeout(60_000);
      const intoWindow = Date.now() % 30_000;
      if (intoWindow > 20_000) await new Promise((r) => setTimeout(r, 30_500 - intoWindow));
      const withSeed = env({ JIRA2FA_TOTP_SECRET: secrets.seed });
      const first = await runCli(['unenroll', '--instance', 'sim', '--user', ' jdoe ', '--json'], withSeed);
      assert.equal(first.code, 0, first.stderr);
      assert.match(JSON.parse(first.stdout).message, /Used "jdoe" without the spaces around it/);
      const ghost = await runCli(['unenroll', '--instance', 'sim', '--user', ' ghost ', '--json'], withSeed);
      assert.doesNotMatch(ghost.stderr, /waiting/, 'no code window was waited for');
      assert.equal(ghost.code, 1);
      assert.deepEqual(pick(JSON.parse(ghost.stdout)), { ok: false, status: 404, outcome: 'noSuchUser' });
      assert.equal(deletes().length, 1, 'only the first run sent a DELETE');
      assert.deepEqual(audit().map((e) => [e.target, e.outcome]), [['jdoe', 'ok'], ['ghost', 'refused']]);
    });

    it('two runs in one code window: the second waits for the next window instead of resending the code', async function () {
      this.timeout(80_000);
      // Start early in a window, so both runs fall into it.
      const intoWindow = Date.now() % 30_000;
      if (intoWindow > 20_000) await new Promise((r) => setTimeout(r, 30_500 - intoWindow));
      const withSeed = env({ JIRA2FA_TOTP_SECRET: secrets.seed });
      const first = await runCli(['unenroll', '--instance', 'sim', '--user', 'jdoe', '--json'], withSeed);
      assert.equal(first.code, 0, first.stderr);
      const second = await runCli(['unenroll', '--instance', 'sim', '--user', 'nosv', '--json'], withSeed);
      assert.match(second.stderr, /That code window was used: waiting \d+ s for the next code/);
      assert.deepEqual(pick(JSON.parse(second.stdout)), { ok: false, status: 400, outcome: 'noEnrollment' }, 'the server accepted the code and answered for the user');
      const sent = deletes().map((d) => JSON.parse(d.body).totpCode as string);
      assert.equal(sent.length, 2);
      assert.notEqual(sent[0], sent[1], 'two different codes were sent');
      assert.ok(fs.existsSync(path.join(dir, 'state', 'jira2fa', 'totp-windows.json')), 'the ledger sits in the state folder');
    });

    it('no code and no seed: bad input (exit 2), nothing sent, one refused audit entry', async () => {
      const r = await runCli(['unenroll', '--instance', 'sim', '--user', 'jdoe'], env());
      assert.equal(r.code, 2);
      assert.match(r.stdout, /No TOTP seed of yours is stored/);
      assert.match(r.stdout, /JIRA2FA_TOTP_SECRET/);
      assert.match(r.stdout, /--totp-stdin or \$JIRA2FA_TOTP_CODE/);
      assert.equal(sim.requests.length, 0);
      assert.deepEqual(audit().map((e) => [e.action, e.outcome]), [['unenroll', 'refused']]);
    });

    it('missing --user is a usage error (exit 2); a Cloud or unknown instance is bad input', async () => {
      assert.equal((await runCli(['unenroll', '--instance', 'sim', '--totp', '123456'], env())).code, 2);
      const unknown = await runCli(['unenroll', '--instance', 'nope', '--user', 'jdoe', '--totp', '123456'], env());
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /No instance with id "nope"; known: sim, sim-prod, cloud/);
      const cloud = await runCli(['unenroll', '--instance', 'cloud', '--user', 'jdoe', '--totp', '123456'], env());
      assert.equal(cloud.code, 2);
      assert.match(cloud.stderr, /Cloud has no recovery unenroll call/);
      assert.equal((await runCli(['test', '--instance', 'cloud'], env())).code, 2);
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('test', () => {
    it('reports version, identity, sysadmin and own 2SV (exit 0), also as JSON', async () => {
      const text = await runCli(['test', '--instance', 'sim'], env());
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout, `✓ Sim test: Jira 10.3.2 · signed in as admin · system admin · your 2SV on\n`);
      const json = await runCli(['--json', 'test', '--instance', 'sim'], env());
      assert.equal(json.code, 0);
      assert.deepEqual(JSON.parse(json.stdout), {
        ok: true,
        summary: 'Jira 10.3.2 · signed in as admin · system admin · your 2SV on',
        version: '10.3.2',
        signedInAs: 'admin',
        isSysAdmin: true,
        own2svActive: true,
        warnings: [],
        outcome: null,
      });
    });

    it('warns when the admin is not a system administrator', async () => {
      const r = await runCli(['test', '--instance', 'sim'], env({ JIRA2FA_TOKEN: 'MzE0MTU5MjY1MzU4OkhlbHBkZXNrTm90U3lzYWRtaW5Ub2tlbg' }));
      assert.equal(r.code, 0);
      assert.match(r.stdout, /signed in as helpdesk · NOT system admin/);
      assert.match(r.stderr, /warning: You are not a system administrator/);
    });

    it('a rejected token is refused (exit 1); an unreachable server exits 3', async () => {
      const bad = await runCli(['--json', 'test', '--instance', 'sim'], env({ JIRA2FA_TOKEN: 'not-a-valid-token-at-all' }));
      assert.equal(bad.code, 1);
      assert.equal(JSON.parse(bad.stdout).outcome, 'authFailed');
      const port = sim.port;
      await sim.stop();
      sim = await JiraSimulator.start(); // afterEach stops this one
      assert.notEqual(sim.port, port);
      const down = await runCli(['test', '--instance', 'sim'], env());
      assert.equal(down.code, 3, down.stdout + down.stderr);
      assert.match(down.stdout, /refused|reach/i);
    });

    it('no token anywhere: says which variable to set (exit 2), no request', async () => {
      const { JIRA2FA_TOKEN: _t, ...rest } = env();
      const r = await runCli(['test', '--instance', 'sim'], rest);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /JIRA2FA_TOKEN/);
      assert.equal(sim.requests.length, 0);
    });
  });
});

function pick(json: Record<string, unknown>): Record<string, unknown> {
  return { ok: json.ok, status: json.status, outcome: json.outcome };
}
