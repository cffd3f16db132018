/**
 * How far one destination (the team store, or syslog) has received the local audit log: the
 * byte offset after the last entry it has, that entry's hash, and each writer's last number
 * and hash. Written only after the destination confirmed (the store's COMMIT, syslog's close),
 * atomically (temp file, fsync, rename), so that a crash leaves the old position: entries may
 * then be sent twice (the store recognises them), never skipped.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from '../../lazyCrypto';
import { isHash } from '../canonical';
import { errnoCode } from '../lock';
import type { WriterHeads } from './records';

export interface ShipPosition {
  version: 1;
  /** The local log this position is in (absolute path). */
  log: string;
  /** Which destination: a description without any secret (URL without password, host:port). */
  destination: string;
  /** Byte offset just after the last entry shipped. */
  offset: number;
  /** Hash of the last entry shipped (GENESIS when none): the next one must chain to it. */
  lastHash: string;
  /** Entries shipped so far. */
  shipped: number;
  writers: WriterHeads;
}

/** The file system calls a position write needs; replaceable in tests (a full disk). */
export interface PositionFs {
  writeFile(file: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const realFs: PositionFs = {
  writeFile: async (file, data) => {
    const fh = await fsp.open(file, 'w', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
};

function validHeads(v: unknown): v is WriterHeads {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  for (const h of Object.values(v as Record<string, unknown>)) {
    const r = h as { seq?: unknown; hash?: unknown } | null;
    if (!r || !Number.isSafeInteger(r.seq) || (r.seq as number) < 1 || !isHash(r.hash)) return false;
  }
  return true;
}

/**
 * The position in `file` for this log and destination; undefined when there is none yet, or it
 * is for another log or destination (shipping then starts from the beginning: the store keeps
 * what it already has). A damaged file is an error: guessing could skip entries.
 */
export async function readPosition(file: string, log: string, destination: string): Promise<ShipPosition | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
  let v: Partial<ShipPosition>;
  try {
    v = JSON.parse(text) as Partial<ShipPosition>;
  } catch {
    throw new Error(`the position file ${file} is not valid JSON; delete it to ship the whole log again (the store ignores what it already has)`);
  }
  if (!v || v.version !== 1 || typeof v.log !== 'string' || typeof v.destination !== 'string' || !Number.isSafeInteger(v.offset) || (v.offset as number) < 0
    || !isHash(v.lastHash) || !Number.isSafeInteger(v.shipped) || !validHeads(v.writers)) {
    throw new Error(`the position file ${file} does not have the expected shape; delete it to ship the whole log again (the store ignores what it already has)`);
  }
  if (v.log !== log || v.destination !== destination) return undefined;
  return v as ShipPosition;
}

/** Replaces the position file atomically. Throws the file system's error (ENOSPC…) unchanged. */
export async function writePosition(file: string, position: ShipPosition, fs: PositionFs = realFs): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, `${JSON.stringify(position)}\n`);
    await fs.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
