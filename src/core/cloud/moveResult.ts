/**
 * What a Cloud move or move back returns and records: the result for the panel and the CLI, and
 * its one audit entry ("cloud.move" / "cloud.moveBack"), written from the facts the attempt
 * gathered (see recovery.ts). The API key is never in either.
 */
import { osUser } from '../osUser';
import type { AuditEntry, AuditEntryInput, AuditOutcome, AuditSink } from '../audit/types';
import type { InstanceProfile } from '../profiles/schema';
import { redactor } from '../redact';
import type { Clock } from '../totp';
import type { CloudAdminClient } from './client';
import type { CloudFailure } from './outcomes';
import { hubUserLink } from './paths';
import type { PolicyDesignation, TwoSvEnforcement } from './shapes';
import type { TaskWaitOptions } from './tasks';
import type { MoveTracker, PendingMove } from './tracker';

export type CloudRecoveryClient = Pick<CloudAdminClient, 'orgId' | 'userByEmail' | 'listPolicies' | 'getPolicy' | 'policyMemberships' | 'addUsersToPolicy' | 'waitForTask'>;

/** What a Cloud policy move needs (the Data Center database actions have recovery/context.ts). */
export interface CloudMoveContext {
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl' | 'environment' | 'cloud'>;
  client: CloudRecoveryClient;
  tracker: MoveTracker;
  audit: AuditSink;
  /** Name written to the audit log; default the OS user. */
  admin?: string;
  /** For movedAt; default Date.now. */
  clock?: Pick<Clock, 'now'>;
  /** How long and how often the policy task is polled (see CloudAdminClient.waitForTask). */
  task?: Omit<TaskWaitOptions, 'signal'>;
  runId?: string;
  signal?: AbortSignal;
}

/** Whether the user's policy changed: "unknown" when a task was started but its end not seen. */
export type MovedState = 'yes' | 'no' | 'unknown';

export type TrackerChange = 'recorded' | 'removed' | 'kept' | 'unchanged' | 'failed';

export interface PolicyRef {
  id: string;
  name?: string;
  twoStepVerification?: TwoSvEnforcement;
  designation?: PolicyDesignation;
}

export interface MoveResult {
  ok: boolean;
  action: 'cloud.move' | 'cloud.moveBack';
  /** One line: what happened. */
  summary: string;
  /** What to do next. */
  next: string;
  /** Why it failed, when it did. */
  outcome?: CloudFailure;
  moved: MovedState;
  user?: { accountId: string; email: string; name?: string };
  fromPolicy?: PolicyRef;
  toPolicy?: PolicyRef;
  taskId?: string;
  /** What happened to the tracker entry. */
  tracker: TrackerChange;
  trackerError?: string;
  /** The tracker entry written (move) or removed / kept (move back). */
  entry?: PendingMove;
  /** The user's page in the admin hub, where 2SV is reset. */
  hubLink?: string;
  warnings: string[];
  auditEntry?: AuditEntry;
  auditError?: string;
}

/** What an attempt found out and did, whatever its end. */
export interface Facts {
  moved: MovedState;
  tracker: TrackerChange;
  trackerError?: string;
  user?: MoveResult['user'];
  fromPolicy?: PolicyRef;
  toPolicy?: PolicyRef;
  taskId?: string;
  entry?: PendingMove;
  membershipSource?: string;
  warnings: string[];
}

export type Attempt = { ok: true; summary: string; next: string } | { ok: false; outcome: CloudFailure; next?: string };

/** The result and its audit entry; an audit failure is reported, the outcome stands. */
export async function finish(ctx: CloudMoveContext, action: MoveResult['action'], email: string, attempt: Attempt, facts: Facts): Promise<MoveResult> {
  const outcome = attempt.ok ? undefined : attempt.outcome;
  let summary = attempt.ok ? attempt.summary : attempt.outcome.summary;
  let next = attempt.ok ? attempt.next : attempt.next ?? attempt.outcome.next;
  if (facts.tracker === 'failed' && action === 'cloud.move') {
    summary += ' The list of users to move back could not be updated.';
    next = `Write down that ${email} must be moved back to ${facts.fromPolicy?.name ?? facts.fromPolicy?.id}: ${facts.trackerError}. ${next}`;
  }
  const result: MoveResult = {
    ok: attempt.ok,
    action,
    summary,
    next,
    ...(outcome ? { outcome } : {}),
    moved: facts.moved,
    ...(facts.user ? { user: facts.user, hubLink: hubUserLink(ctx.client.orgId, facts.user.accountId) } : {}),
    ...(facts.fromPolicy ? { fromPolicy: facts.fromPolicy } : {}),
    ...(facts.toPolicy ? { toPolicy: facts.toPolicy } : {}),
    ...(facts.taskId ? { taskId: facts.taskId } : {}),
    tracker: facts.tracker,
    ...(facts.trackerError ? { trackerError: facts.trackerError } : {}),
    ...(facts.entry ? { entry: facts.entry } : {}),
    warnings: facts.warnings,
  };
  const entry: AuditEntryInput = {
    admin: adminName(ctx),
    instance: { id: ctx.profile.id, name: ctx.profile.name, baseUrl: ctx.profile.baseUrl },
    action,
    target: facts.user?.email ?? email,
    outcome: auditOutcome(attempt, facts),
    ...(outcome?.status !== undefined ? { status: outcome.status } : {}),
    message: outcome?.serverMessage ? `${summary} Server said: "${outcome.serverMessage}".` : outcome?.received ? `${summary} Received: ${outcome.received}` : summary,
    details: {
      kind: outcome?.kind ?? 'ok',
      orgId: ctx.client.orgId,
      accountId: facts.user?.accountId ?? null,
      fromPolicyId: facts.fromPolicy?.id ?? null,
      toPolicyId: facts.toPolicy?.id ?? null,
      taskId: facts.taskId ?? null,
      moved: facts.moved,
      tracker: facts.tracker,
      membershipSource: facts.membershipSource ?? null,
      targetEnforcement: action === 'cloud.move' ? facts.toPolicy?.twoStepVerification ?? null : null,
      environment: ctx.profile.environment,
    },
    ...(ctx.runId ? { runId: ctx.runId } : {}),
  };
  try {
    return { ...result, auditEntry: await ctx.audit.append(entry) };
  } catch (e) {
    // The change is done (or refused) either way: report it and the audit failure.
    return { ...result, auditError: `The audit log could not be written: ${errorText(e)}` };
  }
}

function auditOutcome(attempt: Attempt, facts: Facts): AuditOutcome {
  if (attempt.ok) return 'ok';
  const o = attempt.outcome;
  if (o.kind === 'cancelled') return 'cancelled';
  if (facts.moved === 'unknown') return 'error';
  if (o.kind === 'refusedByGuard' || o.failure === 'refused') return 'refused';
  return 'error';
}

export function adminName(ctx: CloudMoveContext): string {
  return ctx.admin ?? osUser();
}

export function errorText(e: unknown): string {
  return redactor.redact(e instanceof Error ? e.message : String(e));
}
