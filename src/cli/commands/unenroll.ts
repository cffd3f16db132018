/**
 * `jira2fa unenroll` and `jira2fa test`: the Data Center recovery unenroll and the
 * connection check, on the same core as the extension.
 */
import type { Command } from 'commander';
import { AppError, exitCodeFor } from '../../core/errors';
import { createJiraClient } from '../../core/jira/client';
import type { InstanceProfile } from '../../core/profiles/schema';
import { runUnenroll } from '../../core/actions/unenroll';
import { addRequestOptions, commentReporter, requestFrom, requestGate, type RequestOptions } from '../requestOptions';

import { testConnection } from '../../core/jira/testConnection';
import { isUserEnrolled } from '../../core/recovery/probe';
import { describeError } from '../../core/errors';
import { openSession } from '../../core/actions/database';
import { databaseDeps } from './sql';
import type { CliContext } from '../context';
import { SECRET_ENV } from '../secrets';
import { TOTP_CODE_ENV, TOTP_OPTION_HELP, typedTotpCode } from '../totpCode';

export function register(program: Command, ctx: CliContext): void {
  addRequestOptions(program
    .command('unenroll'))
    .description('remove a user\'s two-step verification with the Data Center recovery unenroll call')
    .requiredOption('--instance <id>', 'instance id from the profiles file')
    .requiredOption('--user <name>', 'user name (login) of the locked-out user')
    .option('--totp-stdin', TOTP_OPTION_HELP.totpStdin)
    .option('--totp <code>', TOTP_OPTION_HELP.totp)
    .option('--confirm <name>', 'production instances: the user name again')
    .addHelpText('after', `\nYour code: --totp-stdin, or $${TOTP_CODE_ENV}; without one it is generated from your own seed in $${SECRET_ENV.totpSeed} (or the keychain).`)
    .action(async (opts: { instance: string; user: string; totp?: string; totpStdin?: boolean; confirm?: string } & RequestOptions) => {
      const profile = await dataCenterProfile(ctx, opts.instance);
      const code = await typedTotpCode(ctx, opts);
      const comment = commentReporter(ctx);
      const request = requestFrom(opts);
      const result = await runUnenroll(
        { audit: ctx.auditLog(), secrets: ctx.secrets(), replayGuard: ctx.replayGuard(profile.id), requests: requestGate(ctx) },
        {
          ...(request ? { request } : {}),
          onComment: comment.onComment,
          profile,
          username: opts.user,
          // Unknown or not-enrolled users are told before a code window is spent or waited for.
          lookUpFirst: true,
          ...(profile.database && (profile.product === 'jira' || profile.product === 'confluence') ? { enrollment: enrollmentFromDatabase(ctx, profile, profile.product) } : {}),
          ...(code !== undefined ? { code } : { useStoredSeed: true }),
          ...(opts.confirm !== undefined ? { confirmation: opts.confirm } : {}),
          onWaitForFreshCode: (ms) => ctx.err(`That code window was used: waiting ${Math.ceil(ms / 1000)} s for the next code…`),
        },
      );
      const o = result.outcome;
      if (!result.ok) ctx.setExitCode(exitCodeFor(o.failure ?? 'refused'));
      if (result.auditError) ctx.warn(`the audit entry could not be written: ${result.auditError}`);
      ctx.result(
        { ok: result.ok, status: o.status ?? null, outcome: o.kind, message: o.summary, next: o.next, serverMessage: o.serverMessage ?? null, auditId: result.auditEntry?.id ?? null, request: result.auditEntry?.request ?? null, comment: comment.json() },
        () => {
          ctx.out(`${result.ok ? '✓' : '✗'} ${o.summary}${o.status ? ` (HTTP ${o.status})` : ''}`);
          if (o.serverMessage) ctx.out(`  server: ${o.serverMessage}`);
          ctx.out(`  next: ${o.next}`);
          if (result.auditEntry) ctx.out(`  audit entry ${result.auditEntry.id}`);
        },
      );
    });

  program
    .command('test')
    .description('check that an instance is reachable, the credentials work, you are a system admin and your 2SV is on')
    .requiredOption('--instance <id>', 'instance id from the profiles file')
    .action(async (opts: { instance: string }) => {
      const profile = await dataCenterProfile(ctx, opts.instance);
      const client = await createJiraClient(profile, ctx.secrets());
      try {
        const report = await testConnection(profile, client);
        if (!report.ok) ctx.setExitCode(exitCodeFor(report.failure?.failure ?? 'unreachable'));
        ctx.result(
          {
            ok: report.ok,
            summary: report.summary,
            version: report.version ?? null,
            signedInAs: report.signedInAs ?? null,
            isSysAdmin: report.isSysAdmin ?? null,
            own2svActive: report.own2svActive ?? null,
            warnings: report.warnings,
            outcome: report.failure?.kind ?? null,
          },
          () => {
            ctx.out(`${report.ok ? '✓' : '✗'} ${profile.name}: ${report.summary}`);
            for (const w of report.warnings) ctx.warn(w);
            if (report.failure) ctx.out(`  next: ${report.failure.next}`);
          },
        );
      } finally {
        await client.close();
      }
    });
}

/** "no" only when the database says so; any database trouble leaves the decision to the server. */
function enrollmentFromDatabase(ctx: CliContext, profile: InstanceProfile, product: 'jira' | 'confluence') {
  return async (username: string): Promise<'yes' | 'no' | 'unknown'> => {
    try {
      const driver = await openSession(databaseDeps(ctx), profile);
      try {
        return (await isUserEnrolled(driver, product, username)).enrolled ? 'yes' : 'no';
      } finally {
        await driver.close();
      }
    } catch (e) {
      ctx.explainMissingSecret(e);
      ctx.warn(`could not check the enrollment in the database (${describeError(e)}); the server will tell.`);
      return 'unknown';
    }
  };
}

async function dataCenterProfile(ctx: CliContext, id: string): Promise<InstanceProfile> {
  const profile = await ctx.getProfile(id);
  if (profile.product === 'cloud') {
    throw new AppError('input', `${profile.name} is an Atlassian Cloud organization: Cloud has no recovery unenroll call.`, 'Use "jira2fa cloud" to move the user between authentication policies.');
  }
  return profile;
}

