/** Messages of the audit log panel. Entries hold no secret by construction (see core/audit). */
import * as z from 'zod/mini';

const text = z.string().check(z.maxLength(10_000));

export const AuditRowSchema = z.strictObject({
  id: text,
  time: text,
  admin: text,
  instance: text,
  action: text,
  target: text,
  outcome: text,
  status: z.optional(z.number()),
  message: text,
  runId: z.optional(text),
  backupId: z.optional(text),
});
export type AuditRow = z.infer<typeof AuditRowSchema>;

/** One row of the team store (Team view): the entry plus who wrote it from which computer. */
export const TeamRowSchema = z.strictObject({
  id: text,
  time: text,
  dbTime: text,
  admin: text,
  computer: text,
  instance: text,
  action: text,
  target: text,
  ticket: text,
  outcome: text,
  message: text,
  writer: text,
  seq: z.number(),
});
export type TeamRow = z.infer<typeof TeamRowSchema>;

const filterText = z.optional(z.string().check(z.maxLength(1000)));

/** The Team view's filters: each one exact; since/until a date (YYYY-MM-DD) or an ISO time. */
export const TeamFilterSchema = z.strictObject({
  admin: filterText,
  computer: filterText,
  instance: filterText,
  target: filterText,
  ticket: filterText,
  since: filterText,
  until: filterText,
});
export type TeamFilter = z.infer<typeof TeamFilterSchema>;

export const ToAuditSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('team'),
    /** The store, as a URL without password; empty when none is configured. */
    store: text,
    rows: z.array(TeamRowSchema),
    /** Why the store could not be read (then no rows). */
    error: z.optional(text),
  }),
  z.strictObject({
    type: z.literal('entries'),
    rows: z.array(AuditRowSchema),
    /** How many entries the file has in all (rows may be the newest part of them). */
    total: z.number(),
    file: text,
    verify: z.strictObject({ ok: z.boolean(), message: text }),
    /** Select this entry (e.g. opened from an unenroll result). */
    focusId: z.optional(text),
  }),
]);
export type ToAudit = z.infer<typeof ToAuditSchema>;

export const FromAuditSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('refresh') }),
  z.strictObject({ type: z.literal('exportCsv') }),
  z.strictObject({ type: z.literal('teamQuery'), filter: TeamFilterSchema }),
]);
export type FromAudit = z.infer<typeof FromAuditSchema>;

export const AuditStateSchema = z.strictObject({
  filter: text,
  outcome: text,
  /** Which view is shown: this computer's log, or the team store. */
  view: z.optional(z.enum(['local', 'team'])),
  team: z.optional(TeamFilterSchema),
});
export type AuditState = z.infer<typeof AuditStateSchema>;

/** The rows a filter keeps: every word must appear in some column; outcome matches exactly. */
export function filterRows(rows: AuditRow[], filter: string, outcome: string): AuditRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (outcome && r.outcome !== outcome) return false;
    const hay = [r.time, r.admin, r.instance, r.action, r.target, r.outcome, r.message, r.id, r.runId ?? '', r.backupId ?? '', String(r.status ?? '')]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
