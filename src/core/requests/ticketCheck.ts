/**
 * The ticket check before an action: the ticket exists, is in an allowed project and is not
 * resolved (else the action is refused), and, shown as warnings that need an explicit "I verified
 * this" with a typed reason: the reporter (or the service desk requester) is not the locked-out
 * user, or the ticket is older than a week.
 */
import { AppError } from '../errors';
import type { JiraClient } from '../jira/client';
import { describeOutcome } from '../jira/outcomes';
import type { ServiceDeskRequest, Ticket, TicketPerson } from '../jira/tickets';
import { printable } from '../printable';
import { TICKET_KEY, TICKET_MAX_AGE_DAYS, type RequestPolicy } from './policy';

/** How the requester relates to the user whose 2SV is changed. */
export type IdentityMatch = 'reporter' | 'requester' | 'mismatch' | 'unknown';

export interface TargetUser {
  username: string;
  email?: string;
}

export interface TicketCheck {
  ticket: Ticket;
  /** Set when the issue is a service desk customer request. */
  serviceDesk?: ServiceDeskRequest;
  ticketUrl: string;
  identityMatch: IdentityMatch;
  /** Each needs the admin's explicit "I verified this" with a reason. */
  warnings: string[];
}

function samePerson(p: TicketPerson | undefined, t: TargetUser): boolean {
  if (!p) return false;
  const eq = (a?: string, b?: string) => !!a && !!b && a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
  return eq(p.username, t.username) || eq(p.email, t.email);
}

/** What the ticket says about the request, without asking anything (pure: tested on its own). */
export function assessTicket(ticket: Ticket, serviceDesk: ServiceDeskRequest | undefined, policy: RequestPolicy, target: TargetUser | undefined, nowMs: number): { refusal?: string; warnings: string[]; identityMatch: IdentityMatch } {
  const project = ticket.key.replace(/-\d+$/, '');
  if (policy.projects.length && !policy.projects.includes(project)) return { refusal: `${ticket.key} is in project ${project}; requests for this instance must be in ${policy.projects.join(', ')}.`, warnings: [], identityMatch: 'unknown' };
  if (ticket.resolved) return { refusal: `${ticket.key} is already resolved (${printable(ticket.status)}): a closed request does not authorise a change.`, warnings: [], identityMatch: 'unknown' };
  const warnings: string[] = [];
  let identityMatch: IdentityMatch = 'unknown';
  if (target) {
    if (serviceDesk && samePerson(serviceDesk.requester, target)) identityMatch = 'requester';
    else if (samePerson(ticket.reporter, target)) identityMatch = 'reporter';
    else {
      identityMatch = 'mismatch';
      const who = serviceDesk?.requester ?? ticket.reporter;
      warnings.push(`The ${serviceDesk ? 'requester' : 'reporter'} of ${ticket.key} is ${who ? `${printable(who.displayName ?? who.username ?? '?')} (${printable(who.username ?? who.email ?? '?')})` : 'not known'}, not ${printable(target.username)}: someone asked on the user's behalf.`);
    }
  }
  const ageDays = (nowMs - Date.parse(serviceDesk?.created ?? ticket.created)) / 86_400_000;
  if (ageDays > TICKET_MAX_AGE_DAYS) warnings.push(`${ticket.key} was created ${Math.floor(ageDays)} days ago (more than ${TICKET_MAX_AGE_DAYS}).`);
  return { warnings, identityMatch };
}

/** The browse URL of a ticket on its instance. */
export function ticketUrlOf(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/browse/${key}`;
}

/**
 * Reads the ticket (and its service desk request, when it is one) on the ticket instance and
 * assesses it. Throws AppError('refused') for an unknown or refused ticket, AppError from the
 * server's answer for anything else.
 */
export async function checkTicket(client: JiraClient, key: string, policy: RequestPolicy, target: TargetUser | undefined, nowMs = Date.now(), signal?: AbortSignal): Promise<TicketCheck> {
  if (!TICKET_KEY.test(key)) throw new AppError('input', `"${printable(key, 40)}" is not a ticket key (expected e.g. HELP-123).`);
  const got = await client.ticket(key, signal);
  if (!got.ok) throw new AppError(got.outcome.failure, `Could not read ticket ${key}: ${describeOutcome(got.outcome)}`);
  if (!got.value.found) throw new AppError('refused', `There is no ticket ${key} on ${printable(client.profile.name)} (or you may not see it).`, 'Check the key; the ticket must exist on the ticket instance.');
  const sd = await client.serviceDeskRequest(key, signal);
  // Not a customer request (404), or no service desk here: the issue alone decides.
  const serviceDesk = sd.ok && sd.value.found ? sd.value.request : undefined;
  const assessed = assessTicket(got.value.ticket, serviceDesk, policy, target, nowMs);
  if (assessed.refusal) throw new AppError('refused', assessed.refusal);
  return { ticket: got.value.ticket, ...(serviceDesk ? { serviceDesk } : {}), ticketUrl: ticketUrlOf(client.profile.baseUrl, key), identityMatch: assessed.identityMatch, warnings: assessed.warnings };
}
