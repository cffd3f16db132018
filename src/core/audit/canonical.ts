/**
 * The audit log's canonical serialisation and hashing. An entry is written as canonical JSON
 * (object keys sorted, no whitespace, `undefined` members left out) and its `hash` is the
 * SHA-256 of the canonical JSON of the entry without `hash`. Canonical form makes the hash
 * independent of how the object was built, and lets the verifier reject lines that were
 * re-formatted by hand.
 */
import { createHash } from '../lazyCrypto';

/** The prevHash of the first entry of a log. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;

export function isHash(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

/**
 * Canonical JSON: keys sorted by code unit, no whitespace, undefined members omitted.
 * Throws on values JSON cannot represent faithfully (NaN, Infinity, functions, bigint...).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} cannot be represented`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        if (obj[key] === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} cannot be represented`);
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash of an entry: SHA-256 over the canonical JSON of every member except `hash`. */
export function entryHash(entry: object): string {
  const { hash: _hash, ...rest } = entry as Record<string, unknown>;
  return sha256Hex(canonicalJson(rest));
}

/**
 * An entry's hash and its line in one pass: the canonical JSON of the entry without `hash` is
 * hashed, and the line is that same text with `"hash":…` put in its sorted place, which is
 * exactly canonicalJson({ ...unhashed, hash }) without serialising the entry twice.
 */
export function hashedLine(unhashed: object): { hash: string; line: string } {
  const obj = unhashed as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => k !== 'hash' && obj[k] !== undefined).sort();
  const parts = keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  const hash = sha256Hex(`{${parts.join(',')}}`);
  let at = keys.findIndex((k) => k > 'hash');
  if (at < 0) at = keys.length;
  parts.splice(at, 0, `"hash":${JSON.stringify(hash)}`);
  return { hash, line: `{${parts.join(',')}}` };
}
