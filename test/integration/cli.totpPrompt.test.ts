/**
 * `unenroll --totp-stdin` on a real terminal: a pty from script(1) runs the CLI from source,
 * the admin's TOTP code is typed key by key at the prompt, and what the terminal shows never
 * contains it. A terminal echoes what is typed unless the prompt turns echo off (raw mode), so
 * this fails the moment the prompt stops doing that. The simulator receiving exactly the typed
 * code proves the code went through the prompt.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeAt, decodeSeed } from '../../src/core/totp';
import { cliFilesEnv } from '../support/cliInProcess';
import { ADMIN_SEED, ADMIN_TOKEN, standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'test', 'support', 'cliFromSource.ts');
const PROMPT = 'Your current TOTP code (input hidden): ';

const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CLI: the TOTP code typed at the terminal prompt is never echoed', function () {
  this.timeout(90_000);
  let dir: string;
  let sim: JiraSimulator;

  before(function () {
    if (!fs.existsSync('/usr/bin/script')) this.skip();
  });
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-totp-prompt-'));
    sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures()) });
    fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify({ version: 1, instances: [{ id: 'sim', name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' }] }));
  });
  afterEach(async () => {
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('unenroll --totp-stdin: the code is typed key by key, sent to Jira, and not on the screen', async () => {
    const command = [process.execPath, '--require', 'tsx/cjs', '--import', 'tsx/esm', CLI, 'unenroll', '--instance', 'sim', '--user', 'jdoe', '--totp-stdin'].map(quote).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        JIRA2FA_KEYCHAIN: 'off',
        JIRA2FA_TOKEN: ADMIN_TOKEN,
        ...cliFilesEnv(dir),
        JIRA2FA_ADMIN: 'tty-admin',
      },
    });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));

    for (let waited = 0; !screen.includes(PROMPT); waited += 100) {
      assert.ok(waited < 60_000, `no prompt; screen: ${JSON.stringify(screen)}`);
      await sleep(100);
    }
    const typed = codeAt(decodeSeed(ADMIN_SEED), Date.now());
    for (const digit of typed) {
      child.stdin.write(digit);
      await sleep(20);
    }
    child.stdin.write('\r');
    const code = await closed;
    child.stdin.destroy();

    assert.equal(code, 0, screen);
    assert.deepEqual(sim.requestsOf('DELETE').map((d) => JSON.parse(d.body).totpCode), [typed], 'the typed code reached Jira');
    const afterPrompt = screen.slice(screen.indexOf(PROMPT) + PROMPT.length);
    assert.ok(!screen.includes(typed), `the code was echoed: ${JSON.stringify(screen)}`);
    assert.doesNotMatch(afterPrompt, /^\s*\d/, 'no digit right after the prompt: not even part of the code was echoed');
    assert.match(afterPrompt, /jdoe/);
  });
});
