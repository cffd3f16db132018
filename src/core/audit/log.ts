/**
 * The audit log: an append-only JSON Lines file, one canonical-JSON entry per line, each
 * entry hash-chained to the one before it (see canonical.ts; read.ts verifies the chain).
 *
 * Appending is safe from several processes at once (the extension and the CLI): a lock file
 * next to the log is held around read-last-hash + append + fsync. Appends from one AuditLog
 * object are also queued in-process. When the entry cannot be made durable the append
 * throws AuditWriteError and leaves the file as it was, so the caller can refuse the action.
 * appendMany() writes a batch the same way under one lock and one fsync.
 */
import { randomBytes } from '../lazyCrypto';
import { AppError } from '../errors';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { redactor as sharedRedactor, type Redactor } from '../redact';
import { GENESIS_HASH, hashedLine, isHash } from './canonical';
import { sanitizeInput, type TextMemo } from './entry';
import { AuditWriteError, toAuditWriteError } from './errors';
import { gapBeforeAppend, headAfterAppend, type AuditHead } from './head';
import { readLinesBackward } from './lines';
import { errnoCode, withFileLock, type LockOptions } from './lock';
import type { AuditEntry, AuditEntryInput, AuditSink } from './types';

/** The few file operations an append needs; replaceable in tests to simulate a full disk. */
export interface AppendHandle {
  /** Current size in bytes. */
  size(): Promise<number>;
  /** Appends all of `data` at the end of the file. */
  write(data: Buffer): Promise<void>;
  /** Flushes the data to stable storage (fsync). */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** Defaults to the process-wide redactor that knows every secret read from the store. */
  redactor?: Redactor;
  lock?: Partial<LockOptions>;
  /** Opens the log for appending; defaults to the real file system. */
  openForAppend?: (file: string) => Promise<AppendHandle>;
  /** Clock and id source, for tests. */
  now?: () => Date;
  newId?: () => string;
  /**
   * Opt-in: remember the last entry written in this head file (kept outside the log), and
   * record an `audit.gap` entry first when it is no longer in the log (see head.ts).
   */
  head?: AuditHead;
  /**
   * Told after each append that reached the disk, with the entries written (a gap entry
   * included): the CLI and the extension ship the log to the team store and syslog then. A
   * throwing listener does not fail the append.
   */
  onAppended?: (entries: readonly AuditEntry[]) => void;
}

// Random bytes for entry ids, drawn from the CSPRNG 4 KB at a time rather than 8 bytes per
// entry (a bulk batch of a thousand entries otherwise makes a thousand calls into it).
let idPool: Buffer = Buffer.alloc(0);
let idAt = 0;

/** A short random id: 16 hex characters (64 bits). */
export function newEntryId(): string {
  if (idAt + 8 > idPool.length) {
    idPool = randomBytes(4096);
    idAt = 0;
  }
  idAt += 8;
  return idPool.toString('hex', idAt - 8, idAt);
}

export async function openFileForAppend(file: string): Promise<AppendHandle> {
  const fh = await fsp.open(file, 'a', 0o600);
  return {
    size: async () => (await fh.stat()).size,
    write: async (data) => {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await fh.write(data, offset, data.length - offset);
        if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
        offset += bytesWritten;
      }
    },
    sync: () => fh.sync(),
    truncate: (length) => fh.truncate(length),
    close: () => fh.close(),
  };
}

/** Below this, an action is refused before it starts (see ready()). */
export const MIN_FREE_BYTES = 32 * 1024;

export class AuditLog implements AuditSink {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly redactor: Redactor;
  private readonly openForAppend: (file: string) => Promise<AppendHandle>;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(
    readonly file: string,
    private readonly options: AuditLogOptions = {},
  ) {
    this.file = path.resolve(file);
    this.redactor = options.redactor ?? sharedRedactor;
    this.openForAppend = options.openForAppend ?? openFileForAppend;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? newEntryId;
  }
  /**
   * Refuses when the log's file system has less than MIN_FREE_BYTES free: a few entries and the
   * lock file need room, and an action whose entry cannot be written must not start. A folder
   * that does not exist yet is created by the first append and is not checked here.
   */
  async ready(): Promise<void> {
    let stats: { bavail: number; bsize: number };
    try {
      stats = await fsp.statfs(path.dirname(this.file));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw toAuditWriteError(e, this.file);
    }
    const free = Number(stats.bavail) * Number(stats.bsize);
    if (free < MIN_FREE_BYTES) {
      throw new AuditWriteError('ENOSPC', this.file,
        `The disk of the audit log ${this.file} is full (${free} bytes free): the action was not started, because its audit entry could not be written.`,
        'Free some space on that disk, or point the audit log at another one, then retry.');
    }
  }


  /** The lock file held while appending: the log's path plus ".lock". */
  get lockFile(): string {
    return `${this.file}.lock`;
  }

  /**
   * Appends one entry and returns it as written (redacted, with id, time and hashes).
   * Resolves only once the line is fsync'ed. Throws AppError("input") for a malformed entry
   * and AuditWriteError (kind "refused") when it could not be written.
   */
  append(input: AuditEntryInput): Promise<AuditEntry> {
    return this.appendMany([input]).then((written) => written[0]);
  }

  /**
   * Appends several entries at once, chained in the given order: one lock, one read of the
   * last hash, one write, one fsync, so that a bulk run of a thousand users pays for the
   * file round trip once instead of a thousand times. Every entry is checked and redacted
   * like append() does before anything is written; one bad entry refuses the whole batch.
   * All or nothing: when the write or fsync fails the file is truncated back and the whole
   * batch is reported as not written (AuditWriteError).
   */
  appendMany(inputs: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
    let clean: AuditEntryInput[];
    try {
      if (!Array.isArray(inputs)) throw new AppError('input', 'Invalid audit entries: not a list.', 'This is a bug in the caller of the audit log.');
      // One memo for this batch only: the entries of a bulk run repeat most of their texts.
      const memo: TextMemo = new Map();
      clean = inputs.map((input) => sanitizeInput(input, this.redactor, this.file, memo));
    } catch (e) {
      return Promise.reject(e);
    }
    if (!clean.length) return Promise.resolve([]);
    const run = this.queue.then(() => this.appendNow(clean));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(clean: AuditEntryInput[]): Promise<AuditEntry[]> {
    try {
      await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      return await withFileLock(this.lockFile, () => this.appendLocked(clean), this.options.lock);
    } catch (e) {
      throw toAuditWriteError(e, this.file);
    }
  }

  private async appendLocked(clean: AuditEntryInput[]): Promise<AuditEntry[]> {
    const { prevHash: tail, endsWithNewline } = await lastHash(this.file);
    const head = this.options.head;
    const gap = head ? await gapBeforeAppend(head, this.file, tail, clean[0], (x) => sanitizeInput(x, this.redactor, this.file)) : undefined;
    let prevHash = tail;
    const entries: AuditEntry[] = [];
    const lines: string[] = [];
    for (const input of gap ? [gap, ...clean] : clean) {
      // Object.assign rather than a spread: several times faster on these objects, same members.
      const entry = Object.assign({}, input, { id: this.newId(), time: this.now().toISOString(), prevHash }) as AuditEntry;
      const { hash, line } = hashedLine(entry); // over every member but `hash`, which it has not yet
      entry.hash = hash;
      entries.push(entry);
      lines.push(line);
      prevHash = hash;
    }
    // After an interrupted write the file may end mid-line: start a new line so that the
    // damaged one stays visible to verify() and these entries stay readable.
    lines.push(''); // the last line's newline, without copying the whole text once more
    const text = `${endsWithNewline ? '' : '\n'}${lines.join('\n')}`;
    const handle = await this.openForAppend(this.file);
    let sizeBefore: number | undefined;
    try {
      sizeBefore = await handle.size();
      await handle.write(Buffer.from(text, 'utf8'));
      await handle.sync();
    } catch (e) {
      // Take back a partial write so that the log keeps its chain; the caller gets the error
      // and none of the entries counts as written.
      if (sizeBefore !== undefined) await handle.truncate(sizeBefore).catch(() => undefined);
      throw e;
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (head) await headAfterAppend(head, this.file, entries[entries.length - 1]);
    try {
      this.options.onAppended?.(entries);
    } catch {
      /* shipping is never a reason to report an append as failed */
    }
    // The caller gets its own entries back, one per input; a gap entry is not one of them.
    return gap ? entries.slice(1) : entries;
  }
}

/**
 * The hash the next entry must chain to: that of the last line holding an entry (damaged
 * lines after it are skipped), or GENESIS_HASH for a missing or empty log. Throws
 * AuditWriteError("ENOTAUDIT") for a non-empty file with no entry at all, which is most
 * likely a file given by mistake.
 */
export async function lastHash(file: string): Promise<{ prevHash: string; endsWithNewline: boolean }> {
  let endsWithNewline = true;
  let first = true;
  let sawContent = false;
  try {
    for await (const line of readLinesBackward(file)) {
      if (first) endsWithNewline = line.terminated;
      first = false;
      if (line.text === undefined || !line.text.trim()) {
        sawContent ||= line.text === undefined;
        continue;
      }
      sawContent = true;
      try {
        const value: unknown = JSON.parse(line.text);
        const hash = value && typeof value === 'object' ? (value as { hash?: unknown }).hash : undefined;
        if (isHash(hash)) return { prevHash: hash, endsWithNewline };
      } catch {
        /* a damaged line: look further back */
      }
    }
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { prevHash: GENESIS_HASH, endsWithNewline: true };
    throw e;
  }
  if (sawContent) {
    throw new AuditWriteError('ENOTAUDIT', file, `Refused to append to ${file}: it is not empty but holds no audit entry.`,
      'Point --audit-file or JIRA2FA_AUDIT_FILE at the audit log (a .jsonl file written by jira2fa), or move this file away.');
  }
  return { prevHash: GENESIS_HASH, endsWithNewline };
}
