import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditHead, GAP_ACTION, logHasEntry } from '../../src/core/audit/head';
import { AuditLog } from '../../src/core/audit/log';
import { auditHeadFilePath } from '../../src/core/audit/paths';
import { readEntries, verify } from '../../src/core/audit/read';
import type { AuditEntry, AuditEntryInput } from '../../src/core/audit/types';
import { Redactor } from '../../src/core/redact';

const SECRET = 'S3cretTokenValue-4242';

function input(i: number, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    admin: 'alice',
    instance: { id: 'prod-jira', name: 'Prod', baseUrl: 'https://jira.example.com' },
    action: 'unenroll',
    target: `user${i}`,
    outcome: 'ok',
    message: `removed two-step verification of user${i}`,
    ...over,
  };
}

describe('audit log: head file (removal of the last lines)', () => {
  let dir: string;
  let file: string;
  let headFile: string;
  let redactor: Redactor;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-head-'));
    file = path.join(dir, 'audit.jsonl');
    headFile = path.join(dir, 'state', 'audit-head.json');
    redactor = new Redactor();
    redactor.add(SECRET);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const newLog = (head: AuditHead | null = new AuditHead(headFile)) => new AuditLog(file, { redactor, head: head ?? undefined });
  const lines = () => fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
  const keepFirst = (n: number) => fs.writeFileSync(file, lines().slice(0, n).map((l) => `${l}\n`).join(''));

  async function appendN(log: AuditLog, n: number, from = 1): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    for (let i = from; i < from + n; i++) out.push(await log.append(input(i)));
    return out;
  }

  for (const removed of [1, 3]) {
    it(`truncating the last ${removed} line(s) is detected by verify with the head, and not without`, async () => {
      const head = new AuditHead(headFile);
      const written = await appendN(newLog(head), 6);
      assert.equal((await verify(file, { head })).ok, true, 'intact log with its head verifies');
      keepFirst(6 - removed);

      const plain = await verify(file);
      assert.equal(plain.ok, true, 'the chain alone cannot see it');
      assert.equal(plain.head, undefined);

      const v = await verify(file, { head });
      assert.equal(v.ok, false);
      assert.equal(v.exists, true);
      assert.equal(v.entries, 6 - removed);
      const last = written[5];
      assert.deepEqual(v.head, { file: head.file, record: { hash: last.hash, id: last.id, time: last.time }, found: false });
      assert.equal(v.problems.length, 1);
      assert.deepEqual(v.firstBroken, v.problems[0]);
      assert.equal(v.problems[0].line, 6 - removed + 1, 'reported after the last line');
      assert.equal(v.problems[0].reason,
        `the last entry written from this computer (id ${last.id}, time ${last.time}) is missing: lines at the end were removed or the log was replaced by an older copy`);
    });
  }

  it('an append after truncation writes an audit.gap entry first; the log then verifies ok and lists the gap', async () => {
    const head = new AuditHead(headFile);
    const log = newLog(head);
    const written = await appendN(log, 5);
    keepFirst(3);
    const lost = written[4];

    const next = await log.append(input(99));
    assert.equal(next.target, 'user99', 'the caller gets its own entry back, not the gap entry');
    const { entries } = await readEntries(file);
    assert.deepEqual(entries.map((e) => e.action), ['unenroll', 'unenroll', 'unenroll', GAP_ACTION, 'unenroll']);
    const gap = entries[3];
    assert.equal(gap.outcome, 'error');
    assert.equal(gap.admin, 'alice');
    assert.deepEqual(gap.instance, input(99).instance);
    assert.equal(gap.message,
      `The last entry written from this computer (id ${lost.id}, time ${lost.time}) is no longer in the log: lines at its end were removed or the log was replaced before this entry.`);
    assert.deepEqual(gap.details, { missingId: lost.id, missingTime: lost.time, missingHash: lost.hash });
    assert.equal(gap.prevHash, written[2].hash, 'the gap entry chains to what is left');
    assert.equal(next.prevHash, gap.hash);
    assert.ok(head.warnings.some((w) => w.includes(lost.id)), 'the append also warns');

    const v = await verify(file, { head });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.equal(v.head?.found, true);
    assert.deepEqual(v.gaps, [{ line: 4, id: gap.id, time: gap.time, message: gap.message }]);
    assert.deepEqual((await verify(file)).gaps, v.gaps, 'the recorded gap is listed without the head too');

    await log.append(input(100));
    assert.equal((await readEntries(file)).entries.filter((e) => e.action === GAP_ACTION).length, 1, 'the gap is recorded once');
  });

  it('appendMany after truncation: one gap entry before the batch, entries returned one per input', async () => {
    const log = newLog();
    await appendN(log, 3);
    keepFirst(1);
    const batch = await log.appendMany([input(10), input(11), input(12)]);
    assert.deepEqual(batch.map((e) => e.target), ['user10', 'user11', 'user12']);
    const { entries } = await readEntries(file);
    assert.deepEqual(entries.map((e) => e.target ?? e.action), ['user1', GAP_ACTION, 'user10', 'user11', 'user12']);
    assert.equal((await verify(file, { head: new AuditHead(headFile) })).ok, true);
  });

  it('a log replaced by an older copy is detected and then recorded', async () => {
    const head = new AuditHead(headFile);
    const log = newLog(head);
    await appendN(log, 2);
    const copy = fs.readFileSync(file);
    await appendN(log, 2, 3);
    fs.writeFileSync(file, copy);
    assert.equal((await verify(file, { head })).ok, false);
    await log.append(input(5));
    const v = await verify(file, { head });
    assert.equal(v.ok, true);
    assert.equal(v.gaps.length, 1);
  });

  it('two AuditLog objects sharing one head file raise no false gap, one after the other or at once', async () => {
    const head = new AuditHead(headFile);
    const a = new AuditLog(file, { redactor, head, lock: { retryMinMs: 1, retryMaxMs: 5 } });
    const b = new AuditLog(file, { redactor, head: new AuditHead(headFile), lock: { retryMinMs: 1, retryMaxMs: 5 } });
    for (let i = 0; i < 4; i++) {
      await a.append(input(i));
      await b.append(input(100 + i));
    }
    await Promise.all([appendN(a, 10, 10), appendN(b, 10, 200), b.appendMany([input(300), input(301)])]);
    const { entries } = await readEntries(file);
    assert.equal(entries.filter((e) => e.action === GAP_ACTION).length, 0);
    const v = await verify(file, { head });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.equal(v.head?.record?.hash, entries[entries.length - 1].hash, 'the head is the last entry');
  });

  it('another writer that does not update this head (a second head file) raises no false gap', async () => {
    const mine = new AuditHead(headFile);
    const theirs = new AuditHead(path.join(dir, 'other-computer', 'audit-head.json'));
    const me = newLog(mine);
    const other = newLog(theirs);
    await appendN(me, 2);
    await appendN(other, 3, 10);
    assert.equal((await verify(file, { head: mine })).ok, true, 'my last entry is further up, not missing');
    await appendN(me, 1, 20);
    await appendN(other, 1, 30);
    await appendN(me, 1, 40);
    const { entries } = await readEntries(file);
    assert.equal(entries.filter((e) => e.action === GAP_ACTION).length, 0);
    assert.equal((await verify(file, { head: mine })).ok, true);
    assert.equal((await verify(file, { head: theirs })).ok, true);
    assert.deepEqual(mine.warnings, []);
    assert.deepEqual(theirs.warnings, []);
  });

  it('verify while appends are in flight raises no false alarm', async () => {
    const head = new AuditHead(headFile);
    const log = new AuditLog(file, { redactor, head, lock: { retryMinMs: 1, retryMaxMs: 5 } });
    await log.append(input(0));
    const writing = appendN(log, 15, 1);
    const checks = [];
    for (let i = 0; i < 8; i++) checks.push(await verify(file, { head }));
    await writing;
    for (const v of checks) assert.equal(v.ok, true, JSON.stringify(v.problems));
  });

  it('a deleted log is reported by verify, and the next append starts the new log with a gap entry', async () => {
    const head = new AuditHead(headFile);
    const log = newLog(head);
    const written = await appendN(log, 2);
    fs.rmSync(file);
    assert.equal((await verify(file)).ok, true, 'without the head: nothing to verify');
    const v = await verify(file, { head });
    assert.equal(v.exists, false);
    assert.equal(v.ok, false);
    assert.equal(v.problems.length, 1);
    assert.match(v.problems[0].reason, new RegExp(`the log file is missing, but the last entry written to it from this computer \\(id ${written[1].id}, time ${written[1].time.replace(/\./g, '\\.')}\\)`));

    await log.append(input(3));
    const { entries } = await readEntries(file);
    assert.deepEqual(entries.map((e) => e.action), [GAP_ACTION, 'unenroll']);
    const after = await verify(file, { head });
    assert.equal(after.ok, true);
    assert.equal(after.gaps.length, 1);
  });

  for (const [name, content] of [['not JSON', '{ broken'], ['of the wrong shape', '{"version":7,"logs":[]}'], ['with a damaged record', null]] as const) {
    it(`a head file ${name} never blocks an append, is reported, and is rewritten`, async () => {
      await appendN(newLog(new AuditHead(path.join(dir, 'scratch.json'))), 1);
      fs.mkdirSync(path.dirname(headFile), { recursive: true });
      fs.writeFileSync(headFile, content ?? JSON.stringify({ version: 1, logs: { [file]: { hash: 'nothex', id: 1 } } }));
      const head = new AuditHead(headFile);

      const v = await verify(file, { head });
      assert.equal(v.ok, true, 'no record: the chain decides');
      assert.match(v.head?.problem ?? '', /audit head file .* (is not valid JSON|does not have the expected shape|damaged record)/);
      assert.equal(v.head?.record, undefined);

      const e = await newLog(head).append(input(2));
      assert.equal(e.target, 'user2');
      assert.ok(head.warnings.some((w) => w.includes('it was ignored')), JSON.stringify(head.warnings));
      assert.equal((await readEntries(file)).entries.filter((x) => x.action === GAP_ACTION).length, 0, 'no gap made up');
      const again = await verify(file, { head: new AuditHead(headFile) });
      assert.equal(again.head?.problem, undefined, 'rewritten by the append');
      assert.equal(again.head?.record?.id, e.id);
    });
  }

  it('a head that cannot be written does not fail the append: the entry is durable and a warning says so', async () => {
    fs.writeFileSync(path.join(dir, 'state'), 'a file where the folder should be');
    const warned: string[] = [];
    const head = new AuditHead(headFile, { onWarning: (m) => warned.push(m) });
    const e = await newLog(head).append(input(1));
    assert.equal((await readEntries(file)).entries[0].id, e.id);
    assert.ok(warned.some((w) => w.includes('could not be updated')), JSON.stringify(warned));
    assert.deepEqual(head.warnings, warned);
  });

  it('a throwing warning reporter does not fail the append', async () => {
    fs.writeFileSync(path.join(dir, 'state'), 'not a folder');
    const head = new AuditHead(headFile, { onWarning: () => { throw new Error('reporter broke'); } });
    await newLog(head).append(input(1));
    assert.equal((await readEntries(file)).entries.length, 1);
  });

  it('the head and the gap entry carry only ids, times and hashes: no target, message or secret', async () => {
    const head = new AuditHead(headFile);
    const log = newLog(head);
    await log.append(input(1, { target: 'carol@example.com', message: `token ${SECRET} was rotated`, details: { note: SECRET } }));
    const headText = fs.readFileSync(headFile, 'utf8');
    for (const text of [SECRET, 'carol', 'rotated', 'alice', 'prod-jira']) assert.equal(headText.includes(text), false, text);
    const data = JSON.parse(headText);
    assert.deepEqual(Object.keys(data), ['version', 'logs']);
    assert.deepEqual(Object.keys(data.logs), [file]);
    assert.deepEqual(Object.keys(data.logs[file]).sort(), ['hash', 'id', 'time']);

    keepFirst(0);
    await log.append(input(2));
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text.includes(SECRET), false);
    const gap = (await readEntries(file)).entries[0];
    assert.equal(gap.action, GAP_ACTION);
    assert.match(gap.message, /^The last entry written from this computer \(id [0-9a-f]{16}, time \d{4}-\d\d-\d\dT[\d:.]+Z\) is no longer in the log: /);
    for (const w of head.warnings) assert.equal(w.includes(SECRET) || w.includes('carol'), false, w);
  });

  it('a missing id that happens to hold a registered TOTP code: the gap is recorded with it masked, the action is not refused', async () => {
    const ids = ['aa493817bbccddee', 'ffeeddccbbaa0099', '1111aaaa2222bbbb'];
    const log = new AuditLog(file, { redactor, head: new AuditHead(headFile), newId: () => ids.shift() ?? 'cccccccccccccccc' });
    await appendN(log, 1);
    keepFirst(0);
    redactor.addShortLived('493817');
    const e = await log.append(input(2));
    assert.equal(e.target, 'user2');
    const { entries } = await readEntries(file);
    assert.equal(entries[0].action, GAP_ACTION);
    assert.match(entries[0].message, /^The last entry written from this computer \(id aa\*\*\*bbccddee, time [^)]+\) is no longer in the log: /);
    assert.equal(entries[0].details?.missingId, 'aa***bbccddee');
    assert.equal(fs.readFileSync(file, 'utf8').includes('493817'), false);
  });

  it('writes the head atomically with mode 0600 in a 0700 folder, keeping other logs\' records', async function () {
    if (process.platform === 'win32') this.skip();
    const otherLog = path.join(dir, 'other.jsonl');
    await appendN(new AuditLog(otherLog, { redactor, head: new AuditHead(headFile) }), 1);
    const written = await appendN(newLog(), 1);
    assert.equal(fs.statSync(headFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(headFile)).mode & 0o777, 0o700);
    const data = JSON.parse(fs.readFileSync(headFile, 'utf8'));
    assert.deepEqual(Object.keys(data.logs).sort(), [file, otherLog].sort());
    assert.equal(data.logs[file].id, written[0].id);
    assert.deepEqual(fs.readdirSync(path.dirname(headFile)), ['audit-head.json'], 'no temp file left');
  });

  it('prunes the records of logs that no longer exist once there are many', async () => {
    const logs: Record<string, unknown> = {};
    const rec = { hash: 'a'.repeat(64), id: '0123456789abcdef', time: '2026-01-01T00:00:00.000Z' };
    for (let i = 0; i < 60; i++) logs[path.join(dir, `gone-${i}.jsonl`)] = rec;
    const kept = path.join(dir, 'kept.jsonl');
    fs.writeFileSync(kept, '');
    logs[kept] = rec;
    fs.mkdirSync(path.dirname(headFile), { recursive: true });
    fs.writeFileSync(headFile, JSON.stringify({ version: 1, logs }));
    await appendN(newLog(), 1);
    const data = JSON.parse(fs.readFileSync(headFile, 'utf8'));
    assert.deepEqual(Object.keys(data.logs).sort(), [file, kept].sort());
  });

  it('logHasEntry finds an entry by its own hash, not by a prevHash pointing at it', async () => {
    const written = await appendN(newLog(null), 2);
    assert.equal(await logHasEntry(file, written[0].hash), true);
    keepFirst(0);
    fs.appendFileSync(file, `${JSON.stringify({ ...written[1] })}\n`);
    assert.equal(await logHasEntry(file, written[0].hash), false, 'only the next entry\'s prevHash names it');
    assert.equal(await logHasEntry(path.join(dir, 'missing.jsonl'), written[0].hash), false);
  });

  it('without the head option nothing is written outside the log', async () => {
    await appendN(newLog(null), 2);
    keepFirst(1);
    await appendN(newLog(null), 1, 5);
    assert.equal(fs.existsSync(path.join(dir, 'state')), false);
    assert.equal((await readEntries(file)).entries.some((e) => e.action === GAP_ACTION), false);
  });

  it('the head file is $JIRA2FA_AUDIT_HEAD_FILE, else audit-head.json in the state dir', () => {
    assert.equal(auditHeadFilePath({ JIRA2FA_AUDIT_HEAD_FILE: '/x/h.json', XDG_STATE_HOME: '/s' }), '/x/h.json');
    if (process.platform === 'linux') assert.equal(auditHeadFilePath({ XDG_STATE_HOME: '/s' }), path.join('/s', 'jira2fa', 'audit-head.json'));
  });
});
