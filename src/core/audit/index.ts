/** The audit log's public API, for the extension and the CLI. */
export type { AuditEntry, AuditEntryInput, AuditInstanceRef, AuditOutcome, AuditSink } from './types';
export { AuditLog, lastHash, newEntryId, openFileForAppend, type AppendHandle, type AuditLogOptions } from './log';
export {
  forEachEntry,
  matchesFilter,
  readEntries,
  recentEntries,
  verify,
  type AuditFilter,
  type AuditFilterSpec,
  type LineProblem,
  type ReadEntriesOptions,
  type ReadEntriesResult,
  type HeadCheck,
  type RecordedGap,
  type VerifyOptions,
  type VerifyResult,
} from './read';
export { AuditHead, GAP_ACTION, logHasEntry, type AuditHeadOptions, type HeadRead, type HeadRecord } from './head';
export { CSV_COLUMNS, csvRecord, csvSafeCell, entriesToCsv, exportCsv, type CsvOptions, type ExportCsvResult } from './csv';
export { AuditWriteError, type AuditWriteCode } from './errors';
export { AUDIT_OUTCOMES, ENTRY_LIMITS, containsRegisteredSecret } from './entry';
export { canonicalJson, entryHash, GENESIS_HASH } from './canonical';
export { auditFilePath, auditHeadFilePath, AUDIT_FILE_NAME, AUDIT_HEAD_FILE_NAME } from './paths';
export { withFileLock, LockTimeoutError, type LockOptions } from './lock';
