import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditWriteError } from '../../src/core/audit/errors';
import { AuditLog, openFileForAppend, type AppendHandle } from '../../src/core/audit/log';
import { verify } from '../../src/core/audit/read';
import type { AuditEntryInput } from '../../src/core/audit/types';
import { EXIT_CODES, exitCodeFor } from '../../src/core/errors';
import { Redactor } from '../../src/core/redact';

function input(i: number): AuditEntryInput {
  return { admin: 'alice', instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'sql.disable', target: `u${i}`, outcome: 'ok', message: 'done' };
}

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** A real append handle whose write or sync fails like a full disk would. */
function failing(mode: 'write-half' | 'sync'): (file: string) => Promise<AppendHandle> {
  return async (file) => {
    const real = await openFileForAppend(file);
    return {
      ...real,
      write: async (data) => {
        if (mode === 'write-half') {
          await real.write(data.subarray(0, Math.floor(data.length / 2)));
          throw errno('ENOSPC');
        }
        await real.write(data);
      },
      sync: async () => {
        if (mode === 'sync') throw errno('EIO');
        await real.sync();
      },
    };
  };
}

describe('audit log: write failures', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-fail-'));
    file = path.join(dir, 'audit.jsonl');
  });
  afterEach(() => {
    for (const p of [dir, path.join(dir, 'ro')]) if (fs.existsSync(p)) fs.chmodSync(p, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [mode, code] of [['write-half', 'ENOSPC'], ['sync', 'EIO']] as const) {
    it(`a failed ${mode === 'sync' ? 'fsync' : 'write'} throws AuditWriteError ${code} and leaves the log as it was`, async () => {
      await new AuditLog(file, { redactor: new Redactor() }).append(input(1));
      const before = fs.readFileSync(file);
      const broken = new AuditLog(file, { redactor: new Redactor(), openForAppend: failing(mode) });
      await assert.rejects(broken.append(input(2)), (e: unknown) => {
        assert.ok(e instanceof AuditWriteError, String(e));
        assert.equal(e.code, code);
        assert.equal(e.kind, 'refused');
        assert.equal(exitCodeFor(e.kind), EXIT_CODES.refused);
        assert.match(e.message, /could not be written, so the action was not recorded/);
        assert.ok(e.hint);
        return true;
      });
      assert.deepEqual(fs.readFileSync(file), before, 'the partial line was taken back');
      assert.equal(fs.existsSync(`${file}.lock`), false, 'the lock was released');
      await new AuditLog(file, { redactor: new Redactor() }).append(input(3));
      const v = await verify(file);
      assert.equal(v.ok, true);
      assert.equal(v.entries, 2);
    });
  }

  it('a really full device (/dev/full) gives ENOSPC', async function () {
    if (!fs.existsSync('/dev/full')) this.skip();
    fs.symlinkSync('/dev/full', file);
    await assert.rejects(new AuditLog(file, { redactor: new Redactor() }).append(input(1)), (e: unknown) => {
      assert.ok(e instanceof AuditWriteError);
      assert.equal(e.code, 'ENOSPC');
      assert.match(e.hint ?? '', /Free disk space/);
      return true;
    });
  });

  it('a parent path that is a file gives AuditWriteError', async () => {
    fs.writeFileSync(path.join(dir, 'plain'), 'x');
    const log = new AuditLog(path.join(dir, 'plain', 'audit.jsonl'), { redactor: new Redactor() });
    await assert.rejects(log.append(input(1)), (e: unknown) => e instanceof AuditWriteError && ['EEXIST', 'ENOTDIR'].includes(e.code));
  });

  it('a log path that is a folder gives AuditWriteError EISDIR', async () => {
    fs.mkdirSync(file);
    await assert.rejects(new AuditLog(file, { redactor: new Redactor() }).append(input(1)), (e: unknown) => e instanceof AuditWriteError && e.code === 'EISDIR');
  });

  it('a read-only folder gives AuditWriteError EACCES', async function () {
    if (process.platform === 'win32' || process.getuid?.() === 0) this.skip(); // root ignores permissions
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o500);
    await assert.rejects(new AuditLog(path.join(ro, 'audit.jsonl'), { redactor: new Redactor() }).append(input(1)),
      (e: unknown) => e instanceof AuditWriteError && e.code === 'EACCES');
  });
});
