import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalJson, entryHash, GENESIS_HASH } from '../../src/core/audit/canonical';
import { AuditWriteError } from '../../src/core/audit/errors';
import { AuditLog, lastHash } from '../../src/core/audit/log';
import { readEntries, recentEntries, verify } from '../../src/core/audit/read';
import type { AuditEntry, AuditEntryInput } from '../../src/core/audit/types';
import { Redactor } from '../../src/core/redact';

function input(i: number, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    admin: 'alice',
    instance: { id: i % 2 ? 'prod-jira' : 'test-jira', name: 'Jira', baseUrl: 'https://jira.example.com' },
    action: 'unenroll',
    target: `user${i}`,
    outcome: 'ok',
    status: 204,
    message: `removed two-step verification of user${i}`,
    details: { attempt: i, dryRun: false, note: null },
    ...over,
  };
}

describe('audit log: hash chain', () => {
  let dir: string;
  let file: string;
  let log: AuditLog;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-'));
    file = path.join(dir, 'sub', 'audit.jsonl');
    log = new AuditLog(file, { redactor: new Redactor() });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function appendN(n: number): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    for (let i = 1; i <= n; i++) out.push(await log.append(input(i)));
    return out;
  }
  const lines = () => fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
  const writeLines = (ls: string[]) => fs.writeFileSync(file, ls.map((l) => `${l}\n`).join(''));

  it('appends entries chained from 64 zeros and verifies them', async () => {
    const written = await appendN(5);
    assert.equal(written[0].prevHash, GENESIS_HASH);
    for (let i = 1; i < written.length; i++) assert.equal(written[i].prevHash, written[i - 1].hash);
    for (const e of written) {
      assert.match(e.id, /^[0-9a-f]{16}$/);
      assert.ok(!Number.isNaN(Date.parse(e.time)));
      assert.equal(e.hash, entryHash(e));
    }
    assert.equal(new Set(written.map((e) => e.id)).size, 5);

    const ls = lines();
    assert.equal(ls.length, 5);
    ls.forEach((l, i) => assert.equal(l, canonicalJson(written[i]), 'each line is the canonical JSON of its entry'));

    const v = await verify(file);
    assert.deepEqual(v, { ok: true, exists: true, entries: 5, lines: 5, problems: [], lastHash: written[4].hash, gaps: [] });
    assert.equal((await lastHash(file)).prevHash, written[4].hash);

    const read = await readEntries(file);
    assert.deepEqual(read.entries, JSON.parse(`[${ls.join(',')}]`));
    assert.deepEqual(read.malformed, []);
  });

  it('omits absent optional fields and keeps the given ones', async () => {
    const e = await log.append({ admin: 'a', instance: { id: 'i', name: 'n', baseUrl: 'https://x.example' }, action: 'sql.run', outcome: 'refused', message: 'guard said no', runId: 'run-1', backupId: 'bk-9' });
    const stored = JSON.parse(lines()[0]);
    assert.equal('target' in stored, false);
    assert.equal('status' in stored, false);
    assert.equal('details' in stored, false);
    assert.equal(stored.runId, 'run-1');
    assert.equal(stored.backupId, 'bk-9');
    assert.deepEqual(stored, e);
  });

  it('a missing log verifies as empty and reads as empty', async () => {
    assert.deepEqual(await verify(file), { ok: true, exists: false, entries: 0, lines: 0, problems: [], lastHash: GENESIS_HASH, gaps: [] });
    assert.deepEqual(await readEntries(file), { entries: [], malformed: [], exists: false });
    assert.deepEqual(await recentEntries(file, 5), []);
    assert.deepEqual(await lastHash(file), { prevHash: GENESIS_HASH, endsWithNewline: true });
  });

  describe('detects tampering and names the first broken line', () => {
    beforeEach(() => appendN(5));

    it('an edited field', async () => {
      const ls = lines();
      const e = JSON.parse(ls[2]);
      e.target = 'someone-else';
      ls[2] = canonicalJson(e);
      writeLines(ls);
      const v = await verify(file);
      assert.equal(v.ok, false);
      assert.deepEqual(v.firstBroken?.line, 3);
      assert.match(v.firstBroken!.reason, /hash does not match/);
      assert.equal(v.problems.length, 1, 'later lines still chain to the edited one');
    });

    it('an edited field whose hash was recomputed', async () => {
      const ls = lines();
      const e = JSON.parse(ls[2]);
      e.outcome = 'refused';
      e.hash = entryHash(e);
      ls[2] = canonicalJson(e);
      writeLines(ls);
      const v = await verify(file);
      assert.deepEqual(v.firstBroken?.line, 4);
      assert.match(v.firstBroken!.reason, /prevHash does not match the entry on line 3/);
    });

    it('a deleted line', async () => {
      const ls = lines();
      ls.splice(2, 1);
      writeLines(ls);
      const v = await verify(file);
      assert.equal(v.ok, false);
      assert.equal(v.firstBroken?.line, 3);
      assert.match(v.firstBroken!.reason, /deleted, inserted or moved/);
      assert.equal(v.entries, 4);
    });

    it('a deleted first line', async () => {
      writeLines(lines().slice(1));
      const v = await verify(file);
      assert.equal(v.firstBroken?.line, 1);
      assert.match(v.firstBroken!.reason, /first entry does not start the chain/);
    });

    it('two reordered lines', async () => {
      const ls = lines();
      [ls[1], ls[2]] = [ls[2], ls[1]];
      writeLines(ls);
      const v = await verify(file);
      assert.equal(v.firstBroken?.line, 2);
    });

    it('an inserted forged line with a correct hash of its own', async () => {
      const ls = lines();
      const prev = JSON.parse(ls[1]);
      const forged: Record<string, unknown> = { ...JSON.parse(ls[1]), id: 'f0f0f0f0f0f0f0f0', target: 'mallory', prevHash: prev.hash };
      forged.hash = entryHash(forged);
      ls.splice(2, 0, canonicalJson(forged));
      writeLines(ls);
      const v = await verify(file);
      assert.equal(v.entries, 6);
      assert.equal(v.firstBroken?.line, 4, 'the forged line 3 is consistent, the original line after it is not');
    });

    it('an inserted forged line with a made-up hash', async () => {
      const ls = lines();
      const forged = { ...JSON.parse(ls[1]), target: 'mallory', hash: 'a'.repeat(64) };
      ls.splice(2, 0, canonicalJson(forged));
      writeLines(ls);
      assert.equal((await verify(file)).firstBroken?.line, 3);
    });

    it('a file cut in the middle of the last line', async () => {
      const text = fs.readFileSync(file, 'utf8');
      const start = text.split('\n').slice(0, 3).join('\n').length + 1; // start of line 4
      fs.writeFileSync(file, text.slice(0, start + 40));
      const v = await verify(file);
      assert.equal(v.firstBroken?.line, 4);
      assert.match(v.firstBroken!.reason, /incomplete last line/);
      assert.equal(v.entries, 3);
    });

    it('a file cut just before the final newline', async () => {
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.slice(0, -1));
      const v = await verify(file);
      assert.equal(v.firstBroken?.line, 5);
      assert.match(v.firstBroken!.reason, /incomplete last line/);
    });

    it('a line cut short in the middle of the file', async () => {
      const ls = lines();
      ls[1] = ls[1].slice(0, 50);
      writeLines(ls);
      const v = await verify(file);
      assert.equal(v.firstBroken?.line, 2);
      assert.match(v.firstBroken!.reason, /not valid JSON/);
      assert.equal(v.problems.length, 2, 'line 3 chains to the lost line 2');
    });

    it('a line re-formatted without changing its content', async () => {
      const ls = lines();
      ls[3] = JSON.stringify(JSON.parse(ls[3]), null, 1).replace(/\n/g, '');
      writeLines(ls);
      const v = await verify(file);
      assert.equal(v.firstBroken?.line, 4);
      assert.match(v.firstBroken!.reason, /canonical form/);
    });

    it('a blank line and Windows line ends', async () => {
      const ls = lines();
      writeLines([...ls.slice(0, 2), '', ...ls.slice(2)]);
      assert.equal((await verify(file)).firstBroken?.line, 3);
      fs.writeFileSync(file, ls.map((l) => `${l}\r\n`).join(''));
      assert.equal((await verify(file)).firstBroken?.line, 1);
    });

    it('a line with a missing member', async () => {
      const ls = lines();
      const e = JSON.parse(ls[0]);
      delete e.prevHash;
      ls[0] = canonicalJson(e);
      writeLines(ls);
      const v = await verify(file);
      assert.equal(v.firstBroken?.line, 1);
      assert.match(v.firstBroken!.reason, /prevHash/);
    });
  });

  it('after an interrupted write, appends on a new line and the chain goes on from the last entry', async () => {
    const written = await appendN(2);
    fs.appendFileSync(file, '{"action":"unenr'); // a crash mid-write
    const next = await log.append(input(3));
    assert.equal(next.prevHash, written[1].hash);
    const ls = lines();
    assert.equal(ls.length, 4);
    assert.equal(ls[2], '{"action":"unenr');

    const v = await verify(file);
    assert.equal(v.ok, false);
    assert.deepEqual(v.problems.map((p) => p.line), [3], 'only the damaged line is reported');
    assert.equal(v.lastHash, next.hash);

    const read = await readEntries(file);
    assert.deepEqual(read.entries.map((e) => e.target), ['user1', 'user2', 'user3']);
    assert.equal(read.malformed.length, 1);
    assert.equal(read.malformed[0].line, 3);
    assert.deepEqual((await recentEntries(file, 2)).map((e) => e.target), ['user3', 'user2']);
  });

  it('refuses to append to a non-empty file that holds no audit entry', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"version":1,"instances":[]}\n');
    await assert.rejects(log.append(input(1)), (e: unknown) => e instanceof AuditWriteError && e.code === 'ENOTAUDIT' && e.kind === 'refused');
    assert.equal(fs.readFileSync(file, 'utf8'), '{"version":1,"instances":[]}\n');
  });

  it('uses the injected clock and id source', async () => {
    const fixed = new AuditLog(file, { redactor: new Redactor(), now: () => new Date('2030-01-02T03:04:05.000Z'), newId: () => 'abc' });
    const e = await fixed.append(input(1));
    assert.equal(e.time, '2030-01-02T03:04:05.000Z');
    assert.equal(e.id, 'abc');
  });
});
