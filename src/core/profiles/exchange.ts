/**
 * The profiles exchange format: `{ "version": 1, "instances": [...] }`. Export writes it,
 * import reads it, and the CLI's profiles file is the same format. No secret is ever in it:
 * the schema has no secret field and rejects unknown keys.
 */
import { printable } from '../printable';
import { checkProfile, type FieldError, type InstanceProfile } from './schema';

export const EXCHANGE_VERSION = 1;

export interface ProfilesFile {
  version: typeof EXCHANGE_VERSION;
  instances: InstanceProfile[];
}

export function exportProfiles(profiles: InstanceProfile[]): string {
  const file: ProfilesFile = { version: EXCHANGE_VERSION, instances: profiles };
  return JSON.stringify(file, null, 2) + '\n';
}

export interface InvalidEntry {
  index: number;
  /** The entry's id or name when it had a readable one, for the preview. */
  label: string;
  errors: FieldError[];
}

export interface ImportPreview {
  added: InstanceProfile[];
  replaced: InstanceProfile[];
  unchanged: InstanceProfile[];
  invalid: InvalidEntry[];
  /** For each replaced entry (same order), what changes field by field, risky ones first. */
  changes: ProfileChange[][];
}

/**
 * One changed field of a replaced profile. `destination`: where requests or the database
 * password go (URL, proxy, database host/port/name/driver): the stored credentials are not
 * sent there until the admin confirms (credentialOrigin.ts). `tls`: certificate trust.
 */
export interface ProfileChange {
  id: string;
  field: string;
  before: string;
  after: string;
  risk: 'destination' | 'tls' | 'other';
}

const DESTINATION_FIELDS = new Set(['baseUrl', 'proxy', 'database.driver', 'database.host', 'database.port', 'database.database']);
const RISK_ORDER = { destination: 0, tls: 1, other: 2 } as const;

function riskOf(field: string): ProfileChange['risk'] {
  if (DESTINATION_FIELDS.has(field)) return 'destination';
  if (field === 'tls' || field.startsWith('tls.') || field === 'database.ssl' || field.startsWith('database.ssl.')) return 'tls';
  return 'other';
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    // An empty object still says something (e.g. "tls": {}).
    if (!Object.keys(value).length && prefix) out.set(prefix, '{}');
  } else if (value !== undefined) {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
}

/** The fields that differ between two profiles of one id: destination, then TLS, then the rest. */
export function profileChanges(before: InstanceProfile, after: InstanceProfile): ProfileChange[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(before, '', a);
  flatten(after, '', b);
  const fields = [...new Set([...a.keys(), ...b.keys()])].filter((f) => a.get(f) !== b.get(f));
  return fields
    .map((field) => ({ id: after.id, field, before: a.get(field) ?? '(none)', after: b.get(field) ?? '(none)', risk: riskOf(field) }))
    .sort((x, y) => RISK_ORDER[x.risk] - RISK_ORDER[y.risk]);
}

/**
 * The preview's change lines for a person: risky ones marked ⚠ and worded so that a new host
 * cannot pass unseen. Values come from a file: shown through printable().
 */
export function describeChanges(changes: ProfileChange[]): string[] {
  return changes.map((c) => {
    const what = `${printable(c.id, 64)}: ${c.field} ${printable(c.before, 200)} → ${printable(c.after, 200)}`;
    if (c.risk === 'destination') return `⚠ ${what} (new destination: stored credentials are not sent there until you confirm the new host)`;
    if (c.risk === 'tls') return `⚠ ${what} (certificate trust)`;
    return `  ${what}`;
  });
}

export class ProfilesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfilesFileError';
  }
}

/** Reads the file's entries, validating each on its own; a bad entry never hides good ones. */
export function readProfilesFile(text: string): { profiles: InstanceProfile[]; invalid: InvalidEntry[] } {
  if (text.length > 5_000_000) throw new ProfilesFileError('The profiles file is larger than 5 MB.');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProfilesFileError(`The profiles file is not valid JSON: ${(e as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ProfilesFileError('The profiles file must be an object { "version": 1, "instances": [...] }.');
  }
  const obj = data as Record<string, unknown>;
  if (obj.version !== EXCHANGE_VERSION) {
    throw new ProfilesFileError(`Unsupported profiles file version ${JSON.stringify(obj.version)}: this version reads version ${EXCHANGE_VERSION}.`);
  }
  if (!Array.isArray(obj.instances)) throw new ProfilesFileError('The profiles file has no "instances" array.');
  return validateEntries(obj.instances);
}

/** Validates a list of raw entries; duplicates of an id are reported, the first one wins. */
export function validateEntries(entries: unknown[]): { profiles: InstanceProfile[]; invalid: InvalidEntry[] } {
  const profiles: InstanceProfile[] = [];
  const invalid: InvalidEntry[] = [];
  const seen = new Set<string>();
  entries.forEach((raw, index) => {
    const check = checkProfile(raw);
    if (!check.ok) {
      invalid.push({ index, label: entryLabel(raw, index), errors: check.errors });
    } else if (seen.has(check.profile.id)) {
      invalid.push({ index, label: check.profile.id, errors: [{ field: 'id', message: `duplicate id "${check.profile.id}"` }] });
    } else {
      seen.add(check.profile.id);
      profiles.push(check.profile);
    }
  });
  return { profiles, invalid };
}

export function previewImport(text: string, existing: InstanceProfile[]): ImportPreview {
  const { profiles, invalid } = readProfilesFile(text);
  const byId = new Map(existing.map((p) => [p.id, p]));
  const preview: ImportPreview = { added: [], replaced: [], unchanged: [], invalid, changes: [] };
  for (const p of profiles) {
    const old = byId.get(p.id);
    if (!old) preview.added.push(p);
    else {
      const changes = profileChanges(old, p);
      if (!changes.length) preview.unchanged.push(p);
      else {
        preview.replaced.push(p);
        preview.changes.push(changes);
      }
    }
  }
  return preview;
}

/**
 * What an import preview shows, line by line: a new host or new certificate trust for an
 * existing instance first, marked ⚠, then added / replaced / unchanged, the other field
 * changes and the invalid entries. `moved`: ids whose destination changes.
 */
export function importPreviewLines(preview: ImportPreview): { lines: string[]; moved: string[]; tlsChanged: boolean } {
  const names = (list: { id: string }[]) => list.map((p) => p.id).join(', ');
  const changes = preview.changes.flat();
  const moved = [...new Set(changes.filter((c) => c.risk === 'destination').map((c) => c.id))];
  const lines = [
    moved.length ? `⚠ NEW HOST for ${moved.join(', ')}: stored credentials are not sent there until you confirm the new host.` : '',
    ...describeChanges(changes.filter((c) => c.risk !== 'other')),
    preview.added.length ? `Added (${preview.added.length}): ${names(preview.added)}` : '',
    preview.replaced.length ? `Replaced (${preview.replaced.length}): ${names(preview.replaced)}` : '',
    ...describeChanges(changes.filter((c) => c.risk === 'other')),
    preview.unchanged.length ? `Unchanged (${preview.unchanged.length}): ${names(preview.unchanged)}` : '',
    ...preview.invalid.map((i) => `Invalid, skipped — ${printable(i.label, 100)}: ${i.errors.map((e) => `${e.field || 'entry'}: ${e.message}`).join('; ')}`),
    'No credentials are imported: set them per instance afterwards.',
  ].filter(Boolean);
  return { lines, moved, tlsChanged: changes.some((c) => c.risk === 'tls') };
}

/** The list after applying an import: replaced entries keep their position, added ones go last. */
export function applyImport(existing: InstanceProfile[], preview: ImportPreview): InstanceProfile[] {
  const incoming = new Map(preview.replaced.map((p) => [p.id, p]));
  return [...existing.map((p) => incoming.get(p.id) ?? p), ...preview.added];
}

function entryLabel(raw: unknown, index: number): string {
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    for (const key of ['id', 'name']) {
      const v = r[key];
      if (typeof v === 'string' && v.length <= 100 && !/[\u0000-\u001f]/.test(v)) return v;
    }
  }
  return `entry ${index + 1}`;
}
