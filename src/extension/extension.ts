/**
 * Activation builds the services once (log, keychain-backed secrets, profiles from user
 * settings, the tree) and registers commands. It loads no database driver and makes no
 * network call; those happen on first use.
 */
import * as vscode from 'vscode';
import { osUser } from '../core/osUser';
import { AuditLog } from '../core/audit/log';
import { AuditHead } from '../core/audit/head';
import { auditFilePath, auditHeadFilePath } from '../core/audit/paths';
import { BackupStore, backupDirPath } from '../core/backup/store';
import { FileStepLedger, totpLedgerPath } from '../core/totpLedger';
import { withOriginConfirmation } from '../core/credentialOrigin';
import { JsonFileTrackerStorage, MoveTracker, trackerFilePath } from '../core/cloud/tracker';
import type { SecretStore } from '../core/secrets';
// (after ../core/secrets on purpose: keeps this line apart from other branches' new imports)
import { consumeSandboxSecrets } from '../core/sandboxSecrets';
import { registerEvidenceCommand } from './audit/evidenceCommand';
import { RecentActionsChildren } from './audit/recentActions';
import { TeamAudit } from './audit/teamAudit';
import { WalkthroughContext } from './walkthroughContext';
import { CloudChildren } from './cloud/cloudTree';
import { registerCloudCommands, remindOverdue } from './cloud/commands';
import { CloudSessions } from './cloud/sessions';
import { registerCredentialCommands } from './commands/credentials';
import { registerInstanceCommands } from './commands/instances';
import { registerDbConfigImport } from './commands/dbConfigImport';
import { registerSqlCommands } from './commands/sql';
import { registerUnenrollCommands, unenrollChildren } from './commands/unenroll';
import { JiraSessions } from './jiraSessions';
import { createLog } from './log';
import { registerBulkCommands } from './bulk/command';
import { ProfileStore } from './profileStore';
import { confirmNewHost, VscodeSecretStore } from './secretStorage';
import { DatabaseChildren } from './snippets/databaseNodes';
import { DatabaseSessions } from './snippets/databaseSessions';
import { registerSnippetDiagnostics } from './snippets/diagnostics';
import { databaseEnrollmentLookup } from './snippets/enrollmentLookup';
import { onDidChangeSnippetFolders } from './snippets/folders';
import type { ExtensionServices } from './services';
import { EnvironmentDecorations } from './tree/environmentDecorations';
import { InstancesTree } from './tree/instancesTree';
import { InstanceStatusStore } from './tree/instanceStatus';

/** What activate() returns: used by the in-editor test suite, not a public API. */
export interface ExtensionApi {
  secrets: SecretStore;
  profiles: ProfileStore;
  services: ExtensionServices;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = createLog();
  const profiles = new ProfileStore();
  const statuses = new InstanceStatusStore();
  const tree = new InstancesTree(profiles, statuses);
  // A credential whose instance now points elsewhere is sent only after the admin confirms the new host.
  const secrets = withOriginConfirmation(new VscodeSecretStore(context.secrets), confirmNewHost);
  // One audit chain for the extension and the CLI: $JIRA2FA_AUDIT_FILE, else the platform state
  // dir (~/.local/state/jira2fa/audit.jsonl on Linux). Appends from both are serialised by a lock.
  const auditFile = auditFilePath(undefined, process.env);
  // The last entry written from this computer to each log, shared with the CLI
  // ($JIRA2FA_AUDIT_HEAD_FILE, else <state dir>/audit-head.json): detects removed last lines.
  const auditHead = new AuditHead(auditHeadFilePath(process.env), { onWarning: (message) => log.warn(`Audit log: ${message}`) });
  // Sessions open on first use (no driver is loaded at activation) and close when idle.
  const databases = new DatabaseSessions(secrets);
  // Ships the log to the team store and syslog after each append and at start (teamAudit.ts).
  const teamAudit = new TeamAudit(secrets, auditFile, log);
  // Cloud users waiting to be moved back: the CLI's file ($JIRA2FA_CLOUD_PENDING_FILE, else
  // <state dir>/cloud-pending.json), so both see one list and its lock (see docs in tracker.ts).
  const cloudTrackerFile = trackerFilePath(process.env);
  const services: ExtensionServices = {
    context,
    extensionUri: context.extensionUri,
    log,
    secrets,
    profiles,
    statuses,
    tree,
    jira: new JiraSessions(secrets, statuses),
    cloud: new CloudSessions(secrets, statuses),
    cloudTracker: new MoveTracker(new JsonFileTrackerStorage(cloudTrackerFile)),
    audit: new AuditLog(auditFile, { head: auditHead, onAppended: () => teamAudit.schedule() }),
    auditFile,
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
  tree.addChildren(unenrollChildren);
  tree.addChildren(new DatabaseChildren(databases));
  const cloudChildren = new CloudChildren(services.cloudTracker, tree, cloudTrackerFile);
  tree.addChildren(cloudChildren);
  const watchCloudTracker = () => cloudChildren.watch(profiles.snapshot().profiles.some((p) => p.product === 'cloud'));
  watchCloudTracker();
  const recentActions = new RecentActionsChildren(auditFile);
  tree.addChildren(recentActions);
  // Walkthrough steps tick from what is already true (after activation: it reads secrets and the log).
  const walkthrough = new WalkthroughContext(profiles, secrets, statuses, auditFile);
  setTimeout(() => void walkthrough.update(), 0);
  context.subscriptions.push(walkthrough, recentActions.watch(() => {
    tree.refresh();
    void walkthrough.update();
  }));
  const view = vscode.window.createTreeView('jira2fa.instances', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    log,
    profiles,
    statuses,
    tree,
    view,
    vscode.window.registerFileDecorationProvider(new EnvironmentDecorations()),
    vscode.commands.registerCommand('jira2fa.showLog', () => log.show()),
    registerEvidenceCommand(services),
    teamAudit,
    vscode.commands.registerCommand('jira2fa.audit.shipNow', () => teamAudit.shipNow()),
    vscode.commands.registerCommand('jira2fa.audit.setStorePassword', () => teamAudit.setPassword()),
    ...registerBulkCommands(services),
    ...registerInstanceCommands(services),
    ...registerDbConfigImport(services),
    ...registerCredentialCommands(services),
    ...registerUnenrollCommands(services),
    ...registerSqlCommands(services),
    ...registerSnippetDiagnostics(() => tree.refresh()),
    onDidChangeSnippetFolders(() => tree.refresh()),
    databases.onDidChange(() => tree.refresh()),
    { dispose: () => void databases.dispose() },
    cloudChildren,
    profiles.onDidChange(watchCloudTracker),
    ...registerCloudCommands(services, cloudChildren),
  );
  teamAudit.schedule(1000);
  // Counts for the tree, then the reminder of users left too long: no network, one file read.
  void cloudChildren.reload().then(() => remindOverdue(services));
  const { profiles: valid, invalid } = profiles.snapshot();
  log.info(`Activated: ${valid.length} instance(s), ${invalid.length} invalid settings entr${invalid.length === 1 ? 'y' : 'ies'}`);
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
  return { secrets: services.secrets, profiles, services };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
