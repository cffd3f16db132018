/**
 * PostgreSQL type OIDs (shared by the pg and PGlite drivers): how each maps to a ColumnKind,
 * and which types are returned as the server's own text so that a backup restores exactly
 * (a timestamp keeps its microseconds and its wall-clock value whatever the time zone).
 */
import type { ColumnKind, DbErrorInfo } from '../types';
import { classifyNodeError, errorCode, firstLine } from './common';

const TYPES: Record<number, [string, ColumnKind]> = {
  16: ['bool', 'boolean'],
  17: ['bytea', 'binary'],
  18: ['char', 'text'],
  19: ['name', 'text'],
  20: ['int8', 'bigint'],
  21: ['int2', 'integer'],
  23: ['int4', 'integer'],
  25: ['text', 'text'],
  26: ['oid', 'integer'],
  114: ['json', 'json'],
  700: ['float4', 'float'],
  701: ['float8', 'float'],
  1042: ['bpchar', 'text'],
  1043: ['varchar', 'text'],
  1082: ['date', 'date'],
  1083: ['time', 'time'],
  1114: ['timestamp', 'timestamp'],
  1184: ['timestamptz', 'timestamptz'],
  1186: ['interval', 'other'],
  1266: ['timetz', 'time'],
  1700: ['numeric', 'decimal'],
  2950: ['uuid', 'text'],
  3802: ['jsonb', 'json'],
};

export function pgColumnType(oid: number): { type: ColumnKind; nativeType: string } {
  const t = TYPES[oid];
  return t ? { nativeType: t[0], type: t[1] } : { nativeType: `oid:${oid}`, type: 'other' };
}

/** OIDs whose text form we keep as is (no conversion to Date, number or object). */
export const RAW_TEXT_OIDS = [20, 114, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 3802];

/** Error classes by SQLSTATE, for both pg and PGlite. */
export function classifyPgError(error: unknown): DbErrorInfo {
  const code = errorCode(error);
  const message = firstLine(error);
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '28P01' || code === '28000') return { category: 'auth', code, message };
    if (code === '3D000') return { category: 'unknown-database', code, message };
    if (code.startsWith('57P') || code.startsWith('08')) return { category: 'connection-lost', code, message };
    if (code === '23505') return { category: 'duplicate-key', code, message };
    if (code === '42P01') return { category: 'undefined-table', code, message };
    if (code === '25006') return { category: 'read-only', code, message };
    if (code === '42501') return { category: 'permission', code, message };
    if (code === '42601') return { category: 'syntax', code, message };
    return { category: 'other', code, message };
  }
  const node = classifyNodeError(error);
  if (node) return node;
  if (/does not support SSL|SSL connection|self[- ]signed|certificate/i.test(message)) return { category: 'tls', code, message };
  if (/timeout/i.test(message) && /connect/i.test(message)) return { category: 'timeout', code, message };
  if (/Connection terminated|not queryable|is closed|Client has encountered a connection error|connection ended/i.test(message)) {
    return { category: 'connection-lost', code, message };
  }
  return { category: 'other', code, message };
}
