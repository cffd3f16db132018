/**
 * The users moved to a temporary authentication policy and not moved back yet. This list is
 * the safety net of the Cloud recovery: a user left in a policy without mandatory 2SV is a
 * security gap, so an entry is written as soon as a move succeeded (or may have succeeded)
 * and removed ONLY after the move back succeeded.
 *
 * Storage is a small interface. The extension and the CLI share one JSON file in the state
 * folder (JsonFileTrackerStorage, written atomically, with a lock), so a move made in one is
 * never missing from the other's list. A file that
 * cannot be read or validated is never overwritten: it may be the only record of who has to
 * be moved back.
 */
import { randomBytes } from '../lazyCrypto';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import { withFileLock } from '../audit/lock';
import { AppError } from '../errors';
import { stateDir } from '../platformPaths';
import { sameEmail } from './paths';

export const TRACKER_FILE_NAME = 'cloud-pending.json';

/**
 * The one list the CLI and the extension share: $JIRA2FA_CLOUD_PENDING_FILE, else
 * <state dir>/cloud-pending.json (next to the audit log).
 */
export function trackerFilePath(env: Record<string, string | undefined> = process.env): string {
  return env.JIRA2FA_CLOUD_PENDING_FILE || path.join(stateDir(env), TRACKER_FILE_NAME);
}

export interface PendingMove {
  orgId: string;
  /** The instance (profile) id the move was made through. */
  instanceId: string;
  accountId: string;
  email: string;
  /** The policy the user came from, and goes back to. */
  fromPolicyId: string;
  /** The temporary policy (2SV not mandatory). */
  toPolicyId: string;
  /** ISO 8601 time the move was confirmed (or started, when unconfirmed). */
  movedAt: string;
  /**
   * "moved": the task completed. "unconfirmed": the task was started but its end was not
   * seen (timeout, network): the user may be in the temporary policy, so the entry stays
   * until a move back succeeds.
   */
  state: 'moved' | 'unconfirmed';
  taskId?: string;
  fromPolicyName?: string;
  toPolicyName?: string;
  /** Who moved the user (audit "admin"). */
  movedBy?: string;
}

export interface TrackerData {
  version: 1;
  entries: PendingMove[];
}

/** Where the list lives. read() resolves to undefined when nothing was stored yet. */
export interface TrackerStorage {
  read(): Promise<unknown>;
  write(data: TrackerData): Promise<void>;
  /** Optional exclusion around read-modify-write across processes (the JSON file has it). */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
  /** For messages: "the file /x/cloud-pending.json", "VS Code's extension state". */
  readonly description: string;
}

const Entry = z.looseObject({
  orgId: z.string().check(z.minLength(1)),
  instanceId: z.string().check(z.minLength(1)),
  accountId: z.string().check(z.minLength(1)),
  email: z.string().check(z.minLength(1)),
  fromPolicyId: z.string().check(z.minLength(1)),
  toPolicyId: z.string().check(z.minLength(1)),
  movedAt: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), { error: 'movedAt is not a date' })),
  state: z._default(z.enum(['moved', 'unconfirmed']), 'moved'),
  taskId: z.optional(z.string()),
  fromPolicyName: z.optional(z.string()),
  toPolicyName: z.optional(z.string()),
  movedBy: z.optional(z.string()),
});

const Data = z.object({ version: z.literal(1), entries: z.array(Entry) });

export class TrackerError extends AppError {

  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super('input', message, hint, options);
    this.name = 'TrackerError';
  }
}

/** Validates stored data; throws TrackerError naming the store when it is not ours. */
export function parseTrackerData(raw: unknown, where: string): TrackerData {
  if (raw === undefined || raw === null) return { version: 1, entries: [] };
  const r = Data.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new TrackerError(`The list of users waiting to be moved back (${where}) is not valid${at}: ${issue?.message ?? 'unknown problem'}.`,
      'Repair it by hand (it is JSON), or move it aside after moving every listed user back in admin.atlassian.com. It is not overwritten.');
  }
  return { version: 1, entries: r.data.entries as PendingMove[] };
}

export interface OverdueMove extends PendingMove {
  /** Hours since movedAt, one decimal. */
  ageHours: number;
}

/** Entries older than maxAgeHours at `now`, oldest first. */
export function overdueMoves(entries: readonly PendingMove[], now: number | Date, maxAgeHours: number): OverdueMove[] {
  const nowMs = typeof now === 'number' ? now : now.getTime();
  return entries
    .map((e) => ({ ...e, ageHours: Math.round(((nowMs - Date.parse(e.movedAt)) / 3_600_000) * 10) / 10 }))
    .filter((e) => nowMs - Date.parse(e.movedAt) > maxAgeHours * 3_600_000)
    .sort((a, b) => Date.parse(a.movedAt) - Date.parse(b.movedAt));
}

export class MoveTracker {
  /** Mutations of this object run one after the other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly storage: TrackerStorage) {}

  /** Every entry, or those of one instance. */
  async list(filter: { instanceId?: string } = {}): Promise<PendingMove[]> {
    const data = await this.read();
    return data.entries.filter((e) => !filter.instanceId || e.instanceId === filter.instanceId);
  }

  /** The entry of one user of an instance, by account id or e-mail address. */
  async find(instanceId: string, who: { accountId?: string; email?: string }): Promise<PendingMove | undefined> {
    const entries = await this.list({ instanceId });
    return entries.find((e) => (who.accountId !== undefined && e.accountId === who.accountId) || (who.email !== undefined && sameEmail(e.email, who.email)));
  }

  /** Adds an entry, replacing the one of the same user and instance. */
  async record(entry: PendingMove): Promise<void> {
    await this.mutate((entries) => [...entries.filter((e) => !(e.instanceId === entry.instanceId && e.accountId === entry.accountId)), entry]);
  }

  /** Removes the entry of a user; resolves to whether there was one. */
  async remove(instanceId: string, accountId: string): Promise<boolean> {
    let removed = false;
    await this.mutate((entries) => {
      const kept = entries.filter((e) => !(e.instanceId === instanceId && e.accountId === accountId));
      removed = kept.length !== entries.length;
      return kept;
    });
    return removed;
  }

  /** Users left in a temporary policy for longer than maxAgeHours. */
  async overdue(now: number | Date, maxAgeHours: number, filter: { instanceId?: string } = {}): Promise<OverdueMove[]> {
    return overdueMoves(await this.list(filter), now, maxAgeHours);
  }

  private async read(): Promise<TrackerData> {
    return parseTrackerData(await this.storage.read(), this.storage.description);
  }

  private mutate(change: (entries: PendingMove[]) => PendingMove[]): Promise<void> {
    const run = async () => {
      const body = async () => {
        const data = await this.read();
        await this.storage.write({ version: 1, entries: change(data.entries) });
      };
      await (this.storage.exclusive ? this.storage.exclusive(body) : body());
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** In memory, for tests. */
export class MemoryTrackerStorage implements TrackerStorage {
  readonly description = 'memory';
  constructor(private value: unknown = undefined) {}

  async read(): Promise<unknown> {
    return this.value === undefined ? undefined : structuredClone(this.value);
  }

  async write(data: TrackerData): Promise<void> {
    this.value = structuredClone(data);
  }
}

/**
 * A JSON file (the CLI's <state dir>/cloud-pending.json). Written atomically: a temporary
 * file in the same folder, fsync, rename over the old one, fsync of the folder; readable by
 * the owner only. A lock file next to it keeps two CLI runs from losing each other's entry.
 */
export class JsonFileTrackerStorage implements TrackerStorage {
  readonly file: string;

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  get description(): string {
    return `the file ${this.file}`;
  }

  async read(): Promise<unknown> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new TrackerError(`Cannot read ${this.file} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, 'Check the permissions of the state folder.', { cause: e });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new TrackerError(`${this.file} is not valid JSON.`,
        'Repair it by hand, or move it aside after moving every listed user back in admin.atlassian.com. It is not overwritten.', { cause: e });
    }
  }

  async write(data: TrackerData): Promise<void> {
    const dir = path.dirname(this.file);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(tmp, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fsp.rename(tmp, this.file);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await fsp.unlink(tmp).catch(() => undefined);
      throw e;
    }
    try {
      const d = await fsp.open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      /* directory fsync is not possible everywhere (Windows) */
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    return withFileLock(`${this.file}.lock`, fn);
  }
}
