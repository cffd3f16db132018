import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonFileTrackerStorage, MemoryTrackerStorage, MoveTracker, overdueMoves, TrackerError, type PendingMove } from '../../src/core/cloud/tracker';

const HOUR = 3_600_000;
const T = Date.parse('2026-11-22T12:00:00Z');

function entry(over: Partial<PendingMove> = {}): PendingMove {
  return {
    orgId: 'org-1', instanceId: 'cloud', accountId: 'acc-1', email: 'alice@example.com',
    fromPolicyId: 'strict', toPolicyId: 'relaxed', movedAt: new Date(T - 2 * HOUR).toISOString(), state: 'moved', ...over,
  };
}

describe('cloud move tracker', () => {
  describe('in memory', () => {
    it('records, finds (account id or e-mail, any case) and removes; one entry per user and instance', async () => {
      const t = new MoveTracker(new MemoryTrackerStorage());
      await t.record(entry());
      await t.record(entry({ toPolicyId: 'other' }));
      await t.record(entry({ instanceId: 'cloud-2' }));
      assert.equal((await t.list()).length, 2);
      assert.equal((await t.find('cloud', { email: 'ALICE@example.com' }))?.toPolicyId, 'other');
      assert.equal((await t.find('cloud', { accountId: 'acc-1' }))?.instanceId, 'cloud');
      assert.equal(await t.find('cloud', { email: 'bob@example.com' }), undefined);
      assert.equal(await t.remove('cloud', 'acc-1'), true);
      assert.equal(await t.remove('cloud', 'acc-1'), false);
      assert.deepEqual((await t.list()).map((e) => e.instanceId), ['cloud-2']);
    });

    it('overdue lists users left longer than the limit, oldest first, with their age', () => {
      const list = [
        entry({ accountId: 'a', movedAt: new Date(T - 30 * HOUR).toISOString() }),
        entry({ accountId: 'b', movedAt: new Date(T - 2 * HOUR).toISOString() }),
        entry({ accountId: 'c', movedAt: new Date(T - 50 * HOUR).toISOString() }),
        entry({ accountId: 'd', movedAt: new Date(T - 24 * HOUR).toISOString() }),
      ];
      const late = overdueMoves(list, T, 24);
      assert.deepEqual(late.map((e) => [e.accountId, e.ageHours]), [['c', 50], ['a', 30]]);
      assert.deepEqual(overdueMoves(list, new Date(T), 1).map((e) => e.accountId), ['c', 'a', 'd', 'b']);
    });

    it('refuses stored data that is not a tracker list, naming where', async () => {
      const t = new MoveTracker(new MemoryTrackerStorage({ version: 1, entries: [{ email: 'x' }] }));
      await assert.rejects(t.list(), (e: unknown) => e instanceof TrackerError && /memory\) is not valid at entries\.0\.orgId/.test(e.message));
      await assert.rejects(t.record(entry()), TrackerError);
    });

    it('reads entries of an older format without "state" as moved', async () => {
      const { state: _s, ...old } = entry();
      const t = new MoveTracker(new MemoryTrackerStorage({ version: 1, entries: [old] }));
      assert.equal((await t.list())[0].state, 'moved');
    });
  });

  describe('JSON file', () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-tracker-'));
      file = path.join(dir, 'state', 'cloud-pending.json');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('starts empty without a file, writes readable JSON, leaves no temporary file', async () => {
      const t = new MoveTracker(new JsonFileTrackerStorage(file));
      assert.deepEqual(await t.list(), []);
      await t.record(entry());
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; entries: PendingMove[] };
      assert.equal(data.version, 1);
      assert.deepEqual(data.entries, [entry()]);
      assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['cloud-pending.json']);
      if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    });

    it('another tracker on the same file (a restart) sees the entries', async () => {
      await new MoveTracker(new JsonFileTrackerStorage(file)).record(entry());
      const again = new MoveTracker(new JsonFileTrackerStorage(file));
      assert.equal((await again.find('cloud', { email: 'alice@example.com' }))?.fromPolicyId, 'strict');
    });

    it('two trackers writing at once lose no entry (lock file around read-modify-write)', async () => {
      const a = new MoveTracker(new JsonFileTrackerStorage(file));
      const b = new MoveTracker(new JsonFileTrackerStorage(file));
      await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).record(entry({ accountId: `acc-${i}` }))));
      assert.equal((await a.list()).length, 12);
      assert.ok(!fs.existsSync(`${file}.lock`), 'the lock is released');
    });

    it('a damaged file is reported and never overwritten', async () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '{"version":1,"entries":[');
      const t = new MoveTracker(new JsonFileTrackerStorage(file));
      await assert.rejects(t.list(), (e: unknown) => e instanceof TrackerError && e.message.includes(file) && e.kind === 'input');
      await assert.rejects(t.record(entry()), TrackerError);
      assert.equal(fs.readFileSync(file, 'utf8'), '{"version":1,"entries":[');
    });
  });
});
