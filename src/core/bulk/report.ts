/**
 * The per-user report of a bulk run: one row per listed user with what happened, the audit
 * entries written for it, and the run's state. Saved as JSON after every user of a REST run,
 * so a cancelled or interrupted run can be resumed from the file (same run id, only the
 * users still pending); exported as CSV (formula-safe cells) or Markdown for people.
 */
import { randomBytes } from '../lazyCrypto';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { csvSafeCell, toCsv } from '../csv';
import { AppError } from '../errors';
import type { InstanceProfile } from '../profiles/schema';
import type { GroupSource } from './groups';
import type { ListProblem, UserList } from './userList';

export type BulkVia = 'db' | 'rest';

export type UserStatus =
  /** Not attempted yet: a resumed run picks these up. */
  | 'pending'
  /** Database preview: found and enrolled, would be disabled by --commit. */
  | 'would-disable'
  /** Two-step verification removed (enrollment row deleted, or the server unenrolled). */
  | 'disabled'
  | 'not-found'
  | 'not-enrolled'
  | 'failed';

export interface BulkUserResult {
  username: string;
  /** Line of the name in the list. */
  line: number;
  status: UserStatus;
  message: string;
  userKey?: string;
  /** REST: the outcome kind of the last attempt (unenrolled, noSuchUser, rateLimited…). */
  outcome?: string;
  httpStatus?: number;
  attempts: number;
  auditEntryIds: string[];
  /** ISO time of the last change of this row. */
  at?: string;
}

export type RunState = 'preview' | 'running' | 'completed' | 'cancelled' | 'stopped' | 'failed';

export interface BulkReport {
  kind: 'jira2fa.bulk-report';
  format: 1;
  runId: string;
  via: BulkVia;
  instance: { id: string; name: string; baseUrl: string; environment: string };
  admin: string;
  createdAt: string;
  updatedAt: string;
  state: RunState;
  /** Why the run stopped or failed, or how it ended. */
  stateMessage?: string;
  /** Database runs: the one backup of every deleted row. */
  backupId?: string;
  listProblems: ListProblem[];
  /** Where the users came from when they were taken from groups, not a list. */
  source?: GroupSource;
  users: BulkUserResult[];
}

/** A new run id: time-sortable and unique, e.g. bulk-20261203T093012Z-3f9a1c2b. */
export function newRunId(now = new Date()): string {
  return `bulk-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(4).toString('hex')}`;
}

export function newReport(
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl' | 'environment'>,
  list: UserList,
  via: BulkVia,
  admin: string,
  now = new Date(),
  source?: GroupSource,
): BulkReport {
  const at = now.toISOString();
  return {
    kind: 'jira2fa.bulk-report',
    format: 1,
    runId: newRunId(now),
    via,
    instance: { id: profile.id, name: profile.name, baseUrl: profile.baseUrl, environment: profile.environment },
    admin,
    createdAt: at,
    updatedAt: at,
    state: 'running',
    listProblems: list.problems,
    ...(source ? { source } : {}),
    users: list.users.map((u) => ({ username: u.username, line: u.line, status: 'pending', message: 'not attempted yet', attempts: 0, auditEntryIds: [] })),
  };
}

export type StatusCounts = Record<UserStatus, number> & { total: number };

export function countStatuses(report: Pick<BulkReport, 'users'>): StatusCounts {
  const counts: StatusCounts = { total: report.users.length, pending: 0, 'would-disable': 0, disabled: 0, 'not-found': 0, 'not-enrolled': 0, failed: 0 };
  for (const u of report.users) counts[u.status]++;
  return counts;
}

/** "12 disabled, 3 not found, 1 not enrolled, 4 pending" (zero counts left out). */
export function describeCounts(report: Pick<BulkReport, 'users'>): string {
  const c = countStatuses(report);
  const parts = (['disabled', 'would-disable', 'not-found', 'not-enrolled', 'failed', 'pending'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${s === 'would-disable' ? 'to disable' : s.replace('-', ' ')}`);
  return parts.length ? parts.join(', ') : 'no users';
}

// ---- files --------------------------------------------------------------------------

/** Writes the report atomically (temporary file, then rename): a crash never leaves half a report. */
export async function saveReport(file: string, report: BulkReport): Promise<void> {
  report.updatedAt = new Date().toISOString();
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(report, null, 1)}\n`, { encoding: 'utf8', mode: 0o600 });
  await fsp.rename(tmp, file);
}

const STATUSES: readonly string[] = ['pending', 'would-disable', 'disabled', 'not-found', 'not-enrolled', 'failed'];

/** Reads a report written by saveReport; AppError('input') when it is not one. */
export async function loadReport(file: string): Promise<BulkReport> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new AppError('input', `Cannot read the report ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Pass the JSON report a bulk run wrote (--report).');
  }
  let r: BulkReport;
  try {
    r = JSON.parse(text) as BulkReport;
  } catch {
    throw new AppError('input', `${file} is not JSON, so it is not a bulk report.`, 'Pass the JSON report a bulk run wrote (--report), not the CSV export.');
  }
  const ok =
    r?.kind === 'jira2fa.bulk-report' &&
    r.format === 1 &&
    typeof r.runId === 'string' &&
    (r.via === 'db' || r.via === 'rest') &&
    typeof r.instance?.id === 'string' &&
    Array.isArray(r.users) &&
    r.users.every((u) => typeof u?.username === 'string' && STATUSES.includes(u.status) && Array.isArray(u.auditEntryIds));
  if (!ok) throw new AppError('input', `${file} is not a bulk report of this program's format.`);
  r.listProblems ??= [];
  return r;
}

// ---- exports ------------------------------------------------------------------------

export const REPORT_CSV_COLUMNS = ['username', 'status', 'message', 'userKey', 'outcome', 'httpStatus', 'attempts', 'at', 'line', 'runId', 'backupId', 'auditEntryIds'] as const;

/** The per-user table as CSV; cells a spreadsheet would run as formulas are defused. */
export function reportToCsv(report: BulkReport, options: { bom?: boolean } = {}): string {
  const rows = report.users.map((u) =>
    [u.username, u.status, u.message, u.userKey ?? '', u.outcome ?? '', u.httpStatus === undefined ? '' : String(u.httpStatus), String(u.attempts), u.at ?? '', String(u.line), report.runId, report.backupId ?? '', u.auditEntryIds.join(' ')].map(
      csvSafeCell,
    ),
  );
  return toCsv(REPORT_CSV_COLUMNS, rows, options);
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/([`*_[\]<>])/g, '\\$1');
}

/** A Markdown page: summary, list problems, the per-user table. */
export function reportToMarkdown(report: BulkReport): string {
  const via = report.via === 'db' ? 'database (one transaction)' : 'REST recovery unenroll';
  const lines = [
    `# Bulk disable 2SV: ${mdCell(report.instance.name)}`,
    '',
    `- Run: \`${report.runId}\` via ${via}, by ${mdCell(report.admin)}`,
    `- State: **${report.state}**${report.stateMessage ? `: ${mdCell(report.stateMessage)}` : ''}`,
    `- Users: ${report.users.length} (${describeCounts(report)})`,
    ...(report.backupId ? [`- Backup of every deleted row: \`${report.backupId}\``] : []),
    '',
  ];
  if (report.source) lines.push(...groupSourceMarkdown(report.source));
  if (report.listProblems.length) {
    lines.push('## Lines left out of the list', '', '| line | problem | text |', '| ---: | --- | --- |');
    for (const p of report.listProblems) lines.push(`| ${p.line} | ${p.kind}: ${mdCell(p.message)} | ${mdCell(p.text)} |`);
    lines.push('');
  }
  lines.push('## Users', '', '| # | user | status | message | user key |', '| ---: | --- | --- | --- | --- |');
  report.users.forEach((u, i) => lines.push(`| ${i + 1} | ${mdCell(u.username)} | ${u.status} | ${mdCell(u.message)} | ${mdCell(u.userKey ?? '')} |`));
  return `${lines.join('\n')}\n`;
}

function groupSourceMarkdown(source: GroupSource): string[] {
  const lines = ['## Users taken from groups', ''];
  if (source.kind === 'all-enrolled') lines.push(`Everyone enrolled (${source.enrolled ?? 0} users in the database) except the members of the groups below.`, '');
  lines.push('| group | members | role |', '| --- | ---: | --- |');
  for (const g of source.groups) lines.push(`| ${mdCell(g.name)} | ${g.members} | included |`);
  for (const g of source.exceptGroups) lines.push(`| ${mdCell(g.name)} | ${g.members} | left out |`);
  lines.push('');
  if (source.excluded.length) {
    lines.push('### Left out', '', '| user | why |', '| --- | --- |');
    for (const u of source.excluded) lines.push(`| ${mdCell(u.username)} | ${mdCell(u.reason)} |`);
    lines.push('');
  }
  return lines;
}
