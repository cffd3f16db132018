/**
 * 429 handling for the Cloud admin client: the retry policy, the clock it sleeps on, and how
 * long the server asks us to wait (Retry-After, else X-RateLimit-Reset / RateLimit-Reset,
 * else exponential back-off).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { header, retryAfter, type HttpAnswer } from '../jira/classifyResponse';
import type { Clock } from '../totp';

export interface RetryPolicy {
  /** How many times a 429 is retried before giving up. */
  maxRetries: number;
  /** The longest single wait we accept; a server asking for more gets a rateLimited failure. */
  maxWaitMs: number;
  /** First back-off when the server gives no hint; doubles each time. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, maxWaitMs: 60_000, baseDelayMs: 1_000 };

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleepFor(ms, undefined, signal ? { signal } : undefined);
  },
};

/**
 * How long to wait after a 429: Retry-After (seconds or HTTP date), else a reset time in
 * X-RateLimit-Reset / RateLimit-Reset (epoch seconds, seconds from now, or an ISO date),
 * else exponential back-off from baseDelayMs.
 */
export function rateLimitWaitMs(a: Pick<HttpAnswer, 'headers'>, nowMs: number, retry: number, baseDelayMs: number): number {
  const seconds = retryAfter(header(a, 'retry-after'), nowMs);
  if (seconds !== undefined) return seconds * 1000;
  const reset = header(a, 'x-ratelimit-reset') ?? header(a, 'ratelimit-reset');
  if (reset && /^\s*\d+(\.\d+)?\s*$/.test(reset)) {
    const n = Number(reset);
    if (n > 1e12) return Math.max(0, Math.ceil(n - nowMs)); // epoch milliseconds
    if (n > 1e9) return Math.max(0, Math.ceil(n * 1000 - nowMs)); // epoch seconds
    return Math.ceil(n * 1000); // seconds from now
  }
  if (reset && !Number.isNaN(Date.parse(reset))) return Math.max(0, Date.parse(reset) - nowMs);
  return baseDelayMs * 2 ** (retry - 1);
}
