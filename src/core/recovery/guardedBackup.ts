/**
 * The backup of a guarded change (one snippet run or a bulk run): written inside the change's
 * transaction before its first statement, then marked committed, rolled-back or pending.
 */
import { AppError, describeError } from '../errors';
import { DbError } from '../db/connect';
import type { Column } from '../db/types';
import { encodeRows } from '../backup/codec';
import type { BackupRecord } from '../backup/store';
import type { Snippet } from '../snippets/types';
import type { RecoveryContext } from './context';

type BackupStoreOf = NonNullable<RecoveryContext['backups']>;

/**
 * Writes (and fsyncs, in the store) the backup of the rows a change is about to touch, inside
 * its transaction and before its first statement. A failure is a refusal: nothing was changed.
 */
export async function saveBackup(
  ctx: RecoveryContext,
  store: BackupStoreOf,
  snippet: Snippet,
  tableName: string,
  params: BackupRecord['params'],
  columns: Column[],
  rows: unknown[][],
): Promise<BackupRecord> {
  const db = ctx.profile.database;
  if (!db) throw new AppError('input', `The instance "${ctx.profile.name}" has no database connection configured.`);
  try {
    return await store.save({
      admin: ctx.admin,
      instance: { id: ctx.profile.id, name: ctx.profile.name, product: ctx.profile.product },
      database: { driver: db.driver, dialect: ctx.driver.facts.dialect, serverVersion: ctx.driver.serverVersion, host: db.host, database: db.database },
      snippet: { name: snippet.name, title: snippet.title, source: snippet.source },
      params,
      table: { name: tableName, key: snippet.backupKey ?? [] },
      columns,
      rows: encodeRows(rows),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError(
      'refused',
      `The backup could not be written to ${store.dir}${code ? ` (${code})` : ''}: nothing was changed.`,
      code === 'ENOSPC' ? 'Free disk space and try again.' : 'Check the backup folder and try again.',
      { cause: e },
    );
  }
}

/**
 * Runs a guarded change (its transaction) and then notes the outcome on its backup:
 * committed, or rolled-back / pending when the change failed. `track.backup` is set by the
 * change as soon as the backup is written. `afterCommit`, when given, runs once the change is
 * committed, while the backup is being marked committed (a bulk run writes its audit entries
 * then: two files, each fsynced, instead of one after the other); its error is rethrown once
 * the marking is done.
 */
export async function withBackupState<T>(
  store: BackupStoreOf,
  track: { backup?: BackupRecord },
  change: () => Promise<T>,
  afterCommit?: (backup: BackupRecord, value: T) => Promise<void>,
): Promise<{ value: T; backup: BackupRecord; stateError?: string }> {
  let value: T;
  let backup: BackupRecord;
  try {
    value = await change();
    backup = track.backup!;
  } catch (e) {
    await markFailed(store, track.backup, e);
    throw e;
  }
  const [marked, after] = await Promise.allSettled([markCommitted(store, backup), (async () => afterCommit?.(backup, value))()]);
  if (after.status === 'rejected') throw after.reason;
  return { value, backup, stateError: marked.status === 'fulfilled' ? marked.value : describeError(marked.reason) };
}

/** A statement changed another number of rows than its guard expects: the change is rolled back. */
export function statementMismatch(snippet: Pick<Snippet, 'title'>, changed: number, expected: number, who = ''): AppError {
  return new AppError(
    'refused',
    `${snippet.title}: the statement changed ${changed} rows instead of ${expected}${who}, so it was rolled back; nothing was changed.`,
    'The snippet\'s statement and its backup query do not select the same rows: fix the snippet.',
  );
}

/** After the commit: the backup's state becomes committed; the message when it could not be noted. */
async function markCommitted(store: BackupStoreOf, saved: BackupRecord): Promise<string | undefined> {
  let stateError: string | undefined;
  await store.setState(saved.id, 'committed').catch((e) => {
    stateError = `The backup ${saved.id} could not be marked committed: ${describeError(e)}`;
  });
  return stateError;
}

/**
 * After a failure: a backup already written becomes rolled-back, or pending when the commit
 * itself was lost on the way (the change may or may not have been committed).
 */
async function markFailed(store: BackupStoreOf, saved: BackupRecord | undefined, e: unknown): Promise<void> {
  if (!saved) return;
  const uncertain = e instanceof DbError && e.phase === 'commit' && (e.category === 'connection-lost' || e.category === 'timeout');
  await store.setState(saved.id, uncertain ? 'pending' : 'rolled-back', describeError(e)).catch(() => undefined);
}
