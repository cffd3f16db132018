/**
 * `jira2fa audit store init | status | ship | login`, and the --store side of `audit show` and
 * `audit verify`: the team audit store ($JIRA2FA_AUDIT_STORE) and syslog forwarding
 * ($JIRA2FA_AUDIT_SYSLOG). Everything read from the store is printed through cell() (control
 * characters escaped).
 */
import type { Command } from 'commander';
import { shipTeamAudit, teamBacklog, type TeamAuditTargets } from '../../core/audit/ship/team';
import { STORE_SECRET_ID, STORE_URL_ENV, storeId, type StoreConfig } from '../../core/audit/store/config';
import { crossCheck } from '../../core/audit/store/crossCheck';
import { initStore, openStore, storeCounts } from '../../core/audit/store/open';
import { readStore, storeFilterFrom, storeIdsOf, verifyStore, type StoreFilterInput } from '../../core/audit/store/read';
import { grantSql } from '../../core/audit/store/schema';
import { AppError, EXIT_CODES } from '../../core/errors';
import type { Driver } from '../../core/db/types';
import { nonEmpty } from '../args';
import type { CliContext } from '../context';
import { cell, formatTable } from '../format';
import { CliSecretStore } from '../keychain';
import { storeConfig, storePassword, teamPaths, teamTargets, waitingLines } from '../teamAudit';
import { readSecret } from './login';

/** The team audit destinations, or AppError("input") ending in `nothing` when none is set. */
async function configuredTargets(ctx: CliContext, nothing: string): Promise<TeamAuditTargets> {
  const targets = await teamTargets(ctx);
  if (!targets.store && !targets.syslog) throw new AppError('input', `Neither JIRA2FA_AUDIT_STORE nor JIRA2FA_AUDIT_SYSLOG is set: ${nothing}.`);
  return targets;
}

function requireStore(ctx: CliContext): StoreConfig {
  const cfg = storeConfig(ctx);
  if (!cfg) {
    throw new AppError('input', `No team audit store is configured: ${STORE_URL_ENV} is not set.`,
      `Set ${STORE_URL_ENV}=postgres://user@host:5432/database (or mysql://…); the password goes in $JIRA2FA_AUDIT_STORE_PASSWORD or "jira2fa audit store login".`);
  }
  return cfg;
}

async function withStore<T>(ctx: CliContext, fn: (d: Driver, cfg: StoreConfig) => Promise<T>): Promise<T> {
  const cfg = requireStore(ctx);
  const d = await openStore(cfg, await storePassword(ctx));
  try {
    return await fn(d, cfg);
  } finally {
    await d.close();
  }
}

export function registerStore(audit: Command, ctx: CliContext): void {
  const store = audit.command('store').description(`the team audit store (${STORE_URL_ENV}) and syslog forwarding (JIRA2FA_AUDIT_SYSLOG)`);

  store
    .command('init')
    .description('create the audit table in the store (safe to run again) and print the GRANTs for the writers\' insert-and-select-only role')
    .action(async () => {
      await withStore(ctx, async (d, cfg) => {
        await initStore(d, cfg);
        const grants = grantSql(cfg.driver, cfg.database);
        ctx.result({ ok: true, store: storeId(cfg), grants }, () => {
          ctx.out(`The table jira2fa_audit is ready in ${storeId(cfg)}.`);
          ctx.out('Give writers a role that may only INSERT and SELECT (no UPDATE, no DELETE), as the table owner:');
          for (const g of grants) ctx.out(`  ${g}`);
        });
      });
    });

  store
    .command('status')
    .description('how many audit entries wait for the store and for syslog, and why')
    .action(async () => {
      const targets = await configuredTargets(ctx, 'nothing is shipped');
      const status = await teamBacklog(targets, await teamPaths(ctx));
      let reachable: { rows: number; writers: number } | undefined;
      let problem: string | undefined;
      if (targets.store) {
        try {
          reachable = await withStore(ctx, (d) => storeCounts(d));
        } catch (e) {
          problem = (e as Error).message;
        }
      }
      const notYet = 'not shipped yet: the next command that writes to the audit log ships it, or "jira2fa audit store ship"';
      for (const s of status) if (s.backlog > 0) s.waiting = (s.destination === 'store' ? problem : undefined) ?? notYet;
      if (problem) ctx.setExitCode(EXIT_CODES.unreachable);
      ctx.result({ ok: !problem, destinations: status, ...(reachable ? { store: reachable } : {}), ...(problem ? { problem } : {}) }, () => {
        for (const s of status) ctx.out(`${s.destination === 'store' ? 'store ' : 'syslog'}  ${s.id}  backlog ${s.backlog}${s.waiting ? `  (${cell(s.waiting, 300)})` : ''}`);
        if (reachable) ctx.out(`The store holds ${reachable.rows} entries from ${reachable.writers} writers.`);
      });
    });

  store
    .command('ship')
    .description('ship the waiting audit entries now (every command that writes to the audit log also does)')
    .action(async () => {
      const targets = await configuredTargets(ctx, 'nothing to ship to');
      const status = await shipTeamAudit(targets, await teamPaths(ctx));
      const waiting = waitingLines(status);
      if (waiting.length) ctx.setExitCode(EXIT_CODES.unreachable);
      ctx.result({ ok: !waiting.length, destinations: status }, () => {
        for (const s of status) ctx.out(`${s.label}: ${s.shipped} shipped, ${s.backlog} waiting${s.waiting ? `: ${cell(s.waiting, 300)}` : ''}`);
      });
    });

  store
    .command('login')
    .description('store the team audit store\'s password in the OS keychain')
    .option('--stdin', 'read the password from standard input when it is not a terminal')
    .action(async (opts: { stdin?: boolean }) => {
      const secrets = ctx.secrets();
      const value = await readSecret(ctx, 'team audit store password', opts.stdin === true);
      if (!value) throw new AppError('input', 'The password is empty.');
      if (secrets instanceof CliSecretStore) await secrets.keychain().set(STORE_SECRET_ID, 'dbPassword', value);
      else await secrets.set(STORE_SECRET_ID, 'dbPassword', value);
      ctx.result({ ok: true }, () => ctx.out('The team audit store password is in the keychain.'));
    });
}

export interface StoreShowOptions extends StoreFilterInput {
  limit?: number;
}

/** The store-side show options, added to `audit show`. */
export function addStoreShowOptions(cmd: Command): Command {
  return cmd
    .option('--store', 'read the team audit store instead of the local log')
    .option('--admin <name>', 'with --store: only this admin', nonEmpty)
    .option('--computer <id>', 'with --store: only this computer id', nonEmpty)
    .option('--target <user>', 'with --store: only this target', nonEmpty)
    .option('--ticket <ticket>', 'with --store: only this ticket', nonEmpty)
    .option('--since <time>', 'with --store: entries at or after this ISO time', nonEmpty)
    .option('--until <time>', 'with --store: entries at or before this ISO time', nonEmpty);
}

export async function showStore(ctx: CliContext, opts: StoreShowOptions, defaultLimit: number): Promise<void> {
  const filter = storeFilterFrom(opts);
  await withStore(ctx, async (d, cfg) => {
    const { rows, unreadable } = await readStore(d, filter, opts.limit ?? defaultLimit);
    if (unreadable) ctx.warn(`${unreadable} rows of the store hold no readable entry: run "jira2fa audit verify --store"`);
    ctx.result({ ok: true, store: storeId(cfg), rows, unreadable }, () => {
      if (!rows.length) return ctx.out(`No entries in ${storeId(cfg)} match.`);
      ctx.out(formatTable(
        ['TIME', 'ADMIN', 'COMPUTER', 'OUTCOME', 'ACTION', 'INSTANCE', 'TARGET', 'TICKET', 'MESSAGE'],
        rows.map((r) => [cell(r.entry.time, 30), cell(r.entry.admin, 30), cell(r.computer, 20), cell(r.entry.outcome), cell(r.entry.action, 30),
          cell(r.entry.instance.id, 40), cell(r.entry.target, 40), cell(r.ticket, 30), cell(r.entry.message, 80)]),
      ));
    });
  });
}

const SHOWN = 10;

export async function verifyStoreCommand(ctx: CliContext): Promise<void> {
  await withStore(ctx, async (d, cfg) => {
    const result = await verifyStore(d);
    const paths = await teamPaths(ctx);
    const cross = await crossCheck(paths.log, paths.positionFile('store'), storeId(cfg), await storeIdsOf(d, paths.computer));
    const ok = result.ok && cross.ok;
    if (!ok) ctx.setExitCode(EXIT_CODES.refused);
    ctx.result({ store: storeId(cfg), computer: paths.computer, ...result, ok, crossCheck: cross }, () => {
      for (const w of result.writers) {
        const bad = w.gaps.length || w.broken.length;
        ctx.out(`${bad ? 'BROKEN' : 'OK    '}  ${cell(w.writer, 120)}: ${w.rows} entries, numbers 1..${w.lastSeq}`);
        for (const [from, to] of w.gaps.slice(0, SHOWN)) ctx.out(`  missing number${from === to ? ` ${from}` : `s ${from}..${to}`}`);
        for (const b of w.broken.slice(0, SHOWN)) ctx.out(`  number ${b.seq}: ${cell(b.reason, 200)}`);
      }
      for (const id of cross.missingFromStore.slice(0, SHOWN)) ctx.out(`MISSING FROM STORE  ${cell(id, 40)} (shipped from this computer, not in the store)`);
      for (const id of cross.onlyInStore.slice(0, SHOWN)) ctx.out(`ONLY IN STORE       ${cell(id, 200)} (this computer's id, not in the local log)`);
      if (cross.notYetShipped) ctx.out(`${cross.notYetShipped} local entries are not shipped yet (see "jira2fa audit store status").`);
      ctx.out(ok
        ? `OK: ${result.rows} entries from ${result.writers.length} writers in ${storeId(cfg)}, every chain intact; the local log agrees.`
        : `BROKEN: see above (${result.rows} entries from ${result.writers.length} writers in ${storeId(cfg)}).`);
    });
  });
}
