/**
 * What an instance asks before an action that changes a user's two-step verification: nothing,
 * a reason, or a ticket with a record of how the requester's identity was verified. A 2SV reset
 * is the classic social-engineering target, so the request and the verification are kept with
 * the action in the audit log (see record.ts).
 */
import type { InstanceProfile, RequestRequirement } from '../profiles/schema';
import { printable } from '../printable';

export interface RequestPolicy {
  require: RequestRequirement;
  /** Where tickets are checked: a Jira instance id of the profiles. */
  ticketInstance: string;
  /** Allowed project keys; empty: any project. */
  projects: string[];
  comment: boolean;
}

/** A ticket key such as HELP-123, checked before any request. */
export const TICKET_KEY = /^[A-Z][A-Z0-9_]+-\d+$/;

/** The methods offered by default (the setting jira2fa.requests.verificationMethods replaces them). */
export const DEFAULT_VERIFICATION_METHODS = [
  'Video call with photo ID',
  'Call-back to the number in the HR record',
  'Confirmed by their manager',
  'In person',
] as const;

/** Tickets older than this need an explicit "I verified this". */
export const TICKET_MAX_AGE_DAYS = 7;

export function requestPolicyOf(profile: Pick<InstanceProfile, 'id' | 'environment' | 'recoveryRequests'>): RequestPolicy {
  const r = profile.recoveryRequests;
  return {
    // Production asks at least for a reason by default; other environments ask for nothing.
    require: r?.require ?? (profile.environment === 'production' ? 'reason' : 'none'),
    ticketInstance: r?.ticketInstance ?? profile.id,
    projects: r?.projects ?? [],
    comment: r?.comment ?? true,
  };
}

/** What the admin says about the request behind an action. */
export interface RequestInput {
  ticket?: string;
  reason?: string;
  verification?: string;
  verificationNote?: string;
  /**
   * The admin's typed reason for going on although the ticket check warned (reporter is not the
   * locked-out user, ticket older than a week): "I verified this".
   */
  override?: string;
}

const MAX_TEXT = 500;

function clean(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** The input trimmed, blanks dropped. */
export function normalizeRequest(input: RequestInput | undefined): RequestInput {
  const out: RequestInput = {};
  for (const k of ['ticket', 'reason', 'verification', 'verificationNote', 'override'] as const) {
    const v = clean(input?.[k]);
    if (v !== undefined) out[k] = k === 'ticket' ? v.toUpperCase() : v;
  }
  return out;
}

/**
 * Why the input does not satisfy the policy (naming what is missing, with the CLI flag), or
 * undefined. Checked before anything is sent anywhere.
 */
export function requestProblem(policy: RequestPolicy, input: RequestInput): string | undefined {
  for (const k of ['reason', 'verification', 'verificationNote', 'override'] as const) {
    const v = input[k];
    if (v !== undefined && (v.length > MAX_TEXT || /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(v))) {
      return `The ${k === 'verificationNote' ? 'verification note' : k} must be one line of at most ${MAX_TEXT} characters.`;
    }
  }
  if (input.ticket !== undefined && !TICKET_KEY.test(input.ticket)) return `"${printable(input.ticket, 40)}" is not a ticket key (expected e.g. HELP-123).`;
  if (policy.require === 'ticket') {
    if (!input.ticket) return 'This instance requires a ticket for every change of two-step verification: give its key (--ticket KEY).';
    if (!input.verification) return 'This instance requires a record of how the requester\'s identity was verified (--verified METHOD).';
  }
  if (policy.require === 'reason' && !input.ticket && !input.reason) return 'This instance requires a reason or a ticket for every change of two-step verification (--reason TEXT or --ticket KEY).';
  if (input.ticket && policy.projects.length && !policy.projects.includes(input.ticket.replace(/-\d+$/, ''))) {
    return `Tickets for this instance must be in ${policy.projects.join(', ')}; ${input.ticket} is not.`;
  }
  return undefined;
}
