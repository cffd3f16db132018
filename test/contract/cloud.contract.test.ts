/**
 * The Cloud admin API contract: our parsers read every documented example in
 * test/contract/atlassian/cloud/, and the Cloud simulator answers the same requests with
 * bodies that have the documented shape (same keys, same JSON types, no undocumented key
 * except the variants the simulator offers on purpose) and that the same parsers accept.
 * A simulator that drifts from Atlassian's documentation fails here, not in production.
 */
import assert from 'node:assert/strict';
import {
  parseBulkFetch,
  parseLastActive,
  parsePolicyPage,
  parseTaskAccepted,
  parseTaskStatus,
  parseUserPage,
  taskOutcomeFor,
  type Parsed,
} from '../../src/core/cloud/shapes';
import { BULK_FETCH_POLICY_FIELDS, CloudSimulator, ORG_ID, ORG_KEY, POLICY_OPTIONAL, USERS, type CloudSimulatorOptions } from '../support/cloudSimulator';
import { loadFixtures, type ContractFixture } from './fixtures';
import { shapeProblems } from './shape';

const PARSERS: Record<string, (body: unknown) => Parsed<unknown>> = {
  'cloud/add-users.json': parseTaskAccepted,
  'cloud/task-status-done.json': (b) => parseTaskStatus(b, 't'),
  'cloud/task-status-in-progress.json': (b) => parseTaskStatus(b, 't'),
  'cloud/task-status-with-failures.json': (b) => parseTaskStatus(b, 't'),
  'cloud/bulk-fetch.json': parseBulkFetch,
  'cloud/user-search.json': parseUserPage,
  'cloud/last-active.json': parseLastActive,
  'cloud/policies-list.json': parsePolicyPage,
};

function parsed<T>(p: Parsed<T>, what: string): T {
  if (!p.ok) assert.fail(`${what}: ${p.problem}`);
  return p.value;
}

const fixtures = loadFixtures('cloud');
const byName = (name: string): ContractFixture => fixtures.find((f) => f.name === `cloud/${name}`) ?? assert.fail(`missing fixture cloud/${name}`);

describe('Cloud contract: our parsers on the documented examples', () => {
  it('every Cloud fixture has a parser, and every parser a fixture', () => {
    assert.deepEqual(fixtures.map((f) => f.name).sort(), Object.keys(PARSERS).sort());
  });

  for (const f of fixtures) {
    it(`${f.name} is read by our parser`, () => {
      const parse = PARSERS[f.name] ?? assert.fail(`no parser for ${f.name}`);
      parsed(parse(f.response.body), f.name);
    });
  }

  it('task status: running while inProgressCount > 0, done at 0; a user counted and not named moved', () => {
    assert.equal(parsed(parseTaskStatus(byName('task-status-in-progress.json').response.body, 't'), 'in progress').state, 'running');
    const done = parsed(parseTaskStatus(byName('task-status-done.json').response.body, 't'), 'done');
    assert.equal(done.state, 'done');
    assert.deepEqual(taskOutcomeFor(done, ['user1@domain.com', 'user2@domain.com']), { moved: true });
  });

  it('task status with failures: the named user did not move, with the details the API gave', () => {
    const t = parsed(parseTaskStatus(byName('task-status-with-failures.json').response.body, 't'), 'failures');
    assert.equal(t.state, 'done');
    const end = taskOutcomeFor(t, ['USER1@domain.com']);
    assert.equal(end.moved, false);
    assert.deepEqual(!end.moved && end.reasons, [{ emails: ['user1@domain.com'], status: 400, title: 'Bad Request', detail: 'User is not a managed account' }]);
  });

  it('bulk-fetch: a bare array keyed by e-mail; no documented policy id, so none is read', () => {
    assert.deepEqual(parsed(parseBulkFetch(byName('bulk-fetch.json').response.body), 'bulk-fetch'), [{ email: 'user1@domain.com' }]);
  });

  it('the guessed status-word shape is refused (it is not the documented one)', () => {
    const old = parseTaskStatus({ taskId: 't', status: 'COMPLETED' }, 't');
    assert.equal(old.ok, false);
  });
});

/** The simulator variants: the default, and each shape where Atlassian documents nothing. */
const VARIANTS: Array<[string, CloudSimulatorOptions]> = [
  ['default', {}],
  ['flat policy items', { policyShape: 'flat' }],
  ...BULK_FETCH_POLICY_FIELDS.map((policyField): [string, CloudSimulatorOptions] => [`bulk-fetch policy field ${policyField}`, { bulkFetch: { policyField } }]),
  ['bulk-fetch without account id', { bulkFetch: { accountId: false } }],
];

/** Keys the simulator adds on purpose where the documentation is silent, per fixture. */
function allowedExtras(sim: CloudSimulator, name: string): ReadonlySet<string> {
  if (name !== 'cloud/bulk-fetch.json') return new Set();
  const field = sim.bulkFetch.policyField;
  return new Set(['accountId', ...(field === 'none' ? [] : [field.split('.')[0]])]);
}

async function send(sim: CloudSimulator, f: ContractFixture, values: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? assert.fail(`no value for {${k}} in ${f.name}`));
  const req = f.request ?? assert.fail(`${f.name} has no request`);
  const body = req.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(req.body))) as unknown;
  const res = await fetch(sim.baseUrl + fill(req.path), {
    method: req.method,
    headers: { authorization: `Bearer ${ORG_KEY}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as unknown : undefined };
}

/** Starts a move task in the simulator and polls it `polls` times; returns its id. */
async function taskAfter(sim: CloudSimulator, polls: number, fail = false): Promise<string> {
  if (fail) sim.failNextTask('User is not a managed account');
  const started = await send(sim, byName('add-users.json'), { orgId: ORG_ID, policyId: POLICY_OPTIONAL });
  const taskId = (started.body as { taskId: string }).taskId;
  const poll = { ...byName('task-status-done.json'), name: 'poll' };
  for (let i = 0; i < polls; i++) await send(sim, poll, { orgId: ORG_ID, taskId });
  return taskId;
}

describe('Cloud contract: the simulator answers with the documented shapes', () => {
  for (const [label, options] of VARIANTS) {
    describe(`simulator (${label})`, () => {
      let sim: CloudSimulator;
      beforeEach(async () => {
        sim = await CloudSimulator.start(options);
      });
      afterEach(async () => {
        await sim.stop();
      });

      for (const f of fixtures) {
        it(`answers ${f.name} as documented`, async () => {
          const values: Record<string, string> = { orgId: ORG_ID, policyId: POLICY_OPTIONAL, accountId: USERS.enrolled.accountId, email: USERS.enrolled.email };
          if (f.name === 'cloud/task-status-in-progress.json') values.taskId = await taskAfter(sim, 0);
          if (f.name === 'cloud/task-status-done.json') values.taskId = await taskAfter(sim, sim.pollsToFinish);
          if (f.name === 'cloud/task-status-with-failures.json') values.taskId = await taskAfter(sim, sim.pollsToFinish, true);
          const answer = await send(sim, f, values);
          assert.equal(answer.status, f.response.status, `${f.name}: status`);
          assert.deepEqual(shapeProblems(f.response.body, answer.body, allowedExtras(sim, f.name)), [], `${f.name}: the simulator's answer does not match the documented example`);
          parsed(PARSERS[f.name](answer.body), `${f.name} (simulator's answer)`);
        });
      }

      it('moves the user only as the documented task status says (counted, not named)', async () => {
        const done = parsed(parseTaskStatus((await send(sim, byName('task-status-done.json'), { orgId: ORG_ID, taskId: await taskAfter(sim, sim.pollsToFinish) })).body, 't'), 'done');
        assert.deepEqual(taskOutcomeFor(done, ['user1@domain.com', 'user2@domain.com']).moved, false, 'the fixture users are unknown to the simulator: they must be named as failures');
        assert.equal(done.failureReasons.length, 2);
      });
    });
  }
});
