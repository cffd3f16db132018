/**
 * The recovery unenroll as one audited action (see audited.ts): opens the instance's Jira
 * client from the secrets, runs unenrollUser() with its guards, and ends in exactly one audit
 * entry, also when no client could be made (no credential stored, a bad base URL).
 */
import { AppError } from '../errors';
import { createJiraClient } from '../jira/client';
import { guardRefusal } from '../jira/outcomes';
import { tidyUsername } from '../jira/paths';
import type { InstanceProfile } from '../profiles/schema';
import type { ReplayGuard } from '../totp';
import { unenrollUser, type UnenrollClient, type UnenrollResult } from '../unenroll';
import { RequestRefusedError } from '../requests/gate';
import type { RequestInput } from '../requests/policy';
import { auditedAttempt, withOwned, type ActionDeps, type RequestStep, type WithResource } from './audited';

export interface UnenrollDeps extends ActionDeps {
  /** The guard of the instance (replayGuardFor(profile.id)), shared with bulk runs. */
  replayGuard: ReplayGuard;
  /** Default: a client made from `secrets` for this attempt, closed after it. */
  withClient?: WithResource<UnenrollClient>;
  /** The signed-in user when already known (from Test connection): saves a request. */
  signedInAs?: string;
}

export interface UnenrollInput {
  profile: InstanceProfile;
  /** The locked-out user's user name (login), exactly as stored. */
  username: string;
  /** The admin's own current code, typed. Exclusive with useStoredSeed. */
  code?: string;
  /** Generate the code from the admin's seed in the secrets. */
  useStoredSeed?: boolean;
  /** Production instances: the user name typed again. */
  confirmation?: string;
  /** Look the user up before a code is taken or waited for (see UnenrollRequest.lookUpFirst). */
  lookUpFirst?: boolean;
  /** Whether the user is enrolled, when the caller can tell (the database). */
  enrollment?: (username: string) => Promise<'yes' | 'no' | 'unknown'>;
  signal?: AbortSignal;
  /** Told how long we wait for a fresh code window, so a UI can show it. */
  onWaitForFreshCode?: (ms: number) => void;
  /** The request behind the reset (ticket, reason, verification): see src/core/requests. */
  request?: RequestInput;
  /** The locked-out user's e-mail when known (the form's lookup), for the ticket's identity match. */
  email?: string;
  onComment?: RequestStep['onComment'];
}

export async function runUnenroll(deps: UnenrollDeps, input: UnenrollInput): Promise<UnenrollResult> {
  const { profile } = input;
  const withClient: WithResource<UnenrollClient> = deps.withClient ?? ((p, fn) => withOwned(() => createJiraClient(p, deps.secrets), fn));
  return auditedAttempt(
    deps,
    profile,
    { action: 'unenroll', target: tidyUsername(input.username).username, details: { kind: 'refusedByGuard', environment: profile.environment } },
    (audit) =>
      withClient(profile, (client) =>
        unenrollUser({
          profile,
          client,
          audit,
          username: input.username,
          ...(input.code !== undefined ? { code: input.code } : {}),
          ...(input.useStoredSeed ? { useStoredSeed: true } : {}),
          secrets: deps.secrets,
          ...(input.confirmation !== undefined ? { confirmation: input.confirmation } : {}),
          ...(input.lookUpFirst ? { lookUpFirst: true } : {}),
          ...(input.enrollment ? { enrollment: input.enrollment } : {}),
          replayGuard: deps.replayGuard,
          ...(deps.admin !== undefined ? { admin: deps.admin } : {}),
          ...(deps.signedInAs !== undefined ? { signedInAs: deps.signedInAs } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
          ...(input.onWaitForFreshCode ? { onWaitForFreshCode: input.onWaitForFreshCode } : {}),
        }),
      ),
    (s) => {
      if (!(s.error instanceof AppError)) throw s.error;
      const outcome = s.error instanceof RequestRefusedError
        ? guardRefusal('request', s.error.message, s.error.hint ?? 'Give the request behind this reset.', s.error.kind)
        : guardRefusal('credentials', s.error.message, s.error.hint ?? 'Set the credentials of this instance first.', s.error.kind);
      return { ok: false, outcome, ...(s.auditEntry ? { auditEntry: s.auditEntry } : {}), ...(s.auditError ? { auditError: s.auditError } : {}) };
    },
    undefined,
    { profile, input: input.request, target: { username: input.username, ...(input.email ? { email: input.email } : {}) }, label: 'Recovery unenroll', ...(input.onComment ? { onComment: input.onComment } : {}) },
  );
}
