/**
 * `jira2fa bulk`: disable two-step verification for a list of users.
 *   --via db   one transaction with one backup; previews (found / not found / not enrolled)
 *              unless --commit; production needs --confirm <number of users to change>.
 *   --via rest the recovery unenroll per user, one fresh code per 30-second window from your
 *              stored seed; Ctrl-C stops after the current user and --resume continues.
 * The users: a list (--users FILE), the members of groups (--group NAME, repeatable), or every
 * enrolled user except members of groups (--all-enrolled --except-group NAME; needs the database).
 * The per-user report is written as JSON (--report, resumable) and optionally as CSV (--csv).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { runBulkDbExecute, runBulkDbPreview } from '../../core/actions/bulkDb';
import { runBulkRest } from '../../core/actions/bulkRest';
import { sharedSession } from '../../core/actions/database';
import {
  countStatuses,
  describeCounts,
  checkGroupSelection,
  describeGroupSource,
  formatForFile,
  loadReport,
  newReport,
  parseUserList,
  reportToCsv,
  saveReport,
  summarizeProblems,
  usersFromGroups,
  type BulkReport,
  type BulkVia,
  type GroupSelection,
  type UserList,
} from '../../core/bulk';
import { groupSourceDeps } from '../../core/bulk/groupSource';
import { listEnrolledUsernames } from '../../core/recovery/enrolledUsers';
import { printable } from '../../core/printable';
import { connectDatabase } from '../../core/db/connect';
import { readSecretFor } from '../../core/credentialOrigin';
import { createJiraClient } from '../../core/jira/client';
import { AppError, describeError, exitCodeFor, EXIT_CODES } from '../../core/errors';
import { stateDir } from '../../core/platformPaths';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { CliContext } from '../context';
import { databaseDeps } from './sql';
import { addRequestOptions, commentReporter, requestFrom, requestGate, type RequestOptions } from '../requestOptions';

interface BulkOptions extends RequestOptions {
  instance: string;
  users?: string;
  group: string[];
  allEnrolled?: boolean;
  exceptGroup: string[];
  via: BulkVia;
  commit?: boolean;
  confirm?: string;
  resume?: string;
  report?: string;
  csv?: string;
  format?: 'lines' | 'csv';
}

function via(value: string): BulkVia {
  if (value !== 'db' && value !== 'rest') throw new InvalidArgumentError('Expected "db" or "rest".');
  return value;
}

function listFormat(value: string): 'lines' | 'csv' {
  if (value !== 'lines' && value !== 'csv') throw new InvalidArgumentError('Expected "lines" or "csv".');
  return value;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command, ctx: CliContext): void {
  addRequestOptions(program
    .command('bulk'))
    .description('disable two-step verification for many users: --via db (one transaction, one backup) or --via rest (paced recovery unenroll)')
    .requiredOption('--instance <id>', 'instance id from the profiles file')
    .option('--users <file>', 'the users: one user name per line, or a .csv file with a "username" column')
    .option('--group <name>', 'the members of this group (repeatable; a user in several groups counts once)', collect, [])
    .option('--all-enrolled', 'every user the database lists as enrolled (with --except-group to leave groups out)')
    .option('--except-group <name>', 'with --all-enrolled: leave the members of this group out (repeatable)', collect, [])
    .requiredOption('--via <db|rest>', 'db: delete the enrollment rows in the instance database; rest: the recovery unenroll call', via)
    .option('--format <lines|csv>', 'how --users is written (default: csv for a .csv file, else lines)', listFormat)
    .option('--commit', 'db: change the database (without it, only the preview runs)')
    .option('--confirm <count>', 'production instances: the number of users that will be changed (the preview shows it)')
    .option('--resume <report>', 'rest: continue a cancelled or stopped run from its JSON report')
    .option('--report <file>', 'write the per-user report here as JSON (rest default: <state dir>/bulk/<run id>.json)')
    .option('--csv <file>', 'also export the per-user report as CSV')
    .action(async (opts: BulkOptions) => {
      const profile = await ctx.getProfile(opts.instance);
      if (profile.product === 'cloud') throw new AppError('input', `${profile.name} is an Atlassian Cloud organization: bulk disable is for Data Center instances.`, 'Use "jira2fa cloud" for Cloud users.');
      const fromGroups = opts.group.length > 0 || !!opts.allEnrolled || opts.exceptGroup.length > 0;
      const sources = [opts.users, opts.resume, fromGroups].filter(Boolean).length;
      if (sources > 1) throw new AppError('input', 'Give the users one way: --users FILE, --group NAME / --all-enrolled, or --resume REPORT.');
      if (sources === 0) throw new AppError('input', 'Give the users with --users FILE, --group NAME or --all-enrolled (or --resume REPORT to continue a REST run).');
      if (opts.resume && opts.via !== 'rest') throw new AppError('input', 'Only REST runs are resumed: a database run is one transaction, it either happened or not.');

      let report: BulkReport;
      let reportFile = opts.report ? ctx.resolvePath(opts.report) : undefined;
      if (opts.resume) {
        const file = ctx.resolvePath(opts.resume);
        report = await loadReport(file);
        if (report.instance.id !== profile.id) throw new AppError('input', `The report ${file} is for instance ${report.instance.id}, not ${profile.id}.`);
        reportFile ??= file;
        ctx.err(`Resuming run ${report.runId}: ${describeCounts(report)}.`);
      } else if (fromGroups) {
        const selection: GroupSelection = { groups: opts.group, exceptGroups: opts.exceptGroup, allEnrolled: !!opts.allEnrolled };
        checkGroupSelection(selection);
        const { list, source } = await listFromGroups(ctx, profile, selection);
        ctx.err(`Users from ${describeGroupSource(source)}.`);
        warnProblems(ctx, list, 'the group members');
        report = newReport(profile, list, opts.via, ctx.adminName(), new Date(), source);
      } else {
        const file = ctx.resolvePath(opts.users!);
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (e) {
          throw new AppError('input', `Cannot read the user list ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
        }
        const list = parseUserList(text, opts.format ?? formatForFile(file));
        warnProblems(ctx, list, path.basename(file));
        report = newReport(profile, list, opts.via, ctx.adminName());
      }
      if (opts.via === 'rest') reportFile ??= path.join(stateDir(ctx.io.env), 'bulk', `${report.runId}.json`);

      let failure: unknown;
      try {
        if (opts.via === 'db') await runDb(ctx, profile, report, opts);
        else await runRest(ctx, profile, report, opts, reportFile!);
      } catch (e) {
        failure = e;
      }
      // The report is written whatever happened: it says per user what was (not) done.
      if (reportFile) await saveReport(reportFile, report);
      if (opts.csv) await writeFile(ctx.resolvePath(opts.csv), reportToCsv(report), 'utf8');
      if (failure && !(failure instanceof AppError)) throw failure;
      print(ctx, report, opts, reportFile, failure as AppError | undefined);
    });
}

function warnProblems(ctx: CliContext, list: UserList, where: string): void {
  if (!list.problems.length) return;
  ctx.warn(`${list.problems.length} line(s) of ${where} left out (${summarizeProblems(list.problems)}):`);
  for (const p of list.problems.slice(0, 20)) ctx.err(`  line ${p.line}: ${p.kind}${p.text ? ` "${p.text}"` : ''}: ${p.message}`);
  if (list.problems.length > 20) ctx.err(`  … and ${list.problems.length - 20} more (see the report)`);
}

/** The users of --group / --all-enrolled: members from the REST API, enrolled users from the database. */
async function listFromGroups(ctx: CliContext, profile: InstanceProfile, selection: GroupSelection) {
  const secrets = ctx.secrets();
  const client = await createJiraClient(profile, secrets);
  try {
    let enrolled: (() => Promise<string[]>) | undefined;
    if (selection.allEnrolled) {
      const db = profile.database;
      if (!db) throw new AppError('input', `--all-enrolled needs the database of "${profile.name}": only the database lists who has two-step verification.`, 'Add a "database" section to its profile, or name the groups with --group.');
      enrolled = async () => {
        const driver = await connectDatabase(db, await readSecretFor(secrets, profile, 'dbPassword'), { applicationName: 'jira2fa-cli' });
        try {
          return await listEnrolledUsernames(driver, profile.product);
        } finally {
          await driver.close();
        }
      };
    }
    return await usersFromGroups(selection, await groupSourceDeps(client, enrolled));
  } finally {
    await client.close();
  }
}

async function runDb(ctx: CliContext, profile: InstanceProfile, report: BulkReport, opts: BulkOptions): Promise<void> {
  const base = databaseDeps(ctx);
  const session = sharedSession(base);
  const deps = { ...base, withDatabase: session.withDatabase };
  try {
    await runBulkDbPreview(deps, { profile, report });
    if (!opts.commit) return;
    const request = requestFrom(opts);
    await runBulkDbExecute(deps, { profile, report, ...(opts.confirm !== undefined ? { confirmation: opts.confirm } : {}), ...(request ? { request } : {}), onComment: commentReporter(ctx).onComment });
  } finally {
    await session.close();
  }
}

async function runRest(ctx: CliContext, profile: InstanceProfile, report: BulkReport, opts: BulkOptions, reportFile: string): Promise<void> {
  const cancel = new AbortController();
  const onSigint = () => {
    if (cancel.signal.aborted) return;
    ctx.err('Cancelling after the current user… (the report will be resumable; Ctrl-C again quits at once)');
    cancel.abort();
  };
  process.once('SIGINT', onSigint);
  let last = -1;
  try {
    ctx.err(`Run ${report.runId}: one user per 30-second code window; report: ${reportFile}`);
    await runBulkRest(
      { audit: ctx.auditLog(), secrets: ctx.secrets(), replayGuard: ctx.replayGuard(profile.id), requests: requestGate(ctx) },
      {
        profile,
        report,
        ...(requestFrom(opts) ? { request: requestFrom(opts) } : {}),
        onComment: commentReporter(ctx).onComment,
        confirmation: opts.confirm,
        signal: cancel.signal,
        persist: (r) => saveReport(reportFile, r),
        onProgress: (p) => {
          if (p.done === last || p.current) return;
          last = p.done;
          const u = report.users.filter((x) => x.status !== 'pending').at(-1);
          ctx.err(`[${p.done}/${p.total}]${u ? ` ${u.username}: ${u.status}` : ''}${p.done < p.total ? `, about ${Math.ceil(p.etaMs / 60_000)} min left` : ''}`);
        },
      },
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

const MARK: Record<string, string> = { disabled: '✓', 'would-disable': '→', 'not-found': '?', 'not-enrolled': '-', failed: '✗', pending: '…' };

function print(ctx: CliContext, report: BulkReport, opts: BulkOptions, reportFile: string | undefined, failure: AppError | undefined): void {
  const counts = countStatuses(report);
  const preview = report.state === 'preview';
  if (failure) ctx.setExitCode(exitCodeFor(failure.kind));
  else if (report.state !== 'completed' && !preview) ctx.setExitCode(EXIT_CODES.refused);
  else if (counts.failed > 0) ctx.setExitCode(EXIT_CODES.refused);
  const needConfirm = profileNeedsCount(report) ? ` --confirm ${counts['would-disable']}` : '';
  ctx.result(
    {
      ok: !failure && (report.state === 'completed' || preview) && counts.failed === 0,
      runId: report.runId,
      via: report.via,
      state: report.state,
      message: failure ? describeError(failure) : (report.stateMessage ?? null),
      counts,
      backupId: report.backupId ?? null,
      report: reportFile ?? null,
      csv: opts.csv ? ctx.resolvePath(opts.csv) : null,
      listProblems: report.listProblems,
      source: report.source ?? null,
      users: report.users.map((u) => ({ username: u.username, status: u.status, message: u.message, userKey: u.userKey ?? null, outcome: u.outcome ?? null, httpStatus: u.httpStatus ?? null, auditEntryIds: u.auditEntryIds })),
    },
    () => {
      if (report.source) {
        ctx.out(`Users from ${describeGroupSource(report.source)}.`);
        for (const x of report.source.excluded) ctx.out(`  left out: ${printable(x.username)} (${x.reason})`);
      }
      for (const u of report.users) ctx.out(`${MARK[u.status] ?? ' '} ${u.username}  ${u.status}  ${u.message}`);
      ctx.out('');
      ctx.out(`${preview ? 'Preview' : `Run ${report.state}`}: ${describeCounts(report)} (run ${report.runId}).`);
      if (failure) ctx.out(`✗ ${describeError(failure)}`);
      else if (report.stateMessage && !preview) ctx.out(`  ${report.stateMessage}`);
      if (report.backupId) ctx.out(`  backup ${report.backupId} ("jira2fa backups restore ${report.backupId}" puts every row back)`);
      if (preview && counts['would-disable'] > 0) ctx.out(`  Nothing was changed. To disable these ${counts['would-disable']} users: add --commit${needConfirm}.`);
      if (reportFile) ctx.out(`  report: ${reportFile}`);
      if (report.via === 'rest' && (report.state === 'cancelled' || report.state === 'stopped')) ctx.out(`  continue with: jira2fa bulk --instance ${report.instance.id} --via rest --resume ${reportFile}`);
    },
  );
}

function profileNeedsCount(report: BulkReport): boolean {
  return report.instance.environment === 'production';
}
