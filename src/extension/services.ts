/** What activate() builds once and hands to every command and view. */
import type * as vscode from 'vscode';
import type { AuditHead, AuditLog } from '../core/audit';
import type { BackupStore } from '../core/backup/store';
import type { MoveTracker } from '../core/cloud/tracker';
import type { InstanceProfile } from '../core/profiles/schema';
import type { SecretStore } from '../core/secrets';
import type { StepLedger } from '../core/totpLedger';
import type { CloudSessions } from './cloud/sessions';
import type { JiraSessions } from './jiraSessions';
import type { Log } from './log';
import type { ProfileStore } from './profileStore';
import type { DatabaseSessions } from './snippets/databaseSessions';
import type { InstancesTree } from './tree/instancesTree';
import type { InstanceStatusStore } from './tree/instanceStatus';

export interface ExtensionServices {
  context: vscode.ExtensionContext;
  extensionUri: vscode.Uri;
  log: Log;
  secrets: SecretStore;
  profiles: ProfileStore;
  statuses: InstanceStatusStore;
  tree: InstancesTree;
  jira: JiraSessions;
  /** Atlassian Cloud organizations: admin API clients and Test connection. */
  cloud: CloudSessions;
  /** Users moved to a temporary policy, shared with the CLI (one JSON file). */
  cloudTracker: MoveTracker;
  audit: AuditLog;
  auditFile: string;
  /** The head file shared with the CLI: the last entry written from this computer to each log. */
  auditHead: AuditHead;
  /** Shipping to the team store and syslog, its status bar item, and the Team view's reads (optional: tests leave it out). */
  teamAudit?: import('./audit/teamAudit').TeamAudit;
  /** Instance database sessions, opened on first use, closed when idle. */
  databases: DatabaseSessions;
  /** Backups of rows changed by destructive snippets (shared with the CLI). */
  backups: BackupStore;
  /** TOTP windows already used, shared with the CLI: hand it to every replayGuardFor(). */
  totpLedger: StepLedger;
  /** Who is acting, for audit entries written before the server told us. */
  adminName(): string;
  /** Whether a user is enrolled, from the instance's database when it has one. */
  enrollmentLookup(profile: InstanceProfile, username: string): Promise<'yes' | 'no' | 'unknown'>;
}
