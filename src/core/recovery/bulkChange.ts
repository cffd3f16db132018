/**
 * The guarded change of a bulk run, set-based: the users go in batches (as many names per
 * statement as the dialect binds in one IN (…): db/batching.ts), each batch with one lookup,
 * one locking backup query and one DELETE, all in ONE transaction. The guards stay per user:
 *
 *  - in the transaction, each name's user key is looked up again (is-enrolled-many); a key
 *    other than the one the preview saw means the user changed since the preview;
 *  - the backup query (disable-2sv-many's @backup, FOR UPDATE where the dialect locks rows)
 *    locks the rows; each row is mapped to its user by its key: every user must have exactly
 *    one row, and no row may belong to no listed user, else nothing happens and the message
 *    names the users;
 *  - ONE backup file of every row is written (fsynced) before the first DELETE;
 *  - each DELETE must remove exactly one row per user of its batch, else everything is rolled
 *    back and the users whose row is still there are named;
 *  - the backup's state ends committed, rolled-back or pending (guardedBackup.ts).
 */
import { AppError } from '../errors';
import { batches, rowsPerStatement } from '../db/batching';
import { dialectOf } from '../db/dialect';
import { tokenize } from '../db/sqlText';
import type { Column, Dialect, Queryable } from '../db/types';
import type { BackupRecord } from '../backup/store';
import type { Product } from '../profiles/schema';
import { expectedRows } from '../snippets/params';
import type { Snippet } from '../snippets/types';
import type { RecoveryContext } from './context';
import { enrollmentLookupSql, lookupBatch } from './probe';
import { saveBackup, statementMismatch, withBackupState } from './guardedBackup';
import { checkChangeAllowed, countMismatch, keyIndexes, lockingBackupSql, renderFor, MAX_ROW_LIMIT } from './runSnippet';

/** The list parameter of the bulk snippets. */
export const BULK_LIST_PARAM = 'usernames';

export interface BulkChangeUser {
  username: string;
  /** The user key the preview found; a different key in the transaction refuses the run. */
  userKey?: string;
}

export interface BulkChangeResult {
  backup: BackupRecord;
  /** Rows deleted (one per user). */
  affected: number;
  stateError?: string;
}

/** How many times a statement uses a parameter (each use binds every item of a list). */
function uses(sql: string, dialect: Dialect, name: string): number {
  return tokenize(sql, dialect).filter((t) => t.type === 'param' && t.name === name).length;
}

/** "a", "b" and 3 more: the users a message names. */
function nameUsers(names: string[]): string {
  const shown = names.slice(0, 10).map((n) => `"${n}"`).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

function textOf(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}

/**
 * Runs `snippet` (a product's disable-2sv-many) for `users` as one guarded change. The caller
 * has checked the profile (checkChangeAllowed) and that users holds no name twice.
 */
export async function runGuardedBulkChange(
  ctx: RecoveryContext,
  snippet: Snippet,
  users: BulkChangeUser[],
  options: {
    backupParams: BackupRecord['params'];
    track?: { backup?: BackupRecord };
    onBatch?: (phase: 'backup' | 'change', done: number, total: number) => void;
    /** Runs once the change is committed, while its backup is marked committed (withBackupState). */
    afterCommit?: (backup: BackupRecord, affected: number) => Promise<void>;
  },
): Promise<BulkChangeResult> {
  const { store } = checkChangeAllowed(ctx, snippet);
  if (!snippet.params.some((p) => p.name === BULK_LIST_PARAM && p.type === 'string[]')) throw new Error(`snippet ${snippet.name} has no list parameter :${BULK_LIST_PARAM}`);
  const product = ctx.profile.product as Product;
  const facts = ctx.driver.facts;
  const dialect = dialectOf(ctx.driver.name);
  const track = options.track ?? {};
  const total = users.length;
  const done = await withBackupState(store, track, () =>
    ctx.driver.transaction(
      async (tx: Queryable) => {
        const r = await renderFor(tx, ctx, snippet);
        const lookupSql = await enrollmentLookupSql(tx, dialect, product, ctx.driver.schema);
        const lockedBackup = lockingBackupSql(ctx, r);
        const perUser = Math.max(...[lookupSql.many, lockedBackup, r.statement].map((sql) => uses(sql, dialect, BULK_LIST_PARAM)));
        const size = rowsPerStatement(facts, perUser, facts.maxInListItems);
        const parts = batches(users, size);

        let columns: Column[] | undefined;
        const rows: unknown[][] = [];
        for (const part of parts) {
          options.onBatch?.('backup', part.from, total);
          const names = part.items.map((u) => u.username);
          // user key → the user of this batch it belongs to, as the database says now.
          const owner = new Map<string, number>();
          const changed: string[] = [];
          const looked = await lookupBatch(tx, lookupSql, names);
          let keyColumns: Column[] | undefined;
          let iUserKey = -1;
          looked.forEach((res, i) => {
            // The results of one batch share their columns: the key column is found once.
            if (res.columns !== keyColumns) {
              keyColumns = res.columns;
              iUserKey = res.columns.findIndex((c) => c.name.toLowerCase() === 'user_key');
            }
            const keys: string[] = [];
            for (const row of res.rows) keys.push(textOf(row[iUserKey]));
            for (const k of keys) owner.set(k, i);
            const seen = part.items[i].userKey;
            if (seen !== undefined && !keys.includes(seen)) changed.push(names[i]);
          });
          if (changed.length) {
            throw new AppError('refused', `${snippet.title}: the user key of ${nameUsers(changed)} is not the one the preview found; nothing was changed.`, 'Preview again.');
          }
          const before = await tx.query(lockedBackup, { [BULK_LIST_PARAM]: names }, { maxRows: MAX_ROW_LIMIT });
          const [iKey] = keyIndexes(snippet, before);
          const count = names.map(() => 0);
          const strays: string[] = [];
          for (const row of before.rows) {
            const i = owner.get(textOf(row[iKey]));
            if (i === undefined) strays.push(textOf(row[iKey]));
            else count[i]++;
          }
          if (strays.length) {
            throw new AppError(
              'refused',
              `${snippet.title}: the backup query finds rows of no listed user (${snippet.backupKey?.[0]} ${strays.slice(0, 5).join(', ')}); nothing was changed.`,
              'The user mapping changed during the run, or the snippet selects other rows: preview again.',
            );
          }
          const wrong = names.filter((_, i) => count[i] !== expectedRows(snippet, { [BULK_LIST_PARAM]: [names[i]] }));
          if (wrong.length === 1) {
            const i = names.indexOf(wrong[0]);
            throw new AppError('refused', countMismatch(snippet, count[i], 1, { username: wrong[0] }));
          }
          if (wrong.length) {
            throw new AppError('refused', `${snippet.title}: ${wrong.length} users do not have exactly one enrollment row now (${nameUsers(wrong)}); nothing was changed.`, 'Preview again: the rows changed since the preview.');
          }
          columns ??= before.columns;
          rows.push(...before.rows);
        }
        options.onBatch?.('backup', total, total);

        track.backup = await saveBackup(ctx, store, snippet, r.backupTableName!, options.backupParams, columns ?? [], rows);

        let deleted = 0;
        for (const part of parts) {
          options.onBatch?.('change', part.from, total);
          const names = part.items.map((u) => u.username);
          const params = { [BULK_LIST_PARAM]: names };
          const expected = expectedRows(snippet, params);
          const result = await tx.query(r.statement, params);
          if (result.rowCount !== expected) {
            // Which users' rows are still there (the rows are locked: only this statement moved them).
            const left = await tx.query(r.backup!, params, { maxRows: MAX_ROW_LIMIT });
            const [iKey] = keyIndexes(snippet, left);
            const leftKeys = new Set(left.rows.map((row) => textOf(row[iKey])));
            const looked = await lookupBatch(tx, lookupSql, names);
            const still = names.filter((_, i) => looked[i].rows.some((row) => leftKeys.has(textOf(row[looked[i].columns.findIndex((c) => c.name.toLowerCase() === 'user_key')]))));
            const who = still.length ? ` (not removed for ${nameUsers(still)})` : ' (rows that were not backed up)';
            throw statementMismatch(snippet, result.rowCount, expected, who);
          }
          deleted += result.rowCount;
        }
        options.onBatch?.('change', total, total);
        return deleted;
      },
      { forChange: true },
    ),
    options.afterCommit,
  );
  return { backup: done.backup, affected: done.value, stateError: done.stateError };
}
