/**
 * Messages of the "Run snippet" panel. Results (which can hold recovery codes read from the
 * instance's database) are shown but never kept in the panel's saved state.
 */
import * as z from 'zod/mini';
import { BusyMessageSchema, InstanceHeaderSchema } from '../shared/protocol';
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

const text = z.string().check(z.maxLength(100_000));
const cell = z.nullable(z.string());

export const GridColumnSchema = z.strictObject({ name: text, numeric: z.boolean() });

export const SnippetInfoSchema = z.strictObject({
  name: text,
  title: text,
  description: text,
  kind: z.enum(['read', 'destructive']),
  params: z.array(z.strictObject({
    name: text,
    type: z.enum(['string', 'integer', 'boolean', 'timestamp', 'string[]']),
    label: text,
    optional: z.boolean(),
    default: z.optional(text),
  })),
  /** destructive: "exactly 1 row" and the like. */
  expectation: z.optional(text),
});
export type SnippetInfo = z.infer<typeof SnippetInfoSchema>;

const params = z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(10_000)));

/**
 * The values as they were bound when a user name was tidied (" dave " → "dave"): the panel
 * puts them in its fields and shows what was said ("Used "dave" without the spaces around it.").
 */
const TidiedSchema = z.strictObject({ params, notes: z.array(text) });

export const ToRunSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    instance: InstanceHeaderSchema,
    snippet: SnippetInfoSchema,
    rowLimit: z.number(),
    /** The profile refuses destructive snippets (database.readOnly). */
    readOnly: z.boolean(),
    prefill: z.optional(z.record(z.string(), text)),
    /** What the instance asks before a change (destructive snippets show the Request section). */
    request: RequestSetupSchema,
  }),
  TicketMessageSchema,
  CommentMessageSchema,
  BusyMessageSchema,
  z.strictObject({
    type: z.literal('rows'),
    columns: z.array(GridColumnSchema),
    cells: z.array(z.array(cell)),
    truncated: z.boolean(),
    rowLimit: z.number(),
    sql: text,
    auditId: z.optional(text),
    /** Recovery codes are hidden in `cells`; Reveal shows them (audited). */
    canReveal: z.boolean(),
    tidied: z.optional(TidiedSchema),
  }),
  z.strictObject({
    type: z.literal('preview'),
    columns: z.array(GridColumnSchema),
    cells: z.array(z.array(cell)),
    expected: z.number(),
    matches: z.boolean(),
    allowed: z.boolean(),
    message: text,
    statementSql: text,
    backupSql: text,
    canReveal: z.boolean(),
    tidied: z.optional(TidiedSchema),
  }),
  /** The same rows with recovery codes shown, after the reveal's audit entry. */
  z.strictObject({ type: z.literal('revealed'), cells: z.array(z.array(cell)), auditId: text }),
  z.strictObject({
    type: z.literal('done'),
    ok: z.boolean(),
    message: text,
    backupId: z.optional(text),
    auditId: z.optional(text),
    /** How the ticket comment after a change went. */
    comment: z.optional(CommentViewSchema),
    /** Refused before any statement (the confirmation word, the request): the preview still holds. */
    previewKept: z.optional(z.boolean()),
  }),
]);
export type ToRun = z.infer<typeof ToRunSchema>;

export const FromRunSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('run'), params, rowLimit: z.number().check(z.int(), z.minimum(1), z.maximum(100_000)) }),
  z.strictObject({ type: z.literal('preview'), params }),
  z.strictObject({ type: z.literal('commit'), params, confirmation: z.optional(z.string().check(z.maxLength(10_000))), request: z.optional(RequestMessageSchema) }),
  CheckTicketMessageSchema,
  RetryCommentMessageSchema,
  z.strictObject({ type: z.literal('export'), format: z.enum(['csv', 'json']) }),
  z.strictObject({ type: z.literal('reveal') }),
  z.strictObject({ type: z.literal('copy'), text: z.string().check(z.maxLength(1_000_000)) }),
  z.strictObject({ type: z.literal('showBackups') }),
]);
export type FromRun = z.infer<typeof FromRunSchema>;

export const RunStateSchema = z.strictObject({ params, rowLimit: z.number(), confirmation: z.string(), ...requestStateShape });
export type RunState = z.infer<typeof RunStateSchema>;
