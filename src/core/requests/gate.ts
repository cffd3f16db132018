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

export interface PreparedRequest {
  policy: RequestPolicy;
  input: RequestInput;
  check?: TicketCheck;
  /** The audit entry's request block (undefined when nothing was said and nothing is required). */
  audit?: AuditRequest;
}

export interface RequestGateDeps {
  /** The profile of the ticket instance (must be a Jira instance). */
  profileOf(id: string): InstanceProfile | undefined;
  /** A client for the ticket instance, with that instance's own credentials. */
  clientFor(profile: InstanceProfile): Promise<JiraClient>;
  now?: () => number;
}

/** Throws AppError('refused') naming what is missing or wrong; the caller audits the refusal. */
export async function prepareRequest(profile: InstanceProfile, raw: RequestInput | undefined, target: TargetUser | undefined, deps: RequestGateDeps, signal?: AbortSignal): Promise<PreparedRequest> {
  const policy = requestPolicyOf(profile);
  const input = normalizeRequest(raw);
  const problem = requestProblem(policy, input);
  if (problem) throw new AppError('refused', problem);
  let check: TicketCheck | undefined;
  if (input.ticket) {
    const ticketProfile = deps.profileOf(policy.ticketInstance);
    if (!ticketProfile) throw new AppError('refused', `The ticket instance "${policy.ticketInstance}" of ${profile.name} is not in your instances.`, 'Add it, or correct recoveryRequests.ticketInstance.');
    if (ticketProfile.product !== 'jira') throw new AppError('refused', `The ticket instance "${ticketProfile.name}" is not a Jira instance.`, 'Point recoveryRequests.ticketInstance at the Jira (Service Management) that holds the requests.');
    check = await checkTicket(await deps.clientFor(ticketProfile), input.ticket, policy, target, (deps.now ?? Date.now)(), signal);
    checkOverride(check, input);
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
    const profile = deps.profileOf(prepared.policy.ticketInstance);
    if (!profile) throw new AppError('refused', `The ticket instance "${prepared.policy.ticketInstance}" is gone.`);
    const id = await postTicketComment(await deps.clientFor(profile), prepared.check, commentText(entry, actionLabel), signal);
    return { posted: true, id, ticket };
  } catch (e) {
    return { posted: false, why: 'failed', ticket, error: e instanceof Error ? e.message : String(e) };
  }
}
