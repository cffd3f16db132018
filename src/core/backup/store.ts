/**
 * Backups of the rows a destructive snippet changes: one JSON file per backup in one folder,
 * written atomically (temporary file, fsync, rename, fsync of the folder), readable only by
 * the owner (the rows can hold TOTP secrets and recovery codes).
 *
 * A backup is written inside the change's transaction, before the statement runs; if it cannot
 * be written, nothing is committed. Its `state` then follows the transaction:
 * pending → committed | rolled-back (pending stays when the outcome could not be confirmed).
 */
import { randomBytes } from '../lazyCrypto';
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import { stateDir } from '../platformPaths';
import type { DbDriverName } from '../profiles/schema';
import type { Column, Dialect } from '../db/types';
import type { EncodedValue } from './codec';
import { printable } from '../printable';

export const BACKUP_FORMAT = 1;
export type BackupState = 'pending' | 'committed' | 'rolled-back';

export interface BackupRecord {
  format: typeof BACKUP_FORMAT;
  id: string;
  /** ISO 8601. */
  createdAt: string;
  admin: string;
  instance: { id: string; name: string; product: string };
  database: { driver: DbDriverName; dialect: Dialect; serverVersion: string; host?: string; database: string };
  snippet: { name: string; title: string; source: string };
  params: Record<string, string | number | boolean | null>;
  /** The table the rows came from (spelling found in the database) and its key column(s). */
  table: { name: string; key: string[] };
  columns: Column[];
  rows: EncodedValue[][];
  state: BackupState;
  stateMessage?: string;
  updatedAt?: string;
  restores: Array<{ at: string; admin: string; rows: number }>;
}

export type NewBackup = Omit<BackupRecord, 'format' | 'id' | 'createdAt' | 'state' | 'restores' | 'updatedAt' | 'stateMessage'>;

export interface BackupSummary {
  id: string;
  createdAt: string;
  instanceId: string;
  instanceName: string;
  snippet: string;
  table: string;
  rowCount: number;
  state: BackupState;
  restoredAt?: string;
  /** The parameters, e.g. { username: "alice" } (never secret). */
  params: Record<string, string | number | boolean | null>;
}

export interface BackupListing {
  backups: BackupSummary[];
  /** Files in the folder that could not be read as backups. */
  problems: Array<{ file: string; message: string }>;
}

/** The file operations the store uses (replaceable in tests to simulate a full disk). */
export interface BackupFs {
  mkdir: typeof nodeFs.mkdir;
  open: typeof nodeFs.open;
  rename: typeof nodeFs.rename;
  readdir: typeof nodeFs.readdir;
  readFile: typeof nodeFs.readFile;
  unlink: typeof nodeFs.unlink;
}

const ID_RE = /^\d{8}T\d{9}Z-[a-z0-9._-]{1,64}-[0-9a-f]{8}$/;

/** The default folder: <state dir>/backups. */
export function defaultBackupDir(): string {
  return path.join(stateDir(), 'backups');
}

/**
 * The folder the extension and the CLI both use, so a backup taken in one can be restored from
 * the other (like the shared audit log): $JIRA2FA_BACKUP_DIR, else <state dir>/backups.
 */
export function backupDirPath(env: Record<string, string | undefined> = process.env): string {
  return env.JIRA2FA_BACKUP_DIR || path.join(stateDir(env), 'backups');
}

function newId(instanceId: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '').replace(/Z$/, 'Z');
  const safe = instanceId.toLowerCase().replace(/[^a-z0-9._-]/g, '_').slice(0, 64) || 'instance';
  return `${stamp}-${safe}-${randomBytes(4).toString('hex')}`;
}

function summary(r: BackupRecord): BackupSummary {
  const last = r.restores[r.restores.length - 1];
  return {
    id: r.id,
    createdAt: r.createdAt,
    instanceId: r.instance.id,
    instanceName: r.instance.name,
    snippet: r.snippet.name,
    table: r.table.name,
    rowCount: r.rows.length,
    state: r.state,
    restoredAt: last?.at,
    params: r.params,
  };
}

function isRecord(x: unknown): x is BackupRecord {
  const r = x as BackupRecord;
  return (
    !!r &&
    r.format === BACKUP_FORMAT &&
    typeof r.id === 'string' &&
    Array.isArray(r.columns) &&
    Array.isArray(r.rows) &&
    !!r.table &&
    Array.isArray(r.table.key) &&
    !!r.instance &&
    !!r.database
  );
}

export class BackupStore {
  private readonly fs: BackupFs;

  constructor(
    readonly dir: string,
    options: { fs?: BackupFs } = {},
  ) {
    this.fs = options.fs ?? nodeFs;
  }

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new AppError('input', `"${printable(id)}" is not a backup id.`, 'List backups to see their ids.');
    return path.join(this.dir, `${id}.json`);
  }

  private async writeAtomic(file: string, data: string): Promise<void> {
    await this.fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    let handle: nodeFs.FileHandle | undefined;
    try {
      handle = await this.fs.open(tmp, 'wx', 0o600);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await this.fs.rename(tmp, file);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await this.fs.unlink(tmp).catch(() => undefined);
      throw e;
    }
    // Make the rename itself durable. Not possible on every platform (Windows): best effort.
    try {
      const dirHandle = await this.fs.open(this.dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch {
      /* directory fsync unsupported */
    }
  }

  /** Writes a new backup (state "pending") and returns it. Throws when it cannot be written. */
  async save(input: NewBackup, now = new Date()): Promise<BackupRecord> {
    const record: BackupRecord = {
      format: BACKUP_FORMAT,
      id: newId(input.instance.id, now),
      createdAt: now.toISOString(),
      admin: input.admin,
      instance: input.instance,
      database: input.database,
      snippet: input.snippet,
      params: input.params,
      table: input.table,
      columns: input.columns,
      rows: input.rows,
      state: 'pending',
      restores: [],
    };
    await this.writeAtomic(this.file(record.id), `${JSON.stringify(record, null, 1)}\n`);
    return record;
  }

  async load(id: string): Promise<BackupRecord> {
    let text: string;
    try {
      text = await this.fs.readFile(this.file(id), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('input', `No backup ${id} in ${this.dir}.`, 'List backups to see their ids.');
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AppError('input', `The backup file ${id}.json is damaged (not JSON).`);
    }
    if (!isRecord(parsed) || parsed.id !== id) throw new AppError('input', `The backup file ${id}.json is not a backup of this program's format.`);
    return parsed;
  }

  async setState(id: string, state: BackupState, message?: string): Promise<BackupRecord> {
    const r = await this.load(id);
    r.state = state;
    r.stateMessage = message;
    r.updatedAt = new Date().toISOString();
    await this.writeAtomic(this.file(id), `${JSON.stringify(r, null, 1)}\n`);
    return r;
  }

  async recordRestore(id: string, admin: string, rows: number): Promise<BackupRecord> {
    const r = await this.load(id);
    r.restores.push({ at: new Date().toISOString(), admin, rows });
    r.updatedAt = new Date().toISOString();
    await this.writeAtomic(this.file(id), `${JSON.stringify(r, null, 1)}\n`);
    return r;
  }

  /** Newest first; optionally one instance's only. */
  async list(filter: { instanceId?: string } = {}): Promise<BackupListing> {
    let names: string[];
    try {
      names = (await this.fs.readdir(this.dir)) as string[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { backups: [], problems: [] };
      throw e;
    }
    const out: BackupListing = { backups: [], problems: [] };
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -5);
      if (!ID_RE.test(id)) continue;
      try {
        const r = await this.load(id);
        if (filter.instanceId && r.instance.id !== filter.instanceId) continue;
        out.backups.push(summary(r));
      } catch (e) {
        out.problems.push({ file: name, message: (e as Error).message });
      }
    }
    out.backups.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));
    return out;
  }
}
