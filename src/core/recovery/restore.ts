/**
 * Puts a backup's rows back, in one transaction with bound parameters. If any row's key
 * already exists (the user enrolled again, or the backup was restored before), nothing is
 * restored and the message says which row. Batched: the keys are checked many rows per
 * SELECT … IN (…), and rows go back many per INSERT … VALUES (one per INSERT on Oracle),
 * each statement cut to the dialect's bind limits.
 */
import { AppError, describeError } from '../errors';
import { batches, MAX_BATCH_ROWS, rowsPerStatement } from '../db/batching';
import { dialectOf } from '../db/dialect';
import { lookupTable } from '../db/tables';
import type { DialectFacts, NamedParams } from '../db/types';
import { DbError } from '../db/connect';
import { outcomeOf, writeAudit, type AuditBase, type RecoveryContext } from './context';
import { decodeValue, displayValue, encodeValue, type EncodedValue } from '../backup/codec';
import type { BackupRecord } from '../backup/store';

export interface RestoreResult {
  backupId: string;
  table: string;
  rowsRestored: number;
  message: string;
  auditEntryId?: string;
  auditError?: string;
}

/** Rows per statement at most (the shared cap of every batched statement). */
export const RESTORE_BATCH_ROWS = MAX_BATCH_ROWS;

/**
 * The statements of a restore (exported for unit tests): a key check that returns which of
 * `n` rows' keys exist already, and an INSERT of `n` rows, with `:k<row>_<key>` and
 * `:c<row>_<column>` placeholders; and how many rows each may carry on this dialect (its
 * bind limit, IN-list limit and multi-row VALUES limit).
 */
export function restoreStatements(
  backup: Pick<BackupRecord, 'columns' | 'table'>,
  tableName: string,
  facts: Pick<DialectFacts, 'quoteIdent' | 'maxBindParams' | 'maxInListItems' | 'maxValuesRows'> & { dialect?: DialectFacts['dialect'] },
  schema?: string,
) {
  const quote = facts.quoteIdent;
  // SQL Server with database.schema names the schema in the statement (see qualifyTables).
  const table = schema && facts.dialect === 'mssql' ? `${quote(schema)}.${quote(tableName)}` : quote(tableName);
  const cols = backup.columns.map((c) => c.name);
  if (!backup.table.key.length) throw new AppError('input', 'The backup names no key column: its rows cannot be checked before they are restored.');
  const keyIdx = backup.table.key.map((k) => {
    const i = cols.findIndex((c) => c.toLowerCase() === k.toLowerCase());
    if (i < 0) throw new AppError('input', `The backup has no column ${k} (its key).`);
    return i;
  });
  const keyCols = keyIdx.map((i) => quote(cols[i]));
  const rowsOf = (n: number, one: (r: number) => string) => Array.from({ length: n }, (_, r) => one(r));
  return {
    keyIdx,
    checkRows: rowsPerStatement(facts, keyIdx.length, facts.maxInListItems),
    insertRows: rowsPerStatement(facts, cols.length, facts.maxValuesRows),
    /** SELECT <key columns> FROM t WHERE key IN (…) (one key column) or (k1 = … AND k2 = …) OR … */
    check(n: number): string {
      const where =
        keyIdx.length === 1
          ? `${keyCols[0]} IN (${rowsOf(n, (r) => `:k${r}_0`).join(', ')})`
          : rowsOf(n, (r) => `(${keyCols.map((c, k) => `${c} = :k${r}_${k}`).join(' AND ')})`).join(' OR ');
      return `SELECT ${keyCols.join(', ')} FROM ${table} WHERE ${where}`;
    },
    insert(n: number): string {
      return `INSERT INTO ${table} (${cols.map(quote).join(', ')}) VALUES ${rowsOf(n, (r) => `(${cols.map((_, i) => `:c${r}_${i}`).join(', ')})`).join(', ')}`;
    },
  };
}

export async function restoreBackup(ctx: RecoveryContext, backupId: string): Promise<RestoreResult> {
  const base: AuditBase = { action: 'backup.restore', backupId, details: {} };
  try {
    const db = ctx.profile.database;
    if (!db) throw new AppError('input', `The instance "${ctx.profile.name}" has no database connection configured.`);
    if (!ctx.backups) throw new AppError('input', 'No backup folder is configured.');
    const backup = await ctx.backups.load(backupId);
    base.details = { snippet: backup.snippet.name, table: backup.table.name, rows: backup.rows.length };
    base.target = typeof backup.params.username === 'string' ? backup.params.username : undefined;
    if (db.readOnly !== false) {
      throw new AppError('refused', `The database connection of "${ctx.profile.name}" is read-only: a restore writes rows and was refused.`, 'Set database.readOnly to false in this instance\'s profile to allow it.');
    }
    if (backup.instance.id !== ctx.profile.id) {
      throw new AppError('refused', `Backup ${backupId} was taken on "${backup.instance.name}" (${backup.instance.id}), not on "${ctx.profile.name}": it is not restored elsewhere.`);
    }
    const dialect = dialectOf(ctx.driver.name);
    if (backup.database.dialect !== dialect) {
      throw new AppError('refused', `Backup ${backupId} comes from a ${backup.database.dialect} database; this connection is ${dialect}.`);
    }
    if (backup.state === 'rolled-back') {
      throw new AppError('refused', `Backup ${backupId} belongs to a change that was rolled back: its rows were never removed, there is nothing to restore.`);
    }
    if (!backup.rows.length) throw new AppError('input', `Backup ${backupId} holds no rows.`);

    const restored = await ctx.driver.transaction(
      async (tx) => {
        // The spelling may differ from the backup's on another MySQL setup; use what exists now.
        const look = await lookupTable(tx, dialect, backup.table.name, ctx.driver.schema);
        const tableName = look.found ?? backup.table.name;
        const st = restoreStatements(backup, tableName, ctx.driver.facts, ctx.driver.schema);
        const keyText = (values: EncodedValue[]) => st.keyIdx.map((ci, k) => `${backup.columns[ci].name} = ${JSON.stringify(displayValue(values[k]))}`).join(', ');
        const keyOf = (row: EncodedValue[]) => st.keyIdx.map((ci) => row[ci]);
        // One spelling per key whatever type the driver chose (5 and "5" are one key).
        const keyId = (values: EncodedValue[]) => JSON.stringify(values.map((v) => (v !== null && typeof v === 'object' ? { base64: v.base64 } : v === null ? null : String(v))));
        const conflict = (values: EncodedValue[]) =>
          new AppError('refused', `A row with ${keyText(values)} already exists in ${tableName}: nothing was restored.`, 'The user has enrolled again since the backup, or this backup was restored already.');
        // Two backup rows with one key could never both go back: say which before touching anything.
        const seen = new Set<string>();
        for (const row of backup.rows) {
          const id = keyId(keyOf(row));
          if (seen.has(id)) throw new AppError('refused', `The backup holds two rows with ${keyText(keyOf(row))}: nothing was restored.`);
          seen.add(id);
        }
        // Every key first, a batch at a time: the first existing one is named, nothing is inserted.
        for (const batch of batches(backup.rows, st.checkRows)) {
          const params: NamedParams = {};
          batch.items.forEach((row, r) => st.keyIdx.forEach((ci, k) => (params[`k${r}_${k}`] = decodeValue(row[ci], backup.columns[ci], dialect))));
          const found = await tx.query(st.check(batch.items.length), params);
          if (!found.rows.length) continue;
          const existing = new Set(found.rows.map((r) => keyId(r.map(encodeValue))));
          // In backup order; a server that compares keys more loosely (case-insensitive
          // collation) may return a spelling no backup row has: then name the server's row.
          const first = batch.items.find((row) => existing.has(keyId(keyOf(row))));
          throw conflict(first ? keyOf(first) : found.rows[0].map(encodeValue));
        }
        let n = 0;
        for (const batch of batches(backup.rows, st.insertRows)) {
          const params: NamedParams = {};
          batch.items.forEach((row, r) => row.forEach((v, i) => (params[`c${r}_${i}`] = decodeValue(v, backup.columns[i], dialect))));
          const which = batch.items.length === 1 ? `the row with ${keyText(keyOf(batch.items[0]))}` : `rows ${batch.from + 1}–${batch.from + batch.items.length} of the backup`;
          let result;
          try {
            result = await tx.query(st.insert(batch.items.length), params);
          } catch (e) {
            if (e instanceof DbError && e.category === 'duplicate-key') {
              // The keys were free a moment ago: another session inserted one since, or
              // another unique index of the table refuses a row.
              throw new AppError('refused', `Inserting ${which} into ${tableName} hit an existing row (${e.message}): nothing was restored.`, undefined, { cause: e });
            }
            throw e;
          }
          if (result.rowCount !== batch.items.length) throw new AppError('refused', `Inserting ${which} reported ${result.rowCount} rows instead of ${batch.items.length}: nothing was restored.`);
          n += batch.items.length;
        }
        return { n, tableName };
      },
      { forChange: true },
    );
    let recordError: string | undefined;
    await ctx.backups.recordRestore(backupId, ctx.admin, restored.n).catch((e) => {
      recordError = `The restore could not be noted in the backup file: ${describeError(e)}`;
    });
    const message = `Restored ${restored.n} row${restored.n === 1 ? '' : 's'} into ${restored.tableName} from backup ${backupId}.`;
    const audit = await writeAudit(ctx, base, 'ok', message);
    return {
      backupId,
      table: restored.tableName,
      rowsRestored: restored.n,
      message,
      auditEntryId: audit.entry?.id,
      auditError: [audit.error, recordError].filter(Boolean).join(' ') || undefined,
    };
  } catch (e) {
    await writeAudit(ctx, base, outcomeOf(e), describeError(e));
    throw e;
  }
}
