/**
 * Messages of the "Unenroll user" panel. No secret and no TOTP code ever travels from the
 * extension to this panel; a typed code travels once, webview → extension, and is never kept
 * in the panel's saved state.
 */
import * as z from 'zod/mini';
import { TICKET_KEY } from '../../core/requests/policy';
import { BusyMessageSchema, ConnectionSchema, InstanceHeaderSchema, text } from '../shared/protocol';

export const LookupSchema = z.strictObject({
  username: text,
  found: z.boolean(),
  displayName: z.optional(text),
  email: z.optional(text),
  active: z.optional(z.boolean()),
  /** From the database when the instance has one; "unknown" otherwise. */
  enrolled: z.enum(['yes', 'no', 'unknown']),
  message: text,
});
export type Lookup = z.infer<typeof LookupSchema>;

/** How the ticket comment after the action went; `retry` when it failed and can be added again. */
export const CommentViewSchema = z.strictObject({ ok: z.boolean(), message: text, retry: z.boolean() });
export type CommentView = z.infer<typeof CommentViewSchema>;

export const ResultSchema = z.strictObject({
  ok: z.boolean(),
  title: text,
  explanation: text,
  nextStep: text,
  serverMessage: z.optional(text),
  status: z.optional(z.number()),
  time: text,
  auditId: z.optional(text),
  comment: z.optional(CommentViewSchema),
});
export type UnenrollResult = z.infer<typeof ResultSchema>;

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

export const ToUnenrollSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    instance: InstanceHeaderSchema,
    seedStored: z.boolean(),
    lookupAvailable: z.boolean(),
    prefillUsername: z.optional(text),
    request: RequestSetupSchema,
  }),
  /** The answer to a ticket check: the card, or why there is none (for the key and user asked). */
  z.strictObject({ type: z.literal('ticket'), key: text, username: text, card: z.optional(TicketCardSchema), error: z.optional(text) }),
  z.strictObject({ type: z.literal('comment'), comment: CommentViewSchema }),
  z.strictObject({ type: z.literal('connection'), connection: ConnectionSchema }),
  z.strictObject({ type: z.literal('lookup'), lookup: LookupSchema }),
  BusyMessageSchema,
  z.strictObject({ type: z.literal('result'), result: ResultSchema }),
]);
export type ToUnenroll = z.infer<typeof ToUnenrollSchema>;

const username = z.string().check(z.maxLength(1024));
const ticketKey = z.string().check(z.maxLength(64), z.regex(TICKET_KEY));
/** One line the admin typed (the core checks it again: length, control characters). */
const line = z.string().check(z.maxLength(500));

export const RequestMessageSchema = z.strictObject({
  ticket: z.optional(ticketKey),
  reason: z.optional(line),
  verification: z.optional(line),
  verificationNote: z.optional(line),
  override: z.optional(line),
});

export const FromUnenrollSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('lookup'), username }),
  z.strictObject({
    type: z.literal('send'),
    username,
    confirmation: z.optional(username),
    codeSource: z.enum(['typed', 'seed']),
    code: z.optional(z.string().check(z.regex(/^\d{6}$/))),
    request: z.optional(RequestMessageSchema),
  }),
  /** Asked only for a well-formed key: the format is checked here and in the page first. */
  z.strictObject({ type: z.literal('checkTicket'), key: ticketKey, username }),
  z.strictObject({ type: z.literal('retryComment') }),
  z.strictObject({ type: z.literal('openAuditLog') }),
  z.strictObject({ type: z.literal('setSeed') }),
]);
export type FromUnenroll = z.infer<typeof FromUnenrollSchema>;

/** What the panel keeps across hide/show: never the code. */
export const UnenrollStateSchema = z.strictObject({
  username,
  confirmation: username,
  codeSource: z.enum(['typed', 'seed']),
  /** The user ticked or unticked the seed option: the stored-seed default no longer applies. */
  codeSourceChosen: z.optional(z.boolean()),
  lookup: z.optional(LookupSchema),
  result: z.optional(ResultSchema),
  ticket: z.optional(z.string().check(z.maxLength(64))),
  reason: z.optional(line),
  verification: z.optional(line),
  verificationNote: z.optional(line),
  override: z.optional(line),
  card: z.optional(TicketCardSchema),
});
export type UnenrollState = z.infer<typeof UnenrollStateSchema>;

/** The 30-second TOTP window, for the countdown ring. */
export const TOTP_PERIOD_SECONDS = 30;
export function secondsLeftInWindow(nowMs: number): number {
  return TOTP_PERIOD_SECONDS - (Math.floor(nowMs / 1000) % TOTP_PERIOD_SECONDS);
}

/**
 * A typed code with this many seconds or fewer left is not sent: with the round trip it would
 * reach the server in the next window. The countdown says "wait for the next one" then, and
 * the send button agrees.
 */
export const TOO_CLOSE_TO_WINDOW_END_SECONDS = 3;
