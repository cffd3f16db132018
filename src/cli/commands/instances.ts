/** `jira2fa instances list`: the instances of the profiles file, and what is wrong with it. */
import type { Command } from 'commander';
import { EXIT_CODES } from '../../core/errors';
import { profileWarnings } from '../../core/profiles/schema';
import { formatFieldError, type CliContext } from '../context';
import { cell, formatTable, hostOf } from '../format';

export function register(program: Command, ctx: CliContext): void {
  const instances = program.command('instances').description('instance profiles from the profiles file');

  instances
    .command('list')
    .description('list the instances (invalid entries are reported on stderr, exit code 2)')
    .action(async () => {
      const { file, profiles, invalid } = await ctx.loadProfiles();
      for (const bad of invalid) {
        const where = `entry ${bad.index + 1}`;
        const named = bad.label.trim() && bad.label !== where ? ` (${cell(bad.label)})` : '';
        ctx.err(`error: ${file}: ${where}${named} is invalid:`);
        for (const fe of bad.errors) ctx.err(`  - ${cell(formatFieldError(fe), 500)}`);
      }
      const warnings = profiles.flatMap((p) => profileWarnings(p).map((message) => ({ id: p.id, message })));
      for (const w of warnings) ctx.warn(`${w.id}: ${w.message}`);
      if (invalid.length) ctx.setExitCode(EXIT_CODES.input);

      ctx.result({ ok: invalid.length === 0, file, instances: profiles, invalid, warnings }, () => {
        if (!profiles.length) {
          ctx.out(`No ${invalid.length ? 'valid ' : ''}instances in ${file}.`);
          return;
        }
        ctx.out(formatTable(
          ['ID', 'NAME', 'PRODUCT', 'ENVIRONMENT', 'HOST'],
          profiles.map((p) => [cell(p.id), cell(p.name), p.product, p.environment, cell(hostOf(p.baseUrl))]),
        ));
      });
    });
}
