/** An exception thrown before any Cloud request (no key stored and the like) as a refusal the UI and audit show. */
import type { CloudFailure } from '../../core/cloud/outcomes';
import { AppError, describeError } from '../../core/errors';

export function thrownCloudFailure(e: unknown): CloudFailure {
  const summary = e instanceof AppError ? e.message : describeError(e);
  const next = e instanceof AppError && e.hint ? e.hint : 'Check the settings of this organization.';
  return { ok: false, kind: 'refusedByGuard', guard: 'config', failure: 'input', summary, next };
}
