/**
 * Row values ⇄ JSON. Drivers return text for timestamps, big numbers and decimals (so they
 * round-trip exactly); SQL Server returns Date for datetime columns (stored as ISO UTC);
 * binary values are stored as base64.
 */
import type { Column, Dialect, ParamValue, TypedParam } from '../db/types';

export type EncodedValue = string | number | boolean | null | { base64: string };

export function encodeValue(v: unknown): EncodedValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return { base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  return JSON.stringify(v);
}

export function encodeRows(rows: unknown[][]): EncodedValue[][] {
  return rows.map((r) => r.map(encodeValue));
}

/** A stored value as a bind parameter for `column`, typed so every driver binds it right. */
export function decodeValue(v: EncodedValue, column: Column, dialect: Dialect): TypedParam {
  let value: ParamValue;
  if (v !== null && typeof v === 'object') value = Buffer.from(v.base64, 'base64');
  else value = v;
  if (typeof value === 'string' && dialect === 'mssql' && (column.type === 'timestamp' || column.type === 'timestamptz')) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) value = d;
  }
  return { value, kind: column.type };
}

/** For display: a stored value as short text. */
export function displayValue(v: EncodedValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'object') return `<${Buffer.from(v.base64, 'base64').length} bytes>`;
  return String(v);
}
