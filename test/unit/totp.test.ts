import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import { AppError } from '../../src/core/errors';
import { codeAt, currentCode, decodeSeed, normalizeTypedCode, ReplayGuard, replayGuardFor, secondsLeft, seedProblem, timeStep } from '../../src/core/totp';
import { FakeClock } from '../support/fakes';

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890"; 6-digit codes are the last 6 of the 8.
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];
const WINDOW = 30_000;

describe('totp: codes', () => {
  for (const [t, code] of RFC_VECTORS) {
    it(`matches RFC 6238 at T=${t}`, () => assert.equal(codeAt(decodeSeed(RFC_SEED), t * 1000), code));
  }

  it('accepts the spellings apps show: lower case, spaces, dashes, padding', () => {
    const expected = codeAt(decodeSeed(RFC_SEED), 59_000);
    for (const s of ['gezdgnbvgy3tqojqgezdgnbvgy3tqojq', 'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ', 'GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ', `${RFC_SEED}====`]) {
      assert.equal(codeAt(decodeSeed(s), 59_000), expected, s);
    }
  });

  it('accepts an 80-bit (16 character) seed and agrees with otplib decoding it itself', () => {
    const seed = 'JBSWY3DPEHPK3PXP';
    const ours = codeAt(decodeSeed(seed), 1_700_000_000_000);
    const theirs = generateSync({ secret: seed, epoch: 1_700_000_000, guardrails: { MIN_SECRET_BYTES: 10, MAX_SECRET_BYTES: 64, MIN_PERIOD: 1, MAX_PERIOD: 3600, MAX_COUNTER: Number.MAX_SAFE_INTEGER, MAX_WINDOW: 99 } });
    assert.equal(ours, theirs);
  });

  it('ignores unused trailing bits as authenticator apps do', () => {
    // Q (10000) and R (10001) differ only in the two bits that do not fill a byte.
    assert.deepEqual(decodeSeed('JBSWY3DPEHPK3PXPJBSWY3DPER'), decodeSeed('JBSWY3DPEHPK3PXPJBSWY3DPEQ'));
    assert.equal(decodeSeed('JBSWY3DPEHPK3PXPJBSWY3DPEQ').length, 16);
  });

  it('currentCode reports the code, its time step and seconds left', () => {
    const clock = new FakeClock(59_000);
    assert.deepEqual(currentCode(RFC_SEED, clock), { code: '287082', step: 1, secondsLeft: 1 });
  });

  it('counts seconds left in the 30 s window', () => {
    assert.equal(secondsLeft(0), 30);
    assert.equal(secondsLeft(29_999), 1);
    assert.equal(secondsLeft(30_000), 30);
    assert.equal(secondsLeft(45_500), 15);
    assert.equal(timeStep(59_999), 1);
    assert.equal(timeStep(60_000), 2);
  });
});

describe('totp: seed validation', () => {
  it('names the bad character and the base32 confusion, without repeating the seed', () => {
    const seed = 'JBSWY3DPEHPK3PX1ABCDEFGH';
    const problem = seedProblem(seed);
    assert.match(problem ?? '', /character 16 is "1"/);
    assert.match(problem ?? '', /no 0, 1, 8 or 9/);
    assert.ok(!problem!.includes('JBSWY3DP'), 'the seed must not be echoed');
  });

  it('refuses empty, short and absurdly long seeds', () => {
    assert.match(seedProblem('') ?? '', /empty/);
    assert.match(seedProblem('  -  ') ?? '', /empty/);
    assert.match(seedProblem('JBSWY3DPEHPK3PX') ?? '', /too short \(15 characters; at least 16\)/);
    assert.match(seedProblem('A'.repeat(104)) ?? '', /too long/);
    assert.equal(seedProblem('A'.repeat(102)), undefined);
  });

  it('names control characters by code point', () => {
    assert.match(seedProblem('JBSWY3DPEHPK3PXP\u0000') ?? '', /U\+0000/);
  });

  it('decodeSeed throws an input AppError', () => {
    assert.throws(() => decodeSeed('not a seed!'), (e: unknown) => e instanceof AppError && e.kind === 'input' && /not base32/.test(e.message));
  });
});

describe('totp: typed codes', () => {
  it('normalises spaces and refuses anything but 6 ASCII digits', () => {
    assert.equal(normalizeTypedCode('123 456'), '123456');
    assert.equal(normalizeTypedCode(' 123-456 '), '123456');
    for (const bad of ['', '12345', '1234567', '12345a', '１２３４５６', '123\n456x']) assert.equal(normalizeTypedCode(bad), undefined, JSON.stringify(bad));
  });
});

describe('totp: ReplayGuard', () => {
  const seed = decodeSeed(RFC_SEED);
  const start = 1_000 * WINDOW + 5_000; // 5 s into a window

  it('hands out the current code, then waits for the next window instead of repeating it', async () => {
    const clock = new FakeClock(start);
    const guard = new ReplayGuard('i1', clock);
    const first = await guard.nextCode(seed);
    assert.deepEqual({ step: first.step, waited: first.waitedMs }, { step: 1000, waited: 0 });
    assert.equal(first.code, codeAt(seed, start));
    const waits: number[] = [];
    const second = await guard.nextCode(seed, { onWait: (ms) => waits.push(ms) });
    assert.deepEqual(waits, [25_000]);
    assert.equal(second.step, 1001);
    assert.equal(second.waitedMs, 25_000);
    assert.notEqual(second.code, first.code);
    assert.equal(second.code, codeAt(seed, 1001 * WINDOW));
  });

  it('serves concurrent callers different windows', async () => {
    const guard = new ReplayGuard('i1', new FakeClock(start));
    const [a, b, c] = await Promise.all([guard.nextCode(seed), guard.nextCode(seed), guard.nextCode(seed)]);
    assert.deepEqual([a.step, b.step, c.step], [1000, 1001, 1002]);
    assert.equal(new Set([a.code, b.code, c.code]).size, 3);
  });

  it('refuses a typed code the second time and says when the next one comes', async () => {
    const clock = new FakeClock(start);
    const guard = new ReplayGuard('i1', clock);
    assert.deepEqual(await guard.claimTypedCode('123456'), { ok: true });
    assert.deepEqual(await guard.claimTypedCode('123456'), { ok: false, retryInSeconds: 25 });
    assert.deepEqual(await guard.claimTypedCode('654321'), { ok: true });
    clock.advance(2 * WINDOW);
    assert.equal((await guard.claimTypedCode('123456')).ok, false, 'still inside the validity a server allows');
    clock.advance(3 * WINDOW);
    assert.equal((await guard.claimTypedCode('123456')).ok, true, 'long expired: the same digits are a new code');
  });

  it('after a typed code, the seed waits for the next window (it would produce the same code)', async () => {
    const clock = new FakeClock(start);
    const guard = new ReplayGuard('i1', clock);
    const typed = codeAt(seed, start);
    assert.ok((await guard.claimTypedCode(typed)).ok);
    const issued = await guard.nextCode(seed);
    assert.notEqual(issued.code, typed);
    assert.deepEqual(clock.sleeps, [25_000]);
  });

  it('a code handed out from the seed cannot be claimed again by typing it', async () => {
    const guard = new ReplayGuard('i1', new FakeClock(start));
    const issued = await guard.nextCode(seed);
    assert.equal((await guard.claimTypedCode(issued.code)).ok, false);
    assert.ok(guard.wasUsed(issued.code));
  });

  it('stops waiting when cancelled', async () => {
    const clock = new FakeClock(start);
    const guard = new ReplayGuard('i1', clock);
    await guard.nextCode(seed);
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await assert.rejects(guard.nextCode(seed, { signal: controller.signal }), /user cancelled/);
    // The queue survives a rejected caller.
    assert.equal((await guard.nextCode(seed)).step, 1001);
  });

  it('keeps one guard per instance', () => {
    assert.equal(replayGuardFor('unit-a'), replayGuardFor('unit-a'));
    assert.notEqual(replayGuardFor('unit-a'), replayGuardFor('unit-b'));
    assert.equal(replayGuardFor('unit-a').instanceId, 'unit-a');
  });
});
