// Group membership pages: our parsers read the documented examples, and the Jira simulator
// answers the same requests (Jira and Confluence) with bodies the same parsers accept.
import assert from 'node:assert/strict';
import { parseConfluenceMemberPage, parseJiraMemberPage } from '../../src/core/jira/groupMembers';
import { ADMIN_TOKEN, standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { fixture, type ContractFixture } from './fixtures';

async function simulatorAnswer(f: ContractFixture, product: 'jira' | 'confluence'): Promise<{ status: number; body: unknown }> {
  const group = product === 'jira' ? f.request!.query!.groupname : decodeURIComponent(f.request!.path.split('/')[4]);
  const sim = await JiraSimulator.start({ product, store: new InMemorySimulatorStore(standardFixtures()), groups: { [group]: ['admin', 'jdoe', 'nosv'] } });
  try {
    const query = new URLSearchParams(f.request!.query).toString();
    const res = await fetch(`${sim.baseUrl}${f.request!.path}?${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: res.status, body: await res.json() };
  } finally {
    await sim.stop();
  }
}

describe('contract: group members (Data Center)', () => {
  it('Jira: the documented page parses; the simulator answers the same request with a page that parses', async () => {
    const f = fixture('datacenter/group-members-jira.json');
    const doc = parseJiraMemberPage(f.response.body);
    assert.ok(doc, 'the documented page is accepted');
    assert.deepEqual(doc.members.map((m) => m.username), ['Fred', 'mia']);
    assert.equal(doc.last, false);
    const sim = await simulatorAnswer(f, 'jira');
    assert.equal(sim.status, f.response.status);
    const page = parseJiraMemberPage(sim.body);
    assert.ok(page, `the simulator's page is accepted: ${JSON.stringify(sim.body)}`);
    assert.deepEqual(Object.keys(sim.body as object).sort(), Object.keys(f.response.body as object).sort(), 'same members as the documented page');
    const simUser = (sim.body as { values: Array<Record<string, unknown>> }).values[0];
    const docUser = (f.response.body as { values: Array<Record<string, unknown>> }).values[0];
    for (const k of Object.keys(simUser)) assert.ok(k in docUser, `the simulator's user field "${k}" is a documented one`);
    for (const k of ['name', 'key', 'displayName', 'emailAddress', 'active']) assert.ok(k in simUser, `the simulator's user has "${k}"`);
    assert.equal(page.members.length, 2);
    assert.equal(page.last, false);
  });

  it('Confluence: the documented page parses; the simulator answers the same request with a page that parses', async () => {
    const f = fixture('datacenter/group-members-confluence.json');
    const doc = parseConfluenceMemberPage(f.response.body, 2);
    assert.ok(doc);
    assert.deepEqual(doc.members.map((m) => m.username), ['jsmith', 'erin']);
    assert.equal(doc.last, false);
    const sim = await simulatorAnswer(f, 'confluence');
    assert.equal(sim.status, f.response.status);
    const page = parseConfluenceMemberPage(sim.body, 2);
    assert.ok(page, `the simulator's page is accepted: ${JSON.stringify(sim.body)}`);
    for (const k of ['results', 'start', 'limit', 'size', '_links']) assert.ok(k in (sim.body as object), `simulator page has ${k}`);
    assert.equal(page.last, false);
  });

  it('a page whose member has no user name is refused, not read as fewer members', () => {
    const body = structuredClone(fixture('datacenter/group-members-jira.json').response.body) as { values: Array<Record<string, unknown>> };
    delete body.values[1].name;
    assert.equal(parseJiraMemberPage(body), undefined);
    assert.equal(parseConfluenceMemberPage({ results: [{ type: 'known', userKey: 'k' }] }, 200), undefined);
  });
});
