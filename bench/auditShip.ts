/**
 * Shipping a backlog of 10,000 audit entries to the team store on real PostgreSQL: ours
 * (ship(): read the local log from the position, number and chain each writer's records, one
 * transaction of multi-row INSERT … ON CONFLICT DO NOTHING, the read-back that checks every row
 * for a fork, COMMIT, the position file written and fsynced; connecting included) against a
 * bare multi-row INSERT of the same rows with `pg` on an open connection in one transaction
 * (no read of the log, no check, no position). BENCH_SHIP_ENTRIES changes the size.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { readEntries } from '../src/core/audit/read';
import { chainRecords } from '../src/core/audit/ship/records';
import { ship } from '../src/core/audit/ship/shipper';
import { StoreDestination } from '../src/core/audit/store/destination';
import { initStore, openStore } from '../src/core/audit/store/open';
import { STORE_COLUMNS, STORE_TABLE } from '../src/core/audit/store/schema';
import { appendEntries, createTestStore, tempDir } from '../test/support/auditStoreKit';
import { PG } from '../test/support/dbFixtures';
// @ts-expect-error plain ESM helper without types
import { emit, median, now } from './lib/stats.mjs';

const ENTRIES = Number(process.env.BENCH_SHIP_ENTRIES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COMPUTER = 'b0b0b0b0b0b0b0b0';

async function main(): Promise<void> {
  const store = await createTestStore('postgres');
  const dir = await tempDir('j2fa-bench-ship-');
  const log = path.join(dir, 'audit.jsonl');
  const admin = await openStore(store.cfg, store.password);
  const raw = new Client({ ...PG, database: store.cfg.database });
  try {
    await initStore(admin, store.cfg);
    for (let i = 0; i < ENTRIES; i += 1000) await appendEntries(log, Math.min(1000, ENTRIES - i), i, i % 2000 ? 'alice' : 'bob');
    const text = await fsp.readFile(log, 'utf8');
    const lines = text.split('\n').filter((l) => l);
    const { entries } = await readEntries(log);
    const records = chainRecords(entries.map((entry, i) => ({ entry, line: lines[i] })), COMPUTER, {});
    await raw.connect();
    const ours: number[] = [];
    const bare: number[] = [];
    for (let round = -1; round < ROUNDS; round++) {
      await admin.query(`DELETE FROM ${STORE_TABLE}`);
      const pos = path.join(dir, `pos-${round}`);
      const dest = new StoreDestination(store.cfg, store.password);
      let t = now();
      const r = await ship(dest, { log, positionFile: pos, computer: COMPUTER, batchSize: ENTRIES });
      const oursMs = now() - t;
      await dest.close();
      if (r.shipped !== ENTRIES || r.waiting) throw new Error(`shipped ${r.shipped}: ${r.waiting}`);
      await admin.query(`DELETE FROM ${STORE_TABLE}`);
      t = now();
      await raw.query('BEGIN');
      for (let from = 0; from < records.length; from += 1000) {
        const chunk = records.slice(from, from + 1000);
        const values: unknown[] = [];
        const tuples = chunk.map((rec, i) => {
          const e = rec.entry;
          values.push(rec.writer, rec.seq, e.id, rec.prevHash, rec.hash, e.admin, rec.computer, e.instance.id, e.action, e.target ?? null, rec.ticket ?? null, e.outcome, e.time, rec.line);
          return `(${STORE_COLUMNS.map((_, c) => `$${i * STORE_COLUMNS.length + c + 1}`).join(', ')})`;
        });
        await raw.query(`INSERT INTO ${STORE_TABLE} (${STORE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
      }
      await raw.query('COMMIT');
      const bareMs = now() - t;
      if (round >= 0) {
        ours.push(oursMs);
        bare.push(bareMs);
      }
    }
    emit({ entries: ENTRIES, oursMs: median(ours), bareMs: median(bare), rounds: { ours, bare } });
  } finally {
    await raw.end().catch(() => undefined);
    await admin.close();
    await store.db.drop();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
