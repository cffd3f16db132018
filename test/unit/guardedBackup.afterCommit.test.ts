import assert from 'node:assert/strict';
import type { BackupRecord, BackupState, BackupStore } from '../../src/core/backup/store';
import { withBackupState } from '../../src/core/recovery/guardedBackup';

/** A backup store that only records the states it is told, each taking `delayMs`. */
function fakeStore(delayMs = 0, fail = false): { store: BackupStore; states: Array<{ id: string; state: BackupState; at: number }> } {
  const states: Array<{ id: string; state: BackupState; at: number }> = [];
  let tick = 0;
  const store = {
    async setState(id: string, state: BackupState) {
      await new Promise((r) => setTimeout(r, delayMs));
      if (fail) throw new Error('disk gone');
      states.push({ id, state, at: ++tick });
      return { id, state } as BackupRecord;
    },
  } as unknown as BackupStore;
  return { store, states };
}

const saved = { id: '20261203T000000000Z-abc' } as BackupRecord;

describe('withBackupState: work after the commit, alongside the backup marked committed', () => {
  it('runs afterCommit once the change is committed, while the backup is being marked; both done when it returns', async () => {
    const { store, states } = fakeStore(30);
    const order: string[] = [];
    const track: { backup?: BackupRecord } = {};
    const done = await withBackupState(store, track, async () => {
      track.backup = saved;
      order.push('change');
      return 7;
    }, async (backup, value) => {
      order.push(`after ${backup.id} ${value} (marked: ${states.length})`);
    });
    assert.deepEqual(order, ['change', `after ${saved.id} 7 (marked: 0)`], 'afterCommit started before the marking finished');
    assert.deepEqual(states.map((s) => s.state), ['committed']);
    assert.equal(done.value, 7);
    assert.equal(done.backup, saved);
    assert.equal(done.stateError, undefined);
  });

  it('an afterCommit that fails: its error, only once the backup is marked committed (never rolled back)', async () => {
    const { store, states } = fakeStore(30);
    const track: { backup?: BackupRecord } = {};
    await assert.rejects(
      withBackupState(store, track, async () => {
        track.backup = saved;
      }, async () => {
        throw new Error('audit sink exploded');
      }),
      /audit sink exploded/,
    );
    assert.deepEqual(states.map((s) => s.state), ['committed']);
  });

  it('a failed change: no afterCommit, the backup marked rolled-back', async () => {
    const { store, states } = fakeStore();
    const track: { backup?: BackupRecord } = {};
    let called = false;
    await assert.rejects(
      withBackupState(store, track, async () => {
        track.backup = saved;
        throw new Error('DELETE refused');
      }, async () => {
        called = true;
      }),
      /DELETE refused/,
    );
    assert.equal(called, false);
    assert.deepEqual(states.map((s) => s.state), ['rolled-back']);
  });

  it('a marking that fails is reported as stateError, after afterCommit ran', async () => {
    const { store } = fakeStore(0, true);
    const track: { backup?: BackupRecord } = {};
    let called = false;
    const done = await withBackupState(store, track, async () => {
      track.backup = saved;
    }, async () => {
      called = true;
    });
    assert.equal(called, true);
    assert.match(done.stateError ?? '', /could not be marked committed: .*disk gone/);
  });
});
