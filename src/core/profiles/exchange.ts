/**
 * The profiles exchange format: `{ "version": 1, "instances": [...] }`. Export writes it,
 * import reads it, and the CLI's profiles file is the same format. No secret is ever in it:
 * the schema has no secret field and rejects unknown keys.
 */
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
  const preview: ImportPreview = { added: [], replaced: [], unchanged: [], invalid };
  for (const p of profiles) {
    const old = byId.get(p.id);
    if (!old) preview.added.push(p);
    else if (JSON.stringify(old) === JSON.stringify(p)) preview.unchanged.push(p);
    else preview.replaced.push(p);
  }
  return preview;
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
