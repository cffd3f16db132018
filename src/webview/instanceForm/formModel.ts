/**
 * The Add/Edit instance form's values and their mapping to a profile. Both sides use it:
 * the webview to show field errors as the user types, the extension to validate again on
 * save with the very same profile schema that checks settings.json.
 */
import * as z from 'zod/mini';
import { checkProfile, DB_DRIVERS, ENVIRONMENTS, PRODUCTS, type FieldError, type InstanceInput, type ProfileCheck } from '../../core/profiles/schema';

// Bounded, but long enough that the schema (not this shape) gives the specific error.
const str = z.string().check(z.maxLength(20_000));

export const FormValuesSchema = z.strictObject({
  id: str,
  name: str,
  product: z.enum(PRODUCTS),
  baseUrl: str,
  environment: z.enum(ENVIRONMENTS),
  authType: z.enum(['pat', 'basic']),
  username: str,
  tsvApiVersion: str,
  caFile: str,
  allowSelfSigned: z.boolean(),
  proxy: str,
  hasDatabase: z.boolean(),
  dbDriver: z.enum(DB_DRIVERS),
  dbHost: str,
  dbPort: str,
  dbName: str,
  dbUser: str,
  dbSsl: z.boolean(),
  dbReadOnly: z.boolean(),
  dbSchema: str,
  orgId: str,
  directoryId: str,
  // Cloud: the policies the admin designates (the API cannot tell which has 2SV optional).
  recoveryPolicyId: str,
  defaultPolicyId: str,
  // Who owns the organization API key, as the admin knows it (the API does not say).
  apiKeyOwner: str,
});
export type FormValues = z.infer<typeof FormValuesSchema>;

export const EMPTY_FORM: FormValues = {
  id: '',
  name: '',
  product: 'jira',
  baseUrl: 'https://',
  environment: 'production',
  authType: 'pat',
  username: '',
  tsvApiVersion: '1.0',
  caFile: '',
  allowSelfSigned: false,
  proxy: '',
  hasDatabase: false,
  dbDriver: 'postgres',
  dbHost: '',
  dbPort: '',
  dbName: '',
  dbUser: '',
  dbSsl: false,
  dbReadOnly: true,
  dbSchema: '',
  orgId: '',
  directoryId: '',
  recoveryPolicyId: '',
  defaultPolicyId: '',
  apiKeyOwner: '',
};

const opt = (s: string) => (s.trim() === '' ? undefined : s);

/** The raw profile object the form describes; empty optional fields are left out. */
export function toProfileInput(v: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: v.id.trim(),
    name: v.name,
    product: v.product,
    baseUrl: v.baseUrl.trim(),
    environment: v.environment,
    auth: v.authType === 'basic' ? { type: 'basic', username: v.username } : { type: 'pat' },
    tsvApiVersion: v.tsvApiVersion.trim() || '1.0',
    tls: { ...(opt(v.caFile) ? { caFile: v.caFile.trim() } : {}), allowSelfSigned: v.allowSelfSigned },
  };
  if (opt(v.proxy)) out.proxy = v.proxy.trim();
  if (v.product === 'cloud') {
    if (opt(v.orgId)) out.orgId = v.orgId.trim();
    if (opt(v.directoryId)) out.directoryId = v.directoryId.trim();
    const cloud = {
      ...(opt(v.recoveryPolicyId) ? { recoveryPolicyId: v.recoveryPolicyId.trim() } : {}),
      ...(opt(v.defaultPolicyId) ? { defaultPolicyId: v.defaultPolicyId.trim() } : {}),
      ...(opt(v.apiKeyOwner) ? { apiKeyOwner: v.apiKeyOwner.trim() } : {}),
    };
    if (Object.keys(cloud).length) out.cloud = cloud;
  }
  if (v.hasDatabase) {
    const port = v.dbPort.trim();
    out.database = {
      driver: v.dbDriver,
      ...(opt(v.dbHost) ? { host: v.dbHost.trim() } : {}),
      // A non-number stays a string so the schema reports it against the port field.
      ...(port ? { port: /^\d+$/.test(port) ? Number(port) : port } : {}),
      database: v.dbName,
      ...(opt(v.dbUser) ? { user: v.dbUser } : {}),
      ssl: v.dbSsl,
      readOnly: v.dbReadOnly,
      // MySQL/MariaDB has no schema apart from the database (the form hides the field there).
      ...(opt(v.dbSchema) && v.dbDriver !== 'mysql' ? { schema: v.dbSchema.trim() } : {}),
    };
  }
  return out;
}

export function fromProfile(p: InstanceInput): FormValues {
  const db = p.database;
  return {
    ...EMPTY_FORM,
    id: p.id,
    name: p.name,
    product: p.product,
    baseUrl: p.baseUrl,
    environment: p.environment,
    authType: p.auth?.type ?? 'pat',
    username: p.auth?.type === 'basic' ? p.auth.username : '',
    tsvApiVersion: p.tsvApiVersion ?? '1.0',
    caFile: p.tls?.caFile ?? '',
    allowSelfSigned: p.tls?.allowSelfSigned ?? false,
    proxy: p.proxy ?? '',
    hasDatabase: !!db,
    dbDriver: db?.driver ?? 'postgres',
    dbHost: db?.host ?? '',
    dbPort: db?.port !== undefined ? String(db.port) : '',
    dbName: db?.database ?? '',
    dbUser: db?.user ?? '',
    dbSsl: db?.ssl === true || (typeof db?.ssl === 'object' && db.ssl !== null),
    dbReadOnly: db?.readOnly ?? true,
    dbSchema: db?.schema ?? '',
    orgId: p.orgId ?? '',
    directoryId: p.directoryId ?? '',
    recoveryPolicyId: p.cloud?.recoveryPolicyId ?? '',
    defaultPolicyId: p.cloud?.defaultPolicyId ?? '',
    apiKeyOwner: p.cloud?.apiKeyOwner ?? '',
  };
}

/** Which form field shows an error reported for a schema path. */
const FIELD_FOR_PATH: Record<string, keyof FormValues> = {
  'auth.username': 'username',
  auth: 'authType',
  'tls.caFile': 'caFile',
  'database.driver': 'dbDriver',
  'database.host': 'dbHost',
  'database.port': 'dbPort',
  'database.database': 'dbName',
  'database.user': 'dbUser',
  'database.schema': 'dbSchema',
  'cloud.recoveryPolicyId': 'recoveryPolicyId',
  'cloud.defaultPolicyId': 'defaultPolicyId',
  'cloud.apiKeyOwner': 'apiKeyOwner',
};

export function fieldForPath(path: string): keyof FormValues | undefined {
  if (path in FIELD_FOR_PATH) return FIELD_FOR_PATH[path];
  return path in EMPTY_FORM ? (path as keyof FormValues) : undefined;
}

export interface FormCheck {
  check: ProfileCheck;
  /** Errors keyed by form field; errors with no field go under "" (shown at the top). */
  byField: Map<string, string[]>;
}

/** Validates the form with the profile schema plus the uniqueness of the id. */
export function checkForm(v: FormValues, takenIds: readonly string[]): FormCheck {
  let check = checkProfile(toProfileInput(v));
  if (takenIds.includes(v.id.trim())) {
    const dup: FieldError = { field: 'id', message: `id "${v.id.trim()}" is already used by another instance` };
    check = { ok: false, errors: [...(check.ok ? [] : check.errors), dup] };
  }
  const byField = new Map<string, string[]>();
  if (!check.ok) {
    for (const e of check.errors) {
      const key = fieldForPath(e.field) ?? '';
      byField.set(key, [...(byField.get(key) ?? []), e.field && !fieldForPath(e.field) ? `${e.field}: ${e.message}` : e.message]);
    }
  }
  return { check, byField };
}

/** A readable id from a name: "Prod Jira (EU)" → "prod-jira-eu". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}
