/**
 * The admin's own TOTP: seed validation, the current 6-digit code (RFC 6238, SHA-1, 30 s,
 * as Atlassian's tsv plugin and every authenticator app use), and a ReplayGuard per
 * instance so the same code is never handed out or sent twice: a server that saw a code
 * refuses it the second time, and a refused code is a confusing "invalid code" for the user.
 *
 * The seed is decoded here rather than by otplib's base32 plugin: authenticator apps accept
 * seeds with spaces, dashes, lower case, padding and unused trailing bits, and a user
 * pasting one needs a precise message, not "Non-zero padding".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createGuardrails, generateSync } from 'otplib';
import { AppError } from './errors';
import { printable } from './printable';
import { redactor } from './redact';
import type { StepLedger } from './totpLedger';

export const PERIOD_SECONDS = 30;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 16 base32 characters = 80 bits: the shortest seed authenticator apps issue. */
export const MIN_SEED_CHARS = 16;
const MAX_SEED_BYTES = 64;
// otplib's default floor is 16 bytes; 80-bit seeds are common (and it is the server's seed
// we reproduce, not one we choose), so the floor is lowered to 10 bytes.
const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10, MAX_SECRET_BYTES: MAX_SEED_BYTES });

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  },
};

/** Spaces, dashes and "=" padding removed, upper case: the form apps display. */
export function normalizeSeed(raw: string): string {
  return raw.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
}

/** Why a seed is unusable, or undefined. Never repeats the seed (it is a secret). */
export function seedProblem(raw: string): string | undefined {
  const seed = normalizeSeed(raw ?? '');
  if (!seed) return 'The TOTP seed is empty.';
  const bad = [...seed].findIndex((c) => !ALPHABET.includes(c));
  if (bad >= 0) {
    const c = seed[bad];
    // Characters outside the alphabet are not secret material, so naming them is safe.
    const hint = /[0189]/.test(c) ? ` (base32 has no 0, 1, 8 or 9: did you mean O, I or L, B?)` : '';
    return `The TOTP seed is not base32: character ${bad + 1} is "${printableChar(c)}"${hint}. Base32 uses the letters A-Z and digits 2-7.`;
  }
  if (seed.length < MIN_SEED_CHARS) return `The TOTP seed is too short (${seed.length} characters; at least ${MIN_SEED_CHARS}). Copy the whole secret from the setup page.`;
  if (Math.floor((seed.length * 5) / 8) > MAX_SEED_BYTES) return `The TOTP seed is too long (more than ${MAX_SEED_BYTES} bytes). Is it really a TOTP secret?`;
  return undefined;
}

/** Decodes a seed to bytes; throws AppError('input') with seedProblem's message. */
export function decodeSeed(raw: string): Uint8Array {
  const problem = seedProblem(raw);
  if (problem) throw new AppError('input', problem, 'Store your own TOTP seed again with "Set Credentials…", or type your code instead.');
  redactor.add(raw);
  const seed = normalizeSeed(raw);
  redactor.add(seed);
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of seed) {
    value = (value << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  // Leftover bits (< 8) are padding and ignored, as authenticator apps do.
  return Uint8Array.from(out);
}

/** The RFC 6238 time step of an instant. */
export function timeStep(nowMs: number, period = PERIOD_SECONDS): number {
  return Math.floor(nowMs / 1000 / period);
}

/** Whole seconds until the current code expires (1..period). */
export function secondsLeft(nowMs: number, period = PERIOD_SECONDS): number {
  const elapsed = Math.floor(nowMs / 1000) % period;
  return period - elapsed;
}

/** The 6-digit code for an instant. */
export function codeAt(seed: Uint8Array, nowMs: number): string {
  return generateSync({ secret: seed, epoch: Math.floor(nowMs / 1000), period: PERIOD_SECONDS, digits: 6, algorithm: 'sha1', guardrails: GUARDRAILS });
}

export interface CurrentCode {
  code: string;
  step: number;
  secondsLeft: number;
}

/** The current code of a seed (for display: "123 456, 12 s left"). Does not consume it. */
export function currentCode(rawSeed: string, clock: Clock = systemClock): CurrentCode {
  const now = clock.now();
  const code = codeAt(decodeSeed(rawSeed), now);
  redactor.addShortLived(code);
  return { code, step: timeStep(now), secondsLeft: secondsLeft(now) };
}

/** A typed code with spaces removed ("123 456"), or undefined when it is not 6 digits. */
export function normalizeTypedCode(raw: string): string | undefined {
  const code = (raw ?? '').replace(/[\s-]/g, '');
  return /^\d{6}$/.test(code) ? code : undefined;
}

/** One character for a message in quotes: the quote itself is named too. */
function printableChar(c: string): string {
  return c === '"' ? 'U+0022' : printable(c);
}

// ---- Replay guard ----------------------------------------------------------------------
// Servers accept a code for about three windows (current ±1) and refuse a second use; so
// once a code is handed out (generated from the stored seed, or typed and claimed) it is
// remembered until it cannot be valid any more, and the next request from the seed waits
// for the next window. One guard per instance per process (a CLI bulk run, an extension
// session); with a StepLedger (totpLedger.ts) the windows used are also shared with the
// other processes on this machine, so a second CLI run in the same window waits too.

/** How long a used code is remembered: the ±1 window a server accepts, plus skew margin. */
const REMEMBER_MS = 4 * PERIOD_SECONDS * 1000;

export interface IssuedCode {
  code: string;
  step: number;
  /** Seconds the code has left in its window when handed out. */
  secondsLeft: number;
  /** How long we waited for a fresh window (0 when none was needed). */
  waitedMs: number;
}

export type TypedCodeClaim = { ok: true } | { ok: false; retryInSeconds: number };

/** Windows in a row that other processes may take before a waiting code request gives up (10 minutes). */
const MAX_WINDOWS_TAKEN_BY_OTHERS = 20;

export class ReplayGuard {
  private lastStep = -Infinity;
  private readonly used = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly instanceId: string,
    private readonly clock: Clock = systemClock,
    private ledger?: StepLedger,
  ) {}

  /** Shares the windows used with other processes through `ledger` from now on. */
  useLedger(ledger: StepLedger | undefined): void {
    this.ledger = ledger;
  }

  /**
   * A code from the seed that was never handed out for this instance, waiting for the next
   * window when the current one was used (here or, with a ledger, by another process).
   * Concurrent callers are served one after the other, so two parallel unenrolls never get
   * the same window.
   */
  nextCode(seed: Uint8Array, opts: { onWait?: (ms: number) => void; signal?: AbortSignal } = {}): Promise<IssuedCode> {
    const run = this.queue.then(() => this.issue(seed, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Accepts a typed code once; a repeat within its validity is refused without sending it.
   * The window is noted in the ledger, so other processes do not generate the same code.
   */
  async claimTypedCode(code: string): Promise<TypedCodeClaim> {
    const now = this.clock.now();
    this.forget(now);
    if (this.used.has(code)) return { ok: false, retryInSeconds: secondsLeft(now) };
    this.used.set(code, now + REMEMBER_MS);
    // The typed code is most likely this window's: the seed must not produce it again.
    const step = timeStep(now);
    this.lastStep = Math.max(this.lastStep, step);
    await this.claimWindow(step);
    return { ok: true };
  }

  /** Whether a code is still remembered as used (for tests and diagnostics). */
  wasUsed(code: string): boolean {
    this.forget(this.clock.now());
    return this.used.has(code);
  }

  private async issue(seed: Uint8Array, opts: { onWait?: (ms: number) => void; signal?: AbortSignal }): Promise<IssuedCode> {
    let waitedMs = 0;
    let repeats = 0;
    let takenByOthers = 0;
    // One wait is the normal case; a second only if the next window happens to repeat a
    // remembered code (one in a million), or when other processes keep using the windows.
    for (;;) {
      const now = this.clock.now();
      this.forget(now);
      const step = timeStep(now);
      const code = codeAt(seed, now);
      if (step > this.lastStep && !this.used.has(code)) {
        const usedElsewhere = await this.claimWindow(step);
        if (usedElsewhere === undefined) {
          this.lastStep = step;
          this.used.set(code, now + REMEMBER_MS);
          return { code, step, secondsLeft: secondsLeft(now), waitedMs };
        }
        this.lastStep = Math.max(this.lastStep, usedElsewhere);
        if (++takenByOthers > MAX_WINDOWS_TAKEN_BY_OTHERS) {
          throw new AppError(
            'refused',
            `Other programs on this computer used every TOTP code window of ${this.instanceId} for ${Math.round((MAX_WINDOWS_TAKEN_BY_OTHERS * PERIOD_SECONDS) / 60)} minutes, so no fresh code was free.`,
            'Wait for the other run (another jira2fa command or the editor) to finish, then try again.',
          );
        }
      } else if (++repeats > 5) {
        throw new Error('No fresh TOTP code became available; check the system clock.');
      }
      const nextWindowMs = (Math.max(step, this.lastStep) + 1) * PERIOD_SECONDS * 1000;
      const ms = Math.max(1, nextWindowMs - this.clock.now());
      opts.onWait?.(ms);
      await this.clock.sleep(ms, opts.signal);
      waitedMs += ms;
    }
  }

  /**
   * Claims the window in the ledger: undefined when it is ours (or there is no usable ledger:
   * then this process's memory and the server's own replay check remain), else the last
   * window another process used.
   */
  private async claimWindow(step: number): Promise<number | undefined> {
    if (!this.ledger) return undefined;
    try {
      const r = await this.ledger.claim(this.instanceId, step);
      return r.claimed ? undefined : r.lastStep;
    } catch {
      return undefined;
    }
  }

  private forget(now: number): void {
    for (const [code, until] of this.used) if (until <= now) this.used.delete(code);
  }
}

const guards = new Map<string, ReplayGuard>();

/**
 * The process-wide guard of an instance (created on first use). The CLI and the extension pass
 * the ledger file they share (totpLedgerPath()); tests leave it out.
 */
export function replayGuardFor(instanceId: string, clock?: Clock, ledger?: StepLedger): ReplayGuard {
  let guard = guards.get(instanceId);
  if (!guard) {
    guard = new ReplayGuard(instanceId, clock, ledger);
    guards.set(instanceId, guard);
  } else if (ledger) {
    guard.useLedger(ledger);
  }
  return guard;
}
