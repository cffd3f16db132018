// Bulk disable 2SV by SQL in the real editor: a fresh PostgreSQL database with 1,000 enrolled
// users (made by test/e2e/lib/bulkDatabase.ts through tsx), names pasted into the scratch
// editor, the preview quick pick, the typed count (production), the progress notification,
// and the per-user report opened at the end; the rows are really gone afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export const name = 'bulk disable 2SV via SQL: paste, preview, confirm, progress, report';
export const timeoutMs = 240000;

const ROOT = path.resolve(new URL('.', import.meta.url).pathname, '..', '..', '..');
const DB_NAME = `j2fa_e2e_bulk_${process.pid}_${randomBytes(3).toString('hex')}`;
const USERS = 1000;
const INSTANCE = 'E2E Bulk Postgres';

export const settings = {
  'jira2fa.instances': [
    {
      id: 'e2e-bulk-pg',
      name: INSTANCE,
      product: 'jira',
      baseUrl: 'https://jira.bulk.e2e.example.com',
      environment: 'production',
      database: { driver: 'postgres', host: process.env.J2FA_TEST_PG_HOST ?? '127.0.0.1', port: Number(process.env.J2FA_TEST_PG_PORT ?? 5432), database: DB_NAME, user: 'postgres', readOnly: false },
    },
  ],
};

/** The database helper process: JSON lines out, commands in. */
function startDatabase(log) {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'test/e2e/lib/bulkDatabase.ts'), DB_NAME, String(USERS)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.resolve(JSON.parse(l)));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`database helper exited (${code}): ${stderr}`));
  });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  return {
    ready: next(),
    async ask(command) {
      const answer = next();
      child.stdin.write(`${command}\n`);
      return answer;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.stdin.write('drop\n');
      child.stdin.end();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15000))]);
      if (child.exitCode === null) {
        log('database helper did not exit; killing it');
        child.kill('SIGKILL');
      }
    },
  };
}

export async function run({ pages, shot, log, assert, server, waitUntil }) {
  const { tree, bulk, notifications, requestStep } = pages;
  const db = startDatabase(log);
  try {
    await db.ready;
    const enrolledBefore = (await db.ask('count')).enrolled;
    assert.ok(enrolledBefore > USERS, `fixture: ${USERS} bulk users plus the fixture's own enrollments (${enrolledBefore})`);
    log(`database ${DB_NAME} ready with ${USERS} enrolled users`);
    await tree.open();

    // 1. the command: instance, then the source of the list
    await bulk.start(INSTANCE);

    // 2. paste the names into the scratch editor, press Enter in the input box that stays open
    const names = Array.from({ length: USERS }, (_, i) => `bulk${String(i + 1).padStart(4, '0')}`);
    // Ends with a newline so that the editor shows no word suggestions (Escape would close the input box).
    await bulk.pasteNames(`${[...names, 'carol', 'ghost-user', '', 'BULK0001'].join('\n')}\n`);
    await shot('names-pasted');
    await bulk.submitNames();

    // 3. database, then the lookup and the preview quick pick
    const title = await bulk.route('Database', { timeout: 60000 });
    assert.match(title, /1000 to disable, 1 not found, 1 not enrolled/);
    await shot('preview');
    await bulk.accept(1000);

    // 4. production: one request for the whole run (a reason), then the typed count; a wrong one is flagged
    await requestStep.waitFor();
    await shot('request-step');
    await requestStep.reason('phones replaced after the office move (e2e)');
    await bulk.typeWrongCount(999, 1000);
    await shot('confirm-wrong-count');
    await bulk.confirmCount(1000);

    // 5. the progress notification, then the report
    // Set-based, the run takes a fraction of a second: its progress toast may come and go
    // between two looks (the outcome below is what must show).
    if (await notifications.caught('Disabling 2SV for 1000 users', 20000)) await shot('progress');
    else log('the run ended before its progress toast was caught');
    const done = await notifications.waitFor('1000 disabled, 1 not found, 1 not enrolled', { timeout: 120000 });
    const report = await bulk.waitForReport();
    await shot('report-opened');
    assert.match(report, /Bulk disable 2SV: E2E Bulk Postgres/);
    assert.ok(await done.isVisible());
    await shot('done-notification');

    // 6. the rows are gone: exactly the 1,000 bulk users, the fixture enrollments kept
    assert.equal((await db.ask('count')).enrolled, enrolledBefore - USERS);

    // the report files are in the extension's global storage
    const dir = path.join(server.dirs.data, 'User', 'globalStorage', 'jira2fa.jira-2fa-admin', 'bulk-reports');
    const json = await waitUntil(() => fs.existsSync(dir) && fs.readdirSync(dir).find((f) => f.endsWith('.json')), { message: 'report JSON' });
    const saved = JSON.parse(fs.readFileSync(path.join(dir, json), 'utf8'));
    assert.equal(saved.state, 'completed');
    assert.equal(saved.users.filter((u) => u.status === 'disabled').length, 1000);
    assert.ok(saved.backupId, 'one backup id');
    const entries = fs.readFileSync(server.dirs.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.runId === saved.runId && e.action === 'bulk.sql.disable');
    assert.ok(entries.length >= 1000 && entries.every((e) => e.request?.reason === 'phones replaced after the office move (e2e)'), 'every entry of the run carries its one request');
    log(`run ${saved.runId}, backup ${saved.backupId}`);
    // The backup went to the folder shared with the CLI: <state dir>/jira2fa/backups, which the
    // harness keeps inside this run's folder.
    const backupFile = path.join(server.dirs.xdgState, 'jira2fa', 'backups', `${saved.backupId}.json`);
    assert.ok(fs.existsSync(backupFile), `the backup file ${backupFile} exists`);
    assert.equal(JSON.parse(fs.readFileSync(backupFile, 'utf8')).rows.length, 1000);
  } finally {
    await db.stop();
  }
}
