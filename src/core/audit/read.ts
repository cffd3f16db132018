/**
 * Reading the audit log: a tolerant reader for listings and exports, a reader from the end
 * for the "Recent actions" view, and the verifier of the hash chain.
 */
import * as fsp from 'node:fs/promises';
import { canonicalJson, entryHash, GENESIS_HASH } from './canonical';
import { parseEntryLine } from './entry';
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
  /** Hash of the last entry: store it elsewhere to detect later removal of trailing lines. */
  lastHash: string;
}

const MAX_PROBLEMS = 100;

/**
 * Verifies the whole log. Each line must be an entry in canonical form, its hash must be the
 * SHA-256 of its content, and its prevHash the hash of the entry before it (64 zeros for the
 * first). This detects edited, deleted, inserted and reordered lines, and lines cut short.
 * After a problem, checking goes on from the damaged line so that later ones are reported
 * too. What a hash chain cannot show is the removal of the LAST entries: compare `lastHash`
 * with a copy kept elsewhere for that.
 */
export async function verify(file: string, options: LineReadOptions = {}): Promise<VerifyResult> {
  const result: VerifyResult = { ok: true, exists: true, entries: 0, lines: 0, problems: [], lastHash: GENESIS_HASH };
  const size = await stableSize(file);
  if (size === undefined) return { ...result, exists: false };

  let expectedPrev = GENESIS_HASH;
  let prevLine = 0;
  const problem = (line: number, reason: string) => {
    if (result.problems.length < MAX_PROBLEMS) result.problems.push({ line, reason });
    result.firstBroken ??= { line, reason };
    result.ok = false;
  };
  try {
    for await (const line of readLinesForward(file, { ...options, end: size })) {
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
    if (errnoCode(e) === 'ENOENT') return { ...result, ok: true, exists: false, problems: [], firstBroken: undefined };
    throw e;
  }
  return result;
}

/**
 * The log's size at a moment when no append is in progress, so that verify() does not take a
 * line being written for a cut-short one. Taking the lock is best effort: a log on a
 * read-only medium is verified without it. undefined when the file does not exist.
 */
async function stableSize(file: string): Promise<number | undefined> {
  const size = async () => {
    try {
      return (await fsp.stat(file)).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  };
  if ((await size()) === undefined) return undefined;
  try {
    return await withFileLock(`${file}.lock`, size, { timeoutMs: 2_000 });
  } catch {
    return size();
  }
}
