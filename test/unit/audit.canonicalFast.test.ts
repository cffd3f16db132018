import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, entryHalves, entryHash, hashedLine, sha256Hex } from '../../src/core/audit/canonical';
import { Redactor, applyPatterns } from '../../src/core/redact';

/** A small deterministic PRNG (mulberry32), so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = ['', 'plain', 'bench00001', 'JIRAUSER10106', 'ädmin "x"', 'back\\slash', 'line\nbreak\ttab', '\u0001\u001f ctl', '\u2028\u2029', 'emoji 😀', 'lone \ud800 surrogate', '\udfff', 'é', 'Z', '</script>', '{"json":1}'];
const NUMBERS = [0, -0, 1, -3, 1.5, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 204];
const DETAIL_KEYS = ['snippet', 'rows', 'userKey', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'Z', 'a', 'é', '😀', '', ' ', '10', '9', '01', '-1', '1.5', '4294967295', 'hash', 'details', '__proto__'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** A detail value: mostly what the log accepts, sometimes what only the generic path handles. */
function detailValue(r: () => number): unknown {
  const k = r();
  if (k < 0.35) return pick(r, TEXTS);
  if (k < 0.6) return pick(r, NUMBERS);
  if (k < 0.75) return r() < 0.5;
  if (k < 0.85) return null;
  if (k < 0.9) return undefined;
  if (k < 0.95) return [1, 'x', null];
  return { nested: pick(r, TEXTS) };
}

function details(r: () => number): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const key = pick(r, DETAIL_KEYS);
    // An own "__proto__" member, as JSON.parse makes one (plain assignment would set the prototype).
    Object.defineProperty(d, key, { value: detailValue(r), enumerable: true, writable: true, configurable: true });
  }
  return d;
}

function entry(r: () => number): Record<string, unknown> {
  const e: Record<string, unknown> = {
    admin: pick(r, TEXTS),
    instance: { id: pick(r, TEXTS), name: pick(r, TEXTS), baseUrl: pick(r, TEXTS) },
    action: pick(r, TEXTS),
    outcome: pick(r, ['ok', 'refused', 'error', 'cancelled']),
    message: pick(r, TEXTS),
    id: pick(r, TEXTS),
    time: '2026-12-03T14:13:17.515Z',
    prevHash: 'f'.repeat(64),
  };
  if (r() < 0.7) e.target = pick(r, TEXTS);
  if (r() < 0.3) e.status = pick(r, NUMBERS);
  if (r() < 0.7) e.runId = pick(r, TEXTS);
  if (r() < 0.5) e.backupId = r() < 0.9 ? pick(r, TEXTS) : undefined;
  if (r() < 0.8) e.details = details(r);
  if (r() < 0.1) e.hash = 'a'.repeat(64); // ignored: hashedLine hashes every member but `hash`
  // Shapes only the generic path takes: an unknown member, an odd instance, a non-plain value.
  const odd = r();
  if (odd < 0.04) e.extra = pick(r, TEXTS);
  else if (odd < 0.07) (e.instance as Record<string, unknown>).port = 443;
  else if (odd < 0.1) e.instance = { id: 'i', name: 'n' };
  else if (odd < 0.12) e.status = true;
  else if (odd < 0.14) e.message = ['a', 'b'];
  // The members in a random order: canonical form must not depend on it.
  const keys = Object.keys(e).sort(() => r() - 0.5);
  return Object.fromEntries(keys.map((k) => [k, e[k]]));
}

/** What the line must be: the canonical JSON of the entry with its hash, by the generic code. */
function expected(e: Record<string, unknown>): { hash: string; line: string } {
  const hash = entryHash(e);
  return { hash, line: canonicalJson({ ...e, hash }) };
}

describe('audit: the canonical fast path of hashedLine', () => {
  it('gives the generic canonical JSON and hash for varied entries (odd keys, unicode, numbers, shapes it declines)', () => {
    const r = rng(20261203);
    let fast = 0;
    let generic = 0;
    for (let i = 0; i < 3000; i++) {
      const e = entry(r);
      if (entryHalves(e)) fast++;
      else generic++;
      assert.deepEqual(hashedLine(e), expected(e), `entry ${i}: ${JSON.stringify(e)}`);
    }
    // Both paths were exercised, the fast one on most entries.
    assert.ok(fast > 1000, `fast path taken ${fast} times`);
    assert.ok(generic > 300, `generic path taken ${generic} times`);
  });

  it('takes the fast path for an entry as the log writes it, and the generic one for keys JSON.stringify would reorder or drop', () => {
    const base = { action: 'bulk.sql.disable', admin: 'a', instance: { id: 'i', name: 'n', baseUrl: 'u' }, message: 'm', outcome: 'ok', id: 'x', time: 't', prevHash: '0'.repeat(64) };
    assert.ok(entryHalves({ ...base, details: { snippet: 's', rows: 1, userKey: 'K', constructor: 'c', 'é': null } }));
    // Already in order (used as it is) or not, with an undefined member or not: the same text.
    for (const d of [{ a: 1, b: 'x', c: null }, { c: null, a: 1, b: 'x' }, { a: 1, b: undefined, c: null }, { b: undefined, a: 1, c: null }]) {
      const e = { ...base, details: d };
      assert.ok(entryHalves(e));
      assert.deepEqual(hashedLine(e), expected(e));
    }
    for (const instance of [{ baseUrl: 'u', id: 'i', name: 'n' }, { name: 'n', id: 'i', baseUrl: 'u' }]) assert.deepEqual(hashedLine({ ...base, instance }), expected({ ...base, instance }));
    for (const d of [{ 10: 'a', 9: 'b' }, JSON.parse('{"__proto__":"x"}'), { a: Number.NaN }, { a: { b: 1 } }]) {
      const e = { ...base, details: d };
      assert.equal(entryHalves(e), undefined, JSON.stringify(d));
    }
    // The generic path writes them in canonical order ("10" before "9"), with an own "__proto__".
    assert.match(hashedLine({ ...base, details: { 10: 'a', 9: 'b' } }).line, /"details":\{"10":"a","9":"b"\}/);
    assert.match(hashedLine({ ...base, details: JSON.parse('{"__proto__":"x","a":1}') }).line, /"details":\{"__proto__":"x","a":1\}/);
    assert.equal(entryHalves(Object.assign(Object.create(null), base)), undefined, 'not a plain object');
  });

  it('the one-shot SHA-256 gives the digest of a Hash object over the UTF-8 text (lone surrogates too)', () => {
    for (const text of ['', 'plain', 'é 😀 \u2028', 'lone \ud800 and \udfff', '{"a":1}'.repeat(500)]) {
      assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'), JSON.stringify(text.slice(0, 20)));
    }
  });

  it('refuses what canonical JSON cannot represent, as the generic path does', () => {
    const base = { action: 'a', admin: 'a', instance: { id: 'i', name: 'n', baseUrl: 'u' }, message: 'm', outcome: 'ok' };
    assert.throws(() => hashedLine({ ...base, status: Number.NaN }), /cannot be represented/);
    assert.throws(() => hashedLine({ ...base, details: { n: Infinity } }), /cannot be represented/);
  });

  it('writes the same bytes as before the fast path (hashes of lines written by the previous version)', () => {
    const bulk = {
      admin: 'bench-admin',
      instance: { id: 'inst-1', name: 'Jira 😀 prod', baseUrl: 'https://jira.example.com' },
      action: 'bulk.sql.disable',
      target: 'bench00001',
      outcome: 'ok',
      message: 'Two-step verification disabled by deleting the enrollment row (bulk run, backup 20261203T141317515Z-abc).\n"quoted" \\ \u0001 \u2028 é',
      details: { snippet: 'jira.disable-2sv-many', rows: 1, userKey: 'JIRAUSER10106' },
      runId: '20261203T141317Z-abcd',
      backupId: '20261203T141317515Z-abc',
      id: '0123456789abcdef',
      time: '2026-12-03T14:13:17.515Z',
      prevHash: 'f'.repeat(64),
    };
    const odd = { ...bulk, status: 204, details: { Z: null, 10: 2.5, 9: -0, é: true, constructor: 'c' } };
    assert.ok(entryHalves(bulk), 'the bulk entry takes the fast path');
    assert.equal(entryHalves(odd), undefined, 'index-like detail keys take the generic path');
    assert.equal(hashedLine(bulk).hash, '525fb82ad5dbbfca0318763fe6a0f4aa1d052a9bad1eff3d58905e9cb6591de8');
    assert.equal(hashedLine(odd).hash, '7259274717c79b772ff3ba604645fd7f198816efff3b1a8cb22a405fe2f152ac');
  });
});

describe('redactor: the shortcut that skips the credential patterns', () => {
  it('gives what applying every pattern gives, on texts with and without the words they need', () => {
    const r = new Redactor();
    const texts = [
      'bench00001', 'JIRAUSER10106', 'plain text', '', 'Authorization: Bearer abc.def-ghi', 'authorization=xyz', 'AUTHORIZATION : "tok"',
      'Bearer abcdefgh', 'basic dXNlcjpwYXNz', 'BASICally fine', 'https://user:pa55@host/x', '//a:b@c', 'see //path', 'password=hunter2',
      '"token": "abc"', 'Secret:xyz', 'apikey=1', 'APIKEY = 2', 'seed: JBSWY3DP', 'totpCode=123456', 'seedling', 'tokenizer', 'ſecret=1', 'K\u212Aey',
    ];
    for (const t of texts) assert.equal(r.redact(t), applyPatterns(t), t);
    // And the patterns still apply where they should.
    assert.equal(r.redact('password=hunter2 done'), 'password=*** done');
    assert.equal(r.redact('Authorization: Bearer abc.def-ghi'), applyPatterns('Authorization: Bearer abc.def-ghi'));
    assert.notEqual(r.redact('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer abc.def-ghi');
  });

  it('still masks registered secrets in texts the patterns skip', () => {
    const r = new Redactor();
    r.add('hunter2-secret');
    r.add('654321');
    assert.equal(r.redact('user bench1 hunter2-secret x'), 'user bench1 *** x');
    assert.equal(r.redact('code 654321 id 20261203654321515'), 'code *** id 20261203654321515');
  });
});
