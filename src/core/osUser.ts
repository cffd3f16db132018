/** The OS account running this process, read once: who acted, when no product identity is known. */
import os from 'node:os';

let cached: string | undefined | null = null;

/** The account name, or undefined where the OS cannot tell (no passwd entry in a container). */
export function osUserOrUndefined(): string | undefined {
  if (cached === null) {
    try {
      cached = os.userInfo().username || undefined;
    } catch {
      cached = undefined;
    }
  }
  return cached;
}

/** The account name, "unknown" where the OS cannot tell. */
export function osUser(): string {
  return osUserOrUndefined() ?? 'unknown';
}
