/** The Jira / Data Center REST layer: what the extension and the CLI import. */
export { JiraClient, createJiraClient, type JiraClientOptions, type ClientProfile, type ServerInfo, type SignedInUser, type TsvStatus, type UserLookup } from './client';
export { loadCredentials, type Credentials } from './credentials';
export { DispatcherCache, sharedDispatchers, DEFAULT_TIMEOUTS, type Timeouts } from './dispatcher';
export { describeOutcome, type Outcome, type OutcomeKind, type FailedOutcome, type ApiResult, type GuardReason, type TlsProblem } from './outcomes';
export { usernameProblem, tidyUsername, encodeUsernameSegment, MAX_USERNAME_LENGTH } from './paths';
export { resolveProxy } from './proxy';
export { testConnection, type ConnectionReport } from './testConnection';
