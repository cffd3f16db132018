// Tickets of recovery requests: our parsers read the documented examples, and the Jira
// simulator answers the same requests with bodies the same parsers accept.
import assert from 'node:assert/strict';
import { parseCommentId, parseIssue, parseServiceDeskRequest } from '../../src/core/jira/tickets';
import { ADMIN_TOKEN, standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { fixture, type ContractFixture } from './fixtures';

async function ask(sim: JiraSimulator, f: ContractFixture): Promise<{ status: number; body: unknown }> {
  const query = f.request!.query ? `?${new URLSearchParams(f.request!.query).toString()}` : '';
  const res = await fetch(`${sim.baseUrl}${f.request!.path}${query}`, {
    method: f.request!.method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(f.request!.body !== undefined ? { body: JSON.stringify(f.request!.body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

describe('contract: tickets (Jira, Jira Service Management Data Center)', () => {
  let sim: JiraSimulator;
  before(async () => {
    sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures()) });
  });
  after(() => sim.stop());

  it('issue: the documented answer parses (Jira time read as UTC); the simulator answers alike', async () => {
    const f = fixture('datacenter/ticket-issue.json');
    const doc = parseIssue(f.response.body);
    assert.ok(doc);
    assert.deepEqual([doc.key, doc.status, doc.statusCategory, doc.resolved, doc.reporter?.username, doc.created], ['HELP-1', 'Open', 'new', false, 'fred', '2026-12-05T09:30:00.000Z']);
    const got = await ask(sim, f);
    assert.equal(got.status, 200);
    assert.ok(parseIssue(got.body), JSON.stringify(got.body));
    const fields = (got.body as { fields: object }).fields;
    assert.deepEqual(Object.keys(fields).sort(), Object.keys((f.response.body as { fields: object }).fields).sort(), 'only the fields asked for');
  });

  it('service desk request: the documented answer parses; the simulator answers alike, and 404 for a plain issue', async () => {
    const f = fixture('datacenter/ticket-servicedesk-request.json');
    const doc = parseServiceDeskRequest(f.response.body);
    assert.ok(doc);
    assert.deepEqual([doc.key, doc.requester?.username, doc.created, doc.status], ['HELP-5', 'fred', '2026-12-05T09:30:00.000Z', 'Waiting for Support']);
    const got = await ask(sim, f);
    assert.equal(got.status, 200);
    assert.ok(parseServiceDeskRequest(got.body), JSON.stringify(got.body));
    for (const k of Object.keys(got.body as object)) assert.ok(k in (f.response.body as object), `"${k}" is a documented member`);
    const plain = await ask(sim, { ...f, request: { method: 'GET', path: '/rest/servicedeskapi/request/HELP-1' } });
    assert.equal(plain.status, 404);
  });

  for (const name of ['ticket-comment-issue.json', 'ticket-comment-servicedesk.json']) {
    it(`${name}: the documented 201 gives the comment id; the simulator answers alike`, async () => {
      const f = fixture(`datacenter/${name}`);
      assert.equal(parseCommentId(f.response.body), (f.response.body as { id: string }).id);
      const got = await ask(sim, f);
      assert.equal(got.status, 201);
      assert.ok(parseCommentId(got.body));
      for (const k of Object.keys(got.body as object)) assert.ok(k in (f.response.body as object), `"${k}" is a documented member`);
    });
  }
});
