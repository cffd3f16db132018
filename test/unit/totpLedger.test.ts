/**
 * The used-window ledger shared between processes: two ReplayGuards with their own memory (as
 * two processes have) and one ledger file must never hand out the same window.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/core/errors';
import { codeAt, decodeSeed, ReplayGuard } from '../../src/core/totp';
import { FileStepLedger, totpLedgerPath, type StepLedger } from '../../src/core/totpLedger';
import { FakeClock } from '../support/fakes';

const SEED = decodeSeed('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
const WINDOW = 30_000;
const START = 1_000 * WINDOW + 5_000;

describe('totp: the used-window ledger shared by processes', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-ledger-'));
    file = path.join(dir, 'state', 'totp-windows.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('claims a window once per instance, and never an earlier one', async () => {
    const ledger = new FileStepLedger(file);
    assert.deepEqual(await ledger.claim('a', 1000), { claimed: true, lastStep: 1000 });
    assert.deepEqual(await ledger.claim('a', 1000), { claimed: false, lastStep: 1000 });
    assert.deepEqual(await ledger.claim('a', 999), { claimed: false, lastStep: 1000 });
    assert.deepEqual(await ledger.claim('b', 1000), { claimed: true, lastStep: 1000 }, 'another instance has its own windows');
    assert.deepEqual(await new FileStepLedger(file).claim('a', 1001), { claimed: true, lastStep: 1001 }, 'a second reader of the same file');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('a second process generating a code in the same window waits for the next one', async () => {
    const clockA = new FakeClock(START);
    const clockB = new FakeClock(START);
    const a = new ReplayGuard('sim', clockA, new FileStepLedger(file));
    const b = new ReplayGuard('sim', clockB, new FileStepLedger(file));
    const first = await a.nextCode(SEED);
    const waits: number[] = [];
    const second = await b.nextCode(SEED, { onWait: (ms) => waits.push(ms) });
    assert.equal(first.step, 1000);
    assert.deepEqual([second.step, waits], [1001, [25_000]]);
    assert.notEqual(second.code, first.code);
    assert.equal(second.code, codeAt(SEED, 1001 * WINDOW));
  });

  it('a code typed in one process makes the other wait too; the file holds window numbers, never a code', async () => {
    const a = new ReplayGuard('sim', new FakeClock(START), new FileStepLedger(file));
    const b = new ReplayGuard('sim', new FakeClock(START), new FileStepLedger(file));
    const typed = codeAt(SEED, START);
    assert.deepEqual(await a.claimTypedCode(typed), { ok: true });
    const issued = await b.nextCode(SEED);
    assert.equal(issued.step, 1001);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes(typed) && !text.includes(issued.code), text);
    assert.deepEqual(Object.keys(JSON.parse(text).instances), ['sim']);
  });

  it('without the ledger, the same two processes would send the same code (what the ledger prevents)', async () => {
    const a = new ReplayGuard('sim', new FakeClock(START));
    const b = new ReplayGuard('sim', new FakeClock(START));
    assert.equal((await a.nextCode(SEED)).code, (await b.nextCode(SEED)).code);
  });

  it('a damaged file counts as empty and is rewritten', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const junk of ['{not json', '[]', 'null', '{"instances":{"sim":{"lastStep":"9e99","at":"x"}}}']) {
      fs.writeFileSync(file, junk);
      assert.deepEqual(await new FileStepLedger(file).claim('sim', 5), { claimed: true, lastStep: 5 }, junk);
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).instances.sim.lastStep, 5);
    }
  });

  it('forgets instances not used for ten minutes', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const ledger = new FileStepLedger(file, () => now);
    await ledger.claim('old', 1);
    now += 11 * 60_000;
    await ledger.claim('new', 2);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).instances), ['new']);
  });

  it('a ledger that cannot be used leaves the guard to its own memory', async () => {
    fs.writeFileSync(path.join(dir, 'state'), 'a file where the folder should be');
    const guard = new ReplayGuard('sim', new FakeClock(START), new FileStepLedger(file));
    const first = await guard.nextCode(SEED);
    const second = await guard.nextCode(SEED);
    assert.deepEqual([first.step, second.step], [1000, 1001]);
  });

  it('gives up with a clear refusal when other processes take every window for ten minutes', async () => {
    const greedy: StepLedger = { claim: async (_id, step) => ({ claimed: false, lastStep: step }) };
    const clock = new FakeClock(START);
    const guard = new ReplayGuard('sim', clock, greedy);
    const e = await guard.nextCode(SEED).then(() => assert.fail('no window was free'), (err: unknown) => err);
    assert.ok(e instanceof AppError && e.kind === 'refused', String(e));
    assert.match(e.message, /Other programs on this computer used every TOTP code window of sim for 10 minutes/);
    assert.ok(clock.ms - START <= 11 * 60_000, 'it waited about ten minutes, not forever');
  });

  it('real processes claiming at once: each window goes to exactly one of them', async function () {
    this.timeout(30_000);
    const script = path.join(dir, 'claim.js');
    const ledgerModule = require.resolve('../../src/core/totpLedger');
    fs.writeFileSync(script, `
      require(${JSON.stringify(require.resolve('tsx/cjs'))});
      const { FileStepLedger } = require(${JSON.stringify(ledgerModule)});
      (async () => {
        const ledger = new FileStepLedger(process.argv[2]);
        const won = [];
        for (let step = 1; step <= 20; step++) if ((await ledger.claim('sim', step)).claimed) won.push(step);
        process.send(won, () => process.exit(0));
      })();`);
    const runs = [0, 1, 2, 3].map(
      () =>
        new Promise<number[]>((resolve, reject) => {
          const child = fork(script, [file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          child.once('message', (m) => resolve(m as number[]));
          child.once('error', reject);
          child.once('exit', (code) => code !== 0 && reject(new Error(`claimer exited ${code}`)));
        }),
    );
    const won = (await Promise.all(runs)).flat().sort((x, y) => x - y);
    assert.deepEqual(won, [...new Set(won)], `a window was claimed twice: ${won.join(',')}`);
    assert.equal(won[0], 1, 'the first window went to whichever process came first');
  });

  it('lives next to the audit log unless JIRA2FA_TOTP_LEDGER_FILE says otherwise', () => {
    assert.equal(totpLedgerPath({ XDG_STATE_HOME: '/s', HOME: '/h' }), path.join('/s', 'jira2fa', 'totp-windows.json'));
    assert.equal(totpLedgerPath({ JIRA2FA_TOTP_LEDGER_FILE: '/x/l.json' }), '/x/l.json');
  });
});
