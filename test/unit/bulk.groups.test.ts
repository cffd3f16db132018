import assert from 'node:assert/strict';
import { checkGroupSelection, describeGroupSource, usersFromGroups, type GroupSourceDeps } from '../../src/core/bulk';
import { reportToMarkdown, newReport } from '../../src/core/bulk/report';
import { AppError } from '../../src/core/errors';

function deps(groups: Record<string, string[]>, extra: Partial<GroupSourceDeps> = {}): GroupSourceDeps {
  return {
    admin: 'Admin',
    members: async (g) => {
      if (!(g in groups)) throw new AppError('input', `There is no group "${g}".`);
      return groups[g];
    },
    ...extra,
  };
}

const sel = (groups: string[], exceptGroups: string[] = [], allEnrolled = false) => ({ groups, exceptGroups, allEnrolled });

describe('bulk from groups (selection)', () => {
  it('refuses mixed or empty selections with the fix', () => {
    assert.throws(() => checkGroupSelection(sel([])), /Name at least one group/);
    assert.throws(() => checkGroupSelection(sel(['a'], [], true)), /not both/);
    assert.throws(() => checkGroupSelection(sel([], ['a'])), /go with "all enrolled"/);
    assert.throws(() => checkGroupSelection(sel(['a', 'A'])), /named twice/);
    assert.throws(() => checkGroupSelection(sel(['  '])), /empty/);
    assert.doesNotThrow(() => checkGroupSelection(sel([], [], true)));
  });

  it('takes each user once across groups, in first-seen order, and leaves the admin out whatever the case', async () => {
    const { list, source } = await usersFromGroups(sel(['a', 'b']), deps({ a: ['x', 'admin', 'Y'], b: ['y', 'z'] }));
    assert.deepEqual(list.users.map((u) => [u.username, u.line]), [['x', 1], ['Y', 2], ['z', 3]]);
    assert.deepEqual(source.excluded, [{ username: 'admin', reason: 'your own account: an admin cannot remove their own two-step verification' }]);
    assert.equal(describeGroupSource(source), 'members of a (3), b (2); 1 left out');
  });

  it('a member name that cannot be sent is a list problem, not a silent drop', async () => {
    const { list } = await usersFromGroups(sel(['a']), deps({ a: ['ok', 'bad\nname'] }));
    assert.deepEqual(list.users.map((u) => u.username), ['ok']);
    assert.equal(list.problems.length, 1);
    assert.equal(list.problems[0].kind, 'invalid');
    assert.equal(list.problems[0].text, 'badU+000Aname');
  });

  it('all enrolled: the database list less the members of the groups, each left-out user with the group', async () => {
    const { list, source } = await usersFromGroups(sel([], ['keep', 'also'], true), deps({ keep: ['b', 'nobody'], also: ['B', 'c'] }, { enrolled: async () => ['a', 'b', 'c', 'd', 'admin'] }));
    assert.deepEqual(list.users.map((u) => u.username), ['a', 'd']);
    assert.deepEqual(source.excluded.map((x) => [x.username, x.reason]), [['b', 'member of "keep"'], ['c', 'member of "also"'], ['admin', 'your own account: an admin cannot remove their own two-step verification']]);
    assert.equal(source.enrolled, 5);
  });

  it('all enrolled needs the database', async () => {
    await assert.rejects(usersFromGroups(sel([], ['keep'], true), deps({ keep: [] })), /needs the instance database/);
  });

  it('an unknown group stops the whole selection', async () => {
    await assert.rejects(usersFromGroups(sel(['a', 'missing']), deps({ a: ['x'] })), /There is no group "missing"/);
  });

  it('the Markdown report lists the groups and who was left out', async () => {
    const { list, source } = await usersFromGroups(sel(['ops|team']), deps({ 'ops|team': ['x', 'admin'] }));
    const md = reportToMarkdown(newReport({ id: 'i', name: 'I', baseUrl: 'https://i', environment: 'test' }, list, 'db', 'me', new Date(), source));
    assert.match(md, /## Users taken from groups/);
    assert.match(md, /\| ops\\\|team \| 2 \| included \|/);
    assert.match(md, /\| admin \| your own account/);
  });
});
