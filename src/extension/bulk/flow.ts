/**
 * "Bulk disable 2SV…" as a sequence of steps, free of VS Code: instance → user list (pasted,
 * a CSV, the members of groups, or every enrolled user except members of groups) → database or REST → preview (found / not found / not enrolled) → confirmation
 * (typed count on production) → the run with progress and Cancel → the per-user report
 * opened. The editor glue (vscodeUi.ts, command.ts) supplies the UI and the services; tests
 * supply fakes. All the work is done by src/core/bulk.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { AuditSink } from '../../core/audit/types';
import type { BackupStore } from '../../core/backup/store';
import {
  checkGroupSelection,
  countStatuses,
  describeCounts,
  needsConfirmation,
  newReport,
  parseUserList,
  reportToCsv,
  reportToMarkdown,
  saveReport,
  summarizeProblems,
  type BulkReport,
  type BulkVia,
  type GroupSelection,
  type GroupSource,
  type ListFormat,
  type UserList,
  usersFromGroups,
} from '../../core/bulk';
import { runBulkDbExecute, runBulkDbPreview } from '../../core/actions/bulkDb';
import type { DatabaseDeps } from '../../core/actions/database';
import { groupSourceDeps } from '../../core/bulk/groupSource';
import type { JiraClient } from '../../core/jira/client';
import { listEnrolledUsernames } from '../../core/recovery/enrolledUsers';
import type { RestBulkProgress } from '../../core/bulk/rest';
import type { Driver } from '../../core/db/types';
import { AppError, describeError } from '../../core/errors';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { AuditEntry } from '../../core/audit/types';
import type { CommentResult, RequestGateDeps } from '../../core/requests/gate';
import type { RequestInput } from '../../core/requests/policy';

export type Step = (message: string, fraction?: number) => void;

export type ListSource = 'paste' | 'file' | 'groups' | 'all-enrolled';

export interface BulkUi {
  /** Where the users come from; "all-enrolled" is offered only with a database. */
  pickSource(profile: InstanceProfile): Promise<ListSource | undefined>;
  /** Group names (to include, or with all-enrolled to leave out); undefined when cancelled. */
  askGroups(source: 'groups' | 'all-enrolled'): Promise<string[] | undefined>;
  /** The pasted text, or undefined when cancelled. */
  pasteNames(): Promise<string | undefined>;
  /** A chosen file's name and text. */
  pickFile(): Promise<{ name: string; text: string } | undefined>;
  pickVia(profile: InstanceProfile): Promise<BulkVia | undefined>;
  /** Shows the preview; true to go on. `openReport` shows it as a document. */
  showPreview(report: BulkReport, openReport: () => Promise<void>): Promise<boolean>;
  /**
   * The one request behind the whole run, as the instance's policy asks (requestPrompt.ts);
   * `{}` when it asks for nothing, undefined when cancelled.
   */
  askRequest(profile: InstanceProfile, what: string): Promise<{ request?: RequestInput } | undefined>;
  /** After the run: how its ticket comment went (a failed one offers Retry). */
  commented(profile: InstanceProfile, result: CommentResult, entry: AuditEntry): void;
  /** Production: the typed confirmation (the number of users); else a yes/no. undefined: cancelled. */
  confirm(profile: InstanceProfile, count: number, via: BulkVia): Promise<string | undefined>;
  /** Runs `task` with a progress notification with Cancel. */
  progress<T>(title: string, cancellable: boolean, task: (step: Step, signal: AbortSignal) => Promise<T>): Promise<T>;
  openDocument(file: string): Promise<void>;
  info(message: string, ...actions: Array<{ title: string; run: () => unknown }>): void;
  error(message: string): void;
}

export interface RestRun {
  report: BulkReport;
  confirmation?: string;
  signal: AbortSignal;
  onProgress: (p: RestBulkProgress) => void;
  persist: (report: BulkReport) => Promise<void>;
  /** The one request behind the run, and the comment's outcome after it. */
  request?: RequestInput;
  onComment: (r: CommentResult, entry: AuditEntry) => void;
}

export interface BulkDeps {
  admin(): string;
  audit: AuditSink;
  backups: BackupStore;
  /** Folder for report files (json, csv, md). */
  reportDir: string;
  withDatabase<T>(profile: InstanceProfile, fn: (driver: Driver) => Promise<T>): Promise<T>;
  /** The instance's REST client (kept open by the caller), for group members. */
  jiraClient(profile: InstanceProfile): Promise<JiraClient>;
  /** The REST run (runRestBulk with the instance's client and replay guard). */
  runRest(profile: InstanceProfile, run: RestRun): Promise<BulkReport>;
  /** Ticket checks and comments of the request gate (the extension's pooled Jira clients). */
  requests?: RequestGateDeps;
  log(line: string): void;
}

export interface ReportFiles {
  json: string;
  csv: string;
  markdown: string;
}

export async function writeReportFiles(dir: string, report: BulkReport): Promise<ReportFiles> {
  const base = path.join(dir, report.runId);
  const files = { json: `${base}.json`, csv: `${base}.csv`, markdown: `${base}.md` };
  await saveReport(files.json, report);
  await writeFile(files.csv, reportToCsv(report, { bom: true }), 'utf8');
  await writeFile(files.markdown, reportToMarkdown(report), 'utf8');
  return files;
}

function minutes(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  return m <= 1 ? 'about a minute left' : `about ${m} min left`;
}

/** The whole command for one instance. Returns the final report (undefined when cancelled early). */
export async function runBulkFlow(profile: InstanceProfile, ui: BulkUi, deps: BulkDeps): Promise<BulkReport | undefined> {
  if (profile.product === 'cloud') {
    ui.error(`${profile.name} is an Atlassian Cloud organization: bulk disable is for Data Center instances.`);
    return undefined;
  }
  const source = await ui.pickSource(profile);
  if (!source) return undefined;
  let chosen: { list: UserList; source?: GroupSource } | undefined;
  try {
    chosen = source === 'groups' || source === 'all-enrolled' ? await listFromGroups(profile, source, ui, deps) : await listFromText(source, ui);
  } catch (e) {
    ui.error(describeError(e));
    return undefined;
  }
  if (!chosen) return undefined;
  const { list } = chosen;
  const via = await ui.pickVia(profile);
  if (!via) return undefined;
  const report = newReport(profile, list, via, deps.admin(), new Date(), chosen.source);
  deps.log(`Bulk ${report.runId} on ${profile.id} via ${via}: ${list.users.length} users${list.problems.length ? `, ${summarizeProblems(list.problems)} left out` : ''}`);
  const openReport = async () => ui.openDocument((await writeReportFiles(deps.reportDir, report)).markdown);

  try {
    if (via === 'db') return await dbRun(profile, report, ui, deps, openReport);
    return await restRun(profile, report, ui, deps, openReport);
  } catch (e) {
    deps.log(`Bulk ${report.runId}: ${describeError(e)}`);
    ui.error(`Bulk disable on ${profile.name}: ${describeError(e)}`);
    return report;
  }
}

async function listFromText(source: 'paste' | 'file', ui: BulkUi): Promise<{ list: UserList } | undefined> {
  let text: string | undefined;
  let format: ListFormat = 'lines';
  if (source === 'paste') text = await ui.pasteNames();
  else {
    const file = await ui.pickFile();
    if (file) {
      text = file.text;
      format = /\.csv$/i.test(file.name) ? 'csv' : 'lines';
    }
  }
  return text === undefined ? undefined : { list: parseUserList(text, format) };
}

/** Members from the instance's REST API; with all-enrolled, the enrolled users from its database. */
async function listFromGroups(profile: InstanceProfile, source: 'groups' | 'all-enrolled', ui: BulkUi, deps: BulkDeps): Promise<{ list: UserList; source: GroupSource } | undefined> {
  const names = await ui.askGroups(source);
  if (!names) return undefined;
  const allEnrolled = source === 'all-enrolled';
  const selection: GroupSelection = { groups: allEnrolled ? [] : names, exceptGroups: allEnrolled ? names : [], allEnrolled };
  checkGroupSelection(selection);
  const enrolled = allEnrolled && profile.database ? () => deps.withDatabase(profile, (driver) => listEnrolledUsernames(driver, profile.product)) : undefined;
  return ui.progress(`Reading the members of ${names.length} group${names.length === 1 ? '' : 's'} on ${profile.name}`, false, async () =>
    usersFromGroups(selection, await groupSourceDeps(await deps.jiraClient(profile), enrolled)),
  );
}

async function dbRun(profile: InstanceProfile, report: BulkReport, ui: BulkUi, deps: BulkDeps, openReport: () => Promise<void>): Promise<BulkReport | undefined> {
  const db: DatabaseDeps = { audit: deps.audit, admin: deps.admin(), backups: deps.backups, withDatabase: (p, fn) => deps.withDatabase(p, fn), ...(deps.requests ? { requests: deps.requests } : {}) };
  const total = report.users.length;
  await ui.progress(`Looking up ${total} users in the database of ${profile.name}`, false, (step) =>
    runBulkDbPreview(db, { profile, report, onProgress: (p) => step(`${p.done}/${p.total}`, p.done / p.total) }),
  );
  const count = countStatuses(report)['would-disable'];
  if (count === 0) {
    await openReport();
    ui.info(`No listed user is enrolled on ${profile.name} (${describeCounts(report)}): nothing to change.`);
    return report;
  }
  if (!(await ui.showPreview(report, openReport))) return undefined;
  const asked = await ui.askRequest(profile, `Bulk disable of 2SV for ${count} users`);
  if (!asked) return undefined;
  const confirmation = await ui.confirm(profile, count, 'db');
  if (confirmation === undefined) return undefined;

  let failure: unknown;
  await ui.progress(`Disabling 2SV for ${count} users on ${profile.name} (one transaction)`, true, (step, signal) =>
    runBulkDbExecute(db, {
      profile,
      report,
      confirmation: needsConfirmation(profile) ? confirmation : undefined,
      ...(asked.request ? { request: asked.request } : {}),
      onComment: (r, entry) => ui.commented(profile, r, entry),
      onProgress: (p) => {
        // Before the commit, Cancel rolls the whole transaction back.
        if (signal.aborted && p.phase !== 'audit') throw new AppError('refused', 'Cancelled: the transaction was rolled back, nothing was changed.');
        const what = p.phase === 'backup' ? 'backing up' : p.phase === 'change' ? 'deleting' : 'writing audit entries';
        step(`${what} ${p.done}/${p.total}`, p.done / p.total);
      },
    }).catch((e) => {
      failure = e;
    }),
  );
  const files = await writeReportFiles(deps.reportDir, report);
  await ui.openDocument(files.markdown);
  const csv = { title: 'Open CSV', run: () => ui.openDocument(files.csv) };
  if (failure) ui.error(`Bulk disable on ${profile.name} failed, nothing was changed: ${describeError(failure)}`);
  else ui.info(`Bulk disable on ${profile.name}: ${describeCounts(report)}. Backup ${report.backupId} holds every deleted row.`, csv);
  return report;
}

async function restRun(profile: InstanceProfile, report: BulkReport, ui: BulkUi, deps: BulkDeps, openReport: () => Promise<void>): Promise<BulkReport | undefined> {
  for (const u of report.users) u.message = 'will be sent (the server tells whether the user exists and is enrolled)';
  if (!(await ui.showPreview(report, openReport))) return undefined;
  const asked = await ui.askRequest(profile, `Bulk disable of 2SV for ${report.users.length} users`);
  if (!asked) return undefined;
  for (const u of report.users) u.message = 'not attempted yet';
  return resumeRest(profile, report, ui, deps, asked.request);
}

/** Runs (or continues, with the same request) a REST report to its end, with progress, ETA and Cancel. */
export async function resumeRest(profile: InstanceProfile, report: BulkReport, ui: BulkUi, deps: BulkDeps, request?: RequestInput): Promise<BulkReport | undefined> {
  const pending = report.users.filter((u) => u.status === 'pending').length;
  const confirmation = await ui.confirm(profile, pending, 'rest');
  if (confirmation === undefined) return undefined;
  const jsonFile = path.join(deps.reportDir, `${report.runId}.json`);
  await ui.progress(`Disabling 2SV for ${pending} users on ${profile.name} (one per 30-second code window)`, true, (step, signal) =>
    deps.runRest(profile, {
      report,
      confirmation: needsConfirmation(profile) ? confirmation : undefined,
      signal,
      persist: (r) => saveReport(jsonFile, r),
      ...(request ? { request } : {}),
      onComment: (r, entry) => ui.commented(profile, r, entry),
      onProgress: (p) => {
        const doing = p.waiting ? (p.waiting.for === 'code' ? `${p.current}: waiting ${Math.ceil(p.waiting.ms / 1000)} s for a fresh code` : `${p.current}: rate limited, waiting ${Math.ceil(p.waiting.ms / 1000)} s`) : (p.current ?? '');
        step(`${p.done}/${p.total}${doing ? ` · ${doing}` : ''} · ${p.done < p.total ? minutes(p.etaMs) : 'done'}`, p.done / p.total);
      },
    }),
  );
  const files = await writeReportFiles(deps.reportDir, report);
  await ui.openDocument(files.markdown);
  const csv = { title: 'Open CSV', run: () => ui.openDocument(files.csv) };
  if (report.state === 'cancelled' || report.state === 'stopped') {
    ui.info(`Bulk disable on ${profile.name} ${report.state}: ${describeCounts(report)}. The pending users can be resumed.`, csv, {
      title: 'Resume',
      run: () => resumeRest(profile, report, ui, deps, request).catch((e) => ui.error(describeError(e))),
    });
  } else ui.info(`Bulk disable on ${profile.name}: ${describeCounts(report)}.`, csv);
  return report;
}
