// `jira2fa bulk` end to end in-process: a fresh PostgreSQL database named in a profiles file
// (preview, production confirmation, commit, CSV and JSON report, audit file, restore), and
// a one-user REST run against the simulator (real clock: the first code needs no wait).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readEntries } from '../../src/core/audit/read';
import { BackupStore } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/recovery/restore';
import { loadReport } from '../../src/core/bulk';
import { MemoryAudit, createTestDatabase, type TestDatabase } from '../support/dbFixtures';
import { addBulkUsers } from '../support/bulkFixtures';
import { MemorySecretStore } from '../support/fakes';
import { runCliInProcess, type InProcessRun } from '../support/cliInProcess';
import { ADMIN_SEED, ADMIN_TOKEN, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';

type Run = InProcessRun;

describe('jira2fa bulk (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  let tdb: TestDatabase;
  let secrets: MemorySecretStore;

  before(async () => {
    tdb = await createTestDatabase('postgres', { pgDatabase: true });
    await addBulkUsers(tdb, 40);
  });
  after(async () => {
    await tdb?.drop();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-bulk-cli-'));
    secrets = new MemorySecretStore();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function writeProfiles(instances: unknown[]): void {
    fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify({ version: 1, instances }));
  }

  const run = (args: string[]): Promise<Run> => runCliInProcess(args, dir, secrets, { JIRA2FA_ADMIN: 'cli-admin' });

  it('--via db: preview changes nothing; production needs --confirm N; --commit deletes in one run; the backup restores', async () => {
    const profile = { ...tdb.profile(false), id: 'pgprod', name: 'PG Prod', environment: 'production' };
    writeProfiles([profile]);
    fs.writeFileSync(path.join(dir, 'users.csv'), 'username,ticket\nbulk0001,T-1\nbulk0002,T-2\nBULK0003,T-3\ncarol,T-4\nghost,T-5\nbulk0001,T-6\n');
    const before = await tdb.snapshot();

    const preview = await run(['bulk', '--instance', 'pgprod', '--users', 'users.csv', '--via', 'db', '--json']);
    assert.equal(preview.code, 0, preview.stderr);
    const p = JSON.parse(preview.stdout) as { state: string; counts: Record<string, number>; users: Array<{ username: string; status: string }> };
    assert.equal(p.state, 'preview');
    assert.deepEqual([p.counts['would-disable'], p.counts['not-enrolled'], p.counts['not-found']], [3, 1, 1]);
    assert.match(preview.stderr, /line 7: duplicate "bulk0001": same user as line 2/);
    assert.deepEqual(await tdb.snapshot(), before);

    const unconfirmed = await run(['bulk', '--instance', 'pgprod', '--users', 'users.csv', '--via', 'db', '--commit', '--reason', 'lost phone, ticket by phone']);
    assert.equal(unconfirmed.code, 1);
    assert.match(unconfirmed.stdout, /production instance: confirm with the number of users to change \(3\)/);
    assert.deepEqual(await tdb.snapshot(), before);

    const done = await run(['bulk', '--instance', 'pgprod', '--users', 'users.csv', '--via', 'db', '--commit', '--confirm', '3', '--report', 'r.json', '--csv', 'r.csv', '--reason', 'lost phone, ticket by phone']);
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /Run completed: 3 disabled, 1 not found, 1 not enrolled/);
    const report = await loadReport(path.join(dir, 'r.json'));
    assert.equal(report.state, 'completed');
    const csv = fs.readFileSync(path.join(dir, 'r.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 6);
    assert.match(csv[3], /^BULK0003,disabled,/);
    const { entries } = await readEntries(path.join(dir, 'audit.jsonl'));
    const perUser = entries.filter((e) => e.action === 'bulk.sql.disable' && e.runId === report.runId);
    assert.deepEqual(perUser.map((e) => [e.target, e.outcome]), [['bulk0001', 'ok'], ['bulk0002', 'ok'], ['BULK0003', 'ok'], ['carol', 'refused'], ['ghost', 'refused']]);

    const driver = await tdb.connect();
    try {
      const restored = await restoreBackup({ profile: profile as never, driver, audit: new MemoryAudit(), admin: 'x', backups: new BackupStore(path.join(dir, 'backups')) }, report.backupId!);
      assert.equal(restored.rowsRestored, 3);
    } finally {
      await driver.close();
    }
    assert.deepEqual(await tdb.snapshot(), before);
  });

  it('--via rest: unenrolls, writes a resumable report, refuses a report of another instance', async () => {
    const sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures([{ username: 'locked1', seed: USER_SEED }])) });
    try {
      writeProfiles([
        { id: 'sim', name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' },
        { id: 'other', name: 'Other', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' },
      ]);
      await secrets.set('sim', 'token', ADMIN_TOKEN);
      await secrets.set('sim', 'totpSeed', ADMIN_SEED);
      fs.writeFileSync(path.join(dir, 'users.txt'), 'locked1\n');
      const r = await run(['bulk', '--instance', 'sim', '--users', 'users.txt', '--via', 'rest', '--report', 'rest.json', '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const out = JSON.parse(r.stdout) as { state: string; counts: Record<string, number>; report: string };
      assert.equal(out.state, 'completed');
      assert.equal(out.counts.disabled, 1);
      assert.equal(await sim.store.enrollmentSeed('locked1'), undefined);
      assert.ok(!r.stdout.includes(ADMIN_SEED) && !r.stderr.includes(ADMIN_SEED));

      const again = await run(['bulk', '--instance', 'sim', '--via', 'rest', '--resume', 'rest.json']);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /Nothing left to do/);
      assert.equal(sim.requestsOf('DELETE').length, 1, 'a finished report sends nothing');

      const wrong = await run(['bulk', '--instance', 'other', '--via', 'rest', '--resume', 'rest.json']);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /is for instance sim, not other/);
      const dbResume = await run(['bulk', '--instance', 'sim', '--via', 'db', '--resume', 'rest.json']);
      assert.equal(dbResume.code, 2);
    } finally {
      await sim.stop();
    }
  });

  it('Ctrl-C in a real process: stops while waiting for the next code window, exit 1, a resumable report', async () => {
    const sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures([{ username: 'locked1', seed: USER_SEED }, { username: 'locked2', seed: USER_SEED }])) });
    try {
      writeProfiles([{ id: 'sim', name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' }]);
      fs.writeFileSync(path.join(dir, 'users.txt'), 'locked1\nlocked2\n');
      const root = path.resolve(__dirname, '..', '..');
      const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '--import', pathToFileURL(require.resolve('tsx/esm')).href, path.join(root, 'test/support/cliFromSource.ts'), 'bulk', '--instance', 'sim', '--users', 'users.txt', '--via', 'rest', '--report', 'run.json'], {
        cwd: dir,
        env: {
          ...process.env,
          JIRA2FA_PROFILES: path.join(dir, 'profiles.json'),
          JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'),
          JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'),
          JIRA2FA_KEYCHAIN: 'off',
          JIRA2FA_TOKEN: ADMIN_TOKEN,
          JIRA2FA_TOTP_SECRET: ADMIN_SEED,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      // The first user goes at once; the second waits for the next 30-second window: Ctrl-C then.
      let interrupted = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/\[1\/2\] locked1: disabled/.test(stderr) && !interrupted) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.ok(interrupted, `the first user never finished: ${stdout}${stderr}`);
      assert.equal(code, 1, stdout + stderr);
      assert.match(stderr, /Cancelling after the current user/);
      assert.match(stdout, /continue with: jira2fa bulk --instance sim --via rest --resume /);
      const report = await loadReport(path.join(dir, 'run.json'));
      assert.equal(report.state, 'cancelled');
      assert.deepEqual(report.users.map((u) => u.status), ['disabled', 'pending']);
      assert.equal(sim.requestsOf('DELETE').length, 1);
      assert.ok(await sim.store.enrollmentSeed('locked2'), 'the second user was not touched');
    } finally {
      await sim.stop();
    }
  });
});
