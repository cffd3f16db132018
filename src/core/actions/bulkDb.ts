/**
 * Bulk disable as audited actions (see audited.ts); by SQL here, by REST in bulkRest.ts. The
 * runs keep their entries per user, linked by the run id (bulk/sql.ts, bulk/rest.ts); what
 * stops a run before any user's entry (no database section, the session or client cannot be
 * opened, the report does not fit, a production run not confirmed, no seed stored, the
 * credentials refused) ends in ONE entry for the run, "bulk.run", with the run id.
 */
import type { BulkReport } from '../bulk/report';
import { executeSqlBulk, previewSqlBulk, type SqlBulkProgress } from '../bulk/sql';
import type { InstanceProfile } from '../profiles/schema';
import type { RequestInput } from '../requests/policy';
import { countStatuses, describeCounts } from '../bulk/report';
import { auditedAttempt, rethrowStopped, type RequestStep } from './audited';
import { withRecoveryContext, type DatabaseDeps } from './database';

export interface BulkInput {
  profile: InstanceProfile;
  /** A new report (newReport()) or, for REST, one loaded to resume. */
  report: BulkReport;
  /** One request for the whole run (ticket, reason, verification): see src/core/requests. */
  request?: RequestInput;
  onComment?: RequestStep['onComment'];
}

/** The request step of a run: no identity match (many users), the comment says the counts. */
export function bulkRequest(input: BulkInput): RequestStep {
  const r = input.report;
  return {
    profile: input.profile,
    input: input.request,
    label: `Bulk disable of two-step verification (${r.via === 'db' ? 'database' : 'REST'}, run ${r.runId}, ${countStatuses(r).total} users)`,
    runSummary: () => `${r.state}: ${describeCounts(r)}.`,
    ...(input.onComment ? { onComment: input.onComment } : {}),
  };
}

export interface BulkDbInput extends BulkInput {
  onProgress?: (p: SqlBulkProgress) => void;
}

export interface BulkDbExecuteInput extends BulkDbInput {
  /** Production: the number of users to change, as the preview showed it. */
  confirmation?: string;
}


/** The run's own entry, written when no user's entry was. */
export function runEntry(input: BulkInput) {
  const r = input.report;
  return { action: 'bulk.run', runId: r.runId, details: { via: r.via, users: r.users.length } };
}

/** The lookup of every listed user (read-only); fills the report in place. */
export function runBulkDbPreview(deps: DatabaseDeps, input: BulkDbInput): Promise<BulkReport> {
  const { profile, report } = input;
  return auditedAttempt(deps, profile, runEntry(input), (audit) =>
    withRecoveryContext(deps, audit, profile, (ctx) => previewSqlBulk({ ...ctx, runId: report.runId }, report, input.onProgress), report.runId), rethrowStopped);
}

/** The one-transaction change of a previewed report; fills the report in place, throws when it failed. */
export function runBulkDbExecute(deps: DatabaseDeps, input: BulkDbExecuteInput): Promise<BulkReport> {
  const { profile, report } = input;
  return auditedAttempt(deps, profile, runEntry(input), (audit) =>
    withRecoveryContext(deps, audit, profile, (ctx) =>
      executeSqlBulk({ ...ctx, runId: report.runId }, report, {
        ...(input.confirmation !== undefined ? { confirmation: input.confirmation } : {}),
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      }), report.runId), rethrowStopped, undefined, bulkRequest(input));
}

