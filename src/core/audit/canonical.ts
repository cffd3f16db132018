/**
 * The audit log's canonical serialisation and hashing. An entry is written as canonical JSON
 * (object keys sorted, no whitespace, `undefined` members left out) and its `hash` is the
 * SHA-256 of the canonical JSON of the entry without `hash`. Canonical form makes the hash
 * independent of how the object was built, and lets the verifier reject lines that were
 * re-formatted by hand.
 */
import { sha256HexOf } from '../lazyCrypto';

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
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += `${i ? ',' : ''}${canonicalJson(value[i] === undefined ? null : value[i])}`;
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      let out = '{';
      for (const key of Object.keys(obj).sort()) {
        const v = obj[key];
        if (v === undefined) continue;
        out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} cannot be represented`);
  }
}

export function sha256Hex(text: string): string {
  return sha256HexOf(text);
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
  const fast = entryHalves(unhashed);
  if (fast) {
    // The members' text of each half without its braces (slices of flat strings: no copy).
    const before = fast[0] === '{}' ? '' : fast[0].slice(1, -1);
    const after = fast[1] === '{}' ? '' : fast[1].slice(1, -1);
    const hash = sha256Hex(`{${before}${before && after ? ',' : ''}${after}}`);
    // A hex digest needs no escaping: "hash":"…" is its JSON.
    return { hash, line: `{${before ? `${before},` : ''}"hash":"${hash}"${after ? `,${after}` : ''}}` };
  }
  const obj = unhashed as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => k !== 'hash' && obj[k] !== undefined).sort();
  const parts = keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  const hash = sha256Hex(`{${parts.join(',')}}`);
  let at = keys.findIndex((k) => k > 'hash');
  if (at < 0) at = keys.length;
  parts.splice(at, 0, `"hash":${JSON.stringify(hash)}`);
  return { hash, line: `{${parts.join(',')}}` };
}

/** The members an audit entry may have, sorted by code unit; `hash` splits them in two. */
const ENTRY_KEYS = ['action', 'admin', 'backupId', 'details', 'hash', 'id', 'instance', 'message', 'osUser', 'outcome', 'prevHash', 'runId', 'status', 'target', 'time'] as const;
/** A key JSON.stringify would write before the others (an array index), whatever the insertion order. */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/**
 * The fast path of hashedLine for the entries the audit log writes. JSON.stringify writes an
 * object's members in insertion order, so objects whose keys were inserted in sorted order (a
 * copy made so, or the entry's own instance and details when they already are) are written in
 * canonical form by one native call, provided nothing in them needs what only
 * canonicalJson does: the entry is a plain object whose own keys are all among ENTRY_KEYS;
 * `instance` is a plain object of exactly the strings baseUrl, id and name; `details` a plain
 * object of strings, finite numbers, booleans and nulls, none of its keys like an array index;
 * every other member a string or a finite number. Returns the canonical JSON of the members
 * before `hash` and of those after it; undefined for anything else, which then takes the
 * generic path (it gives the same text for every entry this accepts: see the unit test).
 * Exported for that test.
 */
export function entryHalves(unhashed: object): [string, string] | undefined {
  if (Object.getPrototypeOf(unhashed) !== Object.prototype) return undefined;
  const e = unhashed as Record<string, unknown>;
  let present = 0;
  for (const key of Object.keys(e)) {
    const bit = KEY_BITS.get(key);
    if (bit === undefined) return undefined;
    if (e[key] !== undefined) present |= bit;
  }
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  let half = before;
  for (let i = 0; i < ENTRY_KEYS.length; i++) {
    const key = ENTRY_KEYS[i];
    if (key === 'hash') {
      half = after;
      continue;
    }
    if (!(present & (1 << i))) continue;
    const value = e[key];
    let copy: unknown;
    if (key === 'instance') copy = plainInstance(value);
    else if (key === 'details') copy = plainDetails(value);
    else copy = typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
    if (copy === undefined) return undefined;
    half[key] = copy;
  }
  return [JSON.stringify(before), JSON.stringify(after)];
}

/** Each member's bit, in the order of ENTRY_KEYS. */
const KEY_BITS: ReadonlyMap<string, number> = new Map(ENTRY_KEYS.map((k, i) => [k, 1 << i]));

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/** The instance as JSON.stringify must see it: the object itself when its keys are already in order. */
function plainInstance(v: unknown): object | undefined {
  if (!isPlainObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 3 || typeof v.baseUrl !== 'string' || typeof v.id !== 'string' || typeof v.name !== 'string') return undefined;
  if (keys[0] === 'baseUrl' && keys[1] === 'id' && keys[2] === 'name') return v;
  if (!keys.includes('baseUrl') || !keys.includes('id') || !keys.includes('name')) return undefined;
  return { baseUrl: v.baseUrl, id: v.id, name: v.name };
}

/**
 * The details as JSON.stringify must see them: the object itself when its keys are already in
 * sorted order and none is undefined, else a copy with the keys inserted in that order.
 */
function plainDetails(v: unknown): object | undefined {
  if (!isPlainObject(v)) return undefined;
  const keys = Object.keys(v);
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // "__proto__" would set the copy's prototype rather than a member; index-like keys are
    // written first by JSON.stringify. Both are left to the generic path.
    if (key === '__proto__' || INDEX_LIKE.test(key)) return undefined;
    const x = v[key];
    if (x === undefined) inOrder = false;
    else if (!(x === null || typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)))) return undefined;
    if (i > 0 && !(keys[i - 1] < key)) inOrder = false;
  }
  if (inOrder) return v;
  const copy: Record<string, unknown> = {};
  for (const key of keys.sort()) if (v[key] !== undefined) copy[key] = v[key];
  return copy;
}
