/**
 * Messages of the "Unenroll user" panel. No secret and no TOTP code ever travels from the
 * extension to this panel; a typed code travels once, webview → extension, and is never kept
 * in the panel's saved state.
 */
import * as z from 'zod/mini';
import { BusyMessageSchema, ConnectionSchema, InstanceHeaderSchema, text } from '../shared/protocol';
import {
  CheckTicketMessageSchema,
  CommentMessageSchema,
  CommentViewSchema,
  RequestMessageSchema,
  RequestSetupSchema,
  requestStateShape,
  RetryCommentMessageSchema,
  TicketMessageSchema,
} from '../shared/requestProtocol';

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

export const ToUnenrollSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    instance: InstanceHeaderSchema,
    seedStored: z.boolean(),
    lookupAvailable: z.boolean(),
    prefillUsername: z.optional(text),
    request: RequestSetupSchema,
  }),
  TicketMessageSchema,
  CommentMessageSchema,
  z.strictObject({ type: z.literal('connection'), connection: ConnectionSchema }),
  z.strictObject({ type: z.literal('lookup'), lookup: LookupSchema }),
  BusyMessageSchema,
  z.strictObject({ type: z.literal('result'), result: ResultSchema }),
]);
export type ToUnenroll = z.infer<typeof ToUnenrollSchema>;

const username = z.string().check(z.maxLength(1024));
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
  CheckTicketMessageSchema,
  RetryCommentMessageSchema,
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
  ...requestStateShape,
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
