/**
 * Runs snippets against an instance's database, with the guards the product promises:
 *
 *  - read snippets: a read-only transaction (rolled back at the end), a row limit;
 *  - destructive snippets: preview (the backup query, read-only) → execute in ONE transaction:
 *    backup query with row locks → exactly the expected number of rows or stop → backup file
 *    written (before the change) → statement → exactly the expected count or roll back →
 *    commit → audit entry pointing at the backup;
 *  - readOnly profiles refuse destructive snippets; every attempt is audited, refused ones too.
 */
import { createHash } from '../lazyCrypto';
import { AppError, describeError } from '../errors';
import { dialectOf } from '../db/dialect';
import { resolveTableSpellings } from '../db/tables';
import type { Column, QueryResult, Queryable } from '../db/types';
import { encodeRows } from '../backup/codec';
import { saveBackup, statementMismatch, withBackupState } from './guardedBackup';
import type { BackupRecord } from '../backup/store';
import { coerceParams, expectedRows, type SnippetValues } from '../snippets/params';
import { aoTablesOf, renderSnippet, type RenderedSnippet } from '../snippets/render';
import type { Snippet, SnippetProduct } from '../snippets/types';
import { outcomeOf, targetOf, writeAudit, type AuditBase, type RecoveryContext } from './context';

export const DEFAULT_ROW_LIMIT = 1000;
export const MAX_ROW_LIMIT = 100_000;

export interface ReadRunResult {
  snippet: string;
  columns: Column[];
  rows: unknown[][];
  /** Rows returned (at most rowLimit). */
  rowCount: number;
  /** More rows existed than rowLimit; only the first rowLimit are in `rows`. */
  truncated: boolean;
  rowLimit: number;
  /** The SQL that ran, with :named parameters (values are bound, not shown). */
  sql: string;
  auditEntryId?: string;
  auditError?: string;
}

export interface DestructivePreview {
  snippet: string;
  /** Table the rows are backed up from (spelling found in the database) and its key. */
  table: string;
  key: string[];
  /** The rows the statement would change, as the backup query returns them now. */
  columns: Column[];
  rows: unknown[][];
  expected: number;
  /** The backup query finds exactly `expected` rows: the change may run. */
  matchesExpectation: boolean;
  /** The profile allows changes (database.readOnly is false). */
  allowed: boolean;
  message: string;
  statementSql: string;
  backupSql: string;
  /** Pass to executeDestructiveSnippet to refuse if the rows changed since this preview. */
  fingerprint: string;
  auditEntryId?: string;
  auditError?: string;
}

export interface DestructiveRunResult {
  snippet: string;
  backupId: string;
  /** Rows the statement changed (equal to the expected count). */
  affected: number;
  message: string;
  auditEntryId?: string;
  auditError?: string;
}

function database(ctx: RecoveryContext) {
  const db = ctx.profile.database;
  if (!db) throw new AppError('input', `The instance "${ctx.profile.name}" has no database connection configured.`, 'Add a database section to its profile.');
  return db;
}

/** The snippet fits this instance (product, dialect, kind) or an AppError says why not. */
function checkFit(ctx: RecoveryContext, snippet: Snippet, kind: Snippet['kind']): void {
  const db = database(ctx);
  if (snippet.kind !== kind) {
    throw new AppError('input', `${snippet.name} is a ${snippet.kind} snippet.`, kind === 'read' ? 'Use preview and execute for destructive snippets.' : 'Run it as a read snippet.');
  }
  if (!snippet.products.includes(ctx.profile.product as SnippetProduct)) {
    throw new AppError('input', `${snippet.name} is for ${snippet.products.join(', ')}, not ${ctx.profile.product}.`);
  }
  const dialect = dialectOf(db.driver);
  if (!snippet.dialects.includes(dialect)) throw new AppError('input', `${snippet.name} is not written for ${dialect}.`);
  if (db.driver !== ctx.driver.name) throw new AppError('input', `The open connection is ${ctx.driver.name}, the profile says ${db.driver}.`);
}

export function paramsOrThrow(snippet: Snippet, raw: Record<string, unknown>): SnippetValues {
  const { values, problems } = coerceParams(snippet, raw);
  if (problems.length) throw new AppError('input', problems.map((p) => p.message).join('; ') + '.');
  return values;
}

/** Audit-safe copy of the parameters (values are user names and numbers, never secrets). */
function auditParams(values: SnippetValues): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(values)) {
    if (Array.isArray(v)) {
      out[k] = v.join(', ');
      continue;
    }
    out[k] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v instanceof Date ? v.toISOString() : String(v);
  }
  return out;
}

export async function renderFor(tx: Queryable, ctx: RecoveryContext, snippet: Snippet): Promise<RenderedSnippet> {
  const dialect = dialectOf(ctx.driver.name);
  const tables = await resolveTableSpellings(tx, dialect, aoTablesOf(snippet));
  return renderSnippet(snippet, dialect, { tables, schema: ctx.driver.schema });
}

/** The backup query with row locks where the dialect takes them (FOR UPDATE). */
export function lockingBackupSql(ctx: RecoveryContext, rendered: RenderedSnippet): string {
  return ctx.driver.facts.rowLocking === 'for-update' ? `${rendered.backup}\nFOR UPDATE` : rendered.backup!;
}

export function keyIndexes(snippet: Snippet, result: QueryResult): number[] {
  return (snippet.backupKey ?? []).map((k) => {
    const i = result.columns.findIndex((c) => c.name.toLowerCase() === k.toLowerCase());
    if (i < 0) {
      throw new AppError('refused', `The backup query of ${snippet.name} does not return the key column ${k}: nothing was changed.`, 'Fix the snippet: its @backup must select the whole row.');
    }
    return i;
  });
}

export function fingerprintRows(result: Pick<QueryResult, 'columns' | 'rows'>): string {
  const data = JSON.stringify({ c: result.columns.map((c) => c.name), r: encodeRows(result.rows) });
  return createHash('sha256').update(data).digest('hex');
}

export function countMismatch(snippet: Snippet, found: number, expected: number, values: SnippetValues): string {
  const who = typeof values.username === 'string' ? ` for "${values.username}"` : '';
  if (found === 0) return `${snippet.title}: no matching row${who} (the user does not exist or is not enrolled); nothing was changed.`;
  return `${snippet.title}: the backup query finds ${found} rows${who}, but this snippet must change exactly ${expected}; nothing was changed.`;
}

/** The audit entry of a snippet step: its action, the user it targets, the snippet. */
function snippetAudit(action: AuditBase['action'], snippet: Snippet, rawParams: Record<string, unknown>): AuditBase {
  return { action, target: targetOf(rawParams), details: { snippet: snippet.name } };
}


/** Runs a read snippet in a read-only transaction, returning at most `rowLimit` rows. */
export async function runReadSnippet(
  ctx: RecoveryContext,
  snippet: Snippet,
  rawParams: Record<string, unknown>,
  options: { rowLimit?: number } = {},
): Promise<ReadRunResult> {
  const base = snippetAudit('sql.run', snippet, rawParams);
  try {
    checkFit(ctx, snippet, 'read');
    const rowLimit = options.rowLimit ?? DEFAULT_ROW_LIMIT;
    if (!Number.isSafeInteger(rowLimit) || rowLimit < 1 || rowLimit > MAX_ROW_LIMIT) {
      throw new AppError('input', `The row limit must be a whole number from 1 to ${MAX_ROW_LIMIT}.`);
    }
    const values = paramsOrThrow(snippet, rawParams);
    const { sql, result } = await ctx.driver.transaction(
      async (tx) => {
        const r = await renderFor(tx, ctx, snippet);
        return { sql: r.statement, result: await tx.query(r.statement, values, { maxRows: rowLimit + 1 }) };
      },
      { readOnly: true },
    );
    const truncated = result.rows.length > rowLimit;
    const rows = truncated ? result.rows.slice(0, rowLimit) : result.rows;
    const message = `${snippet.title}: ${rows.length} row${rows.length === 1 ? '' : 's'}${truncated ? ` (truncated at ${rowLimit})` : ''}`;
    const audit = await writeAudit(ctx, { ...base, details: { snippet: snippet.name, rows: rows.length, truncated } }, 'ok', message);
    return {
      snippet: snippet.name,
      columns: result.columns,
      rows,
      rowCount: rows.length,
      truncated,
      rowLimit,
      sql,
      auditEntryId: audit.entry?.id,
      auditError: audit.error,
    };
  } catch (e) {
    await writeAudit(ctx, base, outcomeOf(e), describeError(e));
    throw e;
  }
}

/** Shows what a destructive snippet would change: the backup query's rows, read-only. */
export async function previewDestructiveSnippet(
  ctx: RecoveryContext,
  snippet: Snippet,
  rawParams: Record<string, unknown>,
): Promise<DestructivePreview> {
  const base = snippetAudit('sql.preview', snippet, rawParams);
  try {
    checkFit(ctx, snippet, 'destructive');
    const values = paramsOrThrow(snippet, rawParams);
    const expected = expectedRows(snippet, values);
    const { rendered, result } = await ctx.driver.transaction(
      async (tx) => {
        const r = await renderFor(tx, ctx, snippet);
        return { rendered: r, result: await tx.query(r.backup!, values, { maxRows: MAX_ROW_LIMIT }) };
      },
      { readOnly: true },
    );
    keyIndexes(snippet, result);
    const allowed = database(ctx).readOnly === false;
    const matches = result.rows.length === expected;
    let message = matches
      ? `${result.rows.length} row${result.rows.length === 1 ? '' : 's'} of ${rendered.backupTableName} will be changed; they are backed up first.`
      : countMismatch(snippet, result.rows.length, expected, values).replace(/nothing was changed\.$/, 'it will not run.');
    if (!allowed) message += ` This instance's database connection is read-only: the change will be refused.`;
    const audit = await writeAudit(ctx, { ...base, details: { snippet: snippet.name, rows: result.rows.length, expected } }, 'ok', message);
    return {
      snippet: snippet.name,
      table: rendered.backupTableName!,
      key: snippet.backupKey ?? [],
      columns: result.columns,
      rows: result.rows,
      expected,
      matchesExpectation: matches,
      allowed,
      message,
      statementSql: rendered.statement,
      backupSql: rendered.backup!,
      fingerprint: fingerprintRows(result),
      auditEntryId: audit.entry?.id,
      auditError: audit.error,
    };
  } catch (e) {
    await writeAudit(ctx, base, outcomeOf(e), describeError(e));
    throw e;
  }
}

/** The checks before any change: the snippet fits, the profile allows changes, backups are configured. */
export function checkChangeAllowed(ctx: RecoveryContext, snippet: Snippet): { store: NonNullable<RecoveryContext['backups']> } {
  checkFit(ctx, snippet, 'destructive');
  const db = database(ctx);
  if (db.readOnly !== false) {
    throw new AppError(
      'refused',
      `The database connection of "${ctx.profile.name}" is read-only: ${snippet.name} changes data and was refused.`,
      'Set database.readOnly to false in this instance\'s profile to allow changes.',
    );
  }
  const store = ctx.backups;
  if (!store) throw new AppError('input', 'No backup folder is configured, so no change can run.');
  return { store };
}

/**
 * The guarded change: ONE transaction; the backup query, with row locks, must find exactly
 * `expected` rows (and, when `expectFingerprint` is given, the rows the preview showed); the
 * backup of those rows is written (fsynced by the store) before the statement runs; the
 * statement must change exactly `expected` rows, else everything is rolled back. `track.backup`
 * is set as soon as the backup exists, so the audit entry can name it when the change fails.
 */
async function changeWithBackup(
  ctx: RecoveryContext,
  store: NonNullable<RecoveryContext['backups']>,
  snippet: Snippet,
  values: SnippetValues,
  expected: number,
  expectFingerprint: string | undefined,
  track: { backup?: BackupRecord },
): Promise<{ backup: BackupRecord; affected: number; stateError?: string }> {
  const done = await withBackupState(store, track, () =>
    ctx.driver.transaction(
      async (tx) => {
        const r = await renderFor(tx, ctx, snippet);
        const before = await tx.query(lockingBackupSql(ctx, r), values, { maxRows: MAX_ROW_LIMIT });
        keyIndexes(snippet, before);
        if (before.rows.length !== expected) throw new AppError('refused', countMismatch(snippet, before.rows.length, expected, values));
        if (expectFingerprint && fingerprintRows(before) !== expectFingerprint) {
          throw new AppError('refused', `${snippet.title}: the rows changed since the preview; nothing was changed.`, 'Preview again.');
        }
        track.backup = await saveBackup(ctx, store, snippet, r.backupTableName!, auditParams(values), before.columns, before.rows);
        const result = await tx.query(r.statement, values);
        if (result.rowCount !== expected) throw statementMismatch(snippet, result.rowCount, expected);
        return result.rowCount;
      },
      { forChange: true },
    ),
  );
  return { backup: done.backup, affected: done.value, stateError: done.stateError };
}

/**
 * Runs a destructive snippet. Everything happens in one transaction: nothing is committed
 * unless the backup was written and the statement changed exactly the expected rows.
 */
export async function executeDestructiveSnippet(
  ctx: RecoveryContext,
  snippet: Snippet,
  rawParams: Record<string, unknown>,
  options: { expectFingerprint?: string } = {},
): Promise<DestructiveRunResult> {
  const base = snippetAudit('sql.change', snippet, rawParams);
  const track: { backup?: BackupRecord } = {};
  try {
    const { store } = checkChangeAllowed(ctx, snippet);
    const values = paramsOrThrow(snippet, rawParams);
    const expected = expectedRows(snippet, values);
    const done = await changeWithBackup(ctx, store, snippet, values, expected, options.expectFingerprint, track);
    const saved = done.backup;
    const affected = done.affected;
    const message = `${snippet.title}: ${affected} row${affected === 1 ? '' : 's'} changed; backup ${saved.id}.`;
    const audit = await writeAudit(ctx, { ...base, details: { snippet: snippet.name, rows: affected } }, 'ok', message, { backupId: saved.id });
    return {
      snippet: snippet.name,
      backupId: saved.id,
      affected,
      message,
      auditEntryId: audit.entry?.id,
      auditError: [audit.error, done.stateError].filter(Boolean).join(' ') || undefined,
    };
  } catch (e) {
    const saved = track.backup;
    await writeAudit(ctx, base, outcomeOf(e), describeError(e), saved ? { backupId: saved.id } : {});
    throw e;
  }
}
