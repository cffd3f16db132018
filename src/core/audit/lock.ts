/**
 * A cross-process exclusive lock on a file path, for short critical sections (the audit
 * log's read-last-hash + append + fsync). The lock is a file created with 'wx' (O_CREAT |
 * O_EXCL), which is atomic on local file systems on every platform. It holds the owner's
 * pid, host and a random token.
 *
 * The owner refreshes the lock (its mtime) every `refreshMs` while it holds it, so a slow
 * append (network storage, a long fsync) keeps its lock however long it takes. A lock is
 * stale, and is broken, only when its owner is a dead process on this host, or when its last
 * refresh is older than `staleMs` (an owner on another host that died, a hung one, or a pid
 * reused after a crash). Breaking renames the
 * lock aside first, which only one contender can do, then checks that the file it moved is
 * the one it judged stale; if a fresh lock was moved by mistake it is linked back.
 */
import { randomBytes } from '../lazyCrypto';
import * as fsp from 'node:fs/promises';
import os from 'node:os';

export interface LockOptions {
  /** A lock not refreshed for this long is taken to be abandoned. */
  staleMs: number;
  /** How often the owner refreshes its lock; default a quarter of staleMs. */
  refreshMs?: number;
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** Wait between attempts: a random time in [retryMinMs, retryMaxMs]. */
  retryMinMs: number;
  retryMaxMs: number;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { staleMs: 10_000, timeoutMs: 20_000, retryMinMs: 5, retryMaxMs: 40 };

export class LockTimeoutError extends Error {
  constructor(
    public readonly lockPath: string,
    public readonly owner: string,
  ) {
    super(`Timed out waiting for the lock ${lockPath}${owner ? ` (held by ${owner})` : ''}`);
    this.name = 'LockTimeoutError';
  }
}

interface LockInfo {
  pid?: unknown;
  host?: unknown;
  token?: unknown;
  time?: unknown;
}

/** Runs `fn` while holding the lock file `lockPath`; the lock is released however fn ends. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: Partial<LockOptions> = {}): Promise<T> {
  const opts = { ...DEFAULT_LOCK_OPTIONS, ...options };
  const token = await acquire(lockPath, opts);
  const heartbeat = startRefreshing(lockPath, token, opts.refreshMs ?? Math.max(1, Math.floor(opts.staleMs / 4)));
  try {
    return await fn();
  } finally {
    await heartbeat.stop();
    await release(lockPath, token);
  }
}

/**
 * Touches the lock every `everyMs` while it is ours (its token), so that others see a live
 * owner however long the locked section takes. A refresh that fails is tried again at the
 * next beat; one in flight is awaited by stop(), so it never touches a later owner's lock.
 */
function startRefreshing(lockPath: string, token: string, everyMs: number): { stop(): Promise<void> } {
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    inFlight = inFlight.then(async () => {
      if (stopped) return;
      const info = await readInfo(lockPath);
      if (info?.token !== token || stopped) return;
      const now = new Date();
      await fsp.utimes(lockPath, now, now).catch(() => undefined);
    });
  }, everyMs);
  timer.unref?.();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

async function acquire(lockPath: string, opts: LockOptions): Promise<string> {
  const token = randomBytes(12).toString('hex');
  const content = JSON.stringify({ pid: process.pid, host: os.hostname(), token, time: new Date().toISOString() });
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await tryCreate(lockPath, content)) return token;
    const gone = await breakIfStale(lockPath, opts.staleMs, token);
    if (Date.now() >= deadline) throw new LockTimeoutError(lockPath, await describeOwner(lockPath));
    if (!gone) await sleep(opts.retryMinMs + Math.random() * Math.max(0, opts.retryMaxMs - opts.retryMinMs));
  }
}

/** true: created (we hold the lock); false: it exists. Other errors are thrown. */
async function tryCreate(lockPath: string, content: string): Promise<boolean> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(lockPath, 'wx', 0o600);
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(content, 'utf8');
    await fh.close();
  } catch (e) {
    // e.g. ENOSPC: do not leave a lock without an owner behind.
    await fh.close().catch(() => undefined);
    await fsp.unlink(lockPath).catch(() => undefined);
    throw e;
  }
  return true;
}

/** true when the lock is gone (or was broken) and acquiring should be retried at once. */
async function breakIfStale(lockPath: string, staleMs: number, token: string): Promise<boolean> {
  let judged: Awaited<ReturnType<typeof fsp.stat>>;
  try {
    judged = await fsp.stat(lockPath);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return true;
    throw e;
  }
  const info = await readInfo(lockPath);
  const deadOwner = info !== undefined && info.host === os.hostname() && typeof info.pid === 'number' && !pidAlive(info.pid);
  const age = Date.now() - judged.mtimeMs;
  if (!deadOwner && age <= staleMs) return false;

  const aside = `${lockPath}.stale-${token}`;
  try {
    await fsp.rename(lockPath, aside);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return true; // someone else broke it first
    if (code === 'EPERM' || code === 'EBUSY' || code === 'EACCES') return false; // Windows: in use, try later
    throw e;
  }
  try {
    const moved = await fsp.stat(aside);
    if (moved.ino !== judged.ino || moved.mtimeMs !== judged.mtimeMs) {
      // Between our look and our rename another process broke the stale lock and took a new
      // one, which we just moved: put it back (link fails if yet another lock exists).
      await fsp.link(aside, lockPath).catch(() => undefined);
    }
  } finally {
    await fsp.unlink(aside).catch(() => undefined);
  }
  return true;
}

async function release(lockPath: string, token: string): Promise<void> {
  const info = await readInfo(lockPath);
  // Only remove our own lock: if ours was broken as stale, the file is someone else's now.
  if (info?.token === token) await fsp.unlink(lockPath).catch(() => undefined);
}

async function readInfo(lockPath: string): Promise<LockInfo | undefined> {
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(lockPath, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as LockInfo) : undefined;
  } catch {
    return undefined; // missing, or being written right now
  }
}

async function describeOwner(lockPath: string): Promise<string> {
  const info = await readInfo(lockPath);
  if (!info) return '';
  const pid = typeof info.pid === 'number' ? `pid ${info.pid}` : 'unknown process';
  const host = typeof info.host === 'string' ? ` on ${info.host}` : '';
  const since = typeof info.time === 'string' ? ` since ${info.time}` : '';
  return `${pid}${host}${since}`;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM'; // exists, owned by another user
  }
}

export function errnoCode(e: unknown): string | undefined {
  return e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
