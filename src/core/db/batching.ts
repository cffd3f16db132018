/**
 * How many rows (keys, users) one batched statement may carry on a dialect, and the cutting of
 * a list into such batches. One piece of code for every set-based statement: the restore's key
 * checks and INSERTs, and the bulk run's lookups, locks and DELETEs.
 */
import type { DialectFacts } from './types';

/** Rows per statement at most, whatever the dialect allows: bounds the SQL text and its binds. */
export const MAX_BATCH_ROWS = 1000;

export type BatchLimits = Pick<DialectFacts, 'maxBindParams' | 'maxInListItems' | 'maxValuesRows'>;

/**
 * Rows per statement when each row binds `bindsPerRow` values: the dialect's bind limit, and
 * the further per-statement limits given (e.g. facts.maxInListItems for an IN (…) list,
 * facts.maxValuesRows for a multi-row VALUES). At least 1, at most MAX_BATCH_ROWS.
 */
export function rowsPerStatement(facts: Pick<DialectFacts, 'maxBindParams'>, bindsPerRow: number, ...limits: Array<number | undefined>): number {
  const perRow = Math.max(1, bindsPerRow);
  return Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(facts.maxBindParams / perRow), ...limits.filter((l): l is number => l !== undefined)));
}

/** `items` cut into consecutive batches of at most `size`, each with the index of its first item. */
export function batches<T>(items: readonly T[], size: number): Array<{ from: number; items: T[] }> {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`batch size must be a positive whole number, not ${size}`);
  const out = [];
  for (let from = 0; from < items.length; from += size) out.push({ from, items: items.slice(from, from + size) });
  return out;
}
