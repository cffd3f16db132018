/**
 * Bulk disable by SQL: look every listed user up (found / enrolled / not found) in one
 * read-only transaction with one SELECT per batch of names (<product>.is-enrolled-many), then
 * delete all the enrollments in ONE guarded change, set-based (<product>.disable-2sv-many,
 * recovery/bulkChange.ts): row locks, exactly one row per user found enrolled or nothing
 * happens, ONE backup of every affected row written before the first DELETE, one commit.
 * restoreBackup() on that backup puts every row back. Every listed user gets an audit entry
 * carrying the run id; they are written in one batch after the transaction.
 */
import { AppError, describeError } from '../errors';
import type { AuditOutcome } from '../audit/types';
import { outcomeOf, writeAudit, writeAuditMany, type AuditItem, type RecoveryContext } from '../recovery/context';
import { lookupEnrollments } from '../recovery/probe';
import { BULK_LIST_PARAM, runGuardedBulkChange } from '../recovery/bulkChange';
import { checkChangeAllowed, paramsOrThrow } from '../recovery/runSnippet';
import type { BackupRecord } from '../backup/store';
import { builtinSnippet } from '../snippets/catalogue';
import type { Snippet } from '../snippets/types';
import { checkBulkConfirmation } from './confirm';
import { countStatuses, describeCounts, type BulkReport } from './report';

export interface SqlBulkContext extends RecoveryContext {
  runId: string;
}

export interface SqlBulkProgress {
  phase: 'lookup' | 'backup' | 'change' | 'audit';
  done: number;
  total: number;
}

function requireDbReport(ctx: SqlBulkContext, report: BulkReport): void {
  if (report.via !== 'db') throw new AppError('input', `Report ${report.runId} is a ${report.via} run, not a database run.`);
  if (report.instance.id !== ctx.profile.id) throw new AppError('input', `Report ${report.runId} belongs to instance ${report.instance.id}, not ${ctx.profile.id}.`);
  if (report.runId !== ctx.runId) throw new AppError('input', 'Internal error: the run id of the context and of the report differ.');
}

async function disableSnippet(ctx: RecoveryContext): Promise<Snippet> {
  const product = ctx.profile.product;
  if (product !== 'jira' && product !== 'confluence') {
    throw new AppError('input', `No built-in disable snippet for ${product}: bulk by SQL supports Jira and Confluence.`, 'Use --via rest for this instance.');
  }
  return builtinSnippet(`${product}.disable-2sv-many`);
}

/**
 * Fills the report with what each user's row would be: would-disable (found and enrolled),
 * not-enrolled, not-found. Read-only; one audit entry for the preview.
 */
export async function previewSqlBulk(ctx: SqlBulkContext, report: BulkReport, onProgress?: (p: SqlBulkProgress) => void): Promise<BulkReport> {
  requireDbReport(ctx, report);
  const snippet = await disableSnippet(ctx);
  const total = report.users.length;
  try {
    if (!ctx.profile.database) throw new AppError('input', `The instance "${ctx.profile.name}" has no database connection configured.`, 'Add a database section to its profile.');
    const found = await lookupEnrollments(ctx.driver, ctx.profile.product, report.users.map((u) => u.username), (done) => onProgress?.({ phase: 'lookup', done, total }));
    const at = new Date().toISOString();
    found.forEach((s, i) => {
      const u = report.users[i];
      u.at = at;
      u.userKey = s.userKey;
      if (!s.userExists) Object.assign(u, { status: 'not-found', message: 'no user with this name in the database' });
      else if (!s.enrolled) Object.assign(u, { status: 'not-enrolled', message: 'two-step verification is not set up for this user' });
      else Object.assign(u, { status: 'would-disable', message: `enrolled since ${s.createdAt ?? '(unknown)'}; its enrollment row will be deleted` });
    });
    report.state = 'preview';
    report.stateMessage = `Preview: ${describeCounts(report)}.`;
    const c = countStatuses(report);
    await writeAudit(ctx, { action: 'bulk.preview', details: { snippet: snippet.name, via: 'db', users: total, enrolled: c['would-disable'], notFound: c['not-found'], notEnrolled: c['not-enrolled'] } }, 'ok', report.stateMessage);
    return report;
  } catch (e) {
    await writeAudit(ctx, { action: 'bulk.preview', details: { snippet: snippet.name, via: 'db', users: total } }, outcomeOf(e), describeError(e));
    throw e;
  }
}

/**
 * Deletes the enrollment of every user the preview found enrolled, in one transaction.
 * The report is updated in place (also when the run fails: every user then says why), and
 * the error is rethrown so the caller can set its exit code.
 */
export async function executeSqlBulk(
  ctx: SqlBulkContext,
  report: BulkReport,
  options: { confirmation?: string; onProgress?: (p: SqlBulkProgress) => void } = {},
): Promise<BulkReport> {
  requireDbReport(ctx, report);
  if (report.state !== 'preview') throw new AppError('input', 'Preview the run first: the users to change come from its lookup.');
  const snippet = await disableSnippet(ctx);
  const targets = report.users.filter((u) => u.status === 'would-disable');
  const track: { backup?: BackupRecord } = {};
  const auditErrors: string[] = [];
  type BulkUser = (typeof report.users)[number];
  // Every listed user gets one entry, all written together after the transaction with one
  // lock and one fsync (appendMany) rather than a thousand separate appends.
  const auditAll = async (rows: Array<{ u: BulkUser; outcome: AuditOutcome; message: string; backupId?: string; rows?: number }>) => {
    options.onProgress?.({ phase: 'audit', done: 0, total: rows.length });
    const items: AuditItem[] = rows.map(({ u, outcome, message, backupId, rows: n }) => {
      // Members in sorted order, as the log writes them (it then copies nothing to sort them).
      const details: NonNullable<AuditItem['base']['details']> = {};
      if (n !== undefined) details.rows = n;
      details.snippet = snippet.name;
      if (u.userKey) details.userKey = u.userKey;
      return { base: { action: 'bulk.sql.disable', target: u.username, details }, outcome, message, extra: backupId ? { backupId } : {} };
    });
    const results = await writeAuditMany(ctx, items);
    results.forEach((r, i) => {
      if (r.entry) rows[i].u.auditEntryIds.push(r.entry.id);
      if (r.error) auditErrors.push(r.error);
    });
    options.onProgress?.({ phase: 'audit', done: rows.length, total: rows.length });
  };
  try {
    checkChangeAllowed(ctx, snippet);
    if (!targets.length) throw new AppError('input', `No listed user is enrolled (${describeCounts(report)}): nothing to change.`);
    checkBulkConfirmation(ctx.profile, targets.length, options.confirmation);
    // Every name is checked as the snippet's parameter (length, NUL) before anything runs.
    paramsOrThrow(snippet, { [BULK_LIST_PARAM]: targets.map((u) => u.username) });
    report.state = 'running';
    const done = await runGuardedBulkChange(ctx, snippet, targets.map((u) => ({ username: u.username, userKey: u.userKey })), {
      backupParams: { runId: ctx.runId, users: targets.length },
      track,
      onBatch: (phase, n, total) => options.onProgress?.({ phase, done: n, total }),
      // Committed: the users' entries are written while the backup is marked committed.
      afterCommit: async (backup) => {
        report.backupId = backup.id;
        const at = new Date().toISOString();
        for (const u of targets) {
          Object.assign(u, { status: 'disabled', message: 'enrollment row deleted (1 row)', at });
          u.attempts++;
        }
        report.state = 'completed';
        await auditAll(report.users.map((u) =>
          u.status === 'disabled'
            ? { u, outcome: 'ok' as const, message: `Two-step verification disabled by deleting the enrollment row (bulk run, backup ${backup.id}).`, backupId: backup.id, rows: 1 }
            : { u, outcome: 'refused' as const, message: `Not changed: ${u.message}.` }));
      },
    });
    report.stateMessage = `${targets.length} enrollment row${targets.length === 1 ? '' : 's'} deleted in one transaction; backup ${done.backup.id}.${done.stateError ? ` ${done.stateError}` : ''}`;
  } catch (e) {
    const why = describeError(e);
    const at = new Date().toISOString();
    report.state = 'failed';
    report.stateMessage = why;
    if (track.backup) report.backupId = track.backup.id;
    for (const u of report.users) {
      if (u.status === 'would-disable') {
        Object.assign(u, { status: 'failed', message: `not changed: ${why}`, at });
        u.attempts++;
      }
    }
    await auditAll(report.users.map((u) => ({
      u,
      outcome: u.status === 'failed' ? outcomeOf(e) : 'refused',
      message: u.status === 'failed' ? `Bulk run failed, nothing was changed: ${why}` : `Not changed: ${u.message}.`,
      ...(track.backup ? { backupId: track.backup.id } : {}),
    })));
    if (auditErrors.length) report.stateMessage += ` (${auditErrors.length} audit entr${auditErrors.length === 1 ? 'y' : 'ies'} could not be written: ${auditErrors[0]})`;
    throw e;
  }
  if (auditErrors.length) report.stateMessage += ` ${auditErrors.length} audit entr${auditErrors.length === 1 ? 'y' : 'ies'} could not be written: ${auditErrors[0]}`;
  return report;
}
