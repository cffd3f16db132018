/**
 * The audit log's entry shape. One entry per action attempted, refused ones included.
 * Never a secret or a TOTP code in it: writers pass only the fields below, and the log
 * runs every string through the redactor as a last line of defence.
 */
export type AuditOutcome = 'ok' | 'refused' | 'error' | 'cancelled';

export interface AuditInstanceRef {
  id: string;
  name: string;
  baseUrl: string;
}

/** The request behind an action that changed a user's 2SV (src/core/requests). */
export interface AuditRequest {
  ticket?: string;
  ticketUrl?: string;
  reason?: string;
  verification?: string;
  verificationNote?: string;
  /** reporter / requester: the ticket came from the user; mismatch: from someone else; unknown: not checked. */
  identityMatch?: 'reporter' | 'requester' | 'mismatch' | 'unknown';
  /** The ticket check's warnings the admin went past, and their typed reason. */
  warnings?: string;
  override?: string;
}

export interface AuditEntryInput {
  /**
   * The product identity used: the Jira user of the REST call, the database user of SQL, the
   * Cloud API key's owner when known; else the OS user.
   */
  admin: string;
  /** The operating-system account that ran the tool; the audit log fills it in when absent. */
  osUser?: string;
  instance: AuditInstanceRef;
  /** e.g. "unenroll", "sql.run", "sql.disable", "backup.restore", "cloud.move", "cloud.moveBack" */
  action: string;
  /** The user (or other object) acted on. */
  target?: string;
  outcome: AuditOutcome;
  /** HTTP status when the action was a request. */
  status?: number;
  /** One-line human explanation of the outcome. */
  message: string;
  /** Small, non-secret facts: snippet name, row counts, policy ids... */
  details?: Record<string, string | number | boolean | null>;
  /** Links the entries of one bulk run. */
  runId?: string;
  /** The backup that a destructive change saved first. */
  backupId?: string;
  /** The request (ticket, reason, identity verification) behind the action. */
  request?: AuditRequest;
}

export interface AuditEntry extends AuditEntryInput {
  id: string;
  /** ISO 8601 time of writing. */
  time: string;
  prevHash: string;
  hash: string;
}

/** What actions need from the audit log: append one entry, get it back with id and hash. */
export interface AuditSink {
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /**
   * Appends a batch in order, all or nothing (the file log writes it with one lock and one
   * fsync). Optional so that simple sinks need not offer it: see writeAuditMany() in
   * recovery/context.ts for the fallback.
   */
  appendMany?(entries: readonly AuditEntryInput[]): Promise<AuditEntry[]>;
  /**
   * Resolves when an entry can be written now; throws (AuditWriteError "ENOSPC") when the log's
   * disk has no room left. Actions call it before they act, so that no change happens that its
   * audit entry could not follow.
   */
  ready?(): Promise<void>;
}
