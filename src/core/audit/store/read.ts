/**
 * Reading the team audit store: rows with filters (newest last), and the verification of every
 * writer's chain. A read never writes: both run in a read-only transaction.
 */
import { AppError } from '../../errors';
import { printable } from '../../printable';
import { canonicalJson, entryHash, GENESIS_HASH } from '../canonical';
import { parseEntryLine } from '../entry';
import { recordHash } from '../ship/records';
import type { AuditEntry } from '../types';
import type { Driver, NamedParams } from '../../db/types';
import { STORE_TABLE } from './schema';

export interface StoreFilter {
  admin?: string;
  computer?: string;
  instanceId?: string;
  target?: string;
  ticket?: string;
  action?: string;
  /** ISO times bounding the entry's own (client) time. */
  since?: string;
  until?: string;
}

export interface StoreRow {
  writer: string;
  seq: number;
  computer: string;
  ticket?: string;
  /** The database's time of the insert, ISO. */
  dbTime: string;
  entry: AuditEntry;
}

/** The filters as people type them (CLI options, the Team view): exact texts, and dates or ISO times. */
export interface StoreFilterInput {
  admin?: string;
  computer?: string;
  instance?: string;
  target?: string;
  ticket?: string;
  since?: string;
  until?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO time from a date (YYYY-MM-DD: its start, or its end for `until`) or an ISO time; AppError("input") otherwise. */
function filterTime(value: string, endOfDay: boolean): string {
  const d = new Date(DAY.test(value) && endOfDay ? `${value}T23:59:59.999Z` : value);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(value) || Number.isNaN(d.getTime())) {
    throw new AppError('input', `Not a date or time: "${printable(value, 40)}".`, 'Write a date as 2026-01-31 or a time as 2026-01-31T12:00:00Z.');
  }
  return d.toISOString();
}

/** The typed filters as a store filter; empty texts are no filter. */
export function storeFilterFrom(input: StoreFilterInput): StoreFilter {
  const out: StoreFilter = {};
  if (input.admin) out.admin = input.admin;
  if (input.computer) out.computer = input.computer;
  if (input.instance) out.instanceId = input.instance;
  if (input.target) out.target = input.target;
  if (input.ticket) out.ticket = input.ticket;
  if (input.since) out.since = filterTime(input.since, false);
  if (input.until) out.until = filterTime(input.until, true);
  return out;
}

const FILTER_COLUMNS: Array<[keyof StoreFilter, string, string]> = [
  ['admin', 'admin', '='],
  ['computer', 'computer', '='],
  ['instanceId', 'instance_id', '='],
  ['target', 'target', '='],
  ['ticket', 'ticket', '='],
  ['action', 'action', '='],
  ['since', 'client_time', '>='],
  ['until', 'client_time', '<='],
];

function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const d = new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

/** The most recent `limit` rows matching `filter`, oldest first. Rows whose entry is unreadable are skipped and counted. */
export async function readStore(d: Driver, filter: StoreFilter = {}, limit = 200): Promise<{ rows: StoreRow[]; unreadable: number }> {
  const where: string[] = [];
  const params: NamedParams = {};
  for (const [key, column, op] of FILTER_COLUMNS) {
    const value = filter[key];
    if (value === undefined || value === '') continue;
    where.push(`${column} ${op} :${key}`);
    params[key] = value;
  }
  const n = Math.max(1, Math.min(100_000, Math.floor(limit)));
  const sql = `SELECT writer, seq, computer, ticket, db_time, entry FROM ${STORE_TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY client_time DESC, writer, seq DESC LIMIT ${n}`;
  const res = await d.transaction((tx) => tx.query(sql, params, { maxRows: n }), { readOnly: true });
  const rows: StoreRow[] = [];
  let unreadable = 0;
  for (const r of res.rows.slice(0, n)) {
    const parsed = parseEntryLine(String(r[5]));
    if ('reason' in parsed) {
      unreadable++;
      continue;
    }
    const row: StoreRow = { writer: String(r[0]), seq: Number(r[1]), computer: String(r[2]), dbTime: isoOf(r[4]), entry: parsed.entry };
    if (r[3] !== null && r[3] !== undefined) row.ticket = String(r[3]);
    rows.push(row);
  }
  return { rows: rows.reverse(), unreadable };
}

export interface WriterCheck {
  writer: string;
  computer: string;
  rows: number;
  lastSeq: number;
  /** Missing numbers, as ranges [from, to]. */
  gaps: Array<[number, number]>;
  /** Rows whose content, hash or link to the row before is wrong (at most 20 listed). */
  broken: Array<{ seq: number; reason: string }>;
}

export interface StoreVerifyResult {
  ok: boolean;
  rows: number;
  writers: WriterCheck[];
}

const PAGE = 5000;
const MAX_LISTED = 20;

/**
 * Verifies every writer's chain: numbers 1, 2, 3… without gaps, each row's entry in canonical
 * form with its own hash right, its id the row's entry id, its record hash over (writer, seq,
 * prevHash, entry hash) right, and its prevHash the hash of the row before. Reads in pages
 * ordered by (writer, seq), so memory stays bounded by the number of writers.
 */
export async function verifyStore(d: Driver): Promise<StoreVerifyResult> {
  const writers: WriterCheck[] = [];
  let cur: WriterCheck | undefined;
  let prevHash = GENESIS_HASH;
  let rows = 0;
  const broken = (seq: number, reason: string) => {
    if (cur && cur.broken.length < MAX_LISTED) cur.broken.push({ seq, reason });
  };
  let after: { writer: string; seq: number } | undefined;
  await d.transaction(async (tx) => {
    for (;;) {
      const res = await tx.query(
        `SELECT writer, seq, entry_id, prev_hash, hash, computer, entry FROM ${STORE_TABLE}${after ? ' WHERE writer > :w OR (writer = :w AND seq > :s)' : ''} ORDER BY writer, seq LIMIT ${PAGE}`,
        after ? { w: after.writer, s: after.seq } : {},
        { maxRows: PAGE },
      );
      const page = res.rows.slice(0, PAGE);
      for (const r of page) {
        rows++;
        const writer = String(r[0]);
        const seq = Number(r[1]);
        if (!cur || cur.writer !== writer) {
          cur = { writer, computer: String(r[5]), rows: 0, lastSeq: 0, gaps: [], broken: [] };
          writers.push(cur);
          prevHash = GENESIS_HASH;
        }
        cur.rows++;
        if (seq !== cur.lastSeq + 1) {
          if (cur.gaps.length < MAX_LISTED) cur.gaps.push([cur.lastSeq + 1, seq - 1]);
          prevHash = String(r[3]); // go on from this row's own claim: one gap reported once
        }
        cur.lastSeq = seq;
        const parsed = parseEntryLine(String(r[6]));
        if ('reason' in parsed) broken(seq, `the entry is unreadable (${parsed.reason})`);
        else if (entryHash(parsed.value) !== parsed.entry.hash) broken(seq, "the entry's hash does not match its content: it was edited");
        else if (canonicalJson(parsed.value) !== String(r[6])) broken(seq, 'the entry is not in canonical form: it was edited');
        else if (parsed.entry.id !== String(r[2])) broken(seq, `the row's entry id ${String(r[2])} is not the entry's id ${parsed.entry.id}`);
        else if (String(r[3]) !== prevHash) broken(seq, 'prev_hash is not the hash of the row before: a row was removed, inserted or changed');
        else if (recordHash(writer, seq, String(r[3]), parsed.entry.hash) !== String(r[4])) broken(seq, "the row's hash does not match its writer, number and entry");
        prevHash = String(r[4]);
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1];
      after = { writer: String(last[0]), seq: Number(last[1]) };
    }
  }, { readOnly: true });
  const ok = writers.every((w) => !w.gaps.length && !w.broken.length);
  return { ok, rows, writers };
}

/** The entry ids the store holds from one computer, with writer and number. */
export async function storeIdsOf(d: Driver, computer: string): Promise<Map<string, { writer: string; seq: number }>> {
  const out = new Map<string, { writer: string; seq: number }>();
  const res = await d.transaction((tx) => tx.query(`SELECT entry_id, writer, seq FROM ${STORE_TABLE} WHERE computer = :c`, { c: computer }), { readOnly: true });
  for (const r of res.rows) out.set(String(r[0]), { writer: String(r[1]), seq: Number(r[2]) });
  return out;
}
