/**
 * Shapes every panel's messages share: the instance header, the connection check, the busy
 * state. Each panel's protocol.ts keeps only its own messages and builds on these.
 */
import * as z from 'zod/mini';
import { ENVIRONMENTS, PRODUCTS } from '../../core/profiles/schema';

/** Any text shown in a panel: bounded so a hostile server cannot flood the page. */
export const text = z.string().check(z.maxLength(4000));

/** Which instance a panel acts on: a Data Center instance by its base URL, a Cloud organization by its id. */
export const InstanceHeaderSchema = z.strictObject({
  id: text,
  name: text,
  environment: z.enum(ENVIRONMENTS),
  product: z.enum(PRODUCTS),
  baseUrl: z.optional(text),
  orgId: z.optional(text),
});
export type InstanceHeader = z.infer<typeof InstanceHeaderSchema>;

/** The result of "Test connection" as a panel shows it. */
export const ConnectionSchema = z.strictObject({
  ok: z.boolean(),
  summary: text,
  /** Shown up front: e.g. "you are not a system administrator: the call will fail". */
  warnings: z.array(text),
});
export type Connection = z.infer<typeof ConnectionSchema>;

/** extension → page: a long step started; the page disables its actions and says what runs. */
export const BusyMessageSchema = z.strictObject({ type: z.literal('busy'), what: text });
