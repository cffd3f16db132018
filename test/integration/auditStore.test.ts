/**
 * The team audit store on the real PostgreSQL and MariaDB: shipping, re-sending, faults
 * (store down, session killed before COMMIT, duplicate send, position file on a full disk,
 * fork), each followed by "nothing lost, nothing duplicated": the store holds exactly the
 * local log's entries, once each, and every writer's chain verifies.
 */
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import { ship } from '../../src/core/audit/ship/shipper';
import { StoreDestination } from '../../src/core/audit/store/destination';
import { crossCheck } from '../../src/core/audit/store/crossCheck';
import { initStore, openStore, storeCounts } from '../../src/core/audit/store/open';
import { readStore, storeIdsOf, verifyStore } from '../../src/core/audit/store/read';
import { STORE_TABLE } from '../../src/core/audit/store/schema';
import type { Driver } from '../../src/core/db/types';
import { appendEntries, createTestStore, input, localIds, tempDir, type StoreEngine, type TestStore } from '../support/auditStoreKit';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

for (const engine of ['postgres', 'mysql'] as StoreEngine[]) {
  describe(`team audit store on ${engine === 'postgres' ? 'PostgreSQL' : 'MariaDB'}`, function () {
    this.timeout(120_000);
    let store: TestStore;
    let admin: Driver;
    let dir: string;
    let log: string;
    let posFile: string;
    const computer = 'c0ffee0000000001';

    before(async () => {
      store = await createTestStore(engine);
      admin = await openStore(store.cfg, store.password);
      await initStore(admin, store.cfg);
      await initStore(admin, store.cfg); // safe to run again
    });
    after(async () => {
      await admin?.close();
      await store?.db.drop();
    });
    beforeEach(async () => {
      await admin.query(`DELETE FROM ${STORE_TABLE}`);
      dir = await tempDir();
      log = path.join(dir, 'audit.jsonl');
      posFile = path.join(dir, 'store.pos');
    });
    afterEach(async () => fsp.rm(dir, { recursive: true, force: true }));

    const dest = (opts = {}) => new StoreDestination(store.cfg, store.password, opts);
    const shipNow = async (d = dest(), extra = {}) => {
      try {
        return await ship(d, { log, positionFile: posFile, computer, ...extra });
      } finally {
        await d.close();
      }
    };

    /** Nothing lost, nothing duplicated: the store holds exactly the local entries, chains intact. */
    async function assertExact(): Promise<void> {
      const ids = await localIds(log);
      const inStore = await storeIdsOf(admin, computer);
      assert.equal(inStore.size, ids.length, 'one row per local entry');
      assert.deepEqual([...inStore.keys()].sort(), [...ids].sort());
      const { rows } = await storeCounts(admin);
      assert.equal(rows, ids.length, 'no other row');
      const v = await verifyStore(admin);
      assert.ok(v.ok, JSON.stringify(v.writers));
      const cc = await crossCheck(log, posFile, dest().id, inStore);
      assert.ok(cc.ok, JSON.stringify(cc));
      assert.equal(cc.notYetShipped, 0);
    }

    it('ships the backlog once, numbers each writer 1..n, and ships nothing the second time', async () => {
      await appendEntries(log, 30, 0, 'alice');
      await appendEntries(log, 20, 30, 'bob');
      const r = await shipNow();
      assert.deepEqual(r, { shipped: 50, backlog: 0 });
      await assertExact();
      const v = await verifyStore(admin);
      assert.deepEqual(v.writers.map((w) => [w.writer, w.rows, w.lastSeq]), [[`alice@${computer}`, 30, 30], [`bob@${computer}`, 20, 20]]);
      assert.deepEqual(await shipNow(), { shipped: 0, backlog: 0 });
      const shown = await readStore(admin, { admin: 'bob', ticket: 'OPS-1031' });
      assert.equal(shown.rows.length, 1);
      assert.equal(shown.rows[0].entry.target, 'user31');
    });

    it('a duplicate send (position file lost) adds no row', async () => {
      await appendEntries(log, 40);
      assert.equal((await shipNow()).shipped, 40);
      await fsp.rm(posFile);
      const again = await shipNow();
      assert.deepEqual(again, { shipped: 40, backlog: 0 }, 'sent again and accepted as exact duplicates');
      await assertExact();
    });

    it('store stopped before a batch: the backlog waits with the reason, then ships in full', async () => {
      await appendEntries(log, 10);
      assert.equal((await shipNow()).shipped, 10);
      await appendEntries(log, 15, 10);
      const down = new StoreDestination({ ...store.cfg, host: '127.0.0.1', port: await closedPort() }, store.password, { connectTimeoutMs: 3000 });
      // Same store id as the real one, so that the position applies (the store "stopped").
      Object.defineProperty(down, 'id', { value: dest().id });
      const r = await shipNow(down);
      assert.equal(r.shipped, 0);
      assert.equal(r.backlog, 15);
      assert.match(r.waiting ?? '', /refused/i);
      const later = await shipNow();
      assert.deepEqual(later, { shipped: 15, backlog: 0 });
      await assertExact();
    });

    it('the session killed before COMMIT: nothing recorded, the batch is sent again whole', async () => {
      await appendEntries(log, 500);
      let killed = 0;
      const d = dest({
        beforeCommit: async (sessionId: string) => {
          if (killed++ === 0) await store.db.killSession(sessionId);
        },
      });
      const r = await shipNow(d, { batchSize: 200 });
      assert.equal(r.shipped, 0, 'the first batch was not committed');
      assert.equal(r.backlog, 500);
      assert.ok(r.waiting, 'a reason is given');
      assert.equal((await storeCounts(admin)).rows, 0, 'the killed transaction left nothing');
      const again = await shipNow(undefined, { batchSize: 200 });
      assert.deepEqual(again, { shipped: 500, backlog: 0 });
      await assertExact();
    });

    it('the position file on a full disk: a clear reason, and the re-send later duplicates nothing', async () => {
      await appendEntries(log, 25);
      const full = { writeFile: async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); }, rename: fsp.rename };
      const r = await shipNow(undefined, { fs: full });
      assert.equal(r.shipped, 0);
      assert.equal(r.backlog, 25);
      assert.match(r.waiting ?? '', /position could not be recorded.*ENOSPC/);
      assert.equal((await storeCounts(admin)).rows, 25, 'the store committed');
      assert.deepEqual(await shipNow(), { shipped: 25, backlog: 0 });
      await assertExact();
    });

    it('a really full disk (tmpfs) under the position file and then the log: clear errors, nothing lost or duplicated', async function () {
      if (process.platform !== 'linux' || process.getuid?.() !== 0) this.skip(); // mounting needs root
      const mnt = path.join(dir, 'full');
      fs.mkdirSync(mnt);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
      } catch {
        this.skip();
      }
      try {
        const fullLog = path.join(mnt, 'audit.jsonl');
        const fullPos = path.join(mnt, 'store.pos');
        await appendEntries(fullLog, 20);
        const filler = path.join(mnt, 'filler');
        try {
          fs.writeFileSync(filler, Buffer.alloc(1 << 20));
        } catch (e) {
          assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
        }
        // The log cannot take another entry: the append is refused with ENOSPC and nothing half-written stays.
        const sizeBefore = fs.statSync(fullLog).size;
        await assert.rejects(new AuditLog(fullLog).append(input(500)), (e: Error) => /could not be written.*ENOSPC/s.test(e.message));
        assert.equal(fs.statSync(fullLog).size, sizeBefore);
        // The position (and its lock file) cannot be written: the reason says so, the backlog stays.
        const d = dest();
        const r = await ship(d, { log: fullLog, positionFile: fullPos, computer });
        await d.close();
        assert.equal(r.shipped, 0);
        assert.equal(r.backlog, 20);
        assert.match(r.waiting ?? '', /shipping position .*store\.pos could not be used \(ENOSPC/);
        fs.rmSync(filler);
        const d2 = dest();
        assert.deepEqual(await ship(d2, { log: fullLog, positionFile: fullPos, computer }), { shipped: 20, backlog: 0 });
        await d2.close();
        log = fullLog;
        posFile = fullPos;
        await assertExact();
      } finally {
        execFileSync('umount', [mnt], { stdio: 'ignore' });
      }
    });

    it('a fork (another log under the same writer) is refused and reported, the store unchanged', async () => {
      await appendEntries(log, 5);
      assert.equal((await shipNow()).shipped, 5);
      const otherDir = await tempDir();
      try {
        const otherLog = path.join(otherDir, 'audit.jsonl');
        await appendEntries(otherLog, 3, 100);
        const d = dest();
        const r = await ship(d, { log: otherLog, positionFile: path.join(otherDir, 'pos'), computer });
        await d.close();
        assert.equal(r.shipped, 0);
        assert.equal(r.backlog, 3);
        assert.match(r.waiting ?? '', /Fork in the team audit store: writer alice@c0ffee0000000001 number 1 is already entry/);
        await assertExact();
      } finally {
        await fsp.rm(otherDir, { recursive: true, force: true });
      }
    });

    it('verify names a removed row (gap) and an edited row', async () => {
      await appendEntries(log, 6);
      await shipNow();
      await admin.query(`DELETE FROM ${STORE_TABLE} WHERE seq = 3`);
      await admin.query(`UPDATE ${STORE_TABLE} SET entry = REPLACE(entry, 'user4', 'mallory') WHERE seq = 5`);
      const v = await verifyStore(admin);
      assert.equal(v.ok, false);
      assert.deepEqual(v.writers[0].gaps, [[3, 3]]);
      assert.deepEqual(v.writers[0].broken.map((b) => b.seq), [5]);
      const cc = await crossCheck(log, posFile, dest().id, await storeIdsOf(admin, computer));
      assert.equal(cc.missingFromStore.length, 1, 'the removed row is named as missing from the store');
    });

    it('entries appended while a ship runs are shipped by the next run, in order', async () => {
      await appendEntries(log, 100);
      const l = new AuditLog(log);
      const [r] = await Promise.all([shipNow(), (async () => { for (let i = 0; i < 20; i++) await l.append(input(1000 + i)); })()]);
      assert.ok(r.shipped >= 100);
      const r2 = await shipNow();
      assert.equal(r.shipped + r2.shipped, 120);
      await assertExact();
    });

    it('10 writers appending 1,000 entries each at once end with 10,000 rows, 10 valid chains, no duplicate, no gap', async function () {
      this.timeout(300_000);
      const dirs: string[] = [];
      try {
        await Promise.all(Array.from({ length: 10 }, async (_, w) => {
          const wd = await tempDir();
          dirs.push(wd);
          const wlog = path.join(wd, 'audit.jsonl');
          const c = `00000000000000${String(w).padStart(2, '0')}`;
          for (let chunk = 0; chunk < 10; chunk++) {
            await appendEntries(wlog, 100, chunk * 100, `admin${w}`);
            const d = dest();
            const r = await ship(d, { log: wlog, positionFile: path.join(wd, 'pos'), computer: c });
            await d.close();
            assert.equal(r.waiting, undefined);
          }
        }));
        const { rows, writers } = await storeCounts(admin);
        assert.equal(rows, 10_000);
        assert.equal(writers, 10);
        const v = await verifyStore(admin);
        assert.ok(v.ok);
        assert.equal(v.writers.length, 10);
        for (const w of v.writers) assert.deepEqual([w.rows, w.lastSeq, w.gaps.length, w.broken.length], [1000, 1000, 0, 0]);
        const dup = await admin.query(`SELECT COUNT(DISTINCT entry_id) FROM ${STORE_TABLE}`);
        assert.equal(Number(dup.rows[0][0]), 10_000);
      } finally {
        await Promise.all(dirs.map((d) => fsp.rm(d, { recursive: true, force: true })));
      }
    });
  });
}
