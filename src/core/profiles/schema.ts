/**
 * The one schema for an instance profile. The extension validates settings and form input
 * with it, the CLI validates its profiles file with it, and the settings JSON schema in
 * package.json is generated from it (scripts/gen-settings-schema.mjs), so the three can
 * never disagree. Profiles hold no secret: secrets live in a SecretStore, keyed by id.
 */
import { z } from 'zod';

export const PRODUCTS = ['jira', 'confluence', 'bitbucket', 'bamboo', 'cloud'] as const;
export const ENVIRONMENTS = ['production', 'staging', 'test'] as const;
export const DB_DRIVERS = ['postgres', 'mysql', 'mssql', 'oracle', 'pglite'] as const;
export type Product = (typeof PRODUCTS)[number];
export type Environment = (typeof ENVIRONMENTS)[number];
export type DbDriverName = (typeof DB_DRIVERS)[number];

// C0/C1 controls and the bidi overrides that can make a name display as something else.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Plain text shown to the user: trimmed, bounded, no control or bidi-override characters. */
function text(label: string, max: number) {
  return z
    .string({ error: `${label} must be text` })
    .trim()
    .min(1, { error: `${label} is required` })
    .max(max, { error: `${label} is longer than ${max} characters` })
    .refine((s) => !UNSAFE_CHARS.test(s), { error: `${label} contains control characters` });
}

function webUrl(label: string) {
  return z
    .string({ error: `${label} must be text` })
    .trim()
    .max(2048, { error: `${label} is longer than 2048 characters` })
    .superRefine((value, ctx) => {
      const problem = urlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${label} ${problem}` });
    })
    .meta({ format: 'uri' });
}

/** Why a string is not an acceptable http(s) base URL, or undefined when it is. */
export function urlProblem(value: string): string | undefined {
  if (UNSAFE_CHARS.test(value) || /\s/.test(value)) return 'contains spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL (expected e.g. https://jira.example.com)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must start with https:// (got ${url.protocol})`;
  if (!url.hostname) return 'has no host name';
  if (url.username || url.password) return 'must not contain a user name or password: store credentials with "Set credentials…"';
  if (url.search || url.hash) return 'must not contain a query (?) or fragment (#)';
  return undefined;
}

const ID = z
  .string({ error: 'id must be text' })
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    error: 'id must be 1-64 characters: lowercase letters, digits, dot, dash or underscore, starting with a letter or digit',
  });

const filePath = (label: string) =>
  text(label, 1024).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('~/'), {
    error: `${label} must be an absolute path`,
  });

export const AuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pat').meta({ description: 'Personal access token (Authorization: Bearer)' }) }),
  z.strictObject({
    type: z.literal('basic').meta({ description: 'User name and password (Authorization: Basic)' }),
    username: text('auth.username', 255),
  }),
], { error: 'auth.type must be "pat" or "basic"' });

export const TlsSchema = z.strictObject({
  caFile: filePath('tls.caFile').optional().meta({ description: 'PEM file with the CA that signed this instance\'s certificate' }),
  allowSelfSigned: z.boolean().default(false).meta({ description: 'Accept a self-signed certificate for this instance only' }),
});

export const DatabaseSchema = z
  .strictObject({
    driver: z.enum(DB_DRIVERS, { error: `database.driver must be one of ${DB_DRIVERS.join(', ')}` }),
    host: text('database.host', 255).optional(),
    port: z.number().int().min(1).max(65535, { error: 'database.port must be 1-65535' }).optional(),
    database: text('database.database', 1024).meta({ description: 'Database name; for pglite the data directory (absolute path) or "memory://"' }),
    user: text('database.user', 255).optional(),
    ssl: z
      .union([z.boolean(), z.strictObject({ caFile: filePath('database.ssl.caFile').optional(), allowSelfSigned: z.boolean().default(false) })])
      .optional(),
    readOnly: z.boolean().default(true).meta({ description: 'Only read snippets may run; destructive ones are refused' }),
  })
  .superRefine((db, ctx) => {
    if (db.driver !== 'pglite' && !db.host) ctx.addIssue({ code: 'custom', path: ['host'], message: `database.host is required for ${db.driver}` });
  });

export const InstanceSchema = z
  .strictObject({
    id: ID,
    name: text('name', 100),
    product: z.enum(PRODUCTS, { error: `product must be one of ${PRODUCTS.join(', ')}` }),
    baseUrl: webUrl('baseUrl').meta({ description: 'Base URL including any context path, e.g. https://jira.example.com/jira' }),
    environment: z.enum(ENVIRONMENTS, { error: `environment must be one of ${ENVIRONMENTS.join(', ')}` }),
    auth: AuthSchema.default({ type: 'pat' }),
    tsvApiVersion: z
      .string()
      .regex(/^(\d{1,2}\.\d{1,2}|latest)$/, { error: 'tsvApiVersion must look like 1.0 or be "latest"' })
      .default('1.0'),
    tls: TlsSchema.default({ allowSelfSigned: false }),
    proxy: webUrl('proxy').optional(),
    database: DatabaseSchema.optional(),
    orgId: text('orgId', 100).regex(/^[A-Za-z0-9-]+$/, { error: 'orgId contains invalid characters' }).optional(),
    directoryId: text('directoryId', 100).regex(/^[A-Za-z0-9-]+$/, { error: 'directoryId contains invalid characters' }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.product === 'cloud' && !p.orgId) ctx.addIssue({ code: 'custom', path: ['orgId'], message: 'orgId is required for a Cloud organization' });
  });

export type InstanceProfile = z.output<typeof InstanceSchema>;
export type InstanceInput = z.input<typeof InstanceSchema>;

export interface FieldError {
  /** Dotted path of the field, e.g. "database.host"; "" for the whole entry. */
  field: string;
  message: string;
}

export type ProfileCheck =
  | { ok: true; profile: InstanceProfile; warnings: string[] }
  | { ok: false; errors: FieldError[] };

/** Validates one raw entry (from settings, a form, an import or the CLI profiles file). */
export function checkProfile(raw: unknown): ProfileCheck {
  const result = InstanceSchema.safeParse(raw);
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((issue) => ({
        field: issue.path.join('.'),
        message: issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys) : issue.message,
      })),
    };
  }
  return { ok: true, profile: result.data, warnings: profileWarnings(result.data) };
}

function unknownKeysMessage(keys: string[]): string {
  const secretish = keys.filter((k) => /token|password|secret|seed|key/i.test(k) && k !== 'orgId');
  if (secretish.length) return `secrets are never stored in profiles (found ${secretish.join(', ')}): use "Set credentials…"`;
  return `unknown setting ${keys.join(', ')}`;
}

/** Things that are allowed but that the user must see. */
export function profileWarnings(p: InstanceProfile): string[] {
  const warnings: string[] = [];
  if (p.baseUrl.startsWith('http:')) warnings.push('baseUrl uses http://: the token and TOTP codes travel unencrypted');
  if (p.tls.allowSelfSigned) warnings.push('self-signed certificates are accepted for this instance');
  if (p.database && p.database.readOnly === false && p.environment === 'production') {
    warnings.push('the production database connection allows destructive snippets');
  }
  return warnings;
}

/** The name shown in lists: "Name (host)". */
export function describeInstance(p: Pick<InstanceProfile, 'name' | 'baseUrl'>): string {
  let host = p.baseUrl;
  try {
    host = new URL(p.baseUrl).host;
  } catch {
    /* keep raw */
  }
  return `${p.name} (${host})`;
}
