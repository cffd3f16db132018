/**
 * `jira2fa instances list`: the instances of the profiles file, and what is wrong with it.
 * `jira2fa instances db-import`: an instance's database section from the product's dbconfig.xml.
 * `jira2fa instances diff --file F`: what replacing entries with those of F would change, a
 * new host or new certificate trust first and marked ⚠ (the same preview as the extension's
 * import), before anyone copies F over the profiles file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { databaseFromDbConfig } from '../../core/dbconfig/dbConfigFile';
import { readDbConfigFile } from '../../core/dbconfig/readDbConfigFile';
import { AppError, EXIT_CODES } from '../../core/errors';
import { importPreviewLines, previewImport, ProfilesFileError } from '../../core/profiles/exchange';
import { setDatabaseInProfilesText } from '../../core/profiles/setDatabase';
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

  instances
    .command('diff')
    .description('preview what another profiles file would change here, field by field (new hosts and TLS changes first, marked ⚠)')
    .requiredOption('--file <file>', 'the other profiles file (e.g. one you were sent to import)')
    .action(async (opts: { file: string }) => {
      const { profiles } = await ctx.loadProfiles();
      const file = ctx.resolvePath(opts.file);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new AppError('input', `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
      }
      let preview;
      try {
        preview = previewImport(text, profiles);
      } catch (e) {
        if (e instanceof ProfilesFileError) throw new AppError('input', e.message);
        throw e;
      }
      const { lines, moved } = importPreviewLines(preview);
      ctx.result(
        { ok: true, file, newHost: moved, added: preview.added.map((p) => p.id), replaced: preview.replaced.map((p) => p.id), unchanged: preview.unchanged.map((p) => p.id), changes: preview.changes.flat(), invalid: preview.invalid },
        () => lines.forEach((line) => ctx.out(line)),
      );
    });

  instances
    .command('db-import')
    .description("fill an instance's database section from the product's dbconfig.xml (the password in it is never imported)")
    .requiredOption('--instance <id>', 'instance id from the profiles file')
    .requiredOption('--file <path>', "the product's dbconfig.xml (Jira) or confluence.cfg.xml (Confluence)")
    .option('--dry-run', 'show what would change, change nothing')
    .action(async (opts: { instance: string; file: string; dryRun?: boolean }) => {
      const profile = await ctx.getProfile(opts.instance);
      if (profile.product === 'cloud') throw new AppError('input', `${profile.id} is a Cloud organization: it has no database.`);
      const parsed = await readDbConfigFile(ctx.resolvePath(opts.file));
      const imported = databaseFromDbConfig(parsed, profile.database);
      const profilesFile = ctx.profilesFile();
      const write = !opts.dryRun && imported.changes.length > 0;
      if (write) {
        const next = setDatabaseInProfilesText(await readFile(profilesFile, 'utf8'), profile.id, imported.database);
        await writeAtomically(profilesFile, next);
      }
      const passwordHint = `Store the database password in the OS keychain: jira2fa login --instance ${profile.id} --kind db`;
      for (const note of imported.notes) ctx.warn(note);
      ctx.result(
        { ok: true, instance: profile.id, file: profilesFile, written: write, dryRun: opts.dryRun === true, changes: imported.changes, database: imported.database, notes: imported.notes, next: passwordHint },
        () => {
          if (!imported.changes.length) ctx.out(`${profile.id}: the database section already matches ${cell(opts.file)}; nothing changed.`);
          else {
            ctx.out(`${write ? 'Changed' : 'Would change'} the database section of ${profile.id}:`);
            ctx.out(formatTable(['FIELD', 'FROM', 'TO'], imported.changes.map((c) => [c.field, cell(c.from ?? '(unset)'), cell(c.to ?? '(unset)')])));
          }
          ctx.out(passwordHint);
        },
      );
    });
}

/** Writes next to the file, then renames over it: a crash leaves the old or the new file, never half of one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const mode = (await stat(file)).mode & 0o777;
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { encoding: 'utf8', mode, flag: 'wx' });
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
