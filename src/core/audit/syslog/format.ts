/**
 * One audit entry as an RFC 5424 syslog message, framed by octet counting (RFC 6587 §3.4.1).
 *
 *   <PRI>1 TIMESTAMP HOSTNAME jira2fa PROCID MSGID [jira2fa@32473 id="…" …] BOM{entry line}
 *
 * Facility 13 ("log audit", RFC 5424 table 1); severity from the outcome. The structured data
 * carries the entry's fields and its place in the writer's chain; the MSG is the entry's own
 * canonical JSON line, so its hash can be checked from the SIEM's copy. 32473 is the private
 * enterprise number reserved for documentation (RFC 5612): SD-ID "jira2fa@32473".
 */
import type { ShipRecord } from '../ship/records';
import type { AuditOutcome } from '../types';

export const APP_NAME = 'jira2fa';
export const SD_ID = 'jira2fa@32473';
const FACILITY_LOG_AUDIT = 13;
const SEVERITY: Record<AuditOutcome, number> = { ok: 5, cancelled: 5, refused: 4, error: 3 };
const BOM = '\ufeff';

/** RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** A header field: printable US-ASCII (33-126) only, at most `max` characters, "-" when empty. */
export function headerField(value: string | undefined, max: number): string {
  const clean = (value ?? '').replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean || '-';
}

/** The structured data's parameters for one record, in a fixed order; absent ones left out. */
function params(r: ShipRecord): Array<[string, string]> {
  const e = r.entry;
  const out: Array<[string, string]> = [
    ['id', e.id], ['time', e.time], ['writer', r.writer], ['seq', String(r.seq)], ['prevHash', r.prevHash], ['hash', r.hash],
    ['entryHash', e.hash], ['admin', e.admin], ['computer', r.computer], ['instance', e.instance.id], ['instanceName', e.instance.name],
    ['action', e.action], ['outcome', e.outcome],
  ];
  if (e.target !== undefined) out.push(['target', e.target]);
  if (e.status !== undefined) out.push(['status', String(e.status)]);
  if (r.ticket !== undefined) out.push(['ticket', r.ticket]);
  if (e.runId !== undefined) out.push(['runId', e.runId]);
  if (e.backupId !== undefined) out.push(['backupId', e.backupId]);
  return out;
}

export interface SyslogHeader {
  hostname: string;
  procId?: string;
}

/** The RFC 5424 message (without framing). */
export function formatMessage(r: ShipRecord, header: SyslogHeader): string {
  const pri = FACILITY_LOG_AUDIT * 8 + SEVERITY[r.entry.outcome];
  const sd = `[${SD_ID}${params(r).map(([k, v]) => ` ${k}="${escapeParamValue(v)}"`).join('')}]`;
  return `<${pri}>1 ${r.entry.time} ${headerField(header.hostname, 255)} ${APP_NAME} ${headerField(header.procId, 128)} ${headerField(r.entry.action, 32)} ${sd} ${BOM}${r.line}`;
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
