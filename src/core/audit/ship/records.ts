/**
 * What is shipped for one audit entry: the entry's own line (canonical JSON, hash-chained in
 * the local log) plus its place in its writer's chain. A writer is one admin on one computer;
 * each writer's entries are numbered 1, 2, 3… (`seq`) and chained by `prevHash`/`hash`, where
 * `hash` covers the writer, the number, the previous hash and the entry's own hash. So a row
 * removed, renumbered or moved between writers breaks that writer's chain, and the entry's
 * content is covered by its own hash as in the local log (canonical.ts: one hashing for both).
 *
 * The numbering is a pure function of the local log read from its start: shipping the same
 * entries again (after a lost position file, or a batch whose COMMIT was not confirmed) gives
 * exactly the same records, which the store recognises as duplicates.
 */
import { canonicalJson, GENESIS_HASH, sha256Hex } from '../canonical';
import type { AuditEntry } from '../types';

export interface ShipRecord {
  entry: AuditEntry;
  /** The entry's line in the local log, byte for byte (canonical JSON). */
  line: string;
  writer: string;
  computer: string;
  seq: number;
  prevHash: string;
  hash: string;
  /** details.ticket when the entry has one (a text), for filtering. */
  ticket?: string;
}

/** Each writer's last number and hash: where its chain goes on. */
export type WriterHeads = Record<string, { seq: number; hash: string }>;

/** Longest writer name: the store's key column holds 700 characters. */
export const MAX_WRITER_LENGTH = 600;

/** "admin@computer"; a very long admin name is cut and made unique by a digest of it. */
export function writerName(admin: string, computer: string): string {
  const full = `${admin}@${computer}`;
  if (full.length <= MAX_WRITER_LENGTH) return full;
  return `${admin.slice(0, 500)}…#${sha256Hex(admin).slice(0, 16)}@${computer}`;
}

/** The hash of a writer's record: over writer, seq, prevHash and the entry's hash. */
export function recordHash(writer: string, seq: number, prevHash: string, entryHash: string): string {
  return sha256Hex(canonicalJson({ entryHash, prevHash, seq, writer }));
}

/** The entry's ticket (details.ticket) when it is a non-empty text. */
export function ticketOf(entry: AuditEntry): string | undefined {
  const t = entry.details?.ticket;
  return typeof t === 'string' && t ? t : undefined;
}

/**
 * Numbers and chains `entries` (log order) per writer, going on from `heads`, which is
 * updated in place. Returns one record per entry.
 */
export function chainRecords(items: ReadonlyArray<{ entry: AuditEntry; line: string }>, computer: string, heads: WriterHeads): ShipRecord[] {
  const out: ShipRecord[] = [];
  for (const { entry, line } of items) {
    const writer = writerName(entry.admin, computer);
    const head = heads[writer] ?? { seq: 0, hash: GENESIS_HASH };
    const seq = head.seq + 1;
    const hash = recordHash(writer, seq, head.hash, entry.hash);
    const rec: ShipRecord = { entry, line, writer, computer, seq, prevHash: head.hash, hash };
    const ticket = ticketOf(entry);
    if (ticket !== undefined) rec.ticket = ticket;
    out.push(rec);
    heads[writer] = { seq, hash };
  }
  return out;
}
