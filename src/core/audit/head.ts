/**
 * The audit "head": a small JSON file kept OUTSIDE the log that remembers, for each audit log
 * this computer appends to, the last entry written to it ({ hash, id, time }). A hash chain
 * cannot show that its last lines were removed (a truncated log is a valid shorter chain);
 * comparing the log with this record can: when the entry it names is no longer in the log,
 * lines at the end were removed or the log was replaced by an older copy.
 *
 * What it does not protect against: someone who can edit both files (they can rewrite the
 * head too, or delete it: a missing head is "no record"), and logs shared by several
 * computers (each computer only knows its own last write).
 *
 * The file is never a reason to refuse an action: an unreadable or corrupt head reads as
 * "no record" and the problem is returned so that callers can report it. Writes replace the
 * file atomically (temp file in the same folder + rename, mode 0600, folder 0700). They are
 * not fsync'ed: after a crash the head may be older than the log (harmless, an older entry
 * is still in the log) or unreadable (reported, then rewritten by the next append).
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from '../lazyCrypto';
import { isHash } from './canonical';
import { readLinesBackward } from './lines';
import { errnoCode } from './lock';
import type { AuditEntry, AuditEntryInput } from './types';

/** The last entry this computer wrote to one log. Only ids, times and hashes: never a secret. */
export interface HeadRecord {
  hash: string;
  id: string;
  time: string;
}

export interface HeadRead {
  /** The record for the log asked about; undefined when there is none (or the file is unreadable). */
  record?: HeadRecord;
  /** Why the head file could not be used (unreadable, not JSON, wrong shape); undefined when fine or absent. */
  problem?: string;
}

interface HeadFileData {
  version: 1;
  logs: Record<string, HeadRecord>;
}

/** Above this many remembered logs, records of logs that no longer exist are dropped on write. */
const PRUNE_ABOVE = 50;

function isRecord(v: unknown): v is HeadRecord {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  // Bounded, so that a tampered head file cannot blow up the messages built from it.
  return isHash(r.hash) && typeof r.id === 'string' && r.id.length <= 200 && typeof r.time === 'string' && r.time.length <= 100;
}

function keyOf(logFile: string): string {
  return path.resolve(logFile);
}

export interface AuditHeadOptions {
  /** Told about problems that do not stop an append: damaged head file, failed update, gap found. */
  onWarning?: (message: string) => void;
}

export class AuditHead {
  readonly file: string;
  /** The last warnings (at most 20), newest last, for callers without an onWarning. */
  readonly warnings: string[] = [];

  constructor(file: string, private readonly options: AuditHeadOptions = {}) {
    this.file = path.resolve(file);
  }

  warn(message: string): void {
    this.warnings.push(message);
    if (this.warnings.length > 20) this.warnings.shift();
    try {
      this.options.onWarning?.(message);
    } catch {
      /* a failing reporter must not fail the append */
    }
  }

  /** The whole file: its records, or a problem (then no records). Missing file: no records, no problem. */
  private async load(): Promise<{ logs: Record<string, HeadRecord>; problem?: string }> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') return { logs: {} };
      return { logs: {}, problem: `the audit head file ${this.file} could not be read (${code ?? 'error'})` };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { logs: {}, problem: `the audit head file ${this.file} is not valid JSON` };
    }
    const data = value as Partial<HeadFileData> | null;
    if (!data || typeof data !== 'object' || data.version !== 1 || !data.logs || typeof data.logs !== 'object' || Array.isArray(data.logs)) {
      return { logs: {}, problem: `the audit head file ${this.file} does not have the expected shape` };
    }
    const logs: Record<string, HeadRecord> = {};
    let bad = 0;
    for (const [key, rec] of Object.entries(data.logs)) {
      if (isRecord(rec)) logs[key] = { hash: rec.hash, id: rec.id, time: rec.time };
      else bad++;
    }
    return bad ? { logs, problem: `the audit head file ${this.file} has ${bad} damaged record(s)` } : { logs };
  }

  /** The record for `logFile`. Never throws: a damaged head file is reported in `problem`. */
  async read(logFile: string): Promise<HeadRead> {
    try {
      const { logs, problem } = await this.load();
      const record = Object.prototype.hasOwnProperty.call(logs, keyOf(logFile)) ? logs[keyOf(logFile)] : undefined;
      return problem ? { record, problem } : { record };
    } catch (e) {
      return { problem: `the audit head file ${this.file} could not be read (${errnoCode(e) ?? 'error'})` };
    }
  }

  /**
   * Records `record` as the last entry written to `logFile`, keeping the other logs' records
   * (a damaged file is replaced). Throws on a file-system error: the caller decides how to
   * report it. Callers hold the log's lock, so writes for one log are serialised; writes for
   * different logs may race and lose each other's update, which only leaves an OLDER record
   * (still in its log, so no false alarm).
   */
  async update(logFile: string, record: HeadRecord): Promise<void> {
    // Read again rather than reuse what the append read before writing: the other logs'
    // records may have moved on since (a small file, one read).
    const key = keyOf(logFile);
    const { logs } = await this.load();
    logs[key] = { hash: record.hash, id: record.id, time: record.time };
    if (Object.keys(logs).length > PRUNE_ABOVE) await prune(logs, key);
    const dir = path.dirname(this.file);
    const data: HeadFileData = { version: 1, logs };
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const tmp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      try {
        await fsp.writeFile(tmp, text, { mode: 0o600 });
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
        await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
        await fsp.writeFile(tmp, text, { mode: 0o600 });
      }
      await fsp.rename(tmp, this.file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }
}

/** Drops the records of logs that no longer exist (never that of `keep`). */
async function prune(logs: Record<string, HeadRecord>, keep: string): Promise<void> {
  for (const key of Object.keys(logs)) {
    if (key === keep) continue;
    try {
      await fsp.stat(key);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') delete logs[key];
    }
  }
}

/**
 * Whether an entry with hash `hash` is in the log (its own `hash` member, not a prevHash),
 * searching from the end since the entry looked for is usually among the last ones. A missing
 * log holds nothing. Damaged lines are skipped. Memory use does not grow with the file.
 */
export async function logHasEntry(logFile: string, hash: string): Promise<boolean> {
  try {
    for await (const line of readLinesBackward(logFile)) {
      if (line.text === undefined || !line.text.includes(hash)) continue;
      try {
        const value: unknown = JSON.parse(line.text);
        if (value && typeof value === 'object' && (value as { hash?: unknown }).hash === hash) return true;
      } catch {
        /* a damaged line: look further */
      }
    }
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
  return false;
}

/** The action of the entry that records a detected gap. */
export const GAP_ACTION = 'audit.gap';

/** The message of an audit.gap entry: ids and times only. */
export function gapMessage(missing: HeadRecord | undefined): string {
  const which = missing ? ` (id ${missing.id}, time ${missing.time})` : '';
  return `The last entry written from this computer${which} is no longer in the log: `
    + 'lines at its end were removed or the log was replaced before this entry.';
}

/** The problem verify() reports when the log is gone but this computer wrote to it. */
export function missingLogMessage(missing: HeadRecord): string {
  return `the log file is missing, but the last entry written to it from this computer (id ${missing.id}, time ${missing.time}) `
    + 'says it existed: it was deleted, moved or renamed';
}

/** The problem verify() reports when the head's entry is not in the log. */
export function missingMessage(missing: HeadRecord): string {
  return `the last entry written from this computer (id ${missing.id}, time ${missing.time}) is missing: `
    + 'lines at the end were removed or the log was replaced by an older copy';
}

/**
 * Called by AuditLog under the log's lock, before writing, with the hash the batch will chain
 * to. When this computer's last entry is neither that tail nor anywhere else in the log, lines
 * were removed: returns an `audit.gap` entry to write first (acted by the batch's first admin,
 * about its instance), so the evidence enters the chain. Never throws: a damaged head file or
 * an unreadable log gives a warning and no gap entry.
 */
export async function gapBeforeAppend(
  head: AuditHead,
  logFile: string,
  tail: string,
  first: AuditEntryInput,
  sanitize: (input: AuditEntryInput) => AuditEntryInput,
): Promise<AuditEntryInput | undefined> {
  const { record, problem } = await head.read(logFile);
  if (problem) head.warn(`${problem}; it was ignored (no record of the last entry written from this computer) and will be rewritten`);
  if (!record || record.hash === tail) return undefined;
  try {
    // Another process or computer appended since: our last entry is further up.
    if (await logHasEntry(logFile, record.hash)) return undefined;
  } catch (e) {
    head.warn(`the audit log ${logFile} could not be searched for the last entry written from this computer (${errnoCode(e) ?? 'error'})`);
    return undefined;
  }
  head.warn(`${gapMessage(record)} Recorded as an ${GAP_ACTION} entry.`);
  const gap: AuditEntryInput = {
    admin: first.admin,
    instance: first.instance,
    action: GAP_ACTION,
    outcome: 'error',
    message: gapMessage(record),
    details: { missingId: record.id, missingTime: record.time, missingHash: record.hash },
  };
  try {
    return sanitize(gap);
  } catch {
    // A hex id or hash can, by chance, contain digits equal to a registered TOTP code, which the
    // redactor refuses: record the gap without them rather than refuse the caller's action.
    try {
      return sanitize({ ...gap, message: gapMessage(undefined), details: undefined });
    } catch {
      head.warn('the gap could not be recorded in the log');
      return undefined;
    }
  }
}

/** Called by AuditLog under the log's lock once the batch is durable. Never throws: a failure is a warning. */
export async function headAfterAppend(head: AuditHead, logFile: string, last: AuditEntry): Promise<void> {
  try {
    await head.update(logFile, { hash: last.hash, id: last.id, time: last.time });
  } catch (e) {
    head.warn(`the entries were written to ${logFile}, but the audit head file ${head.file} could not be updated (${errnoCode(e) ?? 'error'}); `
      + 'a later removal of the last lines may then go unnoticed until the next append');
  }
}
