/**
 * Reading the audit log: a tolerant reader for listings and exports, a reader from the end
 * for the "Recent actions" view, and the verifier of the hash chain.
 */
import * as fsp from 'node:fs/promises';
import { canonicalJson, entryHash, GENESIS_HASH } from './canonical';
import { parseEntryLine } from './entry';
import { GAP_ACTION, missingLogMessage, missingMessage, type AuditHead, type HeadRecord } from './head';
import { readLinesBackward, readLinesForward, type LineReadOptions } from './lines';
import { errnoCode, withFileLock } from './lock';
import type { AuditEntry, AuditOutcome } from './types';

export interface LineProblem {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

/** Matches entries whose members equal all the given ones; `since`/`until` bound `time` (ISO). */
export interface AuditFilterSpec {
  instanceId?: string;
  action?: string;
  outcome?: AuditOutcome;
  target?: string;
  admin?: string;
  runId?: string;
  since?: string;
  until?: string;
}

export type AuditFilter = AuditFilterSpec | ((entry: AuditEntry) => boolean);

export function matchesFilter(entry: AuditEntry, filter: AuditFilter | undefined): boolean {
  if (!filter) return true;
  if (typeof filter === 'function') return filter(entry);
  if (filter.instanceId !== undefined && entry.instance.id !== filter.instanceId) return false;
  if (filter.action !== undefined && entry.action !== filter.action) return false;
  if (filter.outcome !== undefined && entry.outcome !== filter.outcome) return false;
  if (filter.target !== undefined && entry.target !== filter.target) return false;
  if (filter.admin !== undefined && entry.admin !== filter.admin) return false;
  if (filter.runId !== undefined && entry.runId !== filter.runId) return false;
  if (filter.since !== undefined && entry.time < filter.since) return false;
  if (filter.until !== undefined && entry.time > filter.until) return false;
  return true;
}

export interface ReadEntriesOptions {
  /** Keep only the last `limit` matching entries (the most recent ones). */
  limit?: number;
  filter?: AuditFilter;
}

export interface ReadEntriesResult {
  /** Oldest first. */
  entries: AuditEntry[];
  /** Lines that are not entries; reading goes on past them. */
  malformed: LineProblem[];
  /** false when the log file does not exist (nothing was recorded yet). */
  exists: boolean;
}

/**
 * Every entry of the log, oldest first, optionally filtered and limited to the most recent
 * ones. Damaged lines are reported in `malformed`, never thrown. Hashes are not checked:
 * that is verify()'s job. A missing file reads as an empty log with `exists: false`.
 */
export async function readEntries(file: string, options: ReadEntriesOptions = {}): Promise<ReadEntriesResult> {
  const limit = options.limit ?? Infinity;
  const entries: AuditEntry[] = [];
  const malformed: LineProblem[] = [];
  const exists = await forEachEntry(file, (entry) => {
    if (!matchesFilter(entry, options.filter)) return;
    entries.push(entry);
    if (entries.length > limit) entries.shift();
  }, (problem) => malformed.push(problem));
  return { entries, malformed, exists };
}

/**
 * Calls `onEntry` for each entry in file order and `onProblem` for each damaged line.
 * Returns false when the file does not exist. Memory use does not grow with the file.
 */
export async function forEachEntry(
  file: string,
  onEntry: (entry: AuditEntry, line: number) => void | Promise<void>,
  onProblem: (problem: LineProblem) => void = () => undefined,
  options: LineReadOptions = {},
): Promise<boolean> {
  try {
    for await (const line of readLinesForward(file, options)) {
      if (line.text === undefined) {
        onProblem({ line: line.lineNo, reason: line.problem ?? 'unreadable line' });
        continue;
      }
      const parsed = parseEntryLine(line.text);
      if ('reason' in parsed) onProblem({ line: line.lineNo, reason: incomplete(line.terminated, parsed.reason) });
      else await onEntry(parsed.entry, line.lineNo);
    }
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
}

function incomplete(terminated: boolean, reason: string): string {
  return terminated ? reason : `incomplete last line, the write was interrupted (${reason})`;
}

/**
 * The last `n` entries, NEWEST FIRST, reading the file backwards so that the cost does not
 * depend on the size of the log. Damaged lines are skipped. A missing file gives [].
 */
export async function recentEntries(file: string, n: number, options: LineReadOptions & { filter?: AuditFilter } = {}): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  if (n <= 0) return out;
  try {
    for await (const line of readLinesBackward(file, options)) {
      if (line.text === undefined) continue;
      const parsed = parseEntryLine(line.text);
      if ('reason' in parsed || !matchesFilter(parsed.entry, options.filter)) continue;
      out.push(parsed.entry);
      if (out.length >= n) break;
    }
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
  return out;
}

export interface VerifyResult {
  /** true when every line is an entry, every hash matches and the chain is unbroken. */
  ok: boolean;
  /** false when the log file does not exist: nothing to verify. */
  exists: boolean;
  /** Number of lines read that hold an entry (damaged lines not counted). */
  entries: number;
  /** Number of lines in the file. */
  lines: number;
  /** The first line that breaks the log and why. */
  firstBroken?: LineProblem;
  /** All problems found (at most 100), the first one included. */
  problems: LineProblem[];
  /** Hash of the last entry (the head file of head.ts keeps it outside the log to detect removed trailing lines). */
  lastHash: string;
  /**
   * `audit.gap` entries in the log: removals of trailing lines found by an append and recorded
   * in the chain (see head.ts). They do not make `ok` false (the chain is intact and the gap is
   * on record) but should be shown as a warning.
   */
  gaps: RecordedGap[];
  /** Only when verify() was given a head: what it says about this log. */
  head?: HeadCheck;
}

export interface RecordedGap {
  /** 1-based line of the audit.gap entry. */
  line: number;
  id: string;
  time: string;
  message: string;
}

export interface HeadCheck {
  /** The head file read. */
  file: string;
  /** The last entry this computer wrote to the log, when it has a record of one. */
  record?: HeadRecord;
  /** Whether that entry is in the log (undefined without a record). */
  found?: boolean;
  /** Why the head file could not be used (then no record): reported, never a failure of the chain. */
  problem?: string;
}

export interface VerifyOptions extends LineReadOptions {
  /** The head file kept outside the log: detects the removal of the last lines (head.ts). */
  head?: AuditHead;
}

const MAX_PROBLEMS = 100;

/**
 * Verifies the whole log. Each line must be an entry in canonical form, its hash must be the
 * SHA-256 of its content, and its prevHash the hash of the entry before it (64 zeros for the
 * first). This detects edited, deleted, inserted and reordered lines, and lines cut short.
 * After a problem, checking goes on from the damaged line so that later ones are reported
 * too. What a hash chain cannot show is the removal of the LAST entries: with `head`, the last
 * entry this computer wrote must still be in the log, else the result is not ok and the last
 * problem (after the last line) says so. The head is read together with the size snapshot,
 * under the log's lock, so that an append in between cannot raise a false alarm.
 */
export async function verify(file: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { head, ...lineOptions } = options;
  const result: VerifyResult = { ok: true, exists: true, entries: 0, lines: 0, problems: [], lastHash: GENESIS_HASH, gaps: [] };
  let check: HeadCheck | undefined;
  const readHead = async () => {
    if (!head) return;
    const { record, problem } = await head.read(file);
    check = { file: head.file, ...(record ? { record } : {}), ...(problem ? { problem } : {}) };
  };
  // The log is missing: fine, unless this computer wrote to it.
  const missingLog = async (): Promise<VerifyResult> => {
    if (!check) await readHead();
    // Built afresh: the log may have vanished while it was being read.
    const out: VerifyResult = { ok: true, exists: false, entries: 0, lines: 0, problems: [], gaps: [], lastHash: GENESIS_HASH };
    if (!check) return out;
    if (!check.record) return { ...out, head: check };
    const p = { line: 1, reason: missingLogMessage(check.record) };
    return { ...out, ok: false, firstBroken: p, problems: [p], head: { ...check, found: false } };
  };
  const size = await stableSize(file, readHead);
  if (size === undefined) return missingLog();
  const wanted = check?.record?.hash;
  let found = false;

  let expectedPrev = GENESIS_HASH;
  let prevLine = 0;
  const problem = (line: number, reason: string) => {
    if (result.problems.length < MAX_PROBLEMS) result.problems.push({ line, reason });
    result.firstBroken ??= { line, reason };
    result.ok = false;
  };
  try {
    for await (const line of readLinesForward(file, { ...lineOptions, end: size })) {
      result.lines = line.lineNo;
      if (line.text === undefined) {
        problem(line.lineNo, incomplete(line.terminated, line.problem ?? 'unreadable line'));
        continue;
      }
      const parsed = parseEntryLine(line.text);
      if ('reason' in parsed) {
        problem(line.lineNo, incomplete(line.terminated, parsed.reason));
        continue;
      }
      result.entries++;
      const { entry, value } = parsed;
      if (entry.hash === wanted) found = true;
      if (entry.action === GAP_ACTION) result.gaps.push({ line: line.lineNo, id: entry.id, time: entry.time, message: entry.message });
      if (!line.terminated) problem(line.lineNo, 'incomplete last line: no newline at its end, the write was interrupted');
      else if (entryHash(value) !== entry.hash) problem(line.lineNo, 'hash does not match the content: the entry was edited');
      else if (canonicalJson(value) !== line.text) problem(line.lineNo, 'the line is not in canonical form: it was edited');
      else if (entry.prevHash !== expectedPrev) {
        problem(line.lineNo, expectedPrev === GENESIS_HASH && prevLine === 0
          ? 'the first entry does not start the chain: entries before it were deleted'
          : `prevHash does not match the entry on line ${prevLine}: a line was deleted, inserted or moved`);
      }
      // Go on from this entry's own claim so that one damaged line is reported once.
      expectedPrev = entry.hash;
      prevLine = line.lineNo;
      result.lastHash = entry.hash;
    }
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return missingLog();
    throw e;
  }
  if (check) {
    result.head = check.record ? { ...check, found } : check;
    if (check.record && !found) {
      // Not capped by MAX_PROBLEMS: this one must always be seen.
      const p = { line: result.lines + 1, reason: missingMessage(check.record) };
      result.problems.push(p);
      result.firstBroken ??= p;
      result.ok = false;
    }
  }
  return result;
}

/**
 * The log's size at a moment when no append is in progress, so that verify() does not take a
 * line being written for a cut-short one. Taking the lock is best effort: a log on a
 * read-only medium is verified without it. undefined when the file does not exist.
 */
async function stableSize(file: string, alsoLocked: () => Promise<void> = async () => undefined): Promise<number | undefined> {
  const size = async () => {
    try {
      return (await fsp.stat(file)).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  };
  if ((await size()) === undefined) return undefined;
  const both = async () => {
    const n = await size();
    await alsoLocked();
    return n;
  };
  try {
    return await withFileLock(`${file}.lock`, both, { timeoutMs: 2_000 });
  } catch {
    return both();
  }
}
