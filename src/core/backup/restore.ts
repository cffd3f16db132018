/**
 * Puts a backup's rows back, in one transaction with bound parameters. If any row's key
 * already exists (the user enrolled again, or the backup was restored before), nothing is
 * restored and the message says which row.
 */
import { AppError, describeError } from '../errors';
import { dialectOf } from '../db/dialect';
import { lookupTable } from '../db/tables';
import type { NamedParams } from '../db/types';
import { DbError } from '../db/connect';
import { outcomeOf, writeAudit, type AuditBase, type RecoveryContext } from '../recovery/context';
import { decodeValue, displayValue } from './codec';
import type { BackupRecord } from './store';

export interface RestoreResult {
  backupId: string;
  table: string;
  rowsRestored: number;
  message: string;
  auditEntryId?: string;
  auditError?: string;
}

/** The INSERT and key-check statements for one backup (exported for unit tests). */
export function restoreStatements(backup: Pick<BackupRecord, 'columns' | 'table'>, tableName: string, quote: (n: string) => string) {
  const table = quote(tableName);
  const cols = backup.columns.map((c) => c.name);
  const keyIdx = backup.table.key.map((k) => {
    const i = cols.findIndex((c) => c.toLowerCase() === k.toLowerCase());
    if (i < 0) throw new AppError('input', `The backup has no column ${k} (its key).`);
    return i;
  });
  const insert = `INSERT INTO ${table} (${cols.map(quote).join(', ')}) VALUES (${cols.map((_, i) => `:c${i}`).join(', ')})`;
  const exists = `SELECT COUNT(*) FROM ${table} WHERE ${keyIdx.map((i, n) => `${quote(cols[i])} = :k${n}`).join(' AND ')}`;
  return { insert, exists, keyIdx };
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

    const quote = ctx.driver.facts.quoteIdent;
    const restored = await ctx.driver.transaction(
      async (tx) => {
        // The spelling may differ from the backup's on another MySQL setup; use what exists now.
        const look = await lookupTable(tx, dialect, backup.table.name);
        const tableName = look.found ?? backup.table.name;
        const { insert, exists, keyIdx } = restoreStatements(backup, tableName, quote);
        let n = 0;
        for (const row of backup.rows) {
          const keyParams: NamedParams = {};
          keyIdx.forEach((ci, k) => {
            keyParams[`k${k}`] = decodeValue(row[ci], backup.columns[ci], dialect);
          });
          const keyText = keyIdx.map((ci) => `${backup.columns[ci].name} = ${JSON.stringify(displayValue(row[ci]))}`).join(', ');
          const found = await tx.query(exists, keyParams);
          if (Number(found.rows[0]?.[0] ?? 0) > 0) {
            throw new AppError(
              'refused',
              `A row with ${keyText} already exists in ${tableName}: nothing was restored.`,
              'The user has enrolled again since the backup, or this backup was restored already.',
            );
          }
          const params: NamedParams = {};
          row.forEach((v, i) => {
            params[`c${i}`] = decodeValue(v, backup.columns[i], dialect);
          });
          let result;
          try {
            result = await tx.query(insert, params);
          } catch (e) {
            if (e instanceof DbError && e.category === 'duplicate-key') {
              throw new AppError('refused', `A row with ${keyText} already exists in ${tableName}: nothing was restored.`, undefined, { cause: e });
            }
            throw e;
          }
          if (result.rowCount !== 1) throw new AppError('refused', `Inserting the row with ${keyText} reported ${result.rowCount} rows: nothing was restored.`);
          n++;
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
