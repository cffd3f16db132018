/** Messages of the Add/Edit instance panel, shared by the extension and the webview. */
import * as z from 'zod/mini';
import { FormValuesSchema } from './formModel';

export const FromFormSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('save'), values: FormValuesSchema }),
  z.strictObject({ type: z.literal('cancel') }),
  /** Cloud: list the organization's authentication policies for the policy picker. */
  z.strictObject({ type: z.literal('listPolicies'), values: FormValuesSchema }),
]);
export type FromForm = z.infer<typeof FromFormSchema>;

const FieldErrorSchema = z.strictObject({ field: z.string(), message: z.string() });

const short = z.string().check(z.maxLength(2048));
export const PolicyChoiceSchema = z.strictObject({ id: short, name: short, hubLink: short });
export type PolicyChoice = z.infer<typeof PolicyChoiceSchema>;
export type PolicyChoices = { ok: true; policies: PolicyChoice[] } | { ok: false; message: string };

export const ToFormSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    mode: z.enum(['add', 'edit']),
    values: FormValuesSchema,
    /** Ids the new or renamed instance may not take. */
    takenIds: z.array(z.string()),
  }),
  z.strictObject({ type: z.literal('saveFailed'), errors: z.array(FieldErrorSchema), message: z.string() }),
  z.strictObject({
    type: z.literal('policies'),
    ok: z.boolean(),
    /** ok: the authentication policies (id, name, admin hub page); not ok: why, in `message`. */
    policies: z.array(PolicyChoiceSchema),
    message: z.optional(z.string().check(z.maxLength(4000))),
  }),
]);
export type ToForm = z.infer<typeof ToFormSchema>;

export const FormStateSchema = z.strictObject({
  mode: z.enum(['add', 'edit']),
  values: FormValuesSchema,
  takenIds: z.array(z.string()),
  idEdited: z.boolean(),
});
export type FormState = z.infer<typeof FormStateSchema>;
