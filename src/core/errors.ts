/**
 * Failure categories shared by the extension and the CLI. The CLI turns them into exit
 * codes: 0 ok, 1 refused (by the server or a guard), 2 usage or bad input,
 * 3 network / TLS / timeout / database unreachable.
 */
export type FailureKind = 'refused' | 'input' | 'unreachable';

export const EXIT_CODES = { ok: 0, refused: 1, input: 2, unreachable: 3 } as const;

export class AppError extends Error {
  constructor(
    public readonly kind: FailureKind,
    message: string,
    /** What the user can do about it, one sentence. */
    public readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
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
