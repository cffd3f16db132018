/**
 * Where the CLI takes the admin's typed TOTP code from, without putting it in the process
 * list: `--totp-stdin` (one line from standard input; typed without echo on a terminal) or
 * $JIRA2FA_TOTP_CODE. The old `--totp <code>` still works, with a warning: any local user can
 * read a command line (ps, /proc) while the code is still valid.
 */
import { AppError } from '../core/errors';
import type { CliContext } from './context';
import { readAll, readHidden } from './commands/login';

export const TOTP_CODE_ENV = 'JIRA2FA_TOTP_CODE';

export const TOTP_OPTION_HELP = {
  totp: `deprecated: visible in the process list; use --totp-stdin or $${TOTP_CODE_ENV}`,
  totpStdin: 'read your own current 6-digit code from standard input (one line; hidden on a terminal)',
};

export interface TotpCodeOptions {
  totp?: string;
  totpStdin?: boolean;
}

/** The typed code, or undefined when none was given (the stored seed is used then). */
export async function typedTotpCode(ctx: CliContext, opts: TotpCodeOptions): Promise<string | undefined> {
  if (opts.totp !== undefined && opts.totpStdin) throw new AppError('input', 'Give your code one way: --totp-stdin or --totp, not both.');
  if (opts.totp !== undefined) {
    ctx.warn(`--totp puts your code in the process list, where other users of this computer can read it: use --totp-stdin or $${TOTP_CODE_ENV}.`);
    return opts.totp;
  }
  if (opts.totpStdin) return readCodeLine(ctx);
  const fromEnv = ctx.io.env[TOTP_CODE_ENV];
  return fromEnv ? fromEnv : undefined;
}

async function readCodeLine(ctx: CliContext): Promise<string> {
  const input = ctx.io.stdin ?? process.stdin;
  if (input.isTTY) {
    try {
      return await readHidden(input, () => ctx.io.stderr('Your current TOTP code (input hidden): '));
    } finally {
      ctx.io.stderr('\n');
    }
  }
  const line = (await readAll(input)).split(/\r?\n/, 1)[0];
  if (!line.trim()) throw new AppError('input', 'Standard input held no TOTP code.', `Pipe your current code, e.g. printf '%s\\n' "$CODE" | jira2fa unenroll … --totp-stdin`);
  return line;
}
