import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { canonicalJson, entryHash } from '../../src/core/audit/canonical';
import { readLinesBackward, readLinesForward } from '../../src/core/audit/lines';
import { AuditLog } from '../../src/core/audit/log';
import { readEntries, recentEntries, verify } from '../../src/core/audit/read';
import type { AuditEntryInput } from '../../src/core/audit/types';
import { Redactor } from '../../src/core/redact';

function input(i: number, instanceId: string, message = `entry ${i}`): AuditEntryInput {
  return { admin: 'bob', instance: { id: instanceId, name: instanceId, baseUrl: 'https://x.example.com' }, action: 'cloud.move', target: `u${i}`, outcome: i % 3 ? 'ok' : 'error', message };
}

describe('audit log: readers', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-read-'));
    file = path.join(dir, 'audit.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function fill(n: number, message?: (i: number) => string) {
    const log = new AuditLog(file, { redactor: new Redactor() });
    for (let i = 1; i <= n; i++) await log.append(input(i, i % 2 ? 'odd' : 'even', message?.(i)));
  }

  it('readEntries keeps the most recent `limit` matching entries, oldest first', async () => {
    await fill(10);
    assert.deepEqual((await readEntries(file, { limit: 3 })).entries.map((e) => e.target), ['u8', 'u9', 'u10']);
    assert.deepEqual((await readEntries(file, { limit: 2, filter: { instanceId: 'odd' } })).entries.map((e) => e.target), ['u7', 'u9']);
    assert.deepEqual((await readEntries(file, { filter: { outcome: 'error' } })).entries.map((e) => e.target), ['u3', 'u6', 'u9']);
    assert.deepEqual((await readEntries(file, { filter: (e) => e.target === 'u4' })).entries.length, 1);
    assert.equal((await readEntries(file, { filter: { instanceId: 'none' } })).entries.length, 0);
  });

  it('readEntries reports damaged lines with their numbers and goes on', async () => {
    await fill(3);
    const ls = fs.readFileSync(file, 'utf8').split('\n');
    ls.splice(1, 0, 'not json', '{"id":"x"}', Buffer.from([0xff, 0xfe]).toString('latin1'));
    fs.writeFileSync(file, ls.join('\n'));
    const r = await readEntries(file);
    assert.equal(r.entries.length, 3);
    assert.deepEqual(r.malformed.map((m) => m.line), [2, 3, 4]);
    assert.match(r.malformed[0].reason, /not valid JSON/);
    assert.match(r.malformed[1].reason, /missing/);
  });

  it('reports a line that is not UTF-8 or is too long without reading it whole', async () => {
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from(`${'x'.repeat(5000)}\n`), Buffer.from('{}\n')]));
    const got: string[] = [];
    for await (const l of readLinesForward(file, { chunkSize: 100, maxLineBytes: 1000 })) got.push(l.problem ?? l.text ?? '');
    assert.deepEqual(got, ['line is not valid UTF-8', 'line is longer than 1000 bytes', '{}']);
    const back: string[] = [];
    for await (const l of readLinesBackward(file, { chunkSize: 100, maxLineBytes: 1000 })) back.push(l.problem ?? l.text ?? '');
    assert.deepEqual(back, ['{}', 'line is longer than 1000 bytes', 'line is not valid UTF-8']);
  });

  it('recentEntries reads newest first from the end, across chunk boundaries and multi-byte text', async () => {
    await fill(12, (i) => `Ünïcödé ✓ 🎉 ${'é'.repeat(i * 7)}`);
    const all = (await readEntries(file)).entries;
    for (const chunkSize of [2, 7, 64, 1 << 16]) {
      assert.deepEqual(await recentEntries(file, 5, { chunkSize }), all.slice(-5).reverse(), `chunk ${chunkSize}`);
      assert.deepEqual(await recentEntries(file, 100, { chunkSize }), [...all].reverse());
    }
    assert.deepEqual(await recentEntries(file, 0), []);
    assert.deepEqual((await recentEntries(file, 2, { filter: { instanceId: 'even' } })).map((e) => e.target), ['u12', 'u10']);
  });

  it('recentEntries skips damaged lines at the end', async () => {
    await fill(3);
    fs.appendFileSync(file, 'garbage\n{"half":');
    assert.deepEqual((await recentEntries(file, 2)).map((e) => e.target), ['u3', 'u2']);
  });

  it('forward and backward line readers agree with a plain split, for any chunk size', async () => {
    const line = fc.stringMatching(/^[^\n]*$/, { maxLength: 20 }).map((s) => s.replace(/[\uD800-\uDFFF]/g, 'x'));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), fc.boolean(), fc.integer({ min: 1, max: 16 }), async (ls, trailing, chunkSize) => {
        const text = ls.join('\n') + (trailing ? '\n' : '');
        fs.writeFileSync(file, text);
        // A final newline ends the last line; it does not start an empty one.
        const expected = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
        const lastTerminated = text.endsWith('\n');
        const fwd: string[] = [];
        const fwdTerminated: boolean[] = [];
        for await (const l of readLinesForward(file, { chunkSize })) {
          fwd.push(l.text as string);
          fwdTerminated.push(l.terminated);
        }
        const back: string[] = [];
        const backTerminated: boolean[] = [];
        for await (const l of readLinesBackward(file, { chunkSize })) {
          back.push(l.text as string);
          backTerminated.push(l.terminated);
        }
        assert.deepEqual(fwd, expected);
        assert.deepEqual(back, [...expected].reverse());
        const terminated = expected.map((_, i) => i < expected.length - 1 || lastTerminated);
        assert.deepEqual(fwdTerminated, terminated);
        assert.deepEqual(backTerminated, [...terminated].reverse());
      }),
      { numRuns: 200 },
    );
  });

  it('canonical JSON does not depend on key order, and the hash covers every member but hash', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        assert.equal(canonicalJson(obj), canonicalJson(reversed));
        assert.equal(canonicalJson(JSON.parse(canonicalJson(obj))), canonicalJson(obj), 'stable through a parse');
        assert.equal(entryHash({ ...obj, hash: 'whatever' }), entryHash(Object.fromEntries(Object.entries(obj).filter(([k]) => k !== 'hash'))));
      }),
    );
    assert.throws(() => canonicalJson({ a: NaN }), /cannot be represented/);
    assert.equal(canonicalJson({ b: 1, a: [1, undefined, { d: undefined, c: 'x' }] }), '{"a":[1,null,{"c":"x"}],"b":1}');
  });

  it('verify reads a large log in bounded chunks', async () => {
    await fill(60);
    const v = await verify(file, { chunkSize: 97 });
    assert.equal(v.ok, true);
    assert.equal(v.entries, 60);
  });
});
