/**
 * Every CLI action ends in exactly one audit entry, refused attempts included: unenroll
 * (Jira simulator), cloud move / move-back (Cloud simulator), sql run and backups restore
 * (real PostgreSQL), bulk (both ways). One test per outcome class: success, failure, refusal
 * before any request (invalid user name, production confirmation not typed, missing
 * credential, bad code format, no database reachable). Also how the typed TOTP code arrives:
 * --totp-stdin, $JIRA2FA_TOTP_CODE, and the old --totp with its warning.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedDispatchers } from '../../src/core/jira/dispatcher';
import { codeAt, decodeSeed } from '../../src/core/totp';
import { runCliInProcess, type InProcessRun } from '../support/cliInProcess';
import { CloudSimulator, ORG_ID, ORG_KEY, POLICY_OPTIONAL, USERS } from '../support/cloudSimulator';
import { createTestDatabase, type TestDatabase } from '../support/dbFixtures';
import { MemorySecretStore } from '../support/fakes';
import { ADMIN_SEED, ADMIN_TOKEN, standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';

type Run = InProcessRun;

type Entry = Record<string, unknown>;

describe('CLI: exactly one audit entry per action, refusals included', function () {
  this.timeout(60_000);
  let dir: string;
  let secrets: MemorySecretStore;
  let seq = 0;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audited-cli-'));
    secrets = new MemorySecretStore();
  });
  afterEach(async () => {
    await sharedDispatchers.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const auditFile = () => path.join(dir, 'audit.jsonl');
  const entries = (): Entry[] => (fs.existsSync(auditFile()) ? fs.readFileSync(auditFile(), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry) : []);
  const brief = (e: Entry) => [e.action, e.target ?? null, e.outcome];
  const writeProfiles = (instances: unknown[]) => fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify({ version: 1, instances }));

  const run = (args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> =>
    runCliInProcess(args, dir, secrets, { JIRA2FA_ADMIN: 'cli-admin', ...opts.env }, { stdin: opts.stdin });

  describe('unenroll', () => {
    let sim: JiraSimulator;
    let id: string;
    beforeEach(async () => {
      sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures()) });
      // A fresh instance id per test: the replay guard of an id lives as long as the process.
      id = `sim${++seq}`;
      writeProfiles([
        { id, name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' },
        { id: `${id}-prod`, name: 'Sim prod', product: 'jira', baseUrl: sim.baseUrl, environment: 'production' },
      ]);
      await secrets.set(id, 'token', ADMIN_TOKEN);
      await secrets.set(`${id}-prod`, 'token', ADMIN_TOKEN);
    });
    afterEach(() => sim.stop());
    const code = () => codeAt(decodeSeed(ADMIN_SEED), Date.now());

    it('success with --totp-stdin: one "ok" entry, the code read from standard input, no warning', async () => {
      const typed = code();
      const r = await run(['unenroll', '--instance', id, '--user', 'jdoe', '--totp-stdin'], { stdin: `${typed}\nignored second line\n` });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /process list/);
      assert.deepEqual(sim.requestsOf('DELETE').map((d) => JSON.parse(d.body).totpCode), [typed]);
      assert.deepEqual(entries().map(brief), [['unenroll', 'jdoe', 'ok']]);
    });

    it('success with $JIRA2FA_TOTP_CODE: one "ok" entry', async () => {
      const r = await run(['unenroll', '--instance', id, '--user', 'jdoe'], { env: { JIRA2FA_TOTP_CODE: code() } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(entries().map(brief), [['unenroll', 'jdoe', 'ok']]);
    });

    it('the old --totp still works, with a warning that the code is in the process list', async () => {
      const r = await run(['unenroll', '--instance', id, '--user', 'jdoe', '--totp', code()]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /warning: --totp puts your code in the process list/);
      assert.equal(entries().length, 1);
    });

    it('--help names --totp-stdin and $JIRA2FA_TOTP_CODE, and marks --totp deprecated', async () => {
      const r = await run(['unenroll', '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /--totp-stdin/);
      assert.match(r.stdout, /JIRA2FA_TOTP_CODE/);
      assert.match(r.stdout, /--totp <code>\s+deprecated: visible in the process list/);
    });

    it('--totp and --totp-stdin together are a usage error, nothing sent', async () => {
      const r = await run(['unenroll', '--instance', id, '--user', 'jdoe', '--totp', '123456', '--totp-stdin'], { stdin: '123456\n' });
      assert.equal(r.code, 2);
      assert.equal(sim.requests.length, 0);
    });

    it('failure (the server refuses the code): one entry', async () => {
      const wrong = String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
      const r = await run(['unenroll', '--instance', id, '--user', 'jdoe', '--json'], { env: { JIRA2FA_TOTP_CODE: wrong } });
      assert.equal(r.code, 1);
      assert.equal(JSON.parse(r.stdout).status, 401);
      assert.equal(entries().length, 1);
      assert.equal(entries()[0].status, 401);
    });

    const refusals: Array<[string, () => Promise<Run>, number]> = [
      ['an invalid user name', () => run(['unenroll', '--instance', id, '--user', 'j doe\u0000', '--totp-stdin'], { stdin: '123456\n' }), 2],
      ['the production confirmation not typed', () => run(['unenroll', '--instance', `${id}-prod`, '--user', 'jdoe'], { env: { JIRA2FA_TOTP_CODE: '123456' } }), 1],
      ['a bad code format', () => run(['unenroll', '--instance', id, '--user', 'jdoe'], { env: { JIRA2FA_TOTP_CODE: '12ab56' } }), 2],
      // Both of these threw without an audit entry before the action moved into src/core/actions.
      ['no code and no seed', () => run(['unenroll', '--instance', id, '--user', 'jdoe']), 2],
      ['no credential stored', async () => {
        await secrets.delete(id, 'token');
        return run(['unenroll', '--instance', id, '--user', 'jdoe'], { env: { JIRA2FA_TOTP_CODE: '123456' } });
      }, 2],
    ];
    for (const [what, attempt, exit] of refusals) {
      it(`refusal before any request (${what}): exit ${exit}, one "refused" entry, nothing sent`, async () => {
        const r = await attempt();
        assert.equal(r.code, exit, r.stdout + r.stderr);
        assert.equal(sim.requestsOf('DELETE').length, 0);
        assert.equal(sim.requests.length, 0, 'not even "who am I"');
        assert.deepEqual(entries().map((e) => [e.action, e.outcome]), [['unenroll', 'refused']]);
      });
    }
  });

  describe('cloud move / move-back', () => {
    let sim: CloudSimulator;
    beforeEach(async () => {
      sim = await CloudSimulator.start({ pollsToFinish: 0 });
      writeProfiles([
        { id: 'acme', name: 'Acme Cloud', product: 'cloud', baseUrl: sim.baseUrl, environment: 'test', orgId: ORG_ID },
        { id: 'acme-prod', name: 'Acme Prod', product: 'cloud', baseUrl: sim.baseUrl, environment: 'production', orgId: ORG_ID },
      ]);
      await secrets.set('acme', 'orgApiKey', ORG_KEY);
      await secrets.set('acme-prod', 'orgApiKey', ORG_KEY);
    });
    afterEach(() => sim.stop());
    const jane = USERS.enrolled.email;
    const move = (instance = 'acme', ...extra: string[]) => run(['cloud', 'move', '--instance', instance, '--user', jane, '--to', POLICY_OPTIONAL, ...extra]);

    it('success: one "ok" entry per move and per move back', async () => {
      assert.equal((await move()).code, 0);
      assert.equal((await run(['cloud', 'move-back', '--instance', 'acme', '--user', jane])).code, 0);
      assert.deepEqual(entries().map(brief), [['cloud.move', jane, 'ok'], ['cloud.moveBack', jane, 'ok']]);
    });

    it('failure (the key is refused by the API): one entry', async () => {
      await secrets.set('acme', 'orgApiKey', `${ORG_KEY}x`);
      const r = await move();
      assert.notEqual(r.code, 0);
      assert.equal(entries().length, 1);
      assert.deepEqual(entries().map((e) => e.action), ['cloud.move']);
    });

    it('refusal (production confirmation not typed): one "refused" entry, no change requested', async () => {
      // with the reason production asks for: the missing confirmation is what refuses it
      const r = await move('acme-prod', '--reason', 'lost phone, ticket by phone');
      assert.equal(r.code, 1);
      assert.deepEqual(entries().map(brief), [['cloud.move', jane, 'refused']]);
      assert.equal(sim.requests.filter((q) => q.method === 'POST').length, 0);
    });

    // Before the actions moved into src/core/actions, both threw without an audit entry.
    it('refusal (no API key stored): move and move back each end in one "refused" entry', async () => {
      await secrets.delete('acme', 'orgApiKey');
      const r = await move();
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /No organization API key is stored/);
      const back = await run(['cloud', 'move-back', '--instance', 'acme', '--user', jane]);
      assert.equal(back.code, 2);
      assert.deepEqual(entries().map(brief), [['cloud.move', jane, 'refused'], ['cloud.moveBack', jane, 'refused']]);
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('sql run, backups restore and bulk on PostgreSQL', () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase('postgres', { pgDatabase: true });
    });
    after(async () => {
      await tdb?.drop();
    });
    beforeEach(() => {
      const db = tdb.profile(false).database!;
      writeProfiles([
        { id: 'rw', name: 'Writable', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, readOnly: false } },
        { id: 'prod', name: 'Prod', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'production', database: { ...db, readOnly: false } },
        { id: 'down', name: 'Down', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, port: 1, readOnly: false } },
      ]);
    });
    const read = (instance: string, ...extra: string[]) => run(['sql', 'run', '--instance', instance, '--snippet', 'jira.is-enrolled', '--param', 'username=alice', ...extra]);

    it('sql run success: one "ok" entry', async () => {
      assert.equal((await read('rw')).code, 0);
      assert.deepEqual(entries().map(brief), [['sql.run', 'alice', 'ok']]);
    });

    it('sql run failure (the database is unreachable): one "error" entry', async () => {
      const r = await read('down');
      assert.equal(r.code, 3, r.stderr);
      assert.deepEqual(entries().map(brief), [['sql.run', 'alice', 'error']]);
    });

    it('sql run refusals before the session (production change not confirmed, --commit on a read snippet): one "refused" entry each, nothing changed', async () => {
      const before = await tdb.snapshot();
      const prod = await run(['sql', 'run', '--instance', 'prod', '--snippet', 'jira.disable-2sv', '--param', 'username=alice', '--commit', '--reason', 'lost phone, ticket by phone']);
      assert.equal(prod.code, 2);
      const commitRead = await read('rw', '--commit');
      assert.equal(commitRead.code, 2);
      assert.deepEqual(entries().map(brief), [['sql.change', 'alice', 'refused'], ['sql.change', 'alice', 'refused']]);
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('backups restore: success and a failing session each end in one entry', async () => {
      const change = await run(['sql', 'run', '--instance', 'rw', '--snippet', 'jira.disable-2sv', '--param', 'username=alice', '--commit', '--json']);
      assert.equal(change.code, 0, change.stderr);
      const backupId = JSON.parse(change.stdout).backupId as string;
      const db = tdb.profile(false).database!;
      // The same instance, its database unreachable for a moment.
      writeProfiles([{ id: 'rw', name: 'Writable', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, port: 1, readOnly: false } }]);
      assert.equal((await run(['backups', 'restore', backupId])).code, 3);
      writeProfiles([{ id: 'rw', name: 'Writable', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, readOnly: false } }]);
      assert.equal((await run(['backups', 'restore', backupId])).code, 0);
      // The failed restore's entry names the backup; the user is only known once it is read.
      assert.deepEqual(entries().map(brief), [['sql.change', 'alice', 'ok'], ['backup.restore', null, 'error'], ['backup.restore', 'alice', 'ok']]);
      assert.deepEqual(entries().slice(1).map((e) => e.backupId), [backupId, backupId]);
    });

    it('bulk --via db with the database unreachable: one "bulk.run" entry carrying the run id', async () => {
      fs.writeFileSync(path.join(dir, 'users.txt'), 'alice\nbob\n');
      const r = await run(['bulk', '--instance', 'down', '--users', 'users.txt', '--via', 'db', '--json']);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      const [entry, ...more] = entries();
      assert.deepEqual(more, []);
      assert.deepEqual([entry.action, entry.outcome, entry.runId], ['bulk.run', 'error', JSON.parse(r.stdout).runId]);
    });

    it('bulk --via rest without a stored seed: one "bulk.run" entry, nothing sent', async () => {
      const sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures()) });
      try {
        writeProfiles([{ id: 'simrest', name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' }]);
        await secrets.set('simrest', 'token', ADMIN_TOKEN);
        fs.writeFileSync(path.join(dir, 'users.txt'), 'jdoe\n');
        const r = await run(['bulk', '--instance', 'simrest', '--users', 'users.txt', '--via', 'rest', '--report', 'run.json', '--json']);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.deepEqual(entries().map((e) => [e.action, e.outcome, e.runId]), [['bulk.run', 'refused', JSON.parse(r.stdout).runId]]);
        assert.equal(sim.requests.length, 0);
      } finally {
        await sim.stop();
      }
    });
  });
});
