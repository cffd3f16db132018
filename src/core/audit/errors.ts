/**
 * The one error the audit log throws when an entry could not be written. Callers rely on it:
 * a destructive change must not go ahead (or be reported done) without its audit entry.
 * It is an AppError of kind "refused" (CLI exit code 1): the audit guard refused the action.
 */
import { AppError } from '../errors';
import { errnoCode, LockTimeoutError } from './lock';

export type AuditWriteCode =
  /** Another process holds the log's lock file for too long. */
  | 'ELOCKED'
  /** The entry contains a value registered with the redactor as a secret. */
  | 'ESECRET'
  /** The file exists but holds no audit entry: probably the wrong file. */
  | 'ENOTAUDIT'
  /** A file-system error: ENOSPC, EACCES, EROFS, EISDIR, ENOTDIR, EIO... */
  | string;

export class AuditWriteError extends AppError {

  constructor(
    public readonly code: AuditWriteCode,
    public readonly file: string,
    message: string,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super('refused', message, hint, options);
    this.name = 'AuditWriteError';
  }
}

/** Wraps whatever went wrong while appending into an AuditWriteError (kept as is if it is one). */
export function toAuditWriteError(e: unknown, file: string): AuditWriteError {
  if (e instanceof AuditWriteError) return e;
  const prefix = `The audit log ${file} could not be written, so the action was not recorded`;
  if (e instanceof LockTimeoutError) {
    return new AuditWriteError('ELOCKED', file, `${prefix}: ${e.message}.`,
      `If no other jira2fa process or VS Code window is writing to it, delete ${e.lockPath} and retry.`, { cause: e });
  }
  const code = errnoCode(e) ?? 'EUNKNOWN';
  const detail = e instanceof Error ? e.message : String(e);
  const hints: Record<string, string> = {
    ENOSPC: `Free disk space on the volume that holds ${file}, then retry.`,
    EDQUOT: `Your disk quota is exhausted on the volume that holds ${file}: free space, then retry.`,
    EACCES: `Make ${file} and its folder writable, or choose another file with --audit-file or JIRA2FA_AUDIT_FILE.`,
    EPERM: `Make ${file} and its folder writable, or choose another file with --audit-file or JIRA2FA_AUDIT_FILE.`,
    EROFS: `${file} is on a read-only file system: choose another file with --audit-file or JIRA2FA_AUDIT_FILE.`,
    EISDIR: `${file} is a folder: point --audit-file or JIRA2FA_AUDIT_FILE at a file.`,
    ENOTDIR: `A parent of ${file} is not a folder: point --audit-file or JIRA2FA_AUDIT_FILE elsewhere.`,
  };
  return new AuditWriteError(code, file, `${prefix} (${code}): ${detail}`,
    hints[code] ?? 'Check the disk and the file, then retry.', { cause: e });
}
