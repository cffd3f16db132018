/**
 * The evidence report for auditors: every action of a period (optionally of one instance) with
 * who, when, on which instance, for whom, how it ended, the ticket behind it, how the requester
 * was verified and whether the requester was the user; counts per outcome; the result of the
 * hash-chain verification and of the head check; and the hash of the last entry covered, so the
 * report can be checked against the log later. As JSON, CSV, or one self-contained printable
 * HTML page (no script, no external resource, every text escaped).
 */
import { csvSafeCell, toCsv } from '../csv';
import { AppError } from '../errors';
import { readEntries, verify, type VerifyOptions } from './read';
import type { AuditEntry, AuditOutcome } from './types';

export interface EvidenceOptions {
  /** Inclusive, ISO date (YYYY-MM-DD, local midnight in UTC) or date-time. */
  from: string;
  /** Inclusive: a plain date covers that whole day. */
  to: string;
  instance?: string;
  now?: Date;
}

export interface EvidenceRow {
  id: string;
  time: string;
  admin: string;
  instance: string;
  instanceUrl: string;
  target: string;
  action: string;
  outcome: AuditOutcome;
  message: string;
  ticket: string;
  ticketUrl: string;
  reason: string;
  verification: string;
  identityMatch: string;
}

export interface EvidenceReport {
  kind: 'jira2fa.evidence-report';
  format: 1;
  generatedAt: string;
  log: string;
  period: { from: string; to: string };
  instance?: string;
  instances: string[];
  counts: Record<AuditOutcome, number> & { total: number };
  chain: { ok: boolean; entries: number; firstBroken?: { line: number; reason: string }; gaps: number };
  head: { checked: boolean; found?: boolean; problem?: string };
  /** The last entry the report covers: its hash can be looked up in the log later. */
  lastCovered?: { id: string; time: string; hash: string };
  rows: EvidenceRow[];
}

// Readable names for the actions the log records: one table for the report, the panel, the
// tree and the CLI (actionLabels.ts).
import { actionLabel } from './actionLabels';
export { ACTION_LABELS, actionLabel } from './actionLabels';

function bound(value: string, end: boolean): number {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(date ? `${value}T00:00:00.000Z` : value);
  if (Number.isNaN(t)) throw new AppError('input', `"${value}" is not a date (expected YYYY-MM-DD or an ISO date-time).`);
  return date && end ? t + 86_400_000 - 1 : t;
}

function rowOf(e: AuditEntry): EvidenceRow {
  const r = e.request ?? {};
  return {
    id: e.id,
    time: e.time,
    admin: e.admin,
    instance: e.instance.name,
    instanceUrl: e.instance.baseUrl,
    target: e.target ?? '',
    action: actionLabel(e.action),
    outcome: e.outcome,
    message: e.message,
    ticket: r.ticket ?? '',
    ticketUrl: r.ticketUrl ?? '',
    reason: r.reason ?? '',
    verification: [r.verification, r.verificationNote].filter(Boolean).join(': '),
    identityMatch: r.identityMatch ?? '',
  };
}

export async function buildEvidence(file: string, options: EvidenceOptions, verifyOptions: VerifyOptions = {}): Promise<EvidenceReport> {
  const from = bound(options.from, false);
  const to = bound(options.to, true);
  if (from > to) throw new AppError('input', `The period starts after it ends (${options.from} > ${options.to}).`);
  const inPeriod = (e: AuditEntry) => {
    const t = Date.parse(e.time);
    return t >= from && t <= to && (options.instance === undefined || e.instance.id === options.instance);
  };
  const [{ entries }, chain] = await Promise.all([readEntries(file, { filter: inPeriod }), verify(file, verifyOptions)]);
  const counts = { total: entries.length, ok: 0, refused: 0, error: 0, cancelled: 0 };
  for (const e of entries) counts[e.outcome]++;
  const last = entries.at(-1);
  return {
    kind: 'jira2fa.evidence-report',
    format: 1,
    generatedAt: (options.now ?? new Date()).toISOString(),
    log: file,
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    ...(options.instance !== undefined ? { instance: options.instance } : {}),
    instances: [...new Set(entries.map((e) => `${e.instance.name} (${e.instance.baseUrl})`))].sort(),
    counts,
    chain: { ok: chain.ok, entries: chain.entries, gaps: chain.gaps.length, ...(chain.firstBroken ? { firstBroken: { line: chain.firstBroken.line, reason: chain.firstBroken.reason } } : {}) },
    head: chain.head ? { checked: true, ...(chain.head.found !== undefined ? { found: chain.head.found } : {}), ...(chain.head.problem ? { problem: chain.head.problem } : {}) } : { checked: false },
    ...(last ? { lastCovered: { id: last.id, time: last.time, hash: last.hash } } : {}),
    rows: entries.map(rowOf),
  };
}

export const EVIDENCE_CSV_COLUMNS = ['time', 'admin', 'instance', 'target', 'action', 'outcome', 'ticket', 'ticketUrl', 'reason', 'verification', 'identityMatch', 'message', 'id'] as const;

export function evidenceToCsv(report: EvidenceReport): string {
  return toCsv(EVIDENCE_CSV_COLUMNS, report.rows.map((r) => EVIDENCE_CSV_COLUMNS.map((c) => csvSafeCell(r[c]))));
}

export function evidenceToJson(report: EvidenceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** HTML text: every character that could start markup or leave an attribute is escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only http(s) links are made clickable; anything else is shown as text. */
function link(url: string, text: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>` : escapeHtml(text);
}

export function evidenceToHtml(report: EvidenceReport): string {
  const h = escapeHtml;
  const chain = report.chain.ok
    ? `<span class="ok">Intact</span>: ${report.chain.entries} entries verified${report.chain.gaps ? `, ${report.chain.gaps} recorded gap(s)` : ''}.`
    : `<span class="bad">BROKEN</span> from line ${report.chain.firstBroken?.line ?? '?'}: ${h(report.chain.firstBroken?.reason ?? '')}`;
  const head = !report.head.checked
    ? 'Not checked (no head file).'
    : report.head.problem
      ? `Not usable: ${h(report.head.problem)}`
      : report.head.found === false
        ? '<span class="bad">The last entry written from this computer is missing from the log.</span>'
        : report.head.found
          ? '<span class="ok">The last entry written from this computer is in the log.</span>'
          : 'No entry written from this computer yet.';
  const rows = report.rows
    .map((r) => `<tr class="row-${r.outcome}"><td>${h(r.time)}</td><td>${h(r.admin)}</td><td>${h(r.instance)}</td><td>${h(r.target)}</td><td>${h(r.action)}</td><td>${h(r.outcome)}</td><td>${r.ticket ? link(r.ticketUrl, r.ticket) : ''}${r.reason ? `<div class="muted">${h(r.reason)}</div>` : ''}</td><td>${h(r.verification)}</td><td>${h(r.identityMatch)}</td><td class="id">${h(r.id)}</td></tr>`)
    .join('\n');
  const c = report.counts;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>2SV recovery evidence ${h(report.period.from.slice(0, 10))} – ${h(report.period.to.slice(0, 10))}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:20px;margin:0 0 4px}
table{border-collapse:collapse;width:100%;margin-top:12px}th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eee}tr.row-refused td,tr.row-error td{background:#fff4f4}.ok{color:#075e07;font-weight:600}.bad{color:#a30000;font-weight:700}
.muted{color:#555;font-size:12px}.id{font-family:monospace;font-size:11px}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}
@media print{body{margin:8mm}a{color:inherit;text-decoration:none}}
</style></head><body>
<h1>Two-step verification recovery: evidence report</h1>
<dl>
<dt>Period</dt><dd>${h(report.period.from)} – ${h(report.period.to)}</dd>
<dt>Instances</dt><dd>${report.instances.length ? report.instances.map(h).join('<br>') : 'none'}${report.instance ? ` (filter: ${h(report.instance)})` : ''}</dd>
<dt>Actions</dt><dd>${c.total}: ${c.ok} done, ${c.refused} refused, ${c.error} failed, ${c.cancelled} cancelled</dd>
<dt>Hash chain</dt><dd>${chain}</dd>
<dt>Head check</dt><dd>${head}</dd>
<dt>Last entry covered</dt><dd class="id">${report.lastCovered ? `${h(report.lastCovered.id)} at ${h(report.lastCovered.time)}<br>SHA-256 ${h(report.lastCovered.hash)}` : 'none'}</dd>
<dt>Log</dt><dd class="id">${h(report.log)}</dd>
<dt>Generated</dt><dd>${h(report.generatedAt)} by Jira 2FA Admin</dd>
</dl>
<table><thead><tr><th>Time (UTC)</th><th>Admin</th><th>Instance</th><th>User</th><th>Action</th><th>Outcome</th><th>Ticket</th><th>Verification</th><th>Identity match</th><th>Audit entry</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="10">No action in this period.</td></tr>'}
</tbody></table>
</body></html>
`;
}
