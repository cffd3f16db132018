/**
 * Every line we log passes through a Redactor. It removes the values of secrets it was told
 * about (each secret is registered when it is read from the store) and anything shaped like
 * a credential: Authorization headers, Bearer/Basic tokens, passwords in URLs, TOTP codes
 * in request bodies.
 */
const MASK = '***';

const PATTERNS: Array<[RegExp, string]> = [
  [/(authorization["']?\s*[:=]\s*["']?)(bearer|basic)?\s*[^\s"',}]+/gi, `$1$2 ${MASK}`],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${MASK}`],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${MASK}@`],
  [/("?(?:totpCode|password|token|secret|apiKey|seed)"?\s*[:=]\s*"?)[^"\s,}&]+/gi, `$1${MASK}`],
];

/**
 * Text every pattern above needs in order to match (the same letters, compared the same way:
 * case-insensitive, no unicode flag). A text without any of them is left as it is by all the
 * patterns, so redact() skips them; most texts (names, keys, ids) are such texts.
 */
const SUSPECT = /authorization|bearer|basic|\/\/|totpcode|password|token|secret|apikey|seed/i;

/** The credential-shaped patterns, every one of them, on `text` (no shortcut). */
export function applyPatterns(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** How long a TOTP code stays registered: a server accepts it for about three 30-second windows. */
export const SHORT_LIVED_MS = 3 * 60 * 1000;

const ALL_DIGITS = /^\d+$/;

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Short-lived secrets (TOTP codes) and when they stop being masked. */
  private readonly expiry = new Map<string, number>();
  /**
   * The secrets longest first, with the pattern of each digit-only one, made when the set
   * changes rather than on every redact().
   */
  private ordered: Array<{ secret: string; digits?: RegExp }> = [];

  constructor(private now: () => number = Date.now) {}

  /**
   * Replaces the clock that ends short-lived masks; returns the one it replaced. For tests of
   * the shared redactor (an hour passes without waiting one).
   */
  useClock(now: () => number): () => number {
    const previous = this.now;
    this.now = now;
    return previous;
  }

  /**
   * Remember a secret value so that it is masked wherever it appears later. Not for TOTP
   * codes (addShortLived): adding a short-lived value here makes it permanent.
   */
  add(value: string | undefined): void {
    // Very short values would mask ordinary words; they are still caught by the patterns.
    if (!value || value.length < 4) return;
    if (this.expiry.delete(value)) return; // now a long-lived secret
    if (this.secrets.has(value)) return;
    this.secrets.add(value);
    this.order();
  }

  /**
   * Remember a value that is secret only for a while: a TOTP code. Masking it for the whole
   * life of the process would, after a day of bulk runs, hide thousands of six-digit numbers
   * in ids and times; after `ttlMs` it is no longer worth anything and is forgotten.
   */
  addShortLived(value: string | undefined, ttlMs = SHORT_LIVED_MS): void {
    if (!value || value.length < 4) return;
    if (this.secrets.has(value) && !this.expiry.has(value)) return; // already long-lived
    this.expiry.set(value, this.now() + ttlMs);
    if (!this.secrets.has(value)) {
      this.secrets.add(value);
      this.order();
    }
  }

  /**
   * Whether a registered secret occurs in `text` as it stands. When none does, redact() gives
   * exactly what a redactor without secrets gives (only the patterns apply).
   */
  mentionsSecret(text: string): boolean {
    this.forgetExpired();
    for (const { secret, digits } of this.ordered) if (digits ? text.search(digits) >= 0 : text.includes(secret)) return true;
    return false;
  }

  redact(text: string): string {
    this.forgetExpired();
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const { secret, digits } of this.ordered) {
      if (digits) out = out.replace(digits, MASK);
      else if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return SUSPECT.test(out) ? applyPatterns(out) : out;
  }

  private order(): void {
    this.ordered = [...this.secrets]
      .sort((a, b) => b.length - a.length)
      .map((secret) => (ALL_DIGITS.test(secret) ? { secret, digits: standingAlone(secret) } : { secret }));
  }

  private forgetExpired(): void {
    if (!this.expiry.size) return;
    const now = this.now();
    let changed = false;
    for (const [value, until] of this.expiry) {
      if (until > now) continue;
      this.expiry.delete(value);
      this.secrets.delete(value);
      changed = true;
    }
    if (changed) this.order();
  }
}

/**
 * A secret made only of digits (a TOTP code, a numeric PIN) is masked where it stands as a
 * number of its own, not inside a longer run of digits: a code 123308 must not eat the middle
 * of a backup id "20261203T123308515Z" that the user has to copy. Other secrets match anywhere.
 */
function standingAlone(digits: string): RegExp {
  return new RegExp(`(?<!\\d)${digits}(?!\\d)`, 'g');
}

/**
 * One redactor per process, shared by logging, error texts and the audit log. It hangs off
 * globalThis because the extension is several bundles (main, lazy HTTP, drivers), each with
 * its own copy of this module: a secret registered in one must be masked in all.
 */
const GLOBAL_KEY = Symbol.for('jira2fa.redactor');
export const redactor: Redactor = ((globalThis as Record<symbol, unknown>)[GLOBAL_KEY] as Redactor | undefined) ?? new Redactor();
(globalThis as Record<symbol, unknown>)[GLOBAL_KEY] = redactor;
