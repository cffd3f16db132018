/**
 * Showing users' recovery codes that a result hides (snippets/secretColumns.ts): the admin
 * asks (the panel's Reveal button, the CLI's --reveal-recovery-codes), and the reveal is an
 * action of its own with exactly one audit entry, written BEFORE anything is shown: when the
 * entry cannot be written, nothing is revealed. The entry names the snippet, the user and
 * how many codes were shown, never a code.
 */
import { AppError } from '../errors';
import type { Column } from '../db/types';
import { columnSecrecy } from '../snippets/secretColumns';
import { targetOf, writeAudit, type RecoveryContext } from './context';

export const REVEAL_ACTION = 'sql.reveal';

export interface RevealRequest {
  snippet: string;
  params: Record<string, unknown>;
  columns: ReadonlyArray<Pick<Column, 'name'>>;
  rows: unknown[][];
}

/** Writes the reveal's audit entry and returns its id; throws AppError (after a "refused" entry) when there is nothing to reveal or the entry could not be written. */
export async function auditRecoveryCodeReveal(ctx: Pick<RecoveryContext, 'profile' | 'audit' | 'admin'>, req: RevealRequest): Promise<string> {
  const columns = req.columns.flatMap((c, i) => (columnSecrecy(c.name) === 'recovery-code' ? [i] : []));
  const codes = req.rows.reduce((n, r) => n + columns.filter((i) => r[i] !== null && r[i] !== undefined).length, 0);
  const base = { action: REVEAL_ACTION, target: targetOf(req.params), details: { snippet: req.snippet, codes } };
  if (!codes) {
    await writeAudit(ctx, base, 'refused', `${req.snippet}: no recovery code in the result to reveal.`);
    throw new AppError('input', 'The result has no recovery code to reveal.');
  }
  const message = `${req.snippet}: ${codes} recovery code${codes === 1 ? '' : 's'} shown to the admin.`;
  const audit = await writeAudit(ctx, base, 'ok', message);
  if (!audit.entry) throw new AppError('refused', `The recovery codes stay hidden: ${audit.error ?? 'the reveal could not be audited.'}`, 'Fix the audit log (see "Verify Audit Log"), then reveal again.');
  return audit.entry.id;
}
