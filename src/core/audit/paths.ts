/**
 * Where the audit log lives when not told otherwise. The extension and the CLI use the same
 * default, so that both append to one chain (appends are locked, see log.ts).
 */
import path from 'node:path';
import { stateDir } from '../platformPaths';

type Env = Record<string, string | undefined>;

export const AUDIT_FILE_NAME = 'audit.jsonl';

/** --audit-file, else $JIRA2FA_AUDIT_FILE, else <stateDir>/audit.jsonl. */
export function auditFilePath(flag: string | undefined, env: Env = process.env): string {
  return flag || env.JIRA2FA_AUDIT_FILE || path.join(stateDir(env), AUDIT_FILE_NAME);
}

export const AUDIT_HEAD_FILE_NAME = 'audit-head.json';

/**
 * The head file that remembers the last entry this computer wrote to each audit log (head.ts):
 * $JIRA2FA_AUDIT_HEAD_FILE, else <stateDir>/audit-head.json. Shared by the extension and the CLI.
 */
export function auditHeadFilePath(env: Env = process.env): string {
  return env.JIRA2FA_AUDIT_HEAD_FILE || path.join(stateDir(env), AUDIT_HEAD_FILE_NAME);
}

/**
 * Where shipping to the team store or to syslog records how far it got in the local log
 * (ship/position.ts): <state dir>/audit-store.position.json and audit-syslog.position.json.
 */
export function auditPositionFilePath(destination: 'store' | 'syslog', env: Env = process.env): string {
  return path.join(stateDir(env), `audit-${destination}.position.json`);
}
