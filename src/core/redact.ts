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

export class Redactor {
  private readonly secrets = new Set<string>();
  /** The secrets longest first, sorted when one is added rather than on every redact(). */
  private ordered: string[] = [];

  /** Remember a secret value so that it is masked wherever it appears later. */
  add(value: string | undefined): void {
    // Very short values would mask ordinary words; they are still caught by the patterns.
    if (value && value.length >= 4 && !this.secrets.has(value)) {
      this.secrets.add(value);
      this.ordered = [...this.secrets].sort((a, b) => b.length - a.length);
    }
  }

  /**
   * Whether a registered secret occurs in `text` as it stands. When none does, redact() gives
   * exactly what a redactor without secrets gives (only the patterns apply).
   */
  mentionsSecret(text: string): boolean {
    return this.ordered.some((s) => text.includes(s));
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const s of this.ordered) out = out.split(s).join(MASK);
    for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
    return out;
  }
}

/**
 * One redactor per process, shared by logging, error texts and the audit log. It hangs off
 * globalThis because the extension is several bundles (main, lazy HTTP, drivers), each with
 * its own copy of this module: a secret registered in one must be masked in all.
 */
const GLOBAL_KEY = Symbol.for('jira2fa.redactor');
export const redactor: Redactor = ((globalThis as Record<symbol, unknown>)[GLOBAL_KEY] as Redactor | undefined) ?? new Redactor();
(globalThis as Record<symbol, unknown>)[GLOBAL_KEY] = redactor;
