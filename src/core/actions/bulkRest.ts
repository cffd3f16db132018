/**
 * Bulk disable by REST as an audited action: see bulkDb.ts for what is audited per user and
 * per run. Its own module: it loads the HTTP client, which the bulk-by-SQL flow never needs.
 */
import type { AuditOutcome } from '../audit/types';
import type { BulkReport } from '../bulk/report';
import { runRestBulk, type RestBulkOptions } from '../bulk/rest';
import { createJiraClient } from '../jira/client';
import type { Clock, ReplayGuard } from '../totp';
import type { UnenrollClient } from '../unenroll';
import { auditedAttempt, rethrowStopped, withOwned, type ActionDeps, type WithResource } from './audited';
import { bulkRequest, runEntry, type BulkInput } from './bulkDb';

export interface BulkRestDeps extends ActionDeps {
  /** The instance's guard (replayGuardFor(profile.id)), shared with single unenrolls. */
  replayGuard: ReplayGuard;
  /** Default: a client made from `secrets` for this run, closed after it. */
  withClient?: WithResource<UnenrollClient>;
  /** For Retry-After waits. */
  clock?: Clock;
}

export type BulkRestInput = BulkInput & Pick<RestBulkOptions, 'confirmation' | 'signal' | 'persist' | 'onProgress' | 'maxRateLimitRetries'>;

/** The paced recovery unenroll of every pending user of the report. */
export function runBulkRest(deps: BulkRestDeps, input: BulkRestInput): Promise<BulkReport> {
  const { profile, report } = input;
  const withClient: WithResource<UnenrollClient> = deps.withClient ?? ((p, fn) => withOwned(() => createJiraClient(p, deps.secrets), fn));
  return auditedAttempt(
    deps,
    profile,
    runEntry(input),
    (audit) =>
      withClient(profile, (client) =>
        runRestBulk({
          profile,
          client,
          audit,
          secrets: deps.secrets,
          guard: deps.replayGuard,
          report,
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(deps.admin !== undefined ? { admin: deps.admin } : {}),
          ...(input.confirmation !== undefined ? { confirmation: input.confirmation } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
          ...(input.persist ? { persist: input.persist } : {}),
          ...(input.onProgress ? { onProgress: input.onProgress } : {}),
          ...(input.maxRateLimitRetries !== undefined ? { maxRateLimitRetries: input.maxRateLimitRetries } : {}),
        }),
      ),
    rethrowStopped,
    // A run that ended before any user (credentials refused, nothing pending, cancelled at once).
    (r) => ({ outcome: RUN_OUTCOME[r.state] ?? 'error', message: r.stateMessage ?? `Run ${r.state}.` }),
    bulkRequest(input),
  );
}

const RUN_OUTCOME: Partial<Record<BulkReport['state'], AuditOutcome>> = { completed: 'ok', cancelled: 'cancelled', stopped: 'error' };
