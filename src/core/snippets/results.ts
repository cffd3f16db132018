/**
 * Query results as text for people and files: grid cells, CSV (a library, with the audit
 * export's formula guard: recovery rows come from a database users can write to) and JSON.
 * Shared by the editor's results panel and the CLI. Every one of them hides TOTP secrets and
 * (unless revealed) recovery codes (secretColumns.ts): there is no way to show a result
 * that skips it.
 */
import { csvSafeCell, toCsv } from '../csv';
import { encodeValue, type EncodedValue } from '../backup/codec';
import type { Column, ColumnKind } from '../db/types';
import { protectRows, type RevealOptions } from './secretColumns';

const NUMERIC: ReadonlySet<ColumnKind> = new Set(['integer', 'bigint', 'decimal', 'float']);

export function isNumeric(column: Pick<Column, 'type'>): boolean {
  return NUMERIC.has(column.type);
}

/** One value as display text; null stays null so the grid can show NULL distinctly from ''. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Grid cells of a result, secrets hidden. */
export function resultCells(columns: Pick<Column, 'name'>[], rows: unknown[][], options: RevealOptions = {}): Array<Array<string | null>> {
  return protectRows(columns, rows, options).map((r) => r.map(cellText));
}

const PLAIN_NUMBER = /^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** A cell for CSV: a plain number (a negative one too) as is, other formula-like text guarded. */
function csvCell(v: unknown): string {
  const text = cellText(v) ?? '';
  return PLAIN_NUMBER.test(text) ? text : csvSafeCell(text);
}

/** CSV with a header row; NULL is an empty cell; formula-like text gets a leading apostrophe. */
export function resultToCsv(columns: Pick<Column, 'name'>[], rows: unknown[][], options: RevealOptions = {}): string {
  return toCsv(columns.map((c) => csvSafeCell(c.name)), protectRows(columns, rows, options).map((r) => r.map(csvCell)));
}

/** Column names made unique (a query may return two "id" columns): id, id_2, … */
export function uniqueNames(columns: Pick<Column, 'name'>[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c.name : `${c.name}_${n}`;
  });
}

/** One object per row; numbers and booleans kept, timestamps ISO, binary as {base64}; secrets hidden. */
export function resultObjects(columns: Pick<Column, 'name'>[], rows: unknown[][], options: RevealOptions = {}): Array<Record<string, EncodedValue>> {
  const names = uniqueNames(columns);
  return protectRows(columns, rows, options).map((r) => Object.fromEntries(names.map((n, i) => [n, encodeValue(r[i])])));
}

/** JSON text of resultObjects. */
export function resultToJson(columns: Pick<Column, 'name'>[], rows: unknown[][], options: RevealOptions = {}): string {
  return `${JSON.stringify(resultObjects(columns, rows, options), null, 2)}\n`;
}
