/**
 * Secret leaks, swept: the shipped CLI (dist/cli.js) runs real flows against the Jira
 * simulator with planted credentials (token, password, the admin's TOTP seed, a database
 * password), including failures whose server answers quote the token back, and database
 * snippets with backups; then every output, error message and every file the runs left
 * (audit log, CSV export, backups, anything under the temporary HOME/XDG folders) is searched
 * for the planted values and for every TOTP code that was sent: zero hits.
 * (The extension's settings and webview state are covered by the in-editor suite.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AuditLog } from '../../src/core/audit';
import { BackupStore } from '../../src/core/backup/store';
import { restoreBackup } from '../../src/core/backup/restore';
import { executeDestructiveSnippet, runReadSnippet } from '../../src/core/recovery/runSnippet';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { redactor } from '../../src/core/redact';
import { codeAt, decodeSeed } from '../../src/core/totp';
import { createTestDatabase } from '../support/dbFixtures';
import { ADMIN_PASSWORD, ADMIN_SEED, ADMIN_TOKEN, EXPIRED_TOKEN, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/cli.js');
const DB_PASSWORD = `DbPw-${randomBytes(12).toString('hex')}`;
const PLANTED = [ADMIN_TOKEN, EXPIRED_TOKEN, ADMIN_PASSWORD, ADMIN_SEED, DB_PASSWORD];

describe('secret leaks: planted credentials never reach output or files', function () {
  this.timeout(120_000);
  let sim: JiraSimulator;
  let root: string;
  const outputs: string[] = [];

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures([{ username: 'ann', seed: USER_SEED }, { username: 'ben', seed: USER_SEED }])) });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-leaks-'));
    fs.writeFileSync(path.join(root, 'profiles.json'), JSON.stringify({
      version: 1,
      instances: [
        { id: 'pat', name: 'Token Jira', product: 'jira', baseUrl: sim.baseUrl, environment: 'production' },
        { id: 'basic', name: 'Password Jira', product: 'jira', baseUrl: sim.baseUrl, environment: 'test', auth: { type: 'basic', username: 'admin' } },
      ],
    }));
  });
  after(async () => {
    await sim?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; text: string }> {
    const home = path.join(root, 'home');
    try {
      const r = await run(process.execPath, [CLI, ...args], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state'), XDG_CACHE_HOME: path.join(home, 'cache'),
          JIRA2FA_PROFILES: path.join(root, 'profiles.json'), JIRA2FA_AUDIT_FILE: path.join(root, 'audit.jsonl'),
          JIRA2FA_TOKEN: ADMIN_TOKEN, JIRA2FA_PASSWORD: ADMIN_PASSWORD, JIRA2FA_TOTP_SECRET: ADMIN_SEED, JIRA2FA_DB_PASSWORD: DB_PASSWORD,
          ...env,
        },
      });
      outputs.push(r.stdout, r.stderr);
      return { code: 0, text: r.stdout + r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      outputs.push(x.stdout, x.stderr);
      return { code: x.code, text: x.stdout + x.stderr };
    }
  }

  it('CLI flows: success, refusals, server errors quoting the token, audit show/verify/export', async () => {
    const seeded = await cli(['unenroll', '--instance', 'pat', '--user', 'ann', '--confirm', 'ann']);
    assert.equal(seeded.code, 0, seeded.text);
    // A second success in the same 30 s window needs another code: the next window's, typed.
    const typed = await cli(['unenroll', '--instance', 'basic', '--user', 'ben', '--totp', codeAt(decodeSeed(ADMIN_SEED), Date.now() + 30_000), '--json']);
    assert.equal(typed.code, 0, typed.text);
    assert.notEqual((await cli(['unenroll', '--instance', 'pat', '--user', 'nosuchuser', '--confirm', 'nosuchuser'])).code, 0);
    assert.notEqual((await cli(['unenroll', '--instance', 'pat', '--user', 'jdoe', '--confirm', 'jdoe'], { JIRA2FA_TOKEN: EXPIRED_TOKEN })).code, 0);
    assert.notEqual((await cli(['unenroll', '--instance', 'basic', '--user', 'jdoe', '--totp', '123456'], { JIRA2FA_PASSWORD: `${ADMIN_PASSWORD}-wrong` })).code, 0);
    // A misbehaving server that quotes back the credentials each call sent, in its error answers.
    sim.setFault({ type: 'status', status: 500, json: { message: `Bearer ${ADMIN_TOKEN} rejected` } });
    await cli(['test', '--instance', 'pat']);
    await cli(['unenroll', '--instance', 'pat', '--user', 'jdoe', '--confirm', 'jdoe', '--json']);
    sim.clearFaults();
    sim.setFault({ type: 'status', status: 500, json: { message: `Basic login admin:${ADMIN_PASSWORD} rejected` } });
    await cli(['test', '--instance', 'basic']);
    await cli(['unenroll', '--instance', 'basic', '--user', 'jdoe']);
    sim.clearFaults();
    sim.setFault({ type: 'status', status: 400, text: `seed ${ADMIN_SEED} token ${ADMIN_TOKEN}` });
    await cli(['unenroll', '--instance', 'pat', '--user', 'jdoe', '--confirm', 'jdoe']);
    sim.clearFaults();
    for (const args of [['audit', 'show'], ['audit', 'show', '--json'], ['audit', 'verify'], ['audit', 'export', '--csv', path.join(root, 'audit.csv')], ['instances', 'list', '--json']]) {
      const r = await cli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.text}`);
    }
    assert.ok(sim.requestsOf('DELETE').length >= 3, 'the flows reached the server');
  });

  it('database flows: read, change with backup, restore, with the database password registered', async () => {
    const tdb = await createTestDatabase('postgres');
    redactor.add(DB_PASSWORD); // what the CLI and the extension do with every secret they load
    const driver = await tdb.connect();
    try {
      const ctx = { profile: tdb.profile(false), driver, audit: new AuditLog(path.join(root, 'audit-db.jsonl')), admin: 'admin', backups: new BackupStore(path.join(root, 'backups')) };
      await runReadSnippet(ctx, await builtinSnippet('jira.recovery-code'), { username: 'alice' });
      const refused = await executeDestructiveSnippet(ctx, await builtinSnippet('jira.disable-2sv'), { username: 'carol' }).catch((e: Error) => e);
      assert.ok(refused instanceof Error, 'not enrolled: refused');
      const ok = await executeDestructiveSnippet(ctx, await builtinSnippet('jira.disable-2sv'), { username: 'bob' });
      const restored = await restoreBackup(ctx, ok.backupId);
      outputs.push(refused.message, ok.message, restored.message);
    } finally {
      await driver.close();
      await tdb.drop();
    }
  });

  it('sweep: no planted secret and no TOTP code that was sent appears in any output or file', () => {
    const codes = sim.requestsOf('DELETE').map((r) => (JSON.parse(r.body) as { totpCode?: string }).totpCode).filter((c): c is string => !!c && c !== '123456');
    assert.ok(codes.length >= 2, 'codes were generated from the seed and sent');
    const files = (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f)).filter((f) => fs.statSync(f).isFile());
    assert.ok(files.some((f) => f.endsWith('audit.jsonl')) && files.some((f) => f.endsWith('audit.csv')) && files.some((f) => f.includes('backups')), files.join('\n'));
    const haystacks: Array<[string, string]> = [...outputs.map((o, i): [string, string] => [`output ${i}`, o]), ...files.map((f): [string, string] => [f, fs.readFileSync(f, 'latin1')])];
    const hits: string[] = [];
    for (const [where, text] of haystacks) {
      for (const secret of PLANTED) if (text.includes(secret)) hits.push(`${where}: planted secret ${secret.slice(0, 4)}…`);
      // A sent code is six digits: look for it as a JSON value or a word, not inside longer numbers.
      for (const code of codes) if (new RegExp(`(^|[^0-9])${code}([^0-9]|$)`).test(text) && !/backups/.test(where)) hits.push(`${where}: TOTP code ${code}`);
    }
    assert.deepEqual(hits, [], hits.map((h) => h.startsWith('output') ? outputs[Number(h.split(' ')[1].replace(':', ''))].slice(0, 600) : '').join('\n---\n'));
  });
});
