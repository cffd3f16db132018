/** The Atlassian Cloud recovery layer: what the extension and the CLI import. */
export {
  CloudAdminClient,
  createCloudClient,
  DEFAULT_CLOUD_BASE_URL,
  type CloudClientOptions,
  type CloudClientProfile,
  type FindOptions,
  type FoundUsers,
} from './client';
export { rateLimitWaitMs, realClock, DEFAULT_RETRY, type RetryPolicy } from './rateLimit';
export { DEFAULT_TASK_WAIT, taskProgressText, type TaskWaitOptions } from './tasks';
export { diagnose, findAndDiagnose, membershipsOf, type CloudLookupApi, type Diagnosis, type DiagnosisCode, type DiagnosisInput, type LookupOptions, type LookupReport, type PolicyMembership, type UserReport } from './diagnose';
export { describeCloudFailure, type CloudFailure, type CloudFailureKind, type CloudGuard, type CloudResult, type MissingThing } from './outcomes';
export { emailProblem, hubOrgLink, hubPolicyLink, hubUserLink, looksLikeEmail } from './paths';
export { moveBack, moveToTemporaryPolicy, type CloudRecoveryClient, type MoveBackRequest, type MovedState, type MoveRequest, type MoveResult, type PolicyRef, type RecoveryContext, type TrackerChange } from './recovery';
export type { CloudPolicy, CloudUser, LastActive, PolicyDesignation, PolicyList, PolicyTask, TaskFailureReason, TaskState, TaskStatus, TwoSvEnforcement, UserPolicyInfo } from './shapes';
export {
  JsonFileTrackerStorage,
  MemoryTrackerStorage,
  MoveTracker,
  overdueMoves,
  parseTrackerData,
  TrackerError,
  TRACKER_FILE_NAME,
  trackerFilePath,
  type OverdueMove,
  type PendingMove,
  type TrackerData,
  type TrackerStorage,
} from './tracker';
export { runCloudMove, runCloudMoveBack, type CloudMoveDeps, type CloudMoveInput, type CloudMoveBackInput } from '../actions/cloud';
