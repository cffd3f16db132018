/**
 * Messages of the "Recover a Cloud user" panel. Only what the admin must see travels to the
 * panel (names, e-mail addresses, policy names and ids, diagnosis texts, admin hub links);
 * the organization API key never does.
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
const enforcement = z.enum(['enforced', 'optional', 'unknown']);

export const PolicyViewSchema = z.strictObject({
  id: text,
  name: text,
  /** "unknown" unless a documented field says it (none does): shown as "not given by the API". */
  twoStepVerification: enforcement,
  /** The role the admin designated in the instance settings. */
  designation: z.optional(z.enum(['recovery', 'usual'])),
  /** The policy's page in the admin hub. */
  hubLink: z.optional(text),
});
export type PolicyView = z.infer<typeof PolicyViewSchema>;

export const UserViewSchema = z.strictObject({
  accountId: text,
  name: text,
  email: z.optional(text),
  managed: z.enum(['yes', 'no', 'unknown']),
  twoSv: z.enum(['on', 'off', 'unknown']),
  /** Plain words: a date, "never", or "unknown (why)". */
  lastActive: text,
  /** The policy the user is in, when the API said. */
  policy: z.optional(PolicyViewSchema),
  /** Why the policy is not known (membership not returned by the API...). */
  policyUnknown: z.optional(text),
  diagnosis: z.strictObject({
    code: text,
    summary: text,
    next: text,
    hubLink: text,
    hubOrgLink: text,
    canMove: z.boolean(),
    /** Policies without mandatory 2SV (known optional first, then "unknown" ones). */
    targets: z.array(PolicyViewSchema),
    notes: z.array(text),
  }),
  /** A move of this user recorded and not moved back yet. */
  pending: z.optional(text),
});
export type UserView = z.infer<typeof UserViewSchema>;

export const FindResultSchema = z.strictObject({
  query: text,
  ok: z.boolean(),
  /** When ok is false: what went wrong and what to do. */
  message: z.optional(text),
  users: z.array(UserViewSchema),
  /** Every authentication policy, for "the current policy" when the API cannot tell it. */
  policies: z.array(PolicyViewSchema),
  more: z.boolean(),
  warnings: z.array(text),
});
export type FindResult = z.infer<typeof FindResultSchema>;

export const MoveViewSchema = z.strictObject({
  ok: z.boolean(),
  title: z.string().check(z.maxLength(4000)),
  next: text,
  /** "moved", "not moved", "may have been moved". */
  moved: z.enum(['yes', 'no', 'unknown']),
  serverMessage: z.optional(text),
  received: z.optional(text),
  status: z.optional(z.number()),
  hubLink: z.optional(text),
  /** What happened to the "Waiting to move back" list. */
  tracker: text,
  warnings: z.array(text),
  time: text,
  auditId: z.optional(text),
  /** How the ticket comment after the move went. */
  comment: z.optional(CommentViewSchema),
});
export type MoveView = z.infer<typeof MoveViewSchema>;

export const ToCloudRecoverSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('init'), instance: InstanceHeaderSchema, keyStored: z.boolean(), request: RequestSetupSchema }),
  TicketMessageSchema,
  CommentMessageSchema,
  z.strictObject({ type: z.literal('connection'), connection: ConnectionSchema }),
  z.strictObject({ type: z.literal('found'), result: FindResultSchema }),
  BusyMessageSchema,
  z.strictObject({ type: z.literal('progress'), what: text }),
  z.strictObject({ type: z.literal('moved'), result: MoveViewSchema }),
]);
export type ToCloudRecover = z.infer<typeof ToCloudRecoverSchema>;

const short = z.string().check(z.maxLength(1024));

export const FromCloudRecoverSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('find'), query: short }),
  z.strictObject({
    type: z.literal('move'),
    accountId: short,
    toPolicyId: short,
    /** Only when the API could not tell the user's policy: the admin names it. */
    fromPolicyId: z.optional(short),
    /** Production: the user's e-mail address typed again. */
    confirmation: z.optional(short),
    /** The admin checked in the admin hub that a policy of unknown enforcement has 2SV optional. */
    acknowledgeUnknown: z.optional(z.boolean()),
    request: z.optional(RequestMessageSchema),
  }),
  CheckTicketMessageSchema,
  RetryCommentMessageSchema,
  z.strictObject({ type: z.literal('openLink'), url: short }),
  z.strictObject({ type: z.literal('openAuditLog') }),
  z.strictObject({ type: z.literal('setKey') }),
]);
export type FromCloudRecover = z.infer<typeof FromCloudRecoverSchema>;

/** What the panel keeps across hide/show. */
export const CloudRecoverStateSchema = z.strictObject({
  query: short,
  selected: z.optional(short),
  target: z.optional(short),
  from: z.optional(short),
  confirmation: short,
  acknowledgeUnknown: z.boolean(),
  found: z.optional(FindResultSchema),
  moved: z.optional(MoveViewSchema),
  ...requestStateShape,
});
export type CloudRecoverState = z.infer<typeof CloudRecoverStateSchema>;

/** Links the panel may open: the admin hub only. */
export function isHubLink(url: string): boolean {
  return /^https:\/\/admin\.atlassian\.com\/o\/[A-Za-z0-9%._-]+\//.test(url);
}
