// A full disk under the audit log: an action is refused before it starts (nothing is sent, the
// user keeps their 2SV), with an error that says why, on a real 64 KiB tmpfs filled to the brim.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runUnenroll } from '../../src/core/actions/unenroll';
import { AuditLog } from '../../src/core/audit/log';
import { AuditWriteError } from '../../src/core/audit/errors';
import { ReplayGuard } from '../../src/core/totp';
import { MemorySecretStore } from '../support/fakes';
import { ADMIN_SEED, ADMIN_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { testProfile } from '../support/jiraTestKit';

describe('audit log on a full disk', function () {
  this.timeout(30_000);
  let dir: string;
  let mnt: string;
  let sim: JiraSimulator;

  before(async function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) this.skip(); // mounting needs root
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-diskfull-'));
    mnt = path.join(dir, 'full');
    fs.mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      this.skip();
    }
    sim = await JiraSimulator.start();
  });
  after(async () => {
    await sim?.stop();
    if (mnt) execFileSync('umount', [mnt], { stdio: 'ignore' });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the unenroll before any request while the log cannot take an entry, and runs it once there is room', async () => {
    const log = new AuditLog(path.join(mnt, 'audit.jsonl'));
    const filler = path.join(mnt, 'filler');
    try {
      fs.writeFileSync(filler, Buffer.alloc(1 << 20));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    const secrets = new MemorySecretStore();
    await secrets.set('sim', 'token', ADMIN_TOKEN);
    await secrets.set('sim', 'totpSeed', ADMIN_SEED);
    const deps = { audit: log, secrets, replayGuard: new ReplayGuard('sim') };
    const input = { profile: testProfile(sim.baseUrl), username: 'jdoe', useStoredSeed: true };
    await assert.rejects(runUnenroll(deps, input), (e: unknown) => e instanceof AuditWriteError && e.code === 'ENOSPC' && /is full .* the action was not started/.test(e.message));
    assert.equal(sim.requests.length, 0, 'nothing was sent');
    assert.ok(await sim.store.enrollmentSeed('jdoe'), 'the user keeps their 2SV');

    fs.rmSync(filler);
    const done = await runUnenroll(deps, input);
    assert.equal(done.ok, true, JSON.stringify(done.outcome));
    assert.equal(done.auditEntry?.outcome, 'ok');
  });
});
