import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditWriteError } from '../../src/core/audit/errors';
import { AuditLog, openFileForAppend } from '../../src/core/audit/log';
import { withFileLock } from '../../src/core/audit/lock';
import { readEntries, verify } from '../../src/core/audit/read';
import type { AuditEntryInput } from '../../src/core/audit/types';
import { Redactor } from '../../src/core/redact';

function input(writer: number, i: number): AuditEntryInput {
  return { admin: `w${writer}`, instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: `w${writer}-${i}`, outcome: 'ok', message: 'ok' };
}

describe('audit log: concurrent writers and the lock file', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-lock-'));
    file = path.join(dir, 'audit.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('several AuditLog objects on one file, appending at once, keep one valid chain', async () => {
    const writers = 5;
    const each = 12;
    // Separate objects do not share the in-process queue: only the lock file orders them.
    const logs = Array.from({ length: writers }, () => new AuditLog(file, { redactor: new Redactor(), lock: { retryMinMs: 1, retryMaxMs: 5 } }));
    await Promise.all(logs.map(async (log, w) => {
      for (let i = 0; i < each; i++) await log.append(input(w, i));
    }));
    const v = await verify(file);
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
    assert.equal(v.entries, writers * each);
    const { entries } = await readEntries(file);
    assert.equal(new Set(entries.map((e) => e.id)).size, writers * each);
    for (let w = 0; w < writers; w++) {
      const mine = entries.filter((e) => e.admin === `w${w}`).map((e) => e.target);
      assert.deepEqual(mine, Array.from({ length: each }, (_, i) => `w${w}-${i}`), `writer ${w} in its own order`);
    }
    assert.equal(fs.existsSync(`${file}.lock`), false, 'the lock is released');
  });

  it('one AuditLog with many appends in flight queues them in call order', async () => {
    const log = new AuditLog(file, { redactor: new Redactor() });
    const written = await Promise.all(Array.from({ length: 30 }, (_, i) => log.append(input(0, i))));
    for (let i = 1; i < written.length; i++) assert.equal(written[i].prevHash, written[i - 1].hash);
    assert.equal((await verify(file)).ok, true);
  });

  it('one failed append does not block the ones queued after it', async () => {
    const log = new AuditLog(file, { redactor: new Redactor() });
    const bad = log.append({ ...input(0, 0), outcome: 'maybe' as never });
    const good = log.append(input(0, 1));
    await assert.rejects(bad, /outcome must be one of/);
    assert.equal((await good).target, 'w0-1');
  });

  it('waits for a lock held in this process and then appends', async () => {
    const log = new AuditLog(file, { redactor: new Redactor(), lock: { retryMinMs: 1, retryMaxMs: 3 } });
    let appended: Promise<unknown> | undefined;
    let insideHeld = false;
    await withFileLock(`${file}.lock`, async () => {
      appended = log.append(input(0, 0));
      // Let the append try and fail to take the lock a few times.
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      insideHeld = !fs.existsSync(file);
    });
    assert.ok(insideHeld, 'nothing was written while the lock was held');
    await appended;
    assert.equal((await verify(file)).entries, 1);
  });

  it('a writer slower than the stale time keeps its lock: a second process waits, and the chain stays valid', async function () {
    this.timeout(60_000);
    const staleMs = 300;
    // The second writer, a real process, starts while the first holds the lock.
    let child: ReturnType<typeof spawn> | undefined;
    let childOut = '';
    let childErr = '';
    let childReady!: () => void;
    const ready = new Promise<void>((resolve) => (childReady = resolve));
    const childDone = new Promise<number | null>((resolve) => {
      child = spawn(process.execPath, ['--require', 'tsx/cjs', path.resolve(__dirname, '..', 'support', 'auditAppendChild.ts'), file, String(staleMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => {
        childOut += d.toString();
        if (childOut.includes('ready')) childReady();
      });
      child.stderr!.on('data', (d: Buffer) => (childErr += d.toString()));
      child.on('close', resolve);
    });
    // The first writer's write (after it read the last hash) takes many stale times (network
    // storage), counted from the moment the second writer is trying.
    const slow = new AuditLog(file, {
      redactor: new Redactor(),
      lock: { staleMs },
      openForAppend: async (f) => {
        const h = await openFileForAppend(f);
        return { ...h, write: async (data) => {
          await ready;
          await new Promise((r) => setTimeout(r, staleMs * 6));
          await h.write(data);
        } };
      },
    });
    const first = await slow.append(input(0, 0));
    assert.equal(await childDone, 0, childErr);
    const v = await verify(file);
    assert.equal(v.ok, true, `broken chain: ${JSON.stringify(v.firstBroken)}`);
    assert.equal(v.entries, 2);
    const { entries } = await readEntries(file);
    assert.deepEqual(entries.map((e) => e.target), ['w0-0', 'from-child'], 'the second writer waited for the first');
    assert.equal(entries[1].prevHash, first.hash);
    assert.equal(fs.existsSync(`${file}.lock`), false);
  });

  it('breaks the lock of a process that no longer exists', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: dead, host: os.hostname(), token: 'old', time: new Date().toISOString() }));
    // staleMs is an hour: only the dead-owner rule can break this fresh lock.
    const log = new AuditLog(file, { redactor: new Redactor(), lock: { staleMs: 3_600_000, timeoutMs: 60_000 } });
    await log.append(input(0, 0));
    assert.equal((await verify(file)).entries, 1);
    assert.equal(fs.existsSync(`${file}.lock`), false);
  });

  it('breaks a lock older than staleMs, even from another host', async () => {
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, JSON.stringify({ pid: 1, host: 'some-other-host', token: 'old' }));
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lock, hourAgo, hourAgo);
    await new AuditLog(file, { redactor: new Redactor(), lock: { timeoutMs: 60_000 } }).append(input(0, 0));
    assert.equal((await verify(file)).entries, 1);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['audit.jsonl'], 'no lock or set-aside file is left');
  });

  it('gives up with AuditWriteError ELOCKED on a live lock, leaving it and the log alone', async () => {
    const lock = `${file}.lock`;
    const content = JSON.stringify({ pid: 1, host: 'some-other-host', token: 'theirs', time: new Date().toISOString() });
    fs.writeFileSync(lock, content);
    const log = new AuditLog(file, { redactor: new Redactor(), lock: { timeoutMs: 100, staleMs: 3_600_000 } });
    await assert.rejects(log.append(input(0, 0)), (e: unknown) => {
      assert.ok(e instanceof AuditWriteError);
      assert.equal(e.code, 'ELOCKED');
      assert.equal(e.kind, 'refused');
      assert.match(e.message, /pid 1 on some-other-host/);
      assert.match(e.hint ?? '', /delete .*audit\.jsonl\.lock/);
      return true;
    });
    assert.equal(fs.readFileSync(lock, 'utf8'), content);
    assert.equal(fs.existsSync(file), false);
  });

  it('releases the lock when the locked function throws, and never removes a lock that is not its own', async () => {
    const lock = path.join(dir, 'x.lock');
    await assert.rejects(withFileLock(lock, async () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(fs.existsSync(lock), false);
    await withFileLock(lock, async () => {
      // Someone broke our lock as stale and took it: release must leave theirs alone.
      fs.writeFileSync(lock, JSON.stringify({ token: 'someone-else' }));
    });
    assert.equal(JSON.parse(fs.readFileSync(lock, 'utf8')).token, 'someone-else');
  });
});
