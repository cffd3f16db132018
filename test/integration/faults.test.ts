/**
 * Faults, one table: every Jira simulator fault mode on a read and on the unenroll DELETE
 * (a new mode in jiraSimulator.ts does not compile until it has a row here), a server that
 * closes the connection in the middle of the body, a database session killed in the middle
 * of a restore, and a disk that is really full (a tiny tmpfs, when we may mount one) under
 * the backup folder or the audit log. What must hold: a named outcome with a printable
 * message and a next step, never a crash or a credential in the text; the DELETE with its
 * one-time code is never sent twice; nothing half-done in the database.
 * (Connection refused, DNS failure and TLS mismatches: jiraClient.test.ts, jiraTls.test.ts;
 * a session killed mid-change and an injected ENOSPC: db.snippets.test.ts.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit';
import { restoreBackup } from '../../src/core/recovery/restore';
import { BackupStore } from '../../src/core/backup/store';
import { connectDatabase } from '../../src/core/db/connect';
import { loadDriver } from '../../src/core/db/loader';
import type { Driver, NativeDriver } from '../../src/core/db/types';
import { AppError } from '../../src/core/errors';
import type { FailedOutcome, Outcome } from '../../src/core/jira/outcomes';
import type { RecoveryContext } from '../../src/core/recovery/context';
import { executeDestructiveSnippet } from '../../src/core/recovery/runSnippet';
import { isUserEnrolled } from '../../src/core/recovery/probe';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { MemoryAudit, createTestDatabase, type TestDatabase } from '../support/dbFixtures';
import { FakeClock } from '../support/fakes';
import { ADMIN_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator, type Fault } from '../support/jiraSimulator';
import { UNPRINTABLE } from '../support/hostileCorpus';
import { adminCode, DispatcherCache, T0, testClient, testProfile } from '../support/jiraTestKit';

function assertReported(o: Outcome | FailedOutcome, what: string): void {
  assert.equal(o.ok, false, `${what}: ${o.kind}`);
  const texts = [o.summary, 'next' in o ? o.next : '', 'serverMessage' in o ? String(o.serverMessage ?? '') : ''];
  assert.ok(o.summary.length > 10 && ('next' in o ? o.next.length > 10 : true), `${what}: ${JSON.stringify(o)}`);
  for (const t of texts) {
    assert.doesNotMatch(t, UNPRINTABLE, `${what}: unprintable text`);
    assert.ok(!t.includes(ADMIN_TOKEN), `${what}: the token leaked into the message`);
  }
}

/** Per fault mode: the fault, and the outcome kinds expected for a GET and for the DELETE. */
const FAULTS: Record<Fault['type'], { fault: Fault; get: string; del: string; timeouts?: { headersMs: number } }> = {
  delay: { fault: { type: 'delay', ms: 3_000 }, get: 'timeout', del: 'timeout', timeouts: { headersMs: 150 } },
  status: { fault: { type: 'status', status: 502, text: 'Bad gateway\r\n\u001b[31m' }, get: 'serverError', del: 'serverError' },
  rateLimit: { fault: { type: 'rateLimit', retryAfter: 'Wed, 21 Oct 2099 07:28:00 GMT' }, get: 'rateLimited', del: 'rateLimited' },
  reset: { fault: { type: 'reset' }, get: 'connectionReset', del: 'connectionReset' },
  loginPage: { fault: { type: 'loginPage' }, get: 'loginPage', del: 'loginPage' },
  loginRedirect: { fault: { type: 'loginRedirect' }, get: 'loginRedirect', del: 'loginRedirect' },
  redirect: { fault: { type: 'redirect', location: 'https://evil.example.com/steal' }, get: 'redirect', del: 'redirect' },
  // A 200 "OK" to the DELETE is not the documented 204: reported as an unexpected answer.
  nonJson: { fault: { type: 'nonJson' }, get: 'nonJson', del: 'unexpectedStatus' },
};

describe('faults: every Jira simulator fault mode', () => {
  let sim: JiraSimulator;
  let clock: FakeClock;
  const dispatchers = new DispatcherCache();
  beforeEach(async () => {
    clock = new FakeClock(T0);
    sim = await JiraSimulator.start({ now: () => clock.now() });
  });
  afterEach(async () => {
    await dispatchers.closeAll();
    await sim.stop();
  });

  for (const [mode, { fault, get, del, timeouts }] of Object.entries(FAULTS)) {
    it(`${mode}: a read reports ${get}, the unenroll reports ${del} and is sent once`, async () => {
      sim.setFault(fault);
      const c = testClient(testProfile(sim.baseUrl), dispatchers, timeouts ? { timeouts } : {});
      const info = await c.serverInfo();
      assert.equal(!info.ok && info.outcome.kind, get);
      if (!info.ok) assertReported(info.outcome, `${mode} GET`);
      const before = sim.requestsOf('DELETE').length;
      const o = await c.unenroll('jdoe', adminCode(clock.now()));
      assert.equal(o.kind, del);
      assertReported(o, `${mode} DELETE`);
      assert.equal(sim.requestsOf('DELETE').length - before, 1, 'the DELETE with its one-time code went out exactly once');
      assert.ok(sim.requests.every((r) => !r.rawPath.includes('evil')), 'no redirect was followed');
      assert.equal(await sim.store.enrollmentSeed('jdoe') !== undefined, true, 'the fault answered; the user is still enrolled');
    });
  }
});

describe('faults: the server closes the connection in the middle of the body', () => {
  let server: http.Server;
  let origin: string;
  let hits = 0;
  const sockets = new Set<Socket>();
  const dispatchers = new DispatcherCache();
  before(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      // Promise 4 kB of JSON, send the first bytes, then cut the connection.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      res.write('{"version":"10.3.2","serverTitle":"Ji');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await dispatchers.closeAll();
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('a read reports the dropped connection (after one retry) instead of parsing half a body', async () => {
    hits = 0;
    const info = await testClient(testProfile(origin), dispatchers).serverInfo();
    assert.equal(info.ok, false);
    if (!info.ok) {
      assert.ok(['connectionReset', 'networkError'].includes(info.outcome.kind), info.outcome.kind);
      assertReported(info.outcome, 'GET cut mid-body');
    }
    assert.ok(hits <= 2, `at most one retry, got ${hits} requests`);
  });

  it('the unenroll says it may have reached the server and is not retried', async () => {
    hits = 0;
    const o = await testClient(testProfile(origin), dispatchers).unenroll('jdoe', '123456');
    assert.ok(['connectionReset', 'networkError'].includes(o.kind), o.kind);
    assertReported(o, 'DELETE cut mid-body');
    assert.equal(hits, 1, 'sent once');
  });
});

describe('faults: databases and disks', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  let schema: string;
  let work: string;
  const snippet = () => builtinSnippet('jira.disable-2sv');
  const ctx = (driver: Driver, over: Partial<RecoveryContext> = {}): RecoveryContext => ({
    profile: tdb.profile(false), driver, audit: new MemoryAudit(), admin: 'test-admin', backups: new BackupStore(path.join(work, 'backups')), ...over,
  });

  before(async () => {
    tdb = await createTestDatabase('postgres');
    const d = await tdb.connect();
    schema = String((await d.query('SELECT current_schema()')).rows[0][0]);
    await d.close();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-faults-'));
  });
  after(async () => {
    await tdb?.drop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a session killed in the middle of a restore restores nothing, and the backup can be restored afterwards', async () => {
    const driver = await tdb.connect();
    const before = await tdb.snapshot();
    const done = await executeDestructiveSnippet(ctx(driver), await snippet(), { username: 'alice' });
    const afterDisable = await tdb.snapshot();
    // The real PostgreSQL driver, killed from outside right after the restore's first INSERT.
    const real = await loadDriver('postgres');
    const killing: NativeDriver = {
      name: real.name,
      classifyError: (e) => real.classifyError(e),
      async connect(config) {
        const conn = await real.connect(config);
        return Object.assign(Object.create(conn), {
          execute: async (sql: string, binds: Parameters<typeof conn.execute>[1], options: Parameters<typeof conn.execute>[2]) => {
            const r = await conn.execute(sql, binds, options);
            if (/^INSERT/i.test(sql)) await tdb.killSession(conn.sessionId);
            return r;
          },
          begin: conn.begin.bind(conn), commit: conn.commit.bind(conn), rollback: conn.rollback.bind(conn), close: conn.close.bind(conn),
        });
      },
    };
    const victim = await connectDatabase(tdb.profile(false).database!, undefined, { schema, loadDriver: async () => killing });
    await assert.rejects(restoreBackup(ctx(victim), done.backupId), (e: AppError) => {
      assert.ok(e instanceof AppError, String(e));
      assert.match(e.message, /connection|lost|terminat/i);
      assert.doesNotMatch(e.message, UNPRINTABLE);
      return true;
    });
    await victim.close().catch(() => undefined);
    assert.deepEqual(await tdb.snapshot(), afterDisable, 'nothing of the restore was committed');
    const again = await restoreBackup(ctx(driver), done.backupId);
    assert.equal(again.rowsRestored, 1);
    assert.deepEqual(await tdb.snapshot(), before);
    await driver.close();
  });

  describe('a really full disk (tmpfs)', () => {
    let mnt: string | undefined;
    before(function () {
      // Mounting needs root (or CAP_SYS_ADMIN); db.snippets.test.ts covers ENOSPC by injection everywhere.
      if (process.platform !== 'linux' || process.getuid?.() !== 0) this.skip();
      mnt = path.join(work, 'full');
      fs.mkdirSync(mnt);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
      } catch {
        mnt = undefined;
        this.skip();
      }
      try {
        fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(1 << 20));
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
    });
    after(() => {
      if (mnt) execFileSync('umount', [mnt], { stdio: 'ignore' });
    });

    it('backup folder full: the change is refused with ENOSPC and the row is intact', async () => {
      const driver = await tdb.connect();
      const before = await tdb.snapshot();
      const audit = new MemoryAudit();
      await assert.rejects(
        executeDestructiveSnippet(ctx(driver, { audit, backups: new BackupStore(path.join(mnt!, 'backups')) }), await snippet(), { username: 'bob' }),
        (e: AppError) => e.kind === 'refused' && /ENOSPC/.test(e.message) && /nothing was changed/.test(e.message) && /Free disk space/.test(e.hint ?? ''),
      );
      assert.deepEqual(await tdb.snapshot(), before);
      assert.equal((await isUserEnrolled(driver, 'jira', 'bob')).enrolled, true);
      assert.deepEqual(audit.entries.map((e) => [e.action, e.outcome]), [['sql.change', 'refused']]);
      await driver.close();
    });

    it('audit log full: a change that was backed up and committed says its audit entry is missing (ENOSPC)', async () => {
      const driver = await tdb.connect();
      const audit = new AuditLog(path.join(mnt!, 'audit.jsonl'));
      const r = await executeDestructiveSnippet(ctx(driver, { audit }), await snippet(), { username: 'dave' });
      assert.equal(r.affected, 1);
      assert.match(r.auditError ?? '', /audit entry could not be written.*ENOSPC/s);
      assert.equal((await new BackupStore(path.join(work, 'backups')).load(r.backupId)).state, 'committed', 'the backup is there to undo it');
      await restoreBackup(ctx(driver), r.backupId);
      await driver.close();
    });
  });
});
