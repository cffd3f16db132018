/** Opens the "Unenroll user" panel for one instance and backs its controller with the core. */
import * as vscode from 'vscode';
import { Command } from '../commandTable';
import { describeError } from '../../core/errors';
import type { InstanceProfile } from '../../core/profiles/schema';
import { tidyUsername } from '../../core/jira/paths';
import { FromUnenrollSchema, type FromUnenroll, type Lookup, type ToUnenroll } from '../../webview/unenroll/protocol';
import { PanelHost } from '../panels/panelHost';
import { requestBackendFor, requestGateFor } from '../requestGate';
import { verificationMethods } from '../requestSettings';
import type { ExtensionServices } from '../services';
import { UnenrollController, type UnenrollBackend } from './controller';

const open = new Map<string, PanelHost<FromUnenroll, ToUnenroll>>();

export function openUnenrollPanel(s: ExtensionServices, profile: InstanceProfile, username?: string): void {
  const existing = open.get(profile.id);
  if (existing) return existing.reveal();
  const host = new PanelHost<FromUnenroll, ToUnenroll>(s.context.extensionUri, s.log, {
    viewType: 'jira2fa.unenroll',
    title: `Unenroll user · ${profile.name}`,
    bundle: 'unenroll',
    fromWebview: FromUnenrollSchema,
    iconPath: vscode.Uri.joinPath(s.context.extensionUri, 'media', 'activitybar.svg'),
  });
  open.set(profile.id, host);
  host.panel.onDidDispose(() => open.delete(profile.id));
  const controller = new UnenrollController(backendFor(s, profile), (m) => host.post(m), username);
  host.onMessage((m) => controller.handle(m));
}

function backendFor(s: ExtensionServices, profile: InstanceProfile): UnenrollBackend {
  const gate = requestGateFor(s);
  return {
    instance: { id: profile.id, name: profile.name, environment: profile.environment, product: profile.product, baseUrl: profile.baseUrl },
    lookupAvailable: profile.product === 'jira' || profile.product === 'confluence',
    seedStored: async () => !!(await s.secrets.get(profile.id, 'totpSeed')),
    connection: () => s.jira.test(profile),
    requests: requestBackendFor(s, profile, verificationMethods),
    lookup: (username) => lookup(s, profile, username),
    unenroll: async (req) => {
      const [{ replayGuardFor }, { runUnenroll }] = await Promise.all([import('../../core/totp.js'), import('../../core/actions/unenroll.js')]);
      const signedInAs = s.jira.lastReport(profile.id)?.signedInAs;
      const result = await runUnenroll(
        {
          audit: s.audit,
          secrets: s.secrets,
          replayGuard: replayGuardFor(profile.id, undefined, s.totpLedger),
          // The instance's pooled client, shared with Test connection and the lookup.
          withClient: async (p, fn) => fn(await s.jira.client(p)),
          requests: gate,
          ...(signedInAs ? { signedInAs } : {}),
        },
        {
          profile,
          username: req.username,
          ...(req.code !== undefined ? { code: req.code } : {}),
          useStoredSeed: req.useStoredSeed,
          ...(req.confirmation !== undefined ? { confirmation: req.confirmation } : {}),
          onWaitForFreshCode: req.onWait,
          ...(req.request ? { request: req.request } : {}),
          onComment: (r, entry) => req.onComment(r, entry),
        },
      );
      s.log.info(`Unenroll ${req.username} on ${profile.id}: ${result.outcome.kind}${result.outcome.status ? ` (HTTP ${result.outcome.status})` : ''}`);
      if (result.auditError) s.log.error(`Audit entry not written: ${result.auditError}`);
      s.tree.refresh();
      return result;
    },
    openAuditLog: (entryId) => void vscode.commands.executeCommand(Command.showAuditLog, entryId),
    setSeed: async () => {
      await vscode.commands.executeCommand(Command.setCredentials, profile.id, 'totpSeed');
    },
  };
}

async function lookup(s: ExtensionServices, profile: InstanceProfile, typed: string): Promise<Lookup> {
  const { username, note } = tidyUsername(typed);
  const base: Lookup = { username, found: false, enrolled: 'unknown', message: '' };
  const withNote = (l: Lookup): Lookup => (note ? { ...l, message: `${l.message} ${note}`.trim() } : l);
  try {
    const client = await s.jira.client(profile);
    const answer = await client.findUser(username);
    if (!answer.ok) return withNote({ ...base, message: answer.outcome.summary });
    const user = answer.value;
    if (!user.found) return withNote({ ...base, message: `No user with the user name "${username}".` });
    const enrolled = await s.enrollmentLookup(profile, username);
    return withNote({
      username,
      found: true,
      ...(user.displayName ? { displayName: user.displayName } : {}),
      ...(user.email ? { email: user.email } : {}),
      ...(user.active !== undefined ? { active: user.active } : {}),
      enrolled,
      message:
        enrolled !== 'unknown'
          ? 'User found.'
          : profile.database
            ? 'Whether the user is enrolled could not be read from the database (see the log: Show Log).'
            : 'Whether the user is enrolled can only be read from the database (add one to the instance).',
    });
  } catch (e) {
    return { ...base, message: describeError(e) };
  }
}
