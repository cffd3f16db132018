/**
 * The messages of the Request section every panel that changes a user's 2SV shares (Unenroll,
 * Run snippet, Recover a Cloud user): what the instance asks for, the live ticket card, the
 * request sent with the action, and the ticket comment after it. Each panel's protocol.ts adds
 * these to its own unions; the browser code is requestSection.ts beside this file.
 */
import * as z from 'zod/mini';
import { TICKET_KEY } from '../../core/requests/policy';
import { text } from './protocol';

/** How the ticket comment after the action went; `retry` when it failed and can be added again. */
export const CommentViewSchema = z.strictObject({ ok: z.boolean(), message: text, retry: z.boolean() });
export type CommentView = z.infer<typeof CommentViewSchema>;

/** What the instance asks for (its recoveryRequests policy) and what the form offers. */
export const RequestSetupSchema = z.strictObject({
  require: z.enum(['none', 'reason', 'ticket']),
  /** Verification methods from the setting jira2fa.requests.verificationMethods. */
  methods: z.array(text).check(z.maxLength(50)),
  /** The instance tickets are read on (name), and whether a comment is left there. */
  ticketInstance: text,
  comment: z.boolean(),
  projects: z.array(text).check(z.maxLength(50)),
});
export type RequestSetup = z.infer<typeof RequestSetupSchema>;

/** The live summary card of a ticket: every string is server text, shown with textContent only. */
export const TicketCardSchema = z.strictObject({
  key: text,
  summary: text,
  reporter: text,
  status: text,
  created: text,
  url: text,
  serviceDesk: z.boolean(),
  identityMatch: z.enum(['reporter', 'requester', 'mismatch', 'unknown']),
  warnings: z.array(text).check(z.maxLength(20)),
});
export type TicketCard = z.infer<typeof TicketCardSchema>;

export const ticketKey = z.string().check(z.maxLength(64), z.regex(TICKET_KEY));
/** One line the admin typed (the core checks it again: length, control characters). */
export const line = z.string().check(z.maxLength(500));
/** The user the ticket's requester is compared with (a user name, or a Cloud e-mail address); empty: not compared. */
const target = z.string().check(z.maxLength(1024));

/** The request as the action gets it (core/requests/policy.ts RequestInput). */
export const RequestMessageSchema = z.strictObject({
  ticket: z.optional(ticketKey),
  reason: z.optional(line),
  verification: z.optional(line),
  verificationNote: z.optional(line),
  override: z.optional(line),
});
export type RequestMessage = z.infer<typeof RequestMessageSchema>;

/** extension → page: the answer to a ticket check, the card or why there is none (for the key and user asked). */
export const TicketMessageSchema = z.strictObject({ type: z.literal('ticket'), key: text, username: text, card: z.optional(TicketCardSchema), error: z.optional(text) });
/** extension → page: how the comment went after a Retry. */
export const CommentMessageSchema = z.strictObject({ type: z.literal('comment'), comment: CommentViewSchema });
export type ToRequestSection = z.infer<typeof TicketMessageSchema> | z.infer<typeof CommentMessageSchema>;

/** page → extension: asked only for a well-formed key (the format is checked in the page first, and here). */
export const CheckTicketMessageSchema = z.strictObject({ type: z.literal('checkTicket'), key: ticketKey, username: target });
/** page → extension: add the failed comment again. */
export const RetryCommentMessageSchema = z.strictObject({ type: z.literal('retryComment') });
export type FromRequestSection = z.infer<typeof CheckTicketMessageSchema> | z.infer<typeof RetryCommentMessageSchema>;

/** What the section keeps in the panel's saved state (each panel spreads this into its state schema). */
export const requestStateShape = {
  ticket: z.optional(z.string().check(z.maxLength(64))),
  reason: z.optional(line),
  verification: z.optional(line),
  verificationNote: z.optional(line),
  override: z.optional(line),
  card: z.optional(TicketCardSchema),
};
export const RequestStateSchema = z.strictObject(requestStateShape);
export type RequestState = z.infer<typeof RequestStateSchema>;

/** The policy in words, for the section's first line and the editor's request step. */
export function policyText(r: RequestSetup, what: string): string {
  const where = `Tickets are read on ${r.ticketInstance}${r.projects.length ? ` (projects ${r.projects.join(', ')})` : ''}${r.comment ? '; an internal comment is added to the ticket after the action' : ''}.`;
  if (r.require === 'ticket') return `This instance requires a ticket and a record of how the requester's identity was verified. ${where}`;
  if (r.require === 'reason') return `This instance requires a reason or a ticket. ${where}`;
  return `Optional: the request behind ${what}, kept in the audit entry. ${where}`;
}

export function summaryText(r: RequestSetup): string {
  return r.require === 'none' ? 'Request (optional)' : `Request (${r.require === 'ticket' ? 'ticket' : 'reason or ticket'} required)`;
}
