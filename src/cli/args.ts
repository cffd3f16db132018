/** Option-argument parsers for commander; a bad value is a usage error (exit code 2). */
import { InvalidArgumentError } from 'commander';

/** An integer in [min, max]. */
export function intInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** A non-empty argument (an empty string from a script's unset variable is an error). */
export function nonEmpty(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError('Expected a non-empty value.');
  return value;
}
