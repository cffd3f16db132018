/**
 * The instance a command works on when run from the Command Palette: no quick pick when only
 * one instance fits the command (issue 15: "the instance picker appears with a single instance").
 */
import assert from 'node:assert/strict';
import { checkProfile, type InstanceProfile } from '../../src/core/profiles/schema';
import { instanceChoice } from '../../src/extension/instanceCandidates';

function profile(id: string, extra: Record<string, unknown> = {}): InstanceProfile {
  const r = checkProfile({ id, name: `Name ${id}`, product: 'jira', baseUrl: `https://${id}.example.com`, environment: 'test', ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
}

const dc = profile('dc');
const dcDb = profile('dcdb', { database: { driver: 'postgres', host: 'db', database: 'jira' } });
const cloud = profile('org', { product: 'cloud', baseUrl: 'https://api.atlassian.com', orgId: 'o-1' });
const dataCenter = (p: InstanceProfile) => p.product !== 'cloud';
// as snippets/databaseNodes.ts hasDatabase (that file needs vscode)
const hasDatabase = (p: InstanceProfile) => !!p.database && p.product !== 'cloud';

describe('instance choice (the picker is skipped when one instance fits)', () => {
  it('one instance: used without asking', () => {
    assert.deepEqual(instanceChoice([dc]), { use: dc });
  });

  it('several instances, one fits the command: that one (Unenroll with one Data Center instance)', () => {
    assert.deepEqual(instanceChoice([cloud, dc], dataCenter), { use: dc });
    assert.deepEqual(instanceChoice([dc, cloud], (p) => p.product === 'cloud'), { use: cloud });
  });

  it('Run snippet: the one instance with a database among several', () => {
    assert.deepEqual(instanceChoice([dc, dcDb, cloud], hasDatabase), { use: dcDb });
  });

  it('several fit: only those are offered, in their order', () => {
    assert.deepEqual(instanceChoice([dc, cloud, dcDb], dataCenter), { offer: [dc, dcDb] });
    assert.deepEqual(instanceChoice([dc, cloud, dcDb]), { offer: [dc, cloud, dcDb] });
  });

  it('none fits: every instance is offered (or the only one used) so the command says why', () => {
    assert.deepEqual(instanceChoice([dc, cloud], hasDatabase), { offer: [dc, cloud] });
    assert.deepEqual(instanceChoice([cloud], hasDatabase), { use: cloud });
  });
});
