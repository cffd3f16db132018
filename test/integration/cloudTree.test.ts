/**
 * The "Waiting to move back" node under a Cloud organization (src/extension/cloud/cloudTree.ts),
 * run against the `vscode` stand-in: its label follows the shared tracker, and the tree is
 * redrawn only when the list changed (the file watcher sees every change made in the editor a
 * second time, and a redraw rebuilds the rows under the admin's pointer).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { CloudChildren as CloudChildrenType } from '../../src/extension/cloud/cloudTree';
import { MemoryTrackerStorage, MoveTracker, type PendingMove } from '../../src/core/cloud/tracker';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import type { InstancesTree } from '../../src/extension/tree/instancesTree';
import { CloudAdminClient } from '../../src/core/cloud/client';
import { moveToTemporaryPolicy } from '../../src/core/cloud/recovery';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import { cloudProfile, CloudSimulator, ORG_KEY, POLICY_OPTIONAL } from '../support/cloudSimulator';
import { FakeAuditSink, FakeClock } from '../support/fakes';
import { T0 } from '../support/jiraTestKit';

const load = createRequire(__filename);

const profile = { id: 'cloud', name: 'Acme Cloud', product: 'cloud' } as InstanceProfile;

function entry(accountId: string, email: string): PendingMove {
  return {
    orgId: 'org-1', instanceId: 'cloud', accountId, email,
    fromPolicyId: 'strict', toPolicyId: 'relaxed', movedAt: '2026-12-03T12:00:00.000Z', state: 'moved',
  };
}

describe('Cloud "Waiting to move back" node (vscode stand-in)', () => {
  let CloudChildren: typeof CloudChildrenType;
  before(() => {
    (load('../support/vscodeStandIn.cjs') as { installStandIn(settings: unknown[]): void }).installStandIn([]);
    // Required after the stand-in is installed: cloudTree.ts imports `vscode`.
    CloudChildren = (load('../../src/extension/cloud/cloudTree') as { CloudChildren: typeof CloudChildrenType }).CloudChildren;
  });

  function setUp(storage = new MemoryTrackerStorage()) {
    const tracker = new MoveTracker(storage);
    let redraws = 0;
    const tree = { refresh: () => void redraws++ } as unknown as InstancesTree;
    const children = new CloudChildren(tracker, tree);
    const pendingNode = () => (children.childrenOf(profile)[1] as { item: unknown }).item as { description: string; contextValue: string; id: string };
    return { tracker, children, pendingNode, redraws: () => redraws };
  }

  it('lists only users whose move Atlassian\'s task confirmed: a failed task leaves "nobody"', async () => {
    const sim = await CloudSimulator.start({ pollsToFinish: 0 });
    const dispatchers = new DispatcherCache();
    try {
      const t = setUp();
      const cloud = cloudProfile(sim.baseUrl, { id: 'cloud', cloud: { recoveryPolicyId: POLICY_OPTIONAL } });
      const client = new CloudAdminClient({ profile: cloud, apiKey: ORG_KEY, dispatchers, env: {}, clock: new FakeClock(T0) });
      const ctx = { profile: cloud, client, tracker: t.tracker, audit: new FakeAuditSink(), admin: 'ada' };
      sim.failNextTask('The user is not in a verified domain of this organization');
      const failed = await moveToTemporaryPolicy(ctx, { email: 'alice@example.com' });
      assert.equal(failed.outcome?.kind, 'taskFailed');
      await t.children.reload();
      assert.equal(t.pendingNode().description, 'nobody');
      assert.equal((await moveToTemporaryPolicy(ctx, { email: 'alice@example.com' })).ok, true);
      await t.children.reload();
      assert.equal(t.pendingNode().description, '1 user');
    } finally {
      await dispatchers.closeAll();
      await sim.stop();
    }
  });

  it('redraws once per change of the list, not again when a reload finds the same list', async () => {
    const t = setUp();
    await t.children.reload();
    assert.equal(t.redraws(), 1, 'the first reload draws');
    assert.equal(t.pendingNode().description, 'nobody');
    await t.children.reload();
    assert.equal(t.redraws(), 1, 'nothing changed: no redraw');

    await t.tracker.record(entry('a', 'alice@example.com'));
    await t.tracker.record(entry('b', 'bob@example.com'));
    await t.children.reload();
    assert.equal(t.redraws(), 2);
    assert.equal(t.pendingNode().description, '2 users');
    assert.match(t.pendingNode().contextValue, /\bcloudPendingList-nonEmpty\b/);
    await t.children.reload(); // what the file watcher does after our own change
    assert.equal(t.redraws(), 2, 'the watcher seeing our own change again: no redraw');

    await t.tracker.remove('cloud', 'a');
    await t.children.reload();
    assert.equal(t.redraws(), 3, 'a user moved back: redraw');
    assert.equal(t.pendingNode().description, '1 user');
  });

  it('redraws when the list becomes unreadable, and again when it is readable', async () => {
    const storage = new MemoryTrackerStorage();
    const t = setUp(storage);
    await t.children.reload();
    const good = await storage.read();
    await storage.write({ version: 1, entries: [{ email: 'not an entry' }] } as never);
    await t.children.reload();
    assert.equal(t.redraws(), 2);
    assert.equal(t.pendingNode().description, 'cannot be read');
    await t.children.reload();
    assert.equal(t.redraws(), 2, 'the same error: no redraw');
    await storage.write(good as never);
    await t.children.reload();
    assert.equal(t.redraws(), 3);
    assert.equal(t.pendingNode().description, 'nobody');
  });
});
