/**
 * What the pg and PGlite connections share: PostgreSQL's transaction statements and how a
 * pg-shaped result becomes a QueryResult.
 */
import type { NativeConnection, QueryResult } from '../types';
import { pgColumnType } from './pgTypes';

/** BEGIN [READ ONLY], COMMIT and ROLLBACK, sent through the subclass's `run`. */
export abstract class PgTransactions implements Pick<NativeConnection, 'begin' | 'commit' | 'rollback'> {
  protected abstract run(sql: string): Promise<unknown>;

  async begin(options: { readOnly: boolean }): Promise<void> {
    await this.run(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  }

  async commit(): Promise<void> {
    await this.run('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.run('ROLLBACK');
  }
}

/**
 * A pg-shaped result: columns by type OID, at most `maxRows` rows, and the count of rows a
 * statement changed (`changed`; a SELECT, or a statement with no count, counts its rows).
 */
export function pgResult(
  result: { fields?: Array<{ name: string; dataTypeID: number }>; rows?: unknown[]; command?: string },
  changed: number | null | undefined,
  maxRows: number | undefined,
): QueryResult {
  const columns = (result.fields ?? []).map((f) => ({ name: f.name, ...pgColumnType(f.dataTypeID) }));
  let rows = (result.rows ?? []) as unknown[][];
  if (maxRows !== undefined && rows.length > maxRows) rows = rows.slice(0, maxRows);
  const rowCount = result.command === 'SELECT' || changed === null || changed === undefined ? rows.length : changed;
  return { columns, rows, rowCount };
}
