/**
 * The Cloud moves as audited actions (see audited.ts): open the organization's admin API
 * client from the secrets, run moveToTemporaryPolicy() / moveBack() with their guards, and end
 * in exactly one audit entry ("cloud.move" / "cloud.moveBack"), also when no client could be
 * made (no API key stored, no orgId).
 */
import { cloudIdentity } from '../cloud/identity';
import { createCloudClient, type CloudClientOptions } from '../cloud/client';
import { fromThrown } from './cloudRefusal';
import type { CloudRecoveryClient, MoveResult } from '../cloud/moveResult';
import { moveBack, moveToTemporaryPolicy } from '../cloud/recovery';
import type { TaskWaitOptions } from '../cloud/tasks';
import type { MoveTracker } from '../cloud/tracker';
import type { InstanceProfile } from '../profiles/schema';
import type { Clock } from '../totp';
import type { RequestInput } from '../requests/policy';
import { auditedAttempt, withOwned, type ActionDeps, type RequestStep, type Stopped, type WithResource } from './audited';

export interface CloudMoveDeps extends ActionDeps {
  /** The list of users waiting to be moved back. */
  tracker: MoveTracker;
  /** Default: a client made from `secrets` with `clientOptions`, closed after the attempt. */
  withClient?: WithResource<CloudRecoveryClient>;
  clientOptions?: Omit<CloudClientOptions, 'profile' | 'apiKey'>;
  /** For movedAt; default Date.now. */
  clock?: Pick<Clock, 'now'>;
}

interface CloudInput {
  profile: InstanceProfile;
  /** The user's e-mail address. */
  email: string;
  /** How long and how often the policy task is polled. */
  task?: Omit<TaskWaitOptions, 'signal'>;
  signal?: AbortSignal;
  /** The request behind the move (ticket, reason, verification): see src/core/requests. */
  request?: RequestInput;
  onComment?: RequestStep['onComment'];
}

export interface CloudMoveInput extends CloudInput {
  /** The temporary policy (2SV not mandatory); default: the profile's designated recovery policy. */
  toPolicyId?: string;
  /** The user's current policy, when the API cannot tell. */
  fromPolicyId?: string;
  /** Production organizations: the e-mail address typed again. */
  confirmation?: string;
}

export type CloudMoveBackInput = CloudInput;

export function runCloudMove(deps: CloudMoveDeps, input: CloudMoveInput): Promise<MoveResult> {
  return attempt(deps, input, 'cloud.move', (ctx) =>
    moveToTemporaryPolicy(ctx, {
      email: input.email,
      ...(input.toPolicyId !== undefined ? { toPolicyId: input.toPolicyId } : {}),
      ...(input.fromPolicyId !== undefined ? { fromPolicyId: input.fromPolicyId } : {}),
      ...(input.confirmation !== undefined ? { confirmation: input.confirmation } : {}),
    }),
  );
}

export function runCloudMoveBack(deps: CloudMoveDeps, input: CloudMoveBackInput): Promise<MoveResult> {
  return attempt(deps, input, 'cloud.moveBack', (ctx) => moveBack(ctx, { email: input.email }));
}

async function attempt(
  deps: CloudMoveDeps,
  input: CloudInput,
  action: MoveResult['action'],
  run: (ctx: Parameters<typeof moveBack>[0]) => Promise<MoveResult>,
): Promise<MoveResult> {
  const { profile } = input;
  // The product identity: the API key's owner as the admin entered it (cloud/identity.ts).
  const admin = cloudIdentity(profile, deps.admin);
  const withClient: WithResource<CloudRecoveryClient> = deps.withClient ?? ((p, fn) => withOwned(() => createCloudClient(p, deps.secrets, deps.clientOptions), fn));
  return auditedAttempt(
    { ...deps, admin },
    profile,
    { action, target: input.email },
    (audit) =>
      withClient(profile, (client) =>
        run({
          profile,
          client,
          tracker: deps.tracker,
          audit,
          admin,
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(input.task ? { task: input.task } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
        }),
      ),
    (s) => stoppedResult(action, s),
    undefined,
    { profile, input: input.request, target: { username: input.email, email: input.email }, label: action === 'cloud.move' ? 'Moved to the recovery authentication policy' : 'Moved back to the usual authentication policy', ...(input.onComment ? { onComment: input.onComment } : {}) },
  );
}

/** Refused before any request: nothing moved, and a move back's record stays. */
function stoppedResult(action: MoveResult['action'], s: Stopped): MoveResult {
  const outcome = fromThrown(s.error);
  const back = action === 'cloud.moveBack';
  return {
    ok: false,
    action,
    summary: outcome.summary,
    next: back ? `${outcome.next} The record stays until a move back succeeds.` : outcome.next,
    outcome,
    moved: 'no',
    tracker: back ? 'kept' : 'unchanged',
    warnings: [],
    ...(s.auditEntry ? { auditEntry: s.auditEntry } : {}),
    ...(s.auditError ? { auditError: s.auditError } : {}),
  };
}
