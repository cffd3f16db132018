/** `jira2fa audit show | verify | export | report`: read, check and export the audit log, and the evidence report. */
import { actorLabel } from '../../core/audit/actionLabels';
import { localTime } from '../../core/audit/timeFormat';
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { exportCsv } from '../../core/audit/csv';
import { actionLabel, buildEvidence, evidenceToCsv, evidenceToHtml, evidenceToJson } from '../../core/audit/evidence';
import { recordComment } from '../../core/actions/audited';
import { retryTicketComment } from '../../core/requests/gate';
import { requestGate } from '../requestOptions';
import { readEntries, verify, type LineProblem } from '../../core/audit/read';
import { AppError, EXIT_CODES } from '../../core/errors';
import { intInRange, nonEmpty } from '../args';
import type { CliContext } from '../context';
import { cell, formatTable } from '../format';
import { addStoreShowOptions, registerStore, showStore, verifyStoreCommand, type StoreShowOptions } from './auditStore';

const DEFAULT_LIMIT = 50;
const SHOWN_PROBLEMS = 10;

export function register(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the audit log of every action taken');

  addStoreShowOptions(audit
    .command('show')
    .description('show the most recent entries, oldest first')
    .option('--limit <n>', `number of entries (default ${DEFAULT_LIMIT})`, intInRange(1, 1_000_000))
    .option('--instance <id>', 'only entries about this instance id', nonEmpty))
    .action(async (opts: StoreShowOptions & { store?: boolean }) => {
      if (opts.store) return showStore(ctx, opts, DEFAULT_LIMIT);
      const file = ctx.auditFile();
      const { entries, malformed, exists } = await readEntries(file, {
        limit: opts.limit ?? DEFAULT_LIMIT,
        filter: opts.instance === undefined ? undefined : { instanceId: opts.instance },
      });
      reportMalformed(ctx, file, malformed);
      ctx.result({ ok: true, file, exists, entries, malformed }, () => {
        if (!exists) return ctx.out(`No audit entries: ${file} does not exist yet.`);
        if (!entries.length) {
          return ctx.out(`No audit entries${opts.instance === undefined ? '' : ` for instance ${JSON.stringify(opts.instance)}`} in ${file}.`);
        }
        ctx.out(formatTable(
          ['TIME', 'OUTCOME', 'STATUS', 'ACTION', 'INSTANCE', 'TARGET', 'ADMIN', 'MESSAGE'],
          entries.map((e) => [
            cell(localTime(e.time), 30), cell(e.outcome), e.status === undefined ? '' : String(e.status), cell(actionLabel(e.action), 34),
            cell(e.instance.id, 40), cell(e.target, 40), cell(actorLabel(e), 72), cell(e.message, 80),
          ]),
        ));
      });
    });

  audit
    .command('verify')
    .description('check the hash chain and that the last entry written from this computer is still there: exit code 1 and the first broken line when the log was altered')
    .option('--store', "check every writer's chain in the team audit store, and the local log against it")
    .action(async (opts: { store?: boolean }) => {
      if (opts.store) return verifyStoreCommand(ctx);
      const file = ctx.auditFile();
      const result = await verify(file, { head: ctx.auditHead() });
      if (!result.ok) ctx.setExitCode(EXIT_CODES.refused);
      if (result.head?.problem) ctx.warn(`audit: ${result.head.problem}; the removal of the last lines cannot be checked from it`);
      for (const g of result.gaps.slice(0, SHOWN_PROBLEMS)) ctx.warn(`recorded gap at line ${g.line} (${g.time}): ${cell(g.message, 300)}`);
      if (result.gaps.length > SHOWN_PROBLEMS) ctx.warn(`... and ${result.gaps.length - SHOWN_PROBLEMS} more recorded gaps (see --json)`);
      ctx.result({ file, ...result }, () => {
        if (!result.exists && result.ok) return ctx.out(`No audit log at ${file}: nothing to verify.`);
        if (result.ok) {
          const gaps = result.gaps.length ? `; ${result.gaps.length} recorded gap(s) where lines had been removed before (see the warnings)` : '';
          return ctx.out(`OK: ${result.entries} entries in ${file}, hash chain intact${gaps}. Last hash: ${result.lastHash}`);
        }
        const first = result.firstBroken as LineProblem;
        ctx.out(`BROKEN: ${file} line ${first.line}: ${cell(first.reason, 300)}`);
        const others = result.problems.slice(1);
        for (const p of others.slice(0, SHOWN_PROBLEMS)) ctx.out(`  also line ${p.line}: ${cell(p.reason, 300)}`);
        if (others.length > SHOWN_PROBLEMS) ctx.out(`  ... and ${others.length - SHOWN_PROBLEMS} more (see --json)`);
        ctx.out(`${result.entries} entries read; the log was altered or damaged from line ${first.line} on.`);
      });
    });

  registerStore(audit, ctx);

  audit
    .command('report')
    .description('the evidence report for auditors: every action of a period with its ticket and identity verification, counts, the chain and head check, and the hash of the last entry covered')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or ISO time', nonEmpty)
    .requiredOption('--to <date>', 'last day (YYYY-MM-DD, the whole day) or ISO time', nonEmpty)
    .option('--instance <id>', 'only actions on this instance id', nonEmpty)
    .option('--format <html|csv|json>', 'html (one printable page), csv or json (default html)', reportFormat, 'html' as const)
    .option('--output <file>', 'write here (readable by you only) instead of standard output', nonEmpty)
    .action(async (opts: { from: string; to: string; instance?: string; format: 'html' | 'csv' | 'json'; output?: string }) => {
      const file = ctx.auditFile();
      const report = await buildEvidence(file, { from: opts.from, to: opts.to, ...(opts.instance !== undefined ? { instance: opts.instance } : {}) }, { head: ctx.auditHead() });
      const text = opts.format === 'html' ? evidenceToHtml(report) : opts.format === 'csv' ? evidenceToCsv(report) : evidenceToJson(report);
      if (!report.chain.ok || report.head.found === false) {
        ctx.setExitCode(EXIT_CODES.refused);
        ctx.warn(report.chain.ok ? 'audit: the last entry written from this computer is missing from the log (see the report)' : `audit: the hash chain is broken from line ${report.chain.firstBroken?.line} (see the report)`);
      }
      if (!opts.output) return void ctx.io.stdout(text);
      const out = ctx.resolvePath(opts.output);
      await writeFile(out, text, { encoding: 'utf8', mode: 0o600 });
      ctx.err(`Evidence report (${opts.format}): ${report.counts.total} actions from ${report.period.from} to ${report.period.to} written to ${out}.`);
    });

  audit
    .command('comment')
    .description('add the ticket comment of an action again, after it failed (the ticket named in its audit entry)')
    .requiredOption('--entry <id>', 'the audit entry of the action', nonEmpty)
    .action(async (opts: { entry: string }) => {
      const { entries } = await readEntries(ctx.auditFile(), { filter: (e) => e.id === opts.entry });
      const entry = entries[0];
      if (!entry) throw new AppError('input', `No audit entry ${JSON.stringify(opts.entry)} in ${ctx.auditFile()}.`);
      const profile = await ctx.getProfile(entry.instance.id);
      const gate = requestGate(ctx);
      const { result, prepared } = await retryTicketComment(profile, entry, actionLabel(entry.action), gate);
      await recordComment({ audit: ctx.auditLog(), admin: ctx.adminName() }, (await gate.profileOf(prepared.policy.ticketInstance)) ?? profile, prepared, result);
      if (!result.posted) ctx.setExitCode(EXIT_CODES.refused);
      ctx.result({ ok: result.posted, ticket: prepared.check?.ticket.key ?? null, ...(result.posted ? { commentId: result.id } : { error: result.posted === false && result.why === 'failed' ? result.error : null }) }, () =>
        ctx.out(result.posted ? `✓ Internal comment added to ${result.ticket}.` : `✗ ${result.why === 'failed' ? result.error : 'No comment added.'}`));
    });

  audit
    .command('export')
    .description('export the audit log as CSV')
    .requiredOption('--csv <file>', 'CSV file to write (replaced if it exists)', nonEmpty)
    .option('--instance <id>', 'only entries about this instance id', nonEmpty)
    .option('--bom', 'start with a UTF-8 byte order mark (for Excel)')
    .action(async (opts: { csv: string; instance?: string; bom?: boolean }) => {
      const file = ctx.auditFile();
      const csv = ctx.resolvePath(opts.csv);
      const result = await exportCsv(file, csv, {
        bom: opts.bom === true,
        filter: opts.instance === undefined ? undefined : { instanceId: opts.instance },
      });
      reportMalformed(ctx, file, result.malformed);
      if (!result.exists) ctx.warn(`${file} does not exist yet: the CSV has only its header.`);
      ctx.result({ ok: true, file, csv, ...result }, () => {
        ctx.out(`Exported ${result.rows} ${result.rows === 1 ? 'entry' : 'entries'} to ${csv}.`);
      });
    });
}

function reportMalformed(ctx: CliContext, file: string, malformed: LineProblem[]): void {
  for (const p of malformed.slice(0, SHOWN_PROBLEMS)) ctx.warn(`${file} line ${p.line} skipped: ${cell(p.reason, 300)}`);
  if (malformed.length > SHOWN_PROBLEMS) ctx.warn(`... and ${malformed.length - SHOWN_PROBLEMS} more damaged lines`);
  if (malformed.length) ctx.warn('run "jira2fa audit verify" to check the log');
}

function reportFormat(value: string): 'html' | 'csv' | 'json' {
  if (value !== 'html' && value !== 'csv' && value !== 'json') throw new InvalidArgumentError('Expected html, csv or json.');
  return value;
}
