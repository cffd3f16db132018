/**
 * jira2fa login / logout / credentials list and the secret lookup of a real command, THROUGH
 * THE CLI (node dist/cli.js in its own process) against a real Secret Service keyring: the
 * throwaway gnome-keyring-daemon that test/keyring/run.mjs starts on a private D-Bus bus.
 * Without that keyring every test here is skipped (run.mjs says so, loudly).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, EXPIRED_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { allOutput, assertNeverPrinted, DIST_CLI, keyringEnv, keyringReady, oneJson, runCli, writeProfiles, type Done } from './helpers';

interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

const SEED = 'JBSW Y3DP ehpk 3pxp';
const SEED_STORED = 'JBSWY3DPEHPK3PXP';
const PASSWORD = 'pa ss word with spaces!';
const DB_PASSWORD = 'db-Pa55word-xyz';
const ORG_KEY = 'ATCTT3xFfGN0-org-key-value';
const TTY_TOKEN = 'TtyTyped-Token-0123456789';

describe('CLI keychain through a real keyring (dist/cli.js)', function () {
  let dir: string;
  let profiles: string;
  let sim: JiraSimulator;
  let keytar: KeytarLike;
  const printedSecrets = [ADMIN_TOKEN, EXPIRED_TOKEN, SEED_STORED, PASSWORD, DB_PASSWORD, ORG_KEY, TTY_TOKEN];

  before(async function () {
    if (!keyringReady()) {
      console.log(`      (skipped: no throwaway keyring${process.env.JIRA2FA_TEST_KEYRING_WHY ? `: ${process.env.JIRA2FA_TEST_KEYRING_WHY}` : '; run node test/keyring/run.mjs'})`);
      this.skip();
    }
    assert.ok(fs.existsSync(DIST_CLI), 'dist/cli.js is built');
    // The test process talks to the same throwaway keyring, to check what the CLI really stored.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    keytar = require('keytar') as KeytarLike;
    sim = await JiraSimulator.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-keyring-test-'));
    profiles = path.join(dir, 'profiles.json');
    writeProfiles(profiles, [
      { id: 'sim', name: 'Simulator', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' },
      { id: 'other', name: 'Other', product: 'jira', baseUrl: 'https://other.example.com', environment: 'test' },
      { id: 'basic', name: 'Basic', product: 'jira', baseUrl: 'https://basic.example.com', environment: 'test', auth: { type: 'basic', username: 'ada' } },
      { id: 'org', name: 'Cloud org', product: 'cloud', baseUrl: 'https://admin.atlassian.com', environment: 'production', orgId: 'abc-123' },
      {
        id: 'withdb', name: 'With DB', product: 'jira', baseUrl: 'https://db.example.com', environment: 'test',
        database: { driver: 'postgres', host: 'localhost', database: 'jira', user: 'jira' },
      },
    ]);
  });

  after(async function () {
    await sim?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (keytar) for (const id of ['sim', 'other', 'basic', 'org', 'withdb']) await logoutDirect(id);
  });

  async function logoutDirect(id: string) {
    for (const kind of ['token', 'password', 'dbPassword', 'totpSeed', 'orgApiKey']) await keytar.deletePassword('jira2fa', `${id}:${kind}`);
  }

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return { ...keyringEnv(), JIRA2FA_PROFILES: profiles, JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'), JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'), ...extra };
  }

  function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Done> {
    return runCli(args, { env: env(opts.env), ...(opts.input !== undefined ? { input: opts.input } : {}) });
  }

  async function stored(id: string, kind: string): Promise<string | null> {
    return keytar.getPassword('jira2fa', `${id}:${kind}`);
  }

  beforeEach(async () => {
    for (const id of ['sim', 'other', 'basic', 'org', 'withdb']) await logoutDirect(id);
  });

  it('login --stdin stores the token under service "jira2fa", account "<id>:token", and says so without the value', async () => {
    const r = await cli(['login', '--instance', 'sim', '--stdin'], { input: `${ADMIN_TOKEN}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Stored the personal access token of sim in the OS keychain \(service "jira2fa", account "sim:token"\)\.\n$/);
    assert.equal(await stored('sim', 'token'), ADMIN_TOKEN);
  });

  it('a real command reads the token back from the keychain (keychain before the environment)', async () => {
    assert.equal((await cli(['login', '--instance', 'sim', '--stdin'], { input: ADMIN_TOKEN })).code, 0);
    const viaKeychain = await cli(['test', '--instance', 'sim']);
    assert.equal(viaKeychain.code, 0, viaKeychain.stderr);
    assert.match(viaKeychain.stdout, /signed in as admin/);
    assert.equal(viaKeychain.stderr, '');
    // A stale token in the environment does not win over the stored one.
    const both = await cli(['test', '--instance', 'sim'], { env: { JIRA2FA_TOKEN: EXPIRED_TOKEN } });
    assert.equal(both.code, 0, both.stderr);
    assert.equal(sim.requests.at(-1)?.authScheme, 'Bearer');
  });

  it('without a stored token the environment variable is used, and nothing is warned (the keychain works)', async () => {
    const r = await cli(['test', '--instance', 'sim'], { env: { JIRA2FA_TOKEN: ADMIN_TOKEN } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const none = await cli(['test', '--instance', 'sim']);
    assert.equal(none.code, 2);
    assert.doesNotMatch(none.stderr, /keychain is not available/);
  });

  it('credentials list --json prints exactly one object naming the stored kinds, never a value', async () => {
    await cli(['login', '--instance', 'sim', '--stdin'], { input: ADMIN_TOKEN });
    await cli(['login', '--instance', 'sim', '--kind', 'totp', '--stdin'], { input: SEED });
    const r = await cli(['credentials', 'list', '--instance', 'sim', '--json'], { env: { JIRA2FA_PASSWORD: PASSWORD } });
    assert.equal(r.code, 0, r.stderr);
    const out = oneJson(r);
    assert.equal(out.ok, true);
    assert.equal(out.instance, 'sim');
    const rows = out.credentials as Array<{ kind: string; stored: boolean; environment: boolean; usedByProfile: boolean | null }>;
    assert.deepEqual(rows.filter((c) => c.stored).map((c) => c.kind), ['token', 'totp']);
    assert.deepEqual(rows.filter((c) => c.environment).map((c) => c.kind), ['password']);
    assert.deepEqual(rows.filter((c) => c.usedByProfile).map((c) => c.kind), ['token', 'totp']);
    const text = await cli(['credentials', 'list', '--instance', 'sim']);
    assert.match(text.stdout, /^token\s+stored\s+-\s+yes\s+personal access token$/m);
    assert.match(text.stdout, /^totp\s+stored\s+-\s+yes\s+TOTP seed$/m);
    assert.match(text.stdout, /^db\s+-\s+-\s+no\s+database password$/m);
  });

  it('login normalises a TOTP seed, and refuses malformed secrets with exit code 2, storing nothing', async () => {
    const ok = await cli(['login', '--instance', 'sim', '--kind', 'totp', '--stdin', '--json'], { input: SEED });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(oneJson(ok), { ok: true, instance: 'sim', kind: 'totp', label: 'TOTP seed', replaced: false, service: 'jira2fa', account: 'sim:totpSeed' });
    assert.equal(await stored('sim', 'totpSeed'), SEED_STORED);

    const badSeed = await cli(['login', '--instance', 'other', '--kind', 'totp', '--stdin'], { input: 'NOT-A-SEED-0189' });
    assert.equal(badSeed.code, 2);
    assert.match(badSeed.stderr, /not base32/);
    const spaced = await cli(['login', '--instance', 'other', '--stdin'], { input: 'two words' });
    assert.equal(spaced.code, 2);
    assert.match(spaced.stderr, /no spaces/);
    const empty = await cli(['login', '--instance', 'other', '--stdin'], { input: '' });
    assert.equal(empty.code, 2);
    assert.equal(await stored('other', 'token'), null);
    assert.equal(await stored('other', 'totpSeed'), null);
  });

  it('a second login replaces the value; defaults: password for basic auth, orgkey for cloud', async () => {
    await cli(['login', '--instance', 'sim', '--stdin'], { input: EXPIRED_TOKEN });
    const again = await cli(['login', '--instance', 'sim', '--stdin', '--json'], { input: ADMIN_TOKEN });
    assert.equal(oneJson(again).replaced, true);
    assert.equal(await stored('sim', 'token'), ADMIN_TOKEN);

    const basic = await cli(['login', '--instance', 'basic', '--stdin', '--json'], { input: `${PASSWORD}\n` });
    assert.equal(oneJson(basic).account, 'basic:password');
    assert.equal(await stored('basic', 'password'), PASSWORD, 'a password keeps its spaces');
    const org = await cli(['login', '--instance', 'org', '--stdin', '--json'], { input: ORG_KEY });
    assert.equal(oneJson(org).account, 'org:orgApiKey');
    assert.equal(await stored('org', 'orgApiKey'), ORG_KEY);
  });

  it('logout removes every kind of that instance and nothing of another', async () => {
    await cli(['login', '--instance', 'withdb', '--stdin'], { input: ADMIN_TOKEN });
    await cli(['login', '--instance', 'withdb', '--kind', 'db', '--stdin'], { input: DB_PASSWORD });
    await cli(['login', '--instance', 'withdb', '--kind', 'totp', '--stdin'], { input: SEED });
    const unused = await cli(['login', '--instance', 'withdb', '--kind', 'orgkey', '--stdin'], { input: ORG_KEY });
    assert.equal(unused.code, 0);
    assert.match(unused.stderr, /withdb does not use the organization API key \(it uses: token, totp, db\)/);
    await cli(['login', '--instance', 'other', '--stdin'], { input: ADMIN_TOKEN });

    const r = await cli(['logout', '--instance', 'withdb', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(oneJson(r), { ok: true, instance: 'withdb', removed: ['token', 'db', 'totp', 'orgkey'], environment: [] });
    for (const kind of ['token', 'password', 'dbPassword', 'totpSeed', 'orgApiKey']) assert.equal(await stored('withdb', kind), null, kind);
    assert.equal(await stored('other', 'token'), ADMIN_TOKEN);

    const list = await cli(['credentials', 'list', '--instance', 'withdb', '--json']);
    assert.deepEqual((oneJson(list).credentials as Array<{ stored: boolean }>).filter((c) => c.stored), []);
    const twice = await cli(['logout', '--instance', 'withdb']);
    assert.equal(twice.code, 0);
    assert.match(twice.stdout, /No credentials of withdb were stored/);
  });

  it('login on a real terminal (a pty from script(1)) echoes nothing of what is typed', async function () {
    if (!fs.existsSync('/usr/bin/script')) this.skip();
    const command = [process.execPath, DIST_CLI, 'login', '--instance', 'sim'].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
    const prompt = await waitFor(() => screen.includes('(input hidden): '), 10_000);
    assert.ok(prompt, `no prompt; screen: ${JSON.stringify(screen)}`);
    // Typed with a typo, fixed with Backspace, as a person would.
    child.stdin.write(`${TTY_TOKEN}X`);
    child.stdin.write('\u007f\r');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.destroy();
    allOutput.push(screen);
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(TTY_TOKEN), `the token was echoed: ${JSON.stringify(screen)}`);
    assert.match(screen, /Personal access token for sim \(input hidden\): /);
    assert.match(screen, /Stored the personal access token of sim/);
    assert.equal(await stored('sim', 'token'), TTY_TOKEN);
  });

  it('without a terminal and without --stdin, login refuses with exit code 2 and a hint', async () => {
    const r = await cli(['login', '--instance', 'sim']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No terminal to read the secret from/);
    assert.match(r.stderr, /--stdin/);
  });

  it('no secret value ever appeared in any output of this suite', () => {
    assertNeverPrinted(printedSecrets);
  });
});

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}
