/**
 * Ships the local audit log to one destination (the team store or syslog), at least once and
 * in order. The local log stays the first write: an action never waits for, or fails because
 * of, a destination. Entries after the recorded position are the backlog; they are read in
 * batches (under the log's lock, so that a batch an append takes back is never shipped),
 * numbered per writer (records.ts), delivered, and only once the destination confirmed them is
 * the new position written. Anything that fails leaves the position where it was and the
 * backlog waiting, with the reason; the next run sends the same records again.
 */
import { describeError } from '../../errors';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { redactor } from '../../redact';
import { GENESIS_HASH } from '../canonical';
import { parseEntryLine } from '../entry';
import { readLinesForward } from '../lines';
import { errnoCode, withFileLock, type LockOptions } from '../lock';
import type { AuditEntry } from '../types';
import { readPosition, writePosition, type PositionFs, type ShipPosition } from './position';
import { chainRecords, type ShipRecord } from './records';

export interface Destination {
  /** What is recorded in the position file: no secret (a URL without password, host:port). */
  readonly id: string;
  /** For messages: "the team audit store (PostgreSQL at db:5432, database "audit")". */
  readonly label: string;
  /** Resolves only once the destination holds every record durably; records it already has are no error. */
  deliver(records: ShipRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface ShipOptions {
  /** The local audit log (absolute path). */
  log: string;
  positionFile: string;
  computer: string;
  /** Entries per delivery (default 2000). */
  batchSize?: number;
  /** Stop after this many entries (default: the whole backlog). */
  maxEntries?: number;
  fs?: PositionFs;
  lock?: Partial<LockOptions>;
}

export interface ShipResult {
  /** Entries delivered and recorded by this run. */
  shipped: number;
  /** Entries still waiting after this run. */
  backlog: number;
  /** Why the backlog waits; undefined when it is empty or shipping stopped only at maxEntries. */
  waiting?: string;
}

interface Pending {
  entry: AuditEntry;
  line: string;
  next: number;
}

function fresh(log: string, destination: string): ShipPosition {
  return { version: 1, log, destination, offset: 0, lastHash: GENESIS_HASH, shipped: 0, writers: {} };
}

/** Up to `max` entries after `offset` (terminated lines only: an unterminated one is still being written). */
async function readBatch(log: string, offset: number, max: number): Promise<{ items: Pending[]; end: number; missing: boolean }> {
  const items: Pending[] = [];
  let end = offset;
  try {
    for await (const l of readLinesForward(log, { start: offset })) {
      if (!l.terminated) break;
      end = l.next;
      if (l.text === undefined) continue;
      const parsed = parseEntryLine(l.text);
      if ('reason' in parsed) continue;
      items.push({ entry: parsed.entry, line: l.text, next: l.next });
      if (items.length >= max) break;
    }
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { items, end, missing: true };
    throw e;
  }
  return { items, end, missing: false };
}

/** Entries after `offset` in the log (terminated lines holding an entry). */
async function countAfter(log: string, offset: number): Promise<number> {
  let n = 0;
  try {
    for await (const l of readLinesForward(log, { start: offset })) {
      if (!l.terminated) break;
      if (l.text !== undefined && l.text.length > 2 && !('reason' in parseEntryLine(l.text))) n++;
    }
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
  return n;
}

/** How many entries of `log` `destination` does not have yet, by its position file. */
export async function backlogOf(log: string, positionFile: string, destinationId: string): Promise<number> {
  const pos = await readPosition(positionFile, log, destinationId);
  return countAfter(log, pos?.offset ?? 0);
}

function reason(e: unknown): string {
  return redactor.redact(describeError(e));
}

/**
 * Ships the backlog to `dest`. Never throws for a destination or position problem: the result
 * says how many were shipped, how many wait and why. One shipper per position file at a time
 * (a lock file), so the extension and the CLI of one computer do not interleave.
 */
export async function ship(dest: Destination, options: ShipOptions): Promise<ShipResult> {
  const batchSize = options.batchSize ?? 2000;
  const maxEntries = options.maxEntries ?? Infinity;
  const run = async (): Promise<ShipResult> => {
    let pos: ShipPosition;
    try {
      pos = (await readPosition(options.positionFile, options.log, dest.id)) ?? fresh(options.log, dest.id);
    } catch (e) {
      return { shipped: 0, backlog: await countAfter(options.log, 0), waiting: reason(e) };
    }
    let shipped = 0;
    const waiting = async (why: string): Promise<ShipResult> => ({ shipped, backlog: await countAfter(options.log, pos.offset), waiting: why });
    while (shipped < maxEntries) {
      let batch: Awaited<ReturnType<typeof readBatch>>;
      try {
        const offset = pos.offset;
        batch = await withFileLock(`${options.log}.lock`, () => readBatch(options.log, offset, Math.min(batchSize, maxEntries - shipped)), options.lock);
      } catch (e) {
        return waiting(`the local audit log could not be read: ${reason(e)}`);
      }
      if (batch.missing && pos.offset > 0) return waiting(`the local audit log ${options.log} is missing, though ${pos.shipped} of its entries were shipped`);
      if (!batch.items.length) {
        // Only damaged lines (or nothing) after the position: nothing to ship.
        return { shipped, backlog: 0 };
      }
      // The log must go on where shipping stopped: otherwise it was replaced or lines were removed.
      let expected = pos.offset === 0 ? batch.items[0].entry.prevHash : pos.lastHash;
      for (const item of batch.items) {
        if (item.entry.prevHash !== expected) {
          return waiting(`the local audit log's chain is broken before entry ${item.entry.id} (it does not follow the last entry shipped): run "jira2fa audit verify"; nothing after it is shipped`);
        }
        expected = item.entry.hash;
      }
      const writers = structuredClone(pos.writers);
      const records = chainRecords(batch.items, options.computer, writers);
      try {
        await dest.deliver(records);
      } catch (e) {
        return waiting(reason(e)); // the callers name the destination (its label)
      }
      const last = batch.items[batch.items.length - 1];
      const next: ShipPosition = { ...pos, offset: last.next, lastHash: last.entry.hash, shipped: pos.shipped + records.length, writers };
      try {
        await writePosition(options.positionFile, next, options.fs);
      } catch (e) {
        return waiting(`the shipping position could not be recorded in ${options.positionFile} (${errnoCode(e) ?? 'error'}: ${reason(e)}); the entries delivered will be sent again and recognised`);
      }
      pos = next;
      shipped += records.length;
    }
    const backlog = await countAfter(options.log, pos.offset);
    return { shipped, backlog };
  };
  try {
    await fsp.mkdir(path.dirname(options.positionFile), { recursive: true, mode: 0o700 });
    return await withFileLock(`${options.positionFile}.lock`, run, { timeoutMs: 60_000, ...options.lock });
  } catch (e) {
    // Only the position's folder or its lock file can fail here (run() itself never throws).
    const backlog = await backlogOf(options.log, options.positionFile, dest.id).catch(() => countAfter(options.log, 0));
    return { shipped: 0, backlog, waiting: `the shipping position ${options.positionFile} could not be used (${errnoCode(e) ?? 'error'}: ${reason(e)}); nothing was sent` };
  }
}
