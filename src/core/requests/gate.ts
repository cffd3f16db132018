/**
 * The request gate every 2SV-changing action passes before it acts, and the ticket comment it
 * leaves after: the policy's requirements (refused with the missing piece named), the ticket
 * check on the ticket instance with its own credentials, the admin's typed reason for any
 * warning. What it returns goes into the action's audit entry (`request`) unchanged.
 */
import { AppError } from '../errors';
import type { AuditEntry, AuditRequest } from '../audit/types';
import type { JiraClient } from '../jira/client';
import type { InstanceProfile } from '../profiles/schema';
import { normalizeRequest, requestPolicyOf, requestProblem, type RequestInput, type RequestPolicy } from './policy';
import { auditRequestOf, checkOverride, commentText, postTicketComment } from './record';
import { checkTicket, type TargetUser, type TicketCheck } from './ticketCheck';

/** The request behind an action was refused: missing, malformed, or the ticket does not allow it. */
export class RequestRefusedError extends AppError {
  constructor(message: string, hint?: string) {
    super('refused', message, hint);
    this.name = 'RequestRefusedError';
  }
}

export interface PreparedRequest {
  policy: RequestPolicy;
  input: RequestInput;
  check?: TicketCheck;
  /** The audit entry's request block (undefined when nothing was said and nothing is required). */
  audit?: AuditRequest;
}

export interface RequestGateDeps {
  /** The profile of the ticket instance (must be a Jira instance). */
  profileOf(id: string): InstanceProfile | undefined | Promise<InstanceProfile | undefined>;
  /** Runs `fn` with a client for the ticket instance, with that instance's own credentials. */
  withClient<T>(profile: InstanceProfile, fn: (client: JiraClient) => Promise<T>): Promise<T>;
  now?: () => number;
}

/** Throws AppError('refused') naming what is missing or wrong; the caller audits the refusal. */
export async function prepareRequest(profile: InstanceProfile, raw: RequestInput | undefined, target: TargetUser | undefined, deps: RequestGateDeps | undefined, signal?: AbortSignal): Promise<PreparedRequest> {
  const policy = requestPolicyOf(profile);
  const input = normalizeRequest(raw);
  const problem = requestProblem(policy, input);
  if (problem) throw new RequestRefusedError(problem);
  let check: TicketCheck | undefined;
  if (input.ticket) {
    if (!deps) throw new RequestRefusedError(`Ticket ${input.ticket} cannot be checked here.`, 'Run the action from the editor or the CLI, which read tickets.');
    const ticketProfile = await deps.profileOf(policy.ticketInstance);
    if (!ticketProfile) throw new RequestRefusedError(`The ticket instance "${policy.ticketInstance}" of ${profile.name} is not in your instances.`, 'Add it, or correct recoveryRequests.ticketInstance.');
    if (ticketProfile.product !== 'jira') throw new RequestRefusedError(`The ticket instance "${ticketProfile.name}" is not a Jira instance.`, 'Point recoveryRequests.ticketInstance at the Jira (Service Management) that holds the requests.');
    try {
      check = await deps.withClient(ticketProfile, (client) => checkTicket(client, input.ticket!, policy, target, (deps.now ?? Date.now)(), signal));
      checkOverride(check, input);
    } catch (e) {
      if (e instanceof AppError && e.kind !== 'unreachable') throw new RequestRefusedError(e.message, e.hint);
      throw e;
    }
  }
  const audit = auditRequestOf(input, check);
  return { policy, input, ...(check ? { check } : {}), ...(audit ? { audit } : {}) };
}

/** The request block of a refused gate: what the admin said, for the refusal's audit entry. */
export function requestOfRefusal(raw: RequestInput | undefined): AuditRequest | undefined {
  return auditRequestOf(normalizeRequest(raw), undefined);
}

export type CommentResult = { posted: false; why: 'off' | 'no ticket' } | { posted: true; id: string; ticket: string } | { posted: false; why: 'failed'; ticket: string; error: string };

/** After the action: the internal comment on the ticket, when the policy asks for one. Never throws. */
export async function commentOnTicket(prepared: PreparedRequest, entry: AuditEntry, actionLabel: string, deps: RequestGateDeps, signal?: AbortSignal): Promise<CommentResult> {
  if (!prepared.check) return { posted: false, why: 'no ticket' };
  if (!prepared.policy.comment) return { posted: false, why: 'off' };
  const ticket = prepared.check.ticket.key;
  try {
    const profile = await deps.profileOf(prepared.policy.ticketInstance);
    if (!profile) throw new AppError('refused', `The ticket instance "${prepared.policy.ticketInstance}" is gone.`);
    const check = prepared.check;
    const id = await deps.withClient(profile, (client) => postTicketComment(client, check, commentText(entry, actionLabel), signal));
    return { posted: true, id, ticket };
  } catch (e) {
    return { posted: false, why: 'failed', ticket, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Adds the comment of an action again (after a failed one): the ticket named in the action's
 * audit entry, on the ticket instance of the action's profile. Returns what to record.
 */
export async function retryTicketComment(profile: InstanceProfile, entry: AuditEntry, actionLabel: string, deps: RequestGateDeps, signal?: AbortSignal): Promise<{ result: CommentResult; prepared: PreparedRequest }> {
  const key = entry.request?.ticket;
  if (!key) throw new AppError('input', `Audit entry ${entry.id} names no ticket: there is nothing to comment on.`);
  const policy = requestPolicyOf(profile);
  const ticketProfile = await deps.profileOf(policy.ticketInstance);
  if (!ticketProfile) throw new AppError('refused', `The ticket instance "${policy.ticketInstance}" is not in your instances.`);
  const check = await deps.withClient(ticketProfile, async (client) => {
    const got = await client.ticket(key, signal);
    if (!got.ok || !got.value.found) throw new AppError('refused', `Ticket ${key} cannot be read on ${ticketProfile.name}.`);
    const sd = await client.serviceDeskRequest(key, signal);
    return { ticket: got.value.ticket, ...(sd.ok && sd.value.found ? { serviceDesk: sd.value.request } : {}), ticketUrl: entry.request?.ticketUrl ?? '', identityMatch: 'unknown' as const, warnings: [] };
  });
  const prepared: PreparedRequest = { policy: { ...policy, comment: true }, input: { ticket: key }, check };
  return { result: await commentOnTicket(prepared, entry, actionLabel, deps, signal), prepared };
}
