// Recovery requests through the CLI against the simulated Jira, on an instance that requires a
// ticket: refused without one, refused before any request for another project, refused on a
// reporter mismatch until --i-verified, done with a matching ticket (the request block in the
// audit entry and the --json output, the comment on the ticket and its own audit entry), and a
// failed comment added again with `jira2fa audit comment`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readEntries } from '../../src/core/audit/read';
import { runCliInProcess } from '../support/cliInProcess';
import { MemorySecretStore } from '../support/fakes';
import { ADMIN_SEED, ADMIN_TOKEN, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { standardTickets } from '../support/jiraSimulatorTickets';
import { InMemorySimulatorStore } from '../support/simulatorStore';

describe('jira2fa with recovery requests (CLI, simulator)', function () {
  this.timeout(90_000);
  let dir: string;
  let sim: JiraSimulator;

  async function start(extraUsers: Array<{ username: string; seed?: string }> = [], tickets = standardTickets()) {
    sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures(extraUsers)), tickets });
    fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify({ version: 1, instances: [
      { id: 'sim', name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test', recoveryRequests: { require: 'ticket', projects: ['HELP'] } },
    ] }));
  }

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-requests-cli-'))));
  afterEach(async () => {
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[]) {
    const secrets = new MemorySecretStore();
    await secrets.set('sim', 'token', ADMIN_TOKEN);
    await secrets.set('sim', 'totpSeed', ADMIN_SEED);
    return runCliInProcess(args, dir, secrets);
  }
  const audit = async () => (await readEntries(path.join(dir, 'audit.jsonl'))).entries;
  const deletes = () => sim.requestsOf('DELETE').length;
  const comments = async (key: string) =>
    ((await (await fetch(`${sim.baseUrl}/rest/api/2/issue/${key}/comment`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { comments: Array<{ body: string }> }).comments;

  it('refuses without a ticket, with another project, on a reporter mismatch; each refusal is one audit entry and sends nothing', async () => {
    await start();
    const none = await run(['unenroll', '--instance', 'sim', '--user', 'jdoe']);
    assert.equal(none.code, 1, none.stdout + none.stderr);
    assert.match(none.stdout, /requires a ticket for every change of two-step verification: give its key \(--ticket KEY\)/);

    const before = sim.requests.length;
    const other = await run(['unenroll', '--instance', 'sim', '--user', 'jdoe', '--ticket', 'OPS-7', '--verified', 'In person']);
    assert.equal(other.code, 1);
    assert.match(other.stdout, /must be in HELP; OPS-7 is not/);
    assert.equal(sim.requests.length, before, 'a ticket of another project is refused before any request');

    const mismatch = await run(['unenroll', '--instance', 'sim', '--user', 'jdoe', '--ticket', 'HELP-3', '--verified', 'In person', '--json']);
    assert.equal(mismatch.code, 1);
    assert.match(JSON.parse(mismatch.stdout).message, /The reporter of HELP-3 is .*helpdesk.*, not jdoe/);
    assert.equal(deletes(), 0);

    const entries = await audit();
    assert.deepEqual(entries.map((e) => [e.action, e.outcome]), [['unenroll', 'refused'], ['unenroll', 'refused'], ['unenroll', 'refused']]);
    assert.deepEqual(entries[2].request, { ticket: 'HELP-3', verification: 'In person' });
  });

  it('a matching ticket: done, the request in the entry and in --json, an internal note on the ticket with its own entry', async () => {
    await start();
    const r = await run(['unenroll', '--instance', 'sim', '--user', 'jdoe', '--ticket', 'help-1', '--verified', 'Video call with photo ID', '--verified-note', 'badge 4711', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, true);
    assert.deepEqual(out.request, { ticket: 'HELP-1', ticketUrl: `${sim.baseUrl}/browse/HELP-1`, verification: 'Video call with photo ID', verificationNote: 'badge 4711', identityMatch: 'reporter' });
    assert.equal(out.comment.commented, true);
    const body = (await comments('HELP-1'))[0].body;
    assert.match(body, /Recovery unenroll for jdoe on Sim .*: done\./);
    assert.match(body, new RegExp(`Audit entry ${out.auditId}`));
    assert.ok(!body.includes(ADMIN_SEED) && !/\b\d{6}\b/.test(body.replace(out.auditId, '')), 'no secret or code in the comment');
    const entries = await audit();
    assert.deepEqual(entries.map((e) => [e.action, e.outcome, e.target]), [['unenroll', 'ok', 'jdoe'], ['ticket.comment', 'ok', 'HELP-1']]);
    assert.equal(entries[0].request?.identityMatch, 'reporter');
  });

  it('a failed comment leaves the action done, is audited, and `audit comment --entry` adds it once', async () => {
    const tickets = [{ key: 'HELP-9', reporter: 'locked1', summary: 'lost phone', created: new Date().toISOString(), status: 'Open' as const, commentFailures: 1, comments: [] }];
    await start([{ username: 'locked1', seed: USER_SEED }], tickets);
    const r = await run(['unenroll', '--instance', 'sim', '--user', 'locked1', '--ticket', 'HELP-9', '--verified', 'In person']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /The comment on HELP-9 was not added/);
    assert.match(r.stderr, /jira2fa audit comment --entry /);
    const [done, failed] = await audit();
    assert.deepEqual([done.action, done.outcome, failed.action, failed.outcome], ['unenroll', 'ok', 'ticket.comment', 'error']);
    assert.equal(await sim.store.enrollmentSeed('locked1'), undefined);

    const again = await run(['audit', 'comment', '--entry', done.id]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Internal comment added to HELP-9/);
    assert.equal((await comments('HELP-9')).length, 1);
    assert.deepEqual((await audit()).map((e) => [e.action, e.outcome]).slice(2), [['ticket.comment', 'ok']]);
  });
});
