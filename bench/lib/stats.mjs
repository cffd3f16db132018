// Small helpers shared by the bench scripts: timing, medians, and the one-line JSON each
// child script prints so that bench/run.mjs can collect it.
import { performance } from 'node:perf_hooks';

export const now = () => performance.now();

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` `runs` times (after `warmup` unmeasured runs) and returns the median of what it returns. */
export async function medianOf(runs, fn, warmup = 1) {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out = [];
  for (let i = 0; i < runs; i++) out.push(await fn(i));
  return { median: median(out), runs: out };
}

/** Times one async call in milliseconds. */
export async function timed(fn) {
  const t = now();
  await fn();
  return now() - t;
}

/** Each bench script ends by printing exactly one line starting with this marker. */
export const MARK = 'BENCH_RESULT ';

export function emit(result) {
  process.stdout.write(`${MARK}${JSON.stringify(result)}\n`);
}

export const round = (n, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);
