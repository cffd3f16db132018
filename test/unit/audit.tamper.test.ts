/**
 * Audit tamper, by property: audit.chain.test.ts covers each kind of tampering once at a fixed
 * place; here fast-check picks the log length, the tampering (edit a field, delete a line
 * that is not the last, swap any two lines, move a line, duplicate a line) and where it
 * happens, and verify() must report it every time, at or before the first changed line.
 * Deleting only the LAST line(s) leaves a valid shorter chain: that is caught by comparing
 * verify().lastHash with a hash kept elsewhere, which the last test shows is possible.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { AuditLog } from '../../src/core/audit/log';
import { verify } from '../../src/core/audit/read';
import { Redactor } from '../../src/core/redact';

type Tamper =
  | { op: 'edit'; line: number; field: 'target' | 'outcome' | 'message' | 'admin' | 'time' }
  | { op: 'delete'; line: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'move'; from: number; to: number }
  | { op: 'duplicate'; line: number; at: number };

const MAX = 9;

function apply(lines: string[], t: Tamper): { lines: string[]; firstChanged: number } {
  const ls = [...lines];
  switch (t.op) {
    case 'edit': {
      const e = JSON.parse(ls[t.line]);
      e[t.field] = t.field === 'outcome' ? (e.outcome === 'ok' ? 'refused' : 'ok') : `${e[t.field]}x`;
      ls[t.line] = JSON.stringify(e);
      return { lines: ls, firstChanged: t.line };
    }
    case 'delete':
      ls.splice(t.line, 1);
      return { lines: ls, firstChanged: t.line };
    case 'swap':
      [ls[t.a], ls[t.b]] = [ls[t.b], ls[t.a]];
      return { lines: ls, firstChanged: Math.min(t.a, t.b) };
    case 'move': {
      const [x] = ls.splice(t.from, 1);
      ls.splice(t.to, 0, x);
      return { lines: ls, firstChanged: Math.min(t.from, t.to) };
    }
    case 'duplicate':
      ls.splice(t.at, 0, ls[t.line]);
      return { lines: ls, firstChanged: t.at };
  }
}

/** A tampering that really changes a log of n lines (the last line is never the only one deleted). */
function tamperFor(n: number): fc.Arbitrary<Tamper> {
  const line = fc.integer({ min: 0, max: n - 1 });
  return fc.oneof(
    fc.record({ op: fc.constant('edit' as const), line, field: fc.constantFrom('target' as const, 'outcome' as const, 'message' as const, 'admin' as const, 'time' as const) }),
    fc.record({ op: fc.constant('delete' as const), line: fc.integer({ min: 0, max: n - 2 }) }),
    fc.record({ op: fc.constant('swap' as const), a: line, b: line }).filter((t) => t.a !== t.b),
    fc.record({ op: fc.constant('move' as const), from: line, to: line }).filter((t) => Math.abs(t.from - t.to) > 1),
    fc.record({ op: fc.constant('duplicate' as const), line, at: fc.integer({ min: 0, max: n }) }),
  );
}

describe('audit log: any tampering is detected (property)', () => {
  let dir: string;
  const logs: string[][] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-tamper-'));
    const file = path.join(dir, 'source.jsonl');
    const log = new AuditLog(file, { redactor: new Redactor() });
    for (let i = 1; i <= MAX; i++) {
      await log.append({ admin: 'alice', instance: { id: 'prod', name: 'Jira', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: `user${i}`, outcome: 'ok', message: `entry ${i}` });
      logs[i] = fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('edit, delete, swap, move or duplicate anywhere: verify fails at or before the first changed line', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: MAX }).chain((n) => fc.tuple(fc.constant(n), tamperFor(n))),
        async ([n, tamper]) => {
          const { lines, firstChanged } = apply(logs[n], tamper);
          const file = path.join(dir, `t${run++}.jsonl`);
          fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
          const v = await verify(file);
          assert.equal(v.ok, false, `${JSON.stringify(tamper)} on ${n} lines went unnoticed`);
          assert.ok(v.firstBroken!.line <= firstChanged + 2, `${JSON.stringify(tamper)}: first broken line ${v.firstBroken!.line}, changed ${firstChanged + 1}`);
          fs.rmSync(file);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a log cut after its last entries is a valid shorter chain, told apart by the last hash kept elsewhere', async () => {
    const file = path.join(dir, 'cut.jsonl');
    fs.writeFileSync(file, logs[MAX].map((l) => `${l}\n`).join(''));
    const full = await verify(file);
    assert.equal(full.ok, true);
    fs.writeFileSync(file, logs[MAX].slice(0, -2).map((l) => `${l}\n`).join(''));
    const cut = await verify(file);
    assert.equal(cut.ok, true, 'the chain itself cannot know about entries after its end');
    assert.notEqual(cut.lastHash, full.lastHash, 'but its last hash differs from the one remembered');
  });
});
