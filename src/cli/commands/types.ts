import type { Command } from 'commander';
import type { CliContext } from '../context';

/**
 * A CLI command module. register() adds the command (and its subcommands) to `program`;
 * actions throw AppError for expected failures and print with ctx.result / ctx.out.
 */
export interface CliCommand {
  register(program: Command, ctx: CliContext): void;
}
