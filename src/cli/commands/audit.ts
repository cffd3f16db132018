/** `jira2fa audit show | verify | export`: read, check and export the audit log. */
import { actionLabel, actorLabel } from '../../core/audit/actionLabels';
import { localTime } from '../../core/audit/timeFormat';
import type { Command } from 'commander';
import { exportCsv } from '../../core/audit/csv';
import { readEntries, verify, type LineProblem } from '../../core/audit/read';
import { EXIT_CODES } from '../../core/errors';
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
            cell(e.instance.id, 40), cell(e.target, 40), cell(actorLabel(e), 40), cell(e.message, 80),
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
