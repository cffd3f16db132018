/**
 * Failure categories shared by the extension and the CLI. The CLI turns them into exit
 * codes: 0 ok, 1 refused (by the server or a guard), 2 usage or bad input,
 * 3 network / TLS / timeout / database unreachable.
 */
export type FailureKind = 'refused' | 'input' | 'unreachable';

export const EXIT_CODES = { ok: 0, refused: 1, input: 2, unreachable: 3 } as const;

/**
 * Our bundles (dist/extension.js, each dist/lazy/*.js, the CLI) each carry their own copy of
 * these classes, so a plain `instanceof` is false for an error thrown in a lazily loaded bundle
 * and caught in another one: its kind and hint were lost on the way to the user. So each class
 * of the AppError family names itself (`static brand`), every instance records the brands of
 * its class chain under a process-wide symbol, and `instanceof` also accepts an instance of a
 * copy with the same brand. A subclass without its own `brand` keeps the plain check.
 */
const BRANDS = Symbol.for('jira2fa.errorBrands');

type Branded = { [BRANDS]?: unknown };

export class AppError extends Error {
  static readonly brand: string = 'AppError';

  constructor(
    public readonly kind: FailureKind,
    message: string,
    /** What the user can do about it, one sentence. */
    public readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    const brands: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) brands.push((c as typeof AppError).brand);
    }
    Object.defineProperty(this, BRANDS, { value: Object.freeze(brands) });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || !Object.hasOwn(this, 'brand')) return false;
    const brands = (value as Branded)[BRANDS];
    return Array.isArray(brands) && brands.includes(this.brand);
  }
}

export function exitCodeFor(kind: FailureKind): number {
  return EXIT_CODES[kind];
}

/** Message plus hint, for one-line display. */
export function describeError(e: unknown): string {
  if (e instanceof AppError) return e.hint ? `${e.message} ${e.hint}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
