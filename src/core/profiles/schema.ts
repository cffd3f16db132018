/**
 * The one schema for an instance profile. The extension validates settings and form input
 * with it, the CLI validates its profiles file with it, and the settings JSON schema in
 * package.json is generated from it (scripts/settingsSchema.ts), so the three can
 * never disagree. Profiles hold no secret: secrets live in a SecretStore, keyed by id.
 */
// zod/mini: the same validation as classic zod at a few kB instead of 450 kB of bundle.
import * as z from 'zod/mini';
import { printable } from '../printable';

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
  return z.string({ error: `${label} must be text` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required` }),
    z.maxLength(max, { error: `${label} is longer than ${max} characters` }),
    z.refine((s) => !UNSAFE_CHARS.test(s), { error: `${label} contains control characters` }),
  );
}

function webUrl(label: string) {
  return z.string({ error: `${label} must be text` }).check(
    z.trim(),
    z.maxLength(2048, { error: `${label} is longer than 2048 characters` }),
    z.superRefine((value, ctx) => {
      const problem = urlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${label} ${problem}` });
    }),
  );
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

const ID = z.string({ error: 'id must be text' }).check(
  z.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    error: 'id must be 1-64 characters: lowercase letters, digits, dot, dash or underscore, starting with a letter or digit',
  }),
);

const filePath = (label: string) =>
  text(label, 1024).check(
    z.refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('~/'), { error: `${label} must be an absolute path` }),
  );

const described = <T extends z.ZodMiniType>(schema: T, description: string): T => schema.check(z.describe(description)) as T;
const optionalText = (label: string, max: number, pattern?: [RegExp, string]) =>
  z.optional(pattern ? text(label, max).check(z.regex(pattern[0], { error: pattern[1] })) : text(label, max));

export const AuthSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: described(z.literal('pat'), 'Personal access token (Authorization: Bearer)') }),
    z.strictObject({ type: described(z.literal('basic'), 'User name and password (Authorization: Basic)'), username: text('auth.username', 255) }),
  ],
  { error: 'auth.type must be "pat" or "basic"' },
);

export const TlsSchema = z.strictObject({
  caFile: z.optional(described(filePath('tls.caFile'), "PEM file with the CA that signed this instance's certificate")),
  allowSelfSigned: z._default(described(z.boolean(), 'Accept a self-signed certificate for this instance only'), false),
});

export const DatabaseSchema = z
  .strictObject({
    driver: z.enum(DB_DRIVERS, { error: `database.driver must be one of ${DB_DRIVERS.join(', ')}` }),
    host: optionalText('database.host', 255),
    port: z.optional(
      z.number({ error: 'database.port must be a number 1-65535' }).check(
        z.int({ error: 'database.port must be a whole number' }),
        z.minimum(1, { error: 'database.port must be 1-65535' }),
        z.maximum(65535, { error: 'database.port must be 1-65535' }),
      ),
    ),
    database: described(text('database.database', 1024), 'Database name; for pglite the data directory (absolute path) or "memory://"'),
    user: optionalText('database.user', 255),
    ssl: z.optional(
      z.union([z.boolean(), z.strictObject({ caFile: z.optional(filePath('database.ssl.caFile')), allowSelfSigned: z._default(z.boolean(), false) })]),
    ),
    readOnly: z._default(described(z.boolean(), 'Only read snippets may run; destructive ones are refused'), true),
    // Data Center: the schema that holds the product's tables (dbconfig.xml <schema-name>).
    schema: z.optional(
      described(
        text('database.schema', 128),
        "Schema holding the product's tables (dbconfig.xml <schema-name>): PostgreSQL search_path, Oracle CURRENT_SCHEMA, SQL Server [schema].[table]; not used on MySQL/MariaDB",
      ),
    ),
  })
  .check(
    z.refine((db) => db.schema === undefined || db.driver !== 'mysql', {
      path: ['schema'],
      error: 'database.schema is not used on MySQL/MariaDB: there the database name already is the schema',
      when: (payload) => hasStringField(payload.value, 'driver'),
    }),
    // `when`: report a missing host even if another database field is wrong too.
    z.refine((db) => db.driver === 'pglite' || !!db.host, {
      path: ['host'],
      error: (issue) => `database.host is required for ${(issue.input as { driver?: string }).driver}`,
      when: (payload) => hasStringField(payload.value, 'driver'),
    }),
  );

export const REQUEST_REQUIREMENTS = ['none', 'reason', 'ticket'] as const;
export type RequestRequirement = (typeof REQUEST_REQUIREMENTS)[number];

/**
 * What an action that changes a user's 2SV needs on this instance: nothing, a typed reason, or a
 * ticket (checked on `ticketInstance`, a Jira instance of the profiles; this one when omitted)
 * with the requester's identity verification. Absent: "none".
 */
export const RecoveryRequestsSchema = z.strictObject({
  require: z.enum(REQUEST_REQUIREMENTS, { error: `recoveryRequests.require must be one of ${REQUEST_REQUIREMENTS.join(', ')}` }),
  ticketInstance: z.optional(ID),
  projects: z.optional(
    z.array(z.string().check(z.regex(/^[A-Z][A-Z0-9_]+$/, { error: 'recoveryRequests.projects holds project keys such as HELP' }))).check(
      z.maxLength(50, { error: 'recoveryRequests.projects has more than 50 keys' }),
    ),
  ),
  comment: z._default(described(z.boolean(), 'Add an internal comment to the ticket after the action'), true),
});

/**
 * Cloud organizations: the policies the admin designates, because the admin API does not say
 * which authentication policy has 2SV optional (docs reference section 3).
 */
const policyId = (label: string) => optionalText(label, 200, [/^[A-Za-z0-9][A-Za-z0-9:._-]*$/, `${label} must be a policy id (letters, digits, ":", ".", "_" and "-")`]);
export const CloudSettingsSchema = z.strictObject({
  recoveryPolicyId: described(policyId('cloud.recoveryPolicyId'), 'The authentication policy with 2SV optional, where locked-out users are moved (the API cannot tell which one it is)'),
  defaultPolicyId: described(policyId('cloud.defaultPolicyId'), 'The usual authentication policy of the organization\'s users (2SV enforced)'),
  // The admin API says nothing about who owns an API key (docs reference section 3): the admin
  // names the owner, and audit entries record it as entered (cloud/identity.ts), not verified.
  apiKeyOwner: described(
    optionalText('cloud.apiKeyOwner', 200, [/^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/, 'cloud.apiKeyOwner must be printable text (a name or an e-mail address)']),
    'Who owns the organization API key (a name or e-mail), as you know it: recorded in audit entries as entered, not verified',
  ),
});

export const InstanceSchema = z
  .strictObject({
    id: ID,
    name: text('name', 100),
    product: z.enum(PRODUCTS, { error: `product must be one of ${PRODUCTS.join(', ')}` }),
    baseUrl: described(webUrl('baseUrl'), 'Base URL including any context path, e.g. https://jira.example.com/jira'),
    environment: z.enum(ENVIRONMENTS, { error: `environment must be one of ${ENVIRONMENTS.join(', ')}` }),
    auth: z._default(AuthSchema, { type: 'pat' }),
    tsvApiVersion: z._default(
      z.string().check(z.regex(/^(\d{1,2}\.\d{1,2}|latest)$/, { error: 'tsvApiVersion must look like 1.0 or be "latest"' })),
      '1.0',
    ),
    tls: z._default(TlsSchema, { allowSelfSigned: false }),
    proxy: z.optional(webUrl('proxy')),
    database: z.optional(DatabaseSchema),
    orgId: optionalText('orgId', 100, [/^[A-Za-z0-9-]+$/, 'orgId contains invalid characters']),
    directoryId: optionalText('directoryId', 100, [/^[A-Za-z0-9-]+$/, 'directoryId contains invalid characters']),
    recoveryRequests: z.optional(RecoveryRequestsSchema),
    cloud: z.optional(CloudSettingsSchema),
  })
  .check(
    z.refine((p) => p.product !== 'cloud' || !!p.orgId, {
      path: ['orgId'],
      error: 'orgId is required for a Cloud organization',
      when: (payload) => hasStringField(payload.value, 'product'),
    }),
  );

function hasStringField(value: unknown, key: string): boolean {
  return !!value && typeof value === 'object' && typeof (value as Record<string, unknown>)[key] === 'string';
}

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
  if (secretish.length) return `secrets are never stored in profiles (found ${secretish.map((k) => printable(k, 60)).join(', ')}): use "Set credentials…"`;
  return `unknown setting ${keys.map((k) => printable(k, 60)).join(', ')}`;
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
