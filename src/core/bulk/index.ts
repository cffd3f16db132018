/** Bulk disable of two-step verification for many users: by SQL (one transaction) or by REST (paced). */
export { parseUserList, formatForFile, summarizeProblems, type UserList, type ListedUser, type ListProblem, type ListFormat } from './userList';
export {
  newReport,
  newRunId,
  saveReport,
  loadReport,
  reportToCsv,
  reportToMarkdown,
  countStatuses,
  describeCounts,
  type BulkReport,
  type BulkUserResult,
  type BulkVia,
  type UserStatus,
  type RunState,
} from './report';
export { checkBulkConfirmation, needsConfirmation } from './confirm';
export { previewSqlBulk, executeSqlBulk, type SqlBulkContext, type SqlBulkProgress } from './sql';
export { checkGroupSelection, describeGroupSource, usersFromGroups, type GroupSelection, type GroupSource, type GroupSourceDeps } from './groups';
