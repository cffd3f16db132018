import assert from 'node:assert/strict';
import { envelopeProblem, loadFixtures } from './fixtures';

describe('contract fixtures: where each came from', () => {
  it('every fixture names its https source and the date it was read', () => {
    const all = loadFixtures();
    assert.ok(all.length > 0, 'test/contract/atlassian holds no fixture');
    for (const f of all) assert.equal(envelopeProblem(f), undefined, f.name);
  });

  it('an envelope without its source is refused', () => {
    assert.match(envelopeProblem({ read: '2026-12-06', response: { status: 200 } }) ?? '', /source/);
    assert.match(envelopeProblem({ source: 'https://x', read: 'yesterday', response: { status: 200 } }) ?? '', /read/);
    assert.match(envelopeProblem({ source: 'https://x', read: '2026-12-06' }) ?? '', /status/);
  });
});
