/**
 * An exception before any Cloud request (no API key stored, a bad orgId) as a CloudFailure.
 * Its own small module so the Cloud panel can use it without loading the HTTP client.
 */
import type { CloudFailure } from '../cloud/outcomes';
import { AppError, describeError } from '../errors';

export function fromThrown(e: unknown): CloudFailure {
  const summary = e instanceof AppError ? e.message : describeError(e);
  const next = e instanceof AppError && e.hint ? e.hint : 'Check the settings of this organization.';
  return { ok: false, kind: 'refusedByGuard', guard: 'config', failure: 'input', summary, next };
}
