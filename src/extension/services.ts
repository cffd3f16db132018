/**
 * What every command and view gets once the extension has started: built right after
 * activate() returns (this module is its own chunk, loaded by import()), not during it, so
 * activation reads no audit, database, Cloud or snippet code. startServices() also adds the
 * tree's child rows, the walkthrough keys, the team audit shipping, the snippet diagnostics and
 * the start-up reminders (docs/architecture.md, "Activation").
 */
import * as vscode from 'vscode';
import { AuditHead } from '../core/audit/head';
import { AuditLog } from '../core/audit/log';
import { auditFilePath, auditHeadFilePath } from '../core/audit/paths';
import { BackupStore, backupDirPath } from '../core/backup/store';
import { JsonFileTrackerStorage, MoveTracker, trackerFilePath } from '../core/cloud/tracker';
import { osUser } from '../core/osUser';
import type { InstanceProfile } from '../core/profiles/schema';
import { consumeSandboxSecrets } from '../core/sandboxSecrets';
import type { SecretStore } from '../core/secrets';
import { FileStepLedger, totpLedgerPath, type StepLedger } from '../core/totpLedger';
import { RecentActionsChildren } from './audit/recentActions';
import { TeamAudit } from './audit/teamAudit';
import { CloudChildren } from './cloud/cloudTree';
import { remindOverdue } from './cloud/reminder';
import { CloudSessions } from './cloud/sessions';
import { JiraSessions } from './jiraSessions';
import type { Log } from './log';
import type { ProfileStore } from './profileStore';
import { DatabaseChildren } from './snippets/databaseNodes';
import { DatabaseSessions } from './snippets/databaseSessions';
import { registerSnippetDiagnostics } from './snippets/diagnostics';
import { databaseEnrollmentLookup } from './snippets/enrollmentLookup';
import { onDidChangeSnippetFolders } from './snippets/folders';
import type { InstanceChildren, InstancesTree } from './tree/instancesTree';
import type { InstanceStatusStore } from './tree/instanceStatus';
import { unenrollChildren } from './unenroll/unenrollRow';
import { WalkthroughContext } from './walkthroughContext';

/** What activate() builds itself: the view, the settings, the keychain and the log. */
export interface ActivationCore {
  /** The extension's folder (panels load dist/webview from it) and its storage folder. */
  context: vscode.ExtensionContext;
  log: Log;
  secrets: SecretStore;
  profiles: ProfileStore;
  statuses: InstanceStatusStore;
  tree: InstancesTree;
}

export interface ExtensionServices extends ActivationCore {
  jira: JiraSessions;
  /** Atlassian Cloud organizations: admin API clients and Test connection. */
  cloud: CloudSessions;
  /** Users moved to a temporary policy, shared with the CLI (one JSON file). */
  cloudTracker: MoveTracker;
  /** The tree's Cloud rows: reloaded after a move so the waiting count follows. */
  cloudRows: CloudChildren;
  /** The audit log shared with the CLI; `audit.file` is its path. */
  audit: AuditLog;
  /** The head file shared with the CLI: the last entry written from this computer to each log. */
  auditHead: AuditHead;
  /** Shipping to the team store and syslog, its status bar item, and the Team view's reads (optional: tests leave it out). */
  teamAudit?: TeamAudit;
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

export interface Started {
  services: ExtensionServices;
  /** The rows under each instance, in order. */
  children: InstanceChildren[];
}

export async function startServices(core: ActivationCore): Promise<Started> {
  const { context, log, secrets, profiles, statuses, tree } = core;
  // Commands and panels read the profiles synchronously from here on.
  await profiles.ready();
  // One audit chain for the extension and the CLI: $JIRA2FA_AUDIT_FILE, else the platform state
  // dir (~/.local/state/jira2fa/audit.jsonl on Linux). Appends from both are serialised by a lock.
  const auditFile = auditFilePath(undefined, process.env);
  // The last entry written from this computer to each log, shared with the CLI
  // ($JIRA2FA_AUDIT_HEAD_FILE, else <state dir>/audit-head.json): detects removed last lines.
  const auditHead = new AuditHead(auditHeadFilePath(process.env), { onWarning: (message) => log.warn(`Audit log: ${message}`) });
  // Sessions open on first use (no driver is loaded until then) and close when idle.
  const databases = new DatabaseSessions(secrets);
  // Ships the log to the team store and syslog after each append and at start (teamAudit.ts).
  const teamAudit = new TeamAudit(secrets, auditFile, log);
  // Cloud users waiting to be moved back: the CLI's file ($JIRA2FA_CLOUD_PENDING_FILE, else
  // <state dir>/cloud-pending.json), so both see one list and its lock (see docs in tracker.ts).
  const cloudTrackerFile = trackerFilePath(process.env);
  const cloudTracker = new MoveTracker(new JsonFileTrackerStorage(cloudTrackerFile));
  const cloudRows = new CloudChildren(cloudTracker, tree, cloudTrackerFile);
  const services: ExtensionServices = {
    ...core,
    jira: new JiraSessions(secrets, statuses),
    cloud: new CloudSessions(secrets, statuses),
    cloudTracker,
    cloudRows,
    audit: new AuditLog(auditFile, { head: auditHead, onAppended: () => teamAudit.schedule() }),
    auditHead,
    teamAudit,
    databases,
    // Shared with the CLI, like the audit log: $JIRA2FA_BACKUP_DIR, else <state dir>/backups.
    backups: new BackupStore(backupDirPath(process.env)),
    // TOTP windows already used, shared with CLI runs so no code is sent twice (totpLedger.ts).
    totpLedger: new FileStepLedger(totpLedgerPath(process.env)),
    adminName: osUser,
    enrollmentLookup: databaseEnrollmentLookup(databases, log),
  };
  const recentActions = new RecentActionsChildren(auditFile);
  const watchCloudTracker = () => cloudRows.watch(profiles.snapshot().profiles.some((p) => p.product === 'cloud'));
  watchCloudTracker();
  // Walkthrough steps tick from what is already true (it reads secrets and the log).
  const walkthrough = new WalkthroughContext(profiles, secrets, statuses, auditFile);
  void walkthrough.update();
  context.subscriptions.push(
    walkthrough,
    recentActions.watch(() => {
      tree.refresh();
      void walkthrough.update();
    }),
    teamAudit,
    ...registerSnippetDiagnostics(() => tree.refresh()),
    onDidChangeSnippetFolders(() => tree.refresh()),
    databases.onDidChange(() => tree.refresh()),
    { dispose: () => void databases.dispose() },
    cloudRows,
    profiles.onDidChange(watchCloudTracker),
  );
  teamAudit.schedule(1000);
  // Counts for the tree, then the reminder of users left too long: no network, one file read.
  void cloudRows.reload().then(() => remindOverdue(cloudTracker, log));
  const { profiles: valid, invalid } = profiles.snapshot();
  log.info(`Started: ${valid.length} instance(s), ${invalid.length} invalid settings entr${invalid.length === 1 ? 'y' : 'ies'}`);
  // `npm run sandbox` hands over its credentials once (see core/sandboxSecrets.ts); no-op otherwise.
  void consumeSandboxSecrets(process.env, secrets, (id) => profiles.get(id)).then(
    (r) => {
      if (!r) return;
      if (r.imported.length) log.info(`Sandbox: stored the credentials of ${r.imported.join(', ')} in SecretStorage`);
      for (const why of r.skipped) log.warn(`Sandbox credentials not imported: ${why}`);
      tree.refresh();
    },
    (e) => log.error(`Sandbox credentials import failed: ${(e as Error).message}`),
  );
  return { services, children: [unenrollChildren, new DatabaseChildren(databases), cloudRows, recentActions] };
}
