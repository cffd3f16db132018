/**
 * `jira2fa sql list` and `jira2fa sql run`: the saved recovery snippets against an instance's
 * database, with the same guards as the editor (bound parameters, read-only reads with a row
 * limit, destructive snippets previewed unless --commit, production confirmed with --confirm,
 * backup before the change, audit entries).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { BackupStore, backupDirPath } from '../../core/backup/store';
import { AppError, EXIT_CODES } from '../../core/errors';
import type { InstanceProfile } from '../../core/profiles/schema';
import { osUser } from '../../core/osUser';
import type { DatabaseDeps } from '../../core/actions/database';
import type { RecoveryContext } from '../../core/recovery/context';
import { tidySnippetParams } from '../../core/snippets/params';
import { runSnippetChange, runSnippetPreview, runSnippetRead, type SnippetReadInput } from '../../core/actions/snippet';
import { addRequestOptions, commentReporter, requestFrom, requestGate, type RequestOptions } from '../requestOptions';

import { DEFAULT_ROW_LIMIT, MAX_ROW_LIMIT } from '../../core/recovery/runSnippet';
import { snippetsForProfile } from '../../core/snippets/catalogue';
import { auditRecoveryCodeReveal } from '../../core/recovery/reveal';
import { resultCells, resultObjects } from '../../core/snippets/results';
import type { RevealOptions } from '../../core/snippets/secretColumns';
import type { Snippet } from '../../core/snippets/types';
import { confirmationWord } from '../../core/snippets/confirmation';
import { intInRange } from '../args';
import type { CliContext } from '../context';
import { cell, formatTable } from '../format';

/** `--param name=value`, repeatable, into one object (a repeated name is an error). */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`Expected name=value, got ${JSON.stringify(value)}.`);
  const name = value.slice(0, eq).trim();
  if (Object.prototype.hasOwnProperty.call(previous, name)) throw new InvalidArgumentError(`The parameter ${name} is given twice.`);
  return { ...previous, [name]: value.slice(eq + 1) };
}

function collectDir(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The profile, which must have a database section. */
export async function databaseProfile(ctx: CliContext, id: string): Promise<InstanceProfile> {
  const profile = await ctx.getProfile(id);
  if (!profile.database) {
    throw new AppError('input', `Instance ${id} has no database section.`, 'Add "database": {"driver": …, "host": …, "database": …, "user": …} to its profile.');
  }
  return profile;
}

/** How the CLI's database actions open their session: the password from the keychain or $JIRA2FA_DB_PASSWORD. */
export function databaseDeps(ctx: CliContext): DatabaseDeps {
  // The admin name only when set ($JIRA2FA_ADMIN): otherwise SQL is recorded as the database user.
  const admin = ctx.io.env.JIRA2FA_ADMIN;
  return { audit: ctx.auditLog(), secrets: ctx.secrets(), ...(admin ? { admin } : {}), backups: backupStore(ctx), connectOptions: { applicationName: 'jira2fa-cli' }, requests: requestGate(ctx) };
}

export function backupStore(ctx: CliContext): BackupStore {
  return new BackupStore(ctx.resolvePath(backupDirPath(ctx.io.env)));
}

async function catalogue(ctx: CliContext, profile: InstanceProfile, dirs: string[] | undefined) {
  const result = await snippetsForProfile(profile, { extraDirs: (dirs ?? []).map((d) => ctx.resolvePath(d)) });
  for (const p of result.problems) {
    for (const d of p.diagnostics) ctx.warn(`${p.file}:${d.line}: ${d.severity}: ${d.message}`);
  }
  return result;
}

/** TOTP secrets are never printed; recovery codes only with reveal (audited first). */
function printRows(ctx: CliContext, columns: Array<{ name: string }>, rows: unknown[][], reveal: RevealOptions): void {
  ctx.out(formatTable(columns.map((c) => cell(c.name, 40)), resultCells(columns, rows, reveal).map((r) => r.map((v) => (v === null ? 'NULL' : cell(v, 60))))));
}

/** --reveal-recovery-codes: one audit entry, then the codes; without the flag they stay hidden. */
/** What the Reveal entry needs: who, where, and the audit log. */
function revealContext(deps: DatabaseDeps, profile: InstanceProfile): Pick<RecoveryContext, 'profile' | 'audit' | 'admin'> {
  return { profile, audit: deps.audit, admin: deps.admin ?? osUser() };
}

async function revealIfAsked(rctx: Pick<RecoveryContext, 'profile' | 'audit' | 'admin'>, asked: boolean | undefined, req: Parameters<typeof auditRecoveryCodeReveal>[1]): Promise<{ reveal: RevealOptions; revealAuditId?: string }> {
  if (!asked) return { reveal: {} };
  const id = await auditRecoveryCodeReveal(rctx, req);
  return { reveal: { revealRecoveryCodes: true }, revealAuditId: id };
}

export function register(program: Command, ctx: CliContext): void {
  const sql = program.command('sql').description('saved recovery SQL against an instance\'s database');

  sql
    .command('list')
    .description('list the snippets that apply to an instance (its product and database dialect)')
    .requiredOption('--instance <id>', 'instance id from the profiles file')
    .option('--snippets-dir <dir>', 'a folder with your own snippets (repeatable)', collectDir)
    .action(async (opts: { instance: string; snippetsDir?: string[] }) => {
      const profile = await databaseProfile(ctx, opts.instance);
      const { snippets, problems } = await catalogue(ctx, profile, opts.snippetsDir);
      ctx.result(
        {
          ok: true,
          instance: profile.id,
          snippets: snippets.map((s) => ({ name: s.name, title: s.title, kind: s.kind, params: s.params.map((p) => ({ name: p.name, type: p.type, optional: p.optional })), source: s.source })),
          problems,
        },
        () => {
          ctx.out(formatTable(['NAME', 'KIND', 'PARAMETERS', 'TITLE'], snippets.map((s) => [s.name, s.kind, s.params.map((p) => `${p.name}${p.optional ? '?' : ''}`).join(' '), cell(s.title, 60)])));
        },
      );
    });

  addRequestOptions(sql
    .command('run'))
    .description('run a snippet; a destructive one only previews unless --commit')
    .requiredOption('--instance <id>', 'instance id from the profiles file')
    .requiredOption('--snippet <name>', 'snippet name (see "jira2fa sql list")')
    .option('--param <name=value>', 'a parameter value (repeatable), always bound, never pasted into the SQL', collectParam)
    .option('--row-limit <n>', `read snippets: at most this many rows (default ${DEFAULT_ROW_LIMIT})`, intInRange(1, MAX_ROW_LIMIT))
    .option('--commit', 'destructive snippets: back up the rows and apply the change')
    .option('--confirm <name>', 'production instances: the user name again (or the snippet name when it has none)')
    .option('--reveal-recovery-codes', 'show users\' recovery codes (hidden otherwise; each reveal is audited). TOTP secrets are never shown')
    .option('--snippets-dir <dir>', 'a folder with your own snippets (repeatable)', collectDir)
    .action(async (opts: { instance: string; snippet: string; param?: Record<string, string>; rowLimit?: number; commit?: boolean; confirm?: string; revealRecoveryCodes?: boolean; snippetsDir?: string[] } & RequestOptions) => {
      const profile = await databaseProfile(ctx, opts.instance);
      const { snippets } = await catalogue(ctx, profile, opts.snippetsDir);
      const snippet = snippets.find((s) => s.name === opts.snippet);
      if (!snippet) {
        throw new AppError('input', `No snippet ${JSON.stringify(opts.snippet)} applies to ${profile.id}; known: ${snippets.map((s) => s.name).join(', ') || '(none)'}.`);
      }
      const params = opts.param ?? {};
      if (opts.commit && opts.revealRecoveryCodes) throw new AppError('input', '--reveal-recovery-codes shows rows: use it without --commit (a read, or the preview).');
      const deps = databaseDeps(ctx);
      const confirmation = opts.confirm !== undefined ? { confirmation: opts.confirm } : {};
      // The kind, the production confirmation and the session are checked by the action, audited.
      if (opts.commit) {
        const comment = commentReporter(ctx);
        const request = requestFrom(opts);
        const r = await runSnippetChange(deps, { profile, snippet, params, ...confirmation, ...(request ? { request } : {}), onComment: comment.onComment });
        if (r.auditError) ctx.warn(r.auditError);
        return ctx.result({ ok: true, snippet: snippet.name, affected: r.affected, backupId: r.backupId, message: r.message, notes: r.notes, auditId: r.auditEntryId ?? null, request: request ?? null, comment: comment.json() }, () => {
          for (const note of r.notes) ctx.out(note);
          ctx.out(`✓ ${r.message}`);
          ctx.out(`  backup ${r.backupId} (restore with: jira2fa backups restore ${r.backupId})`);
          if (r.auditEntryId) ctx.out(`  audit entry ${r.auditEntryId}`);
        });
      }
      if (snippet.kind === 'read') return runRead(ctx, deps, { profile, snippet, params, ...confirmation, rowLimit: opts.rowLimit ?? DEFAULT_ROW_LIMIT }, opts.revealRecoveryCodes);
      return preview(ctx, deps, profile, snippet, params, opts.revealRecoveryCodes);
    });
}

async function runRead(ctx: CliContext, deps: DatabaseDeps, input: SnippetReadInput, revealAsked: boolean | undefined): Promise<void> {
  const { snippet, params } = input;
  const r = await runSnippetRead(deps, input);
  if (r.auditError) ctx.warn(r.auditError);
  const { reveal, revealAuditId } = await revealIfAsked(revealContext(deps, input.profile), revealAsked, { snippet: snippet.name, params: tidySnippetParams(snippet, params).params, columns: r.columns, rows: r.rows });
  ctx.result(
    { ok: true, snippet: snippet.name, columns: r.columns.map((c) => ({ name: c.name, type: c.type })), rows: resultObjects(r.columns, r.rows, reveal), rowCount: r.rowCount, truncated: r.truncated, rowLimit: r.rowLimit, notes: r.notes, auditId: r.auditEntryId ?? null, ...(revealAuditId ? { revealAuditId } : {}) },
    () => {
      for (const note of r.notes) ctx.out(note);
      printRows(ctx, r.columns, r.rows, reveal);
      if (revealAuditId) ctx.out(`recovery codes shown: audit entry ${revealAuditId}`);
      ctx.out(`${r.rowCount} row${r.rowCount === 1 ? '' : 's'}`);
      if (r.truncated) ctx.warn(`only the first ${r.rowLimit} rows are shown: there are more (raise --row-limit).`);
    },
  );
}

async function preview(ctx: CliContext, deps: DatabaseDeps, profile: InstanceProfile, snippet: Snippet, params: Record<string, string>, revealAsked: boolean | undefined): Promise<void> {
  const p = await runSnippetPreview(deps, { profile, snippet, params });
  if (p.auditError) ctx.warn(p.auditError);
  const { reveal, revealAuditId } = await revealIfAsked(revealContext(deps, profile), revealAsked, { snippet: snippet.name, params: tidySnippetParams(snippet, params).params, columns: p.columns, rows: p.rows });
  // A preview that finds the wrong rows is a refusal for scripts: the change would not run.
  if (!p.matchesExpectation) ctx.setExitCode(EXIT_CODES.refused);
  const production = profile.environment === 'production';
  const next = `Nothing was changed. To apply: add --commit${production ? ` --confirm ${JSON.stringify(confirmationWord(snippet, params))}` : ''}.`;
  ctx.result(
    { ok: p.matchesExpectation, preview: true, snippet: snippet.name, table: p.table, expected: p.expected, matches: p.matchesExpectation, allowed: p.allowed, rows: resultObjects(p.columns, p.rows, reveal), message: p.message, notes: p.notes, next, auditId: p.auditEntryId ?? null, ...(revealAuditId ? { revealAuditId } : {}) },
    () => {
      for (const note of p.notes) ctx.out(note);
      printRows(ctx, p.columns, p.rows, reveal);
      if (revealAuditId) ctx.out(`recovery codes shown: audit entry ${revealAuditId}`);
      ctx.out(`${p.matchesExpectation ? '' : '✗ '}${p.message}`);
      ctx.out(next);
    },
  );
}
