/**
 * `jira2fa cloud find | move | move-back | pending`: the Atlassian Cloud recovery (docs
 * reference section 3) on the same core as the extension. The organization API key comes
 * from the credentials store (default: $JIRA2FA_ORG_API_KEY); users moved to a temporary
 * policy are listed in <state dir>/cloud-pending.json (or $JIRA2FA_CLOUD_PENDING_FILE) until
 * they are moved back.
 */
import type { Command } from 'commander';
import { createCloudClient, type CloudAdminClient } from '../../core/cloud/client';
import { findAndDiagnose, type UserReport } from '../../core/cloud/diagnose';
import { describeCloudFailure, type CloudFailure } from '../../core/cloud/outcomes';
import { runCloudMove, runCloudMoveBack, type CloudMoveDeps } from '../../core/actions/cloud';
import { addRequestOptions, commentReporter, requestFrom, requestGate, type RequestOptions } from '../requestOptions';

import { hubPolicyLink } from '../../core/cloud/paths';
import type { MoveResult } from '../../core/cloud/moveResult';
import type { CloudPolicy } from '../../core/cloud/shapes';
import { JsonFileTrackerStorage, MoveTracker, overdueMoves, trackerFilePath } from '../../core/cloud/tracker';
import { AppError, exitCodeFor } from '../../core/errors';
import type { InstanceProfile } from '../../core/profiles/schema';
import { intInRange, nonEmpty } from '../args';
import type { CliContext } from '../context';
import { cell, formatTable } from '../format';

export function register(program: Command, ctx: CliContext): void {
  const cloud = program
    .command('cloud')
    .description('Atlassian Cloud: move users locked out by two-step verification to a temporary authentication policy and back');

  cloud
    .command('find')
    .description('find users by name, e-mail or account id, with their 2SV state, policy and what to do')
    .requiredOption('--instance <id>', 'Cloud organization id from the profiles file')
    .requiredOption('--query <text>', 'name, e-mail address or account id', nonEmpty)
    .option('--limit <n>', 'at most this many users (1-100)', intInRange(1, 100), 20)
    .action(async (opts: { instance: string; query: string; limit: number }) => {
      const profile = await cloudProfile(ctx, opts.instance);
      const tracker = trackerFor(ctx);
      const pending = await tracker.list({ instanceId: profile.id });
      await withClient(ctx, profile, async (client) => {
        const r = await findAndDiagnose(client, opts.query, { limit: opts.limit, pending });
        if (!r.ok) throw failureError(r.outcome);
        const report = r.value;
        if (report.policies.length > 1 && !profile.cloud?.recoveryPolicyId) report.warnings.push(NO_RECOVERY_POLICY);
        for (const w of report.warnings) ctx.warn(w);
        ctx.result(
          {
            ok: true,
            instance: profile.id,
            orgId: client.orgId,
            query: report.query,
            matchedBy: report.matchedBy,
            more: report.more,
            policies: report.policies.map((p) => policyJson(p, client.orgId)),
            users: report.users.map((u) => userJson(u, client.orgId)),
            warnings: report.warnings,
          },
          () => {
            if (!report.users.length) ctx.out(`No user matches "${cell(opts.query)}" in ${profile.name}.`);
            for (const u of report.users) printUser(ctx, u, report.policies);
            if (report.more) ctx.out('More users match: refine the query.');
            ctx.out('');
            ctx.out(formatTable(['POLICY', 'NAME', 'ROLE', '2SV'], report.policies.map((p) => [cell(p.id), cell(p.name), p.designation ?? '', enforcementText(p)])));
          },
        );
      });
    });

  addRequestOptions(cloud
    .command('move'))
    .description('move a user to a policy where 2SV is optional (recorded until moved back)')
    .requiredOption('--instance <id>', 'Cloud organization id from the profiles file')
    .requiredOption('--user <email>', 'e-mail address of the locked-out user', nonEmpty)
    .option('--to <policyId>', 'the temporary policy (2SV optional); default: the profile\'s cloud.recoveryPolicyId; "cloud find" lists them', nonEmpty)
    .option('--from <policyId>', 'the user\'s current policy, when the API cannot tell')
    .option('--confirm <email>', 'production organizations: the e-mail address again')
    .option('--timeout <seconds>', 'how long to wait for Atlassian to apply the change (5-3600)', intInRange(5, 3600), 120)
    .action(async (opts: { instance: string; user: string; to?: string; from?: string; confirm?: string; timeout: number } & RequestOptions) => {
      const profile = await cloudProfile(ctx, opts.instance);
      const comment = commentReporter(ctx);
      const request = requestFrom(opts);
      const result = await runCloudMove(moveDeps(ctx), {
        profile,
        email: opts.user,
        ...(request ? { request } : {}),
        onComment: comment.onComment,
        ...(opts.to !== undefined ? { toPolicyId: opts.to } : {}),
        ...(opts.from !== undefined ? { fromPolicyId: opts.from } : {}),
        ...(opts.confirm !== undefined ? { confirmation: opts.confirm } : {}),
        task: { timeoutMs: opts.timeout * 1000 },
      });
      printMove(ctx, result, comment.json());
    });

  addRequestOptions(cloud
    .command('move-back'))
    .description('move a user back to the policy they were moved from')
    .requiredOption('--instance <id>', 'Cloud organization id from the profiles file')
    .requiredOption('--user <email>', 'e-mail address of the user', nonEmpty)
    .option('--timeout <seconds>', 'how long to wait for Atlassian to apply the change (5-3600)', intInRange(5, 3600), 120)
    .action(async (opts: { instance: string; user: string; timeout: number } & RequestOptions) => {
      const profile = await cloudProfile(ctx, opts.instance);
      const comment = commentReporter(ctx);
      const request = requestFrom(opts);
      printMove(ctx, await runCloudMoveBack(moveDeps(ctx), { profile, email: opts.user, task: { timeoutMs: opts.timeout * 1000 }, ...(request ? { request } : {}), onComment: comment.onComment }), comment.json());
    });

  cloud
    .command('pending')
    .description('users moved to a temporary policy and not moved back yet')
    .requiredOption('--instance <id>', 'Cloud organization id from the profiles file')
    .option('--max-age-hours <n>', 'flag users left longer than this (default 24)', intInRange(1, 24 * 366), 24)
    .action(async (opts: { instance: string; maxAgeHours: number }) => {
      const profile = await cloudProfile(ctx, opts.instance);
      const tracker = trackerFor(ctx);
      const entries = await tracker.list({ instanceId: profile.id });
      const now = Date.now();
      const overdue = new Set(overdueMoves(entries, now, opts.maxAgeHours).map((e) => e.accountId));
      const rows = entries.map((e) => ({ ...e, ageHours: Math.round(((now - Date.parse(e.movedAt)) / 3_600_000) * 10) / 10, overdue: overdue.has(e.accountId) }));
      if (overdue.size) ctx.warn(`${overdue.size} user(s) have been in a temporary policy for more than ${opts.maxAgeHours} h: move them back.`);
      ctx.result({ ok: true, instance: profile.id, file: (tracker.storage as JsonFileTrackerStorage).file, maxAgeHours: opts.maxAgeHours, pending: rows }, () => {
        if (!rows.length) {
          ctx.out(`No user of ${profile.name} is waiting to be moved back.`);
          return;
        }
        ctx.out(formatTable(
          ['EMAIL', 'FROM', 'TO', 'MOVED AT', 'AGE', 'STATE'],
          rows.map((e) => [cell(e.email), cell(e.fromPolicyName ?? e.fromPolicyId), cell(e.toPolicyName ?? e.toPolicyId), e.movedAt, `${e.ageHours} h${e.overdue ? ' !' : ''}`, e.state]),
        ));
      });
    });
}

const NO_RECOVERY_POLICY = 'No recovery policy is designated for this organization (cloud.recoveryPolicyId): the API does not say which policy has 2SV optional. Set it in the profile, or name one with "cloud move --to".';

async function cloudProfile(ctx: CliContext, id: string): Promise<InstanceProfile> {
  const profile = await ctx.getProfile(id);
  if (profile.product !== 'cloud') {
    throw new AppError('input', `${profile.name} is a Data Center instance, not an Atlassian Cloud organization.`, 'Use "jira2fa unenroll" for Data Center instances.');
  }
  return profile;
}

function trackerFor(ctx: CliContext): MoveTracker {
  return new MoveTracker(new JsonFileTrackerStorage(ctx.resolvePath(trackerFilePath(ctx.io.env))));
}

function clientOptions(ctx: CliContext) {
  return { env: ctx.io.env, onRateLimited: (ms: number) => ctx.err(`Atlassian is limiting the request rate: waiting ${Math.ceil(ms / 1000)} s…`) };
}

/** The key comes from ctx.secrets(): the OS keychain when available, else $JIRA2FA_ORG_API_KEY. */
function moveDeps(ctx: CliContext): CloudMoveDeps {
  // The admin name only when set ($JIRA2FA_ADMIN): otherwise the API key's owner as entered in the profile, else the OS user.
  const admin = ctx.io.env.JIRA2FA_ADMIN;
  return { audit: ctx.auditLog(), secrets: ctx.secrets(), tracker: trackerFor(ctx), ...(admin ? { admin } : {}), clientOptions: clientOptions(ctx), requests: requestGate(ctx) };
}

async function withClient(ctx: CliContext, profile: InstanceProfile, fn: (client: CloudAdminClient) => Promise<void>): Promise<void> {
  const client = await createCloudClient(profile, ctx.secrets(), clientOptions(ctx));
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

function failureError(o: CloudFailure): AppError {
  const status = o.status ? ` [HTTP ${o.status}]` : '';
  const server = o.serverMessage ? ` Server said: "${o.serverMessage}".` : '';
  const received = o.received ? ` Received: ${o.received}` : '';
  return new AppError(o.failure, `${o.summary}${status}${server}${received}`, o.next);
}

function printMove(ctx: CliContext, r: MoveResult, comment: Record<string, unknown> | null = null): void {
  if (!r.ok) ctx.setExitCode(exitCodeFor(r.outcome?.failure ?? 'refused'));
  for (const w of r.warnings) ctx.warn(w);
  if (r.auditError) ctx.warn(r.auditError);
  const o = r.outcome;
  ctx.result(
    {
      ok: r.ok,
      action: r.action,
      outcome: o?.kind ?? 'ok',
      moved: r.moved,
      message: r.summary,
      next: r.next,
      status: o?.status ?? null,
      serverMessage: o?.serverMessage ?? null,
      received: o?.received ?? null,
      user: r.user ?? null,
      fromPolicy: r.fromPolicy ?? null,
      toPolicy: r.toPolicy ?? null,
      taskId: r.taskId ?? null,
      tracker: r.tracker,
      trackerError: r.trackerError ?? null,
      hubLink: r.hubLink ?? null,
      warnings: r.warnings,
      auditId: r.auditEntry?.id ?? null,
      request: r.auditEntry?.request ?? null,
      comment,
    },
    () => {
      ctx.out(`${r.ok ? '✓' : '✗'} ${o ? describeCloudFailure({ ...o, summary: r.summary, next: '' }) : r.summary}`);
      if (r.taskId) ctx.out(`  task: ${r.taskId}`);
      if (r.tracker === 'recorded' && r.entry) ctx.out(`  recorded: ${r.entry.email} must be moved back to ${r.entry.fromPolicyName ?? r.entry.fromPolicyId}${r.entry.state === 'unconfirmed' ? ' (move not confirmed)' : ''}`);
      if (r.tracker === 'removed') ctx.out('  record removed: nothing left to move back for this user');
      ctx.out(`  next: ${r.next}`);
      if (r.hubLink) ctx.out(`  admin hub: ${r.hubLink}`);
      if (r.auditEntry) ctx.out(`  audit entry ${r.auditEntry.id}`);
    },
  );
}

function printUser(ctx: CliContext, u: UserReport, policies: readonly CloudPolicy[]): void {
  const { user, diagnosis: d } = u;
  const policy = u.membership.known ? policies.find((p) => p.id === (u.membership as { policyId: string }).policyId) : undefined;
  ctx.out(`${cell(user.name ?? '(no name)')} <${cell(user.email ?? 'no e-mail')}>  ${cell(user.accountId)}`);
  ctx.out(`  2SV: ${user.mfaEnabled === undefined ? 'unknown' : user.mfaEnabled ? 'on' : 'off'}   managed: ${user.managed === undefined ? 'unknown' : user.managed ? 'yes' : 'no'}   last active: ${user.lastActive === undefined ? `unknown${user.lastActiveProblem ? ` (${cell(user.lastActiveProblem, 120)})` : ''}` : user.lastActive ?? 'never'}`);
  ctx.out(`  policy: ${policy ? `${cell(policy.name)} [${cell(policy.id)}], 2SV ${enforcementText(policy)}` : u.membership.known ? cell(u.membership.policyId) : `unknown (${cell(u.membership.reason, 300)})`}`);
  ctx.out(`  diagnosis: ${d.code}: ${d.summary}`);
  ctx.out(`  next: ${d.next}`);
  ctx.out(`  admin hub: ${d.hubLink}`);
  if (d.canMove) ctx.out(`  temporary policies: ${d.targets.map((t) => `${cell(t.id)} "${cell(t.name)}"${t.designation === 'recovery' ? ' [recovery]' : ''} (2SV ${enforcementText(t)})`).join('; ')}`);
  for (const n of d.notes) ctx.out(`  note: ${n}`);
}

/** 2SV enforcement only as a documented field gives it; no field does today. */
function enforcementText(p: CloudPolicy): string {
  return p.twoStepVerification === 'unknown' ? 'not given by the API: check it in the admin hub' : p.twoStepVerification;
}

function policyJson(p: CloudPolicy, orgId: string): Record<string, unknown> {
  return { id: p.id, name: p.name, designation: p.designation ?? null, twoStepVerification: p.twoStepVerification, policyType: p.policyType ?? null, hubLink: hubPolicyLink(orgId, p.id) };
}

function userJson(u: UserReport, orgId: string): Record<string, unknown> {
  const d = u.diagnosis;
  return {
    accountId: u.user.accountId,
    email: u.user.email ?? null,
    name: u.user.name ?? null,
    managed: u.user.managed ?? null,
    mfaEnabled: u.user.mfaEnabled ?? null,
    lastActive: u.user.lastActive ?? null,
    membership: u.membership,
    diagnosis: {
      code: d.code,
      summary: d.summary,
      next: d.next,
      hubLink: d.hubLink,
      canMove: d.canMove,
      currentPolicy: d.currentPolicy ? policyJson(d.currentPolicy, orgId) : null,
      targets: d.targets.map((t) => policyJson(t, orgId)),
      notes: d.notes,
    },
    pending: d.pending ?? null,
  };
}
