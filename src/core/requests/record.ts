/**
 * The request block every audit entry of a 2SV-changing action carries, and the comment left
 * on the ticket afterwards. Neither ever holds a secret or a recovery code: they are built only
 * from the request input, the ticket check and the action's audit entry.
 */
import { AppError } from '../errors';
import type { AuditEntry, AuditRequest } from '../audit/types';
import type { JiraClient } from '../jira/client';
import { describeOutcome } from '../jira/outcomes';
import type { RequestInput } from './policy';
import type { TicketCheck } from './ticketCheck';

export function auditRequestOf(input: RequestInput, check: TicketCheck | undefined): AuditRequest | undefined {
  const r: AuditRequest = {};
  if (input.ticket) r.ticket = input.ticket;
  if (check) r.ticketUrl = check.ticketUrl;
  if (input.reason) r.reason = input.reason;
  if (input.verification) r.verification = input.verification;
  if (input.verificationNote) r.verificationNote = input.verificationNote;
  if (check) r.identityMatch = check.identityMatch;
  if (check?.warnings.length) {
    r.warnings = check.warnings.join(' ');
    if (input.override) r.override = input.override;
  }
  return Object.keys(r).length ? r : undefined;
}

/** The warnings of a ticket check go ahead only with the admin's typed reason. */
export function checkOverride(check: TicketCheck | undefined, input: RequestInput): void {
  if (check?.warnings.length && !input.override) {
    throw new AppError('refused', `Ticket ${check.ticket.key} needs your confirmation: ${check.warnings.join(' ')}`, 'If you verified the request anyway, say why (--i-verified "REASON" in the CLI, "I verified this" in the editor).');
  }
}

const OUTCOME_WORDS: Record<AuditEntry['outcome'], string> = { ok: 'done', refused: 'refused', error: 'failed', cancelled: 'cancelled' };

/** The internal comment: what was done, where, when, by whom, how it ended, the audit entry. */
export function commentText(entry: Pick<AuditEntry, 'id' | 'time' | 'admin' | 'action' | 'target' | 'outcome' | 'message' | 'instance'>, actionLabel: string): string {
  return [
    `Jira 2FA Admin: ${actionLabel}${entry.target ? ` for ${entry.target}` : ''} on ${entry.instance.name} (${entry.instance.baseUrl}): ${OUTCOME_WORDS[entry.outcome]}.`,
    entry.message,
    `By ${entry.admin} at ${entry.time}. Audit entry ${entry.id}.`,
  ].join('\n');
}

/** Posts the comment; resolves with its id or throws AppError (the action itself stays done). */
export async function postTicketComment(client: JiraClient, check: TicketCheck, text: string, signal?: AbortSignal): Promise<string> {
  const r = await client.addComment(check.ticket.key, text, !!check.serviceDesk, signal);
  if (!r.ok) throw new AppError(r.outcome.failure, `The comment on ${check.ticket.key} was not added: ${describeOutcome(r.outcome)}`, 'The action itself is done; retry the comment.');
  return r.value.id;
}
