// Bulk from groups: group members read page by page from the simulated Jira and Confluence
// (a group of 2,500 members), unknown and empty groups, the admin in a group, a user in two
// groups, a server that ignores the page offset, and `jira2fa bulk --group` /
// `--all-enrolled --except-group` end to end on a real PostgreSQL database.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadReport, usersFromGroups } from '../../src/core/bulk';
import { groupSourceDeps } from '../../src/core/bulk/groupSource';
import { AppError } from '../../src/core/errors';
import { createJiraClient, type JiraClient } from '../../src/core/jira/client';
import { listEnrolledUsernames } from '../../src/core/recovery/enrolledUsers';
import { addBulkUsers } from '../support/bulkFixtures';
import { createTestDatabase, JIRA_USERS, type TestDatabase } from '../support/dbFixtures';
import { runCliInProcess } from '../support/cliInProcess';
import { MemorySecretStore } from '../support/fakes';
import { ADMIN_TOKEN, standardFixtures, user } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import type { SimGroups } from '../support/jiraSimulatorGroups';
import { InMemorySimulatorStore } from '../support/simulatorStore';

const names = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(4, '0')}`);

async function simWith(product: 'jira' | 'confluence', users: string[], groups: SimGroups): Promise<JiraSimulator> {
  const store = new InMemorySimulatorStore(standardFixtures(users.map((username) => ({ username }))));
  return JiraSimulator.start({ product, store, groups });
}

async function clientFor(sim: JiraSimulator, product: 'jira' | 'confluence'): Promise<JiraClient> {
  const secrets = new MemorySecretStore();
  await secrets.set('g', 'token', ADMIN_TOKEN);
  return createJiraClient({ id: 'g', name: 'Groups', product, baseUrl: sim.baseUrl, environment: 'test', auth: { type: 'pat' } } as never, secrets);
}

describe('bulk from groups: reading members', function () {
  this.timeout(60_000);
  const big = names('member', 1, 2500);

  for (const [product, perPage, pages] of [['jira', 50, 50], ['confluence', 200, 13]] as const) {
    it(`${product}: a group of 2,500 members is read completely, ${perPage} per page`, async () => {
      const sim = await simWith(product, big, { everyone: big });
      const client = await clientFor(sim, product);
      try {
        const r = await client.groupMembers('everyone');
        assert.ok(r.ok && r.value.found);
        assert.equal(r.value.members.length, 2500);
        assert.equal(new Set(r.value.members.map((m) => m.username)).size, 2500);
        const gets = sim.requestsOf('GET').filter((q) => /group/.test(q.rawPath));
        assert.equal(gets.length, pages);
        const offsets = gets.map((q) => Number(new URLSearchParams(q.rawPath.split('?')[1]).get(product === 'jira' ? 'startAt' : 'start')));
        assert.deepEqual(offsets, Array.from({ length: pages }, (_, i) => i * perPage));
        if (product === 'jira') assert.ok(gets.every((q) => q.rawPath.includes('includeInactiveUsers=false') && q.rawPath.includes('maxResults=50')));
      } finally {
        await client.close();
        await sim.stop();
      }
    });

    it(`${product}: an unknown group is "no such group", not an empty one`, async () => {
      const sim = await simWith(product, [], { 'empty-group': [] });
      const client = await clientFor(sim, product);
      try {
        const unknown = await client.groupMembers('nope');
        assert.ok(unknown.ok && !unknown.value.found);
        const empty = await client.groupMembers('empty-group');
        assert.ok(empty.ok && empty.value.found && empty.value.members.length === 0);
        const deps = await groupSourceDeps(client);
        await assert.rejects(usersFromGroups({ groups: ['nope'], exceptGroups: [], allEnrolled: false }, deps), (e: unknown) => e instanceof AppError && e.kind === 'input' && /There is no group "nope"/.test(e.message));
        await assert.rejects(usersFromGroups({ groups: ['empty-group'], exceptGroups: [], allEnrolled: false }, deps), /The groups give no user to change \("empty-group": 0\)/);
      } finally {
        await client.close();
        await sim.stop();
      }
    });
  }

  it('a group name with spaces and a slash is sent as one query value (Jira) and one path segment (Confluence)', async () => {
    for (const product of ['jira', 'confluence'] as const) {
      const sim = await simWith(product, ['x1'], { 'Team A/B & C': ['x1'] });
      const client = await clientFor(sim, product);
      try {
        const r = await client.groupMembers('Team A/B & C');
        assert.ok(r.ok && r.value.found && r.value.members[0].username === 'x1', product);
      } finally {
        await client.close();
        await sim.stop();
      }
    }
  });

  it('Jira leaves inactive members out (includeInactiveUsers=false)', async () => {
    const store = new InMemorySimulatorStore({ ...standardFixtures(), users: [...standardFixtures().users, user('gone', { active: false }), user('here')] });
    const sim = await JiraSimulator.start({ store, groups: { leavers: ['gone', 'here'] } });
    const client = await clientFor(sim, 'jira');
    try {
      const r = await client.groupMembers('leavers');
      assert.ok(r.ok && r.value.found);
      assert.deepEqual(r.value.members.map((m) => m.username), ['here']);
    } finally {
      await client.close();
      await sim.stop();
    }
  });

  it('a server that ignores the page offset ends with an error instead of looping', async () => {
    const members = names('m', 1, 400);
    const sim = await simWith('confluence', members, { big: members });
    const client = await clientFor(sim, 'confluence');
    try {
      const first = { results: members.slice(0, 200).map((username) => ({ type: 'known', username, userKey: username, displayName: username })), start: 0, limit: 200, size: 200, _links: { next: '/rest/api/group/big/member?limit=200&start=200' } };
      sim.setFault({ type: 'status', status: 200, json: first }, { path: /start=200/ });
      const r = await client.groupMembers('big');
      assert.ok(!r.ok);
      assert.match(r.outcome.summary, /ignores the page offset/);
    } finally {
      await client.close();
      await sim.stop();
    }
  });

  it('the admin in a group is left out and shown so; a user in two groups counts once', async () => {
    const sim = await simWith('jira', ['ann', 'bo', 'cy'], { a: ['admin', 'ann', 'bo'], b: ['bo', 'cy', 'ADMIN'] });
    const client = await clientFor(sim, 'jira');
    try {
      const { list, source } = await usersFromGroups({ groups: ['a', 'b'], exceptGroups: [], allEnrolled: false }, await groupSourceDeps(client));
      assert.deepEqual(list.users.map((u) => u.username), ['ann', 'bo', 'cy']);
      assert.deepEqual(source.groups, [{ name: 'a', members: 3 }, { name: 'b', members: 3 }]);
      assert.equal(source.excluded.length, 1);
      assert.equal(source.excluded[0].username, 'admin');
      assert.match(source.excluded[0].reason, /your own account/);
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});

describe('jira2fa bulk --group / --all-enrolled (CLI, PostgreSQL)', function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  let sim: JiraSimulator;
  let dir: string;
  const bulk = names('bulk', 1, 1200);

  before(async () => {
    tdb = await createTestDatabase('postgres', { pgDatabase: true });
    // every 10th not enrolled: 1,080 enrolled bulk users plus the fixture's own, more than one page of list-enrolled
    await addBulkUsers(tdb, 1200, { notEnrolledEvery: 10 });
    sim = await simWith('jira', bulk, { 'team-a': [...names('bulk', 1, 15), 'admin'], 'team-b': names('bulk', 10, 20), keep: names('bulk', 1, 100) });
  });
  after(async () => {
    await sim?.stop();
    await tdb?.drop();
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-bulk-groups-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]) {
    const profile = { ...tdb.profile(false), id: 'grp', name: 'Group Prod', environment: 'production', baseUrl: sim.baseUrl };
    fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify({ version: 1, instances: [profile] }));
    const secrets = new MemorySecretStore();
    await secrets.set('grp', 'token', ADMIN_TOKEN);
    return runCliInProcess(args, dir, secrets, { JIRA2FA_ADMIN: 'cli-admin' });
  }

  it('--group twice: the union once, the admin left out, the enrolled ones disabled after the typed count', async () => {
    const before = await tdb.snapshot();
    const preview = await run(['bulk', '--instance', 'grp', '--via', 'db', '--group', 'team-a', '--group', 'team-b', '--json']);
    assert.equal(preview.code, 0, preview.stderr);
    const p = JSON.parse(preview.stdout) as { counts: Record<string, number>; users: Array<{ username: string }>; source: { groups: unknown; excluded: Array<{ username: string }> } };
    assert.deepEqual(p.users.map((u) => u.username), names('bulk', 1, 20));
    assert.deepEqual(p.source.groups, [{ name: 'team-a', members: 16 }, { name: 'team-b', members: 11 }]);
    assert.deepEqual(p.source.excluded.map((x) => x.username), ['admin']);
    assert.equal(p.counts['would-disable'], 18); // bulk0010 and bulk0020 are not enrolled
    assert.deepEqual(await tdb.snapshot(), before);

    const plain = await run(['bulk', '--instance', 'grp', '--via', 'db', '--group', 'team-a', '--group', 'team-b']);
    assert.match(plain.stdout, /Users from members of team-a \(16\), team-b \(11\); 1 left out\./);
    assert.match(plain.stdout, /left out: admin \(your own account/);

    const done = await run(['bulk', '--instance', 'grp', '--via', 'db', '--group', 'team-a', '--group', 'team-b', '--commit', '--confirm', '18', '--report', 'r.json', '--reason', 'lost phone, ticket by phone']);
    assert.equal(done.code, 0, done.stdout + done.stderr);
    const report = await loadReport(path.join(dir, 'r.json'));
    assert.equal(report.state, 'completed');
    assert.equal(report.users.filter((u) => u.status === 'disabled').length, 18);
    assert.equal(report.source?.kind, 'groups');
    const driver = await tdb.connect();
    try {
      const left = await listEnrolledUsernames(driver, 'jira');
      for (const n of names('bulk', 1, 20)) assert.ok(!left.includes(n), `${n} is still enrolled`);
      assert.ok(left.includes('bulk0021'));
    } finally {
      await driver.close();
    }
  });

  it('--all-enrolled --except-group: every enrolled user (more than one page) except the group', async () => {
    const driver = await tdb.connect();
    let enrolled: string[];
    try {
      enrolled = await listEnrolledUsernames(driver, 'jira');
    } finally {
      await driver.close();
    }
    assert.ok(enrolled.length > 1000, `the list spans pages (${enrolled.length})`);
    assert.equal(new Set(enrolled).size, enrolled.length);
    for (const [, , name, isEnrolled] of JIRA_USERS) assert.equal(enrolled.includes(name), isEnrolled, name);

    const r = await run(['bulk', '--instance', 'grp', '--via', 'db', '--all-enrolled', '--except-group', 'keep', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as { counts: Record<string, number>; users: Array<{ username: string }>; source: { kind: string; enrolled: number; exceptGroups: unknown; excluded: Array<{ username: string; reason: string }> } };
    const keptEnrolled = names('bulk', 1, 100).filter((n) => enrolled.includes(n));
    assert.equal(p.source.kind, 'all-enrolled');
    assert.equal(p.source.enrolled, enrolled.length);
    assert.deepEqual(p.source.exceptGroups, [{ name: 'keep', members: 100 }]);
    assert.deepEqual(p.source.excluded.map((x) => x.username).sort(), keptEnrolled.sort());
    assert.ok(p.source.excluded.every((x) => x.reason === 'member of "keep"'));
    assert.equal(p.users.length, enrolled.length - keptEnrolled.length);
    assert.equal(p.counts['would-disable'], p.users.length);
  });

  it('refuses mixed or incomplete sources before any request', async () => {
    fs.writeFileSync(path.join(dir, 'u.txt'), 'bulk0001\n');
    const requests = sim.requests.length;
    for (const [args, message] of [
      [['--users', 'u.txt', '--group', 'team-a'], /Give the users one way/],
      [['--except-group', 'keep'], /Groups to leave out go with "all enrolled"/],
      [['--all-enrolled', '--group', 'team-a'], /either groups to include or "all enrolled"/],
      [['--group', 'team-a', '--group', 'TEAM-A'], /named twice/],
    ] as const) {
      const r = await run(['bulk', '--instance', 'grp', '--via', 'db', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(sim.requests.length, requests);
  });
});
