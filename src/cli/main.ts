/**
 * The jira2fa CLI. main() parses the arguments, runs one command and returns the exit code;
 * it never calls process.exit, so tests run it in-process with a captured io.
 */
import { Command, CommanderError } from 'commander';
import { AppError, EXIT_CODES } from '../core/errors';
import { printableLines } from '../core/printable';
import { redactor } from '../core/redact';
import { COMMANDS } from './commands';
import type { CliCommand } from './commands/types';
import { CliContext, errorKind, exitCodeForError, processIo, type CliIo } from './context';
import { shipAfterCommand } from './teamAudit';
import { CLI_VERSION } from './version';

/** Builds the program with its global options and every command of commands/index.ts. */
export function createProgram(io: CliIo, commands: readonly CliCommand[] = COMMANDS): { program: Command; ctx: CliContext } {
  const program = new Command('jira2fa');
  // Set before the commands are added: subcommands inherit these settings.
  program
    .description('Recover Atlassian users locked out by two-step verification.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(printableLines(s)), writeErr: (s) => io.stderr(printableLines(s)) })
    .showHelpAfterError('(run "jira2fa --help" for usage)')
    .configureHelp({ showGlobalOptions: true })
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .option('--profiles <file>', 'profiles file (default: $JIRA2FA_PROFILES, else profiles.json in the config folder)')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--audit-file <file>', 'audit log (default: $JIRA2FA_AUDIT_FILE, else audit.jsonl in the state folder)')
    .option('--accept-new-host', 'send stored credentials to an instance whose host or database changed since they were stored, and bind them to the new one');
  const ctx = new CliContext(io, program);
  for (const command of commands) command.register(program, ctx);
  return { program, ctx };
}

/**
 * Runs the CLI. `argv` is process.argv style: [node, script, ...args].
 * Resolves to the exit code: 0 ok, 1 refused, 2 usage or bad input, 3 unreachable.
 * `commands` replaces the command list (tests).
 */
export async function main(argv: string[], io: CliIo = processIo(), commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const { program, ctx } = createProgram(io, commands);
  let code: number;
  try {
    await program.parseAsync(argv, { from: 'node' });
    code = ctx.exitCode;
  } catch (e) {
    ctx.explainMissingSecret(e);
    code = reportError(e, ctx, wantsJson(argv));
  }
  // A refused or failed action appended its entry too: ship in both cases.
  await shipAfterCommand(ctx);
  return code;
}

function wantsJson(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

function reportError(e: unknown, ctx: CliContext, json: boolean): number {
  const code = exitCodeForError(e);
  if (e instanceof CommanderError) {
    // Commander has printed the usage error already; help and --version end here with 0.
    if (code !== EXIT_CODES.ok && json && !ctx.printedJson) {
      ctx.printJson({ ok: false, error: { kind: 'input', message: e.message.replace(/^error: /, ''), exitCode: code } });
    }
    return code;
  }
  const kind = errorKind(e);
  const message = e instanceof Error ? e.message : String(e);
  const hint = e instanceof AppError ? e.hint : undefined;
  if (kind === 'internal') {
    ctx.err(`error: unexpected failure: ${message}`);
    if (ctx.io.env.JIRA2FA_DEBUG && e instanceof Error && e.stack) ctx.err(e.stack);
    else ctx.err('(set JIRA2FA_DEBUG=1 to see where it happened)');
  } else {
    ctx.err(`error: ${message}`);
    if (hint) ctx.err(`hint: ${hint}`);
  }
  if (json && !ctx.printedJson) {
    ctx.printJson({ ok: false, error: { kind, message: redactor.redact(message), ...(hint ? { hint } : {}), exitCode: code } });
  }
  return code;
}
