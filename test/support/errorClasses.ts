// The error classes as separate bundles carry them: built twice by test/unit/errors.crossBundle.test.ts.
export { AppError, describeError } from '../../src/core/errors';
export { DbError } from '../../src/core/db/connect';
export { AuditWriteError } from '../../src/core/audit/errors';
export { TrackerError } from '../../src/core/cloud/tracker';
