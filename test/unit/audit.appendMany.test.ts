// AuditLog.appendMany: a batch chained in order under one lock and one write, interleaving
// safely with other writers (another AuditLog object, another process), refused as a whole
// for one bad entry, and reported as not written as a whole when the write fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditWriteError } from '../../src/core/audit/errors';
import { AuditLog, openFileForAppend, type AppendHandle } from '../../src/core/audit/log';
import { readEntries, verify } from '../../src/core/audit/read';
import type { AuditEntry, AuditEntryInput, AuditSink } from '../../src/core/audit/types';
import { AppError } from '../../src/core/errors';
import { Redactor } from '../../src/core/redact';
import { writeAuditMany, type AuditItem } from '../../src/core/recovery/context';

const root = path.resolve(__dirname, '../..');
const TOKEN = 'NjE2OTk1ODU3ODc0OkxvY2tlZE91dA';

function input(admin: string, target: string, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return { admin, instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'bulk.sql.disable', target, outcome: 'ok', message: 'done', runId: 'run-1', ...over };
}

function batch(admin: string, n: number, prefix: string): AuditEntryInput[] {
  return Array.from({ length: n }, (_, i) => input(admin, `${prefix}-${i}`));
}

/**
 * Runs `count` single appends from a separate Node process on the same file. `started`
 * resolves after its first append, so the other writers can start while it is mid-way.
 */
function appendFromChild(file: string, count: number): { started: Promise<void>; done: Promise<void> } {
  const script = `
    const { AuditLog } = require(${JSON.stringify(path.join(root, 'src/core/audit/log.ts'))});
    const { Redactor } = require(${JSON.stringify(path.join(root, 'src/core/redact.ts'))});
    (async () => {
      const log = new AuditLog(process.argv[1], { redactor: new Redactor(), lock: { retryMinMs: 1, retryMaxMs: 5 } });
      for (let i = 0; i < Number(process.argv[2]); i++) {
        await log.append({ admin: 'child', instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: 'child-' + i, outcome: 'ok', message: 'ok' });
        if (i === 0) process.stdout.write('started\\n');
      }
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script, file, String(count)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${err}`))));
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    done.then(resolve, reject);
  });
  return { started, done };
}

/** A real append handle whose write stops half way with ENOSPC, like a disk filling up. */
function halfWrite(file: string): Promise<AppendHandle> {
  return openFileForAppend(file).then((real) => ({
    ...real,
    write: async (data: Buffer) => {
      await real.write(data.subarray(0, Math.floor(data.length / 2)));
      throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
    },
  }));
}

describe('audit log: appendMany', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-many-'));
    file = path.join(dir, 'audit.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('chains the batch in order after the existing entries and returns what it wrote', async () => {
    const log = new AuditLog(file, { redactor: new Redactor() });
    const first = await log.append(input('alice', 'before'));
    const written = await log.appendMany(batch('alice', 5, 'u'));
    assert.deepEqual(written.map((e) => e.target), ['u-0', 'u-1', 'u-2', 'u-3', 'u-4']);
    assert.equal(written[0].prevHash, first.hash);
    for (let i = 1; i < written.length; i++) assert.equal(written[i].prevHash, written[i - 1].hash);
    assert.equal(new Set(written.map((e) => e.id)).size, 5);
    const { entries } = await readEntries(file);
    assert.deepEqual(entries.slice(1), written, 'the file holds exactly the returned entries');
    const v = await verify(file);
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
    assert.equal(v.entries, 6);
  });

  it('an empty batch writes nothing and creates no file', async () => {
    assert.deepEqual(await new AuditLog(file, { redactor: new Redactor() }).appendMany([]), []);
    assert.equal(fs.existsSync(file), false);
  });

  it('interleaved with another AuditLog and another process, every batch stays contiguous and the chain verifies', async function () {
    this.timeout(60_000);
    const lock = { retryMinMs: 1, retryMaxMs: 5 };
    const batcher = new AuditLog(file, { redactor: new Redactor(), lock });
    const single = new AuditLog(file, { redactor: new Redactor(), lock });
    const size = 25;
    const childCount = 150;
    const child = appendFromChild(file, childCount);
    await child.started;
    let childDone = false;
    const childFinished = child.done.finally(() => (childDone = true));
    // Batches keep coming while the child is still appending (at least 8 of them).
    let batches = 0;
    await Promise.all([
      childFinished,
      (async () => {
        while (!childDone || batches < 8) await batcher.appendMany(batch('batcher', size, `b${batches++}`));
      })(),
      (async () => {
        for (let i = 0; i < 40; i++) await single.append(input('single', `s-${i}`));
      })(),
    ]);
    const v = await verify(file);
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
    assert.equal(v.entries, batches * size + childCount + 40);
    const { entries } = await readEntries(file);
    for (const [who, prefix, n] of [['child', 'child', childCount], ['single', 's', 40]] as const) {
      assert.deepEqual(entries.filter((e) => e.admin === who).map((e) => e.target), Array.from({ length: n }, (_, i) => `${prefix}-${i}`), `${who} in its own order`);
    }
    for (let b = 0; b < batches; b++) {
      const at = entries.findIndex((e) => e.target === `b${b}-0`);
      assert.deepEqual(entries.slice(at, at + size).map((e) => e.target), Array.from({ length: size }, (_, i) => `b${b}-${i}`), `batch ${b} is one contiguous run`);
    }
    assert.equal(fs.existsSync(`${file}.lock`), false, 'the lock is released');
  });

  it('one invalid entry refuses the whole batch and writes none of it', async () => {
    const log = new AuditLog(file, { redactor: new Redactor() });
    await log.append(input('alice', 'before'));
    const before = fs.readFileSync(file);
    const entries = batch('alice', 4, 'u');
    entries[2] = { ...entries[2], outcome: 'maybe' as never };
    await assert.rejects(log.appendMany(entries), (e: unknown) => e instanceof AppError && e.kind === 'input' && /outcome must be one of/.test(e.message));
    assert.deepEqual(fs.readFileSync(file), before);
    // The log is still usable after the refusal.
    await log.appendMany(batch('alice', 2, 'after'));
    assert.equal((await verify(file)).entries, 3);
  });

  it('redacts every entry like append, and refuses the whole batch when a registered secret would still be written', async () => {
    const red = new Redactor();
    red.add(TOKEN);
    red.add('123456');
    const log = new AuditLog(file, { redactor: red });
    const written = await log.appendMany([input('alice', 'a', { message: `token ${TOKEN}` }), input('alice', 'b', { details: { note: `sent ${TOKEN}` } })]);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes(TOKEN));
    assert.ok(!JSON.stringify(written).includes(TOKEN));
    const before = fs.readFileSync(file);
    // A TOTP code passed as a number cannot be redacted in place: the batch is refused.
    await assert.rejects(log.appendMany([input('alice', 'c'), input('alice', 'd', { details: { code: 123456 } })]), (e: unknown) => e instanceof AuditWriteError && e.code === 'ESECRET');
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('a write that fails half way reports the whole batch as not written and leaves the log as it was', async () => {
    await new AuditLog(file, { redactor: new Redactor() }).append(input('alice', 'before'));
    const before = fs.readFileSync(file);
    const broken = new AuditLog(file, { redactor: new Redactor(), openForAppend: halfWrite });
    await assert.rejects(broken.appendMany(batch('alice', 10, 'u')), (e: unknown) => e instanceof AuditWriteError && e.code === 'ENOSPC' && e.kind === 'refused');
    assert.deepEqual(fs.readFileSync(file), before, 'the partial write was taken back');
    assert.equal(fs.existsSync(`${file}.lock`), false);
    await new AuditLog(file, { redactor: new Redactor() }).appendMany(batch('alice', 2, 'after'));
    const v = await verify(file);
    assert.equal(v.ok, true);
    assert.equal(v.entries, 3);
  });

  it('a really full device (/dev/full) gives ENOSPC for the batch', async function () {
    if (!fs.existsSync('/dev/full')) this.skip();
    fs.symlinkSync('/dev/full', file);
    await assert.rejects(new AuditLog(file, { redactor: new Redactor() }).appendMany(batch('alice', 3, 'u')), (e: unknown) => e instanceof AuditWriteError && e.code === 'ENOSPC');
  });
});

describe('writeAuditMany', () => {
  const profile = { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' } as never;
  const items: AuditItem[] = ['a', 'b', 'c'].map((t) => ({ base: { action: 'bulk.sql.disable', target: t }, outcome: 'ok', message: `done ${t}` }));

  it('with the file log: one batch, one entry per item in order, run id on each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-many-'));
    try {
      const file = path.join(dir, 'audit.jsonl');
      const results = await writeAuditMany({ profile, admin: 'alice', runId: 'run-9', audit: new AuditLog(file, { redactor: new Redactor() }) }, items);
      assert.deepEqual(results.map((r) => [r.entry?.target, r.entry?.runId, r.error]), [['a', 'run-9', undefined], ['b', 'run-9', undefined], ['c', 'run-9', undefined]]);
      assert.equal((await verify(file)).entries, 3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the batch cannot be written, every item carries the error and none an entry', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-many-'));
    try {
      const file = path.join(dir, 'audit.jsonl');
      fs.mkdirSync(file); // a folder where the log should be: EISDIR
      const results = await writeAuditMany({ profile, admin: 'alice', audit: new AuditLog(file, { redactor: new Redactor() }) }, items);
      assert.equal(results.length, 3);
      for (const r of results) {
        assert.equal(r.entry, undefined);
        assert.match(r.error ?? '', /could not be written/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sink without appendMany gets one append per item, and a failure only costs that item', async () => {
    const seen: string[] = [];
    const sink: AuditSink = {
      append: async (e) => {
        if (e.target === 'b') throw new Error('disk trouble');
        seen.push(e.target ?? '');
        return { ...e, id: `id-${e.target}`, time: '', prevHash: '', hash: '' } as AuditEntry;
      },
    };
    const results = await writeAuditMany({ profile, admin: 'alice', audit: sink }, items);
    assert.deepEqual(seen, ['a', 'c']);
    assert.deepEqual(results.map((r) => r.entry?.id), ['id-a', undefined, 'id-c']);
    assert.match(results[1].error ?? '', /disk trouble/);
  });
});
