/**
 * The one extension-side gate of recovery requests (src/core/requests), for every panel and flow
 * that changes a user's 2SV: ticket instances come from the profile store as it is now, tickets
 * are read and commented through the extension's pooled Jira client for that instance (shared
 * with Test connection, never closed here); the setup a Request section shows; the live ticket
 * check; the comment's Retry, recorded like the CLI's "audit comment". Free of VS Code (the
 * verification methods come from the caller: requestSettings.ts), so tests run it as it is.
 */
import { actionLabel } from '../core/audit/actionLabels';
import type { AuditEntry } from '../core/audit/types';
import type { CommentResult, RequestGateDeps } from '../core/requests/gate';
import { requestPolicyOf } from '../core/requests/policy';
import type { TargetUser, TicketCheck } from '../core/requests/ticketCheck';
import type { InstanceProfile } from '../core/profiles/schema';
import type { RequestSetup } from '../webview/shared/requestProtocol';
import type { RequestBackend } from './requestDesk';
import type { ExtensionServices } from './services';

export type RequestServices = Pick<ExtensionServices, 'profiles' | 'jira' | 'audit' | 'log'>;
type Services = RequestServices;

export function requestGateFor(s: Pick<ExtensionServices, 'profiles' | 'jira'>): RequestGateDeps {
  return {
    profileOf: (id) => s.profiles.get(id),
    withClient: async (profile, fn) => fn(await s.jira.client(profile)),
  };
}

/** What the instance asks for, as a Request section or a request step shows it. */
export function requestSetupOf(s: Pick<ExtensionServices, 'profiles'>, profile: InstanceProfile, methods: string[]): RequestSetup {
  const p = requestPolicyOf(s.profiles.get(profile.id) ?? profile);
  const t = s.profiles.get(p.ticketInstance);
  // A Cloud organization (or another product) reads no tickets itself: say where to name one.
  const where = !t ? `"${p.ticketInstance}" (not in your instances)` : t.product !== 'jira' ? `${t.name}, which is not a Jira instance: name one in recoveryRequests.ticketInstance to use tickets` : t.name;
  return { require: p.require, methods, ticketInstance: where, comment: p.comment, projects: p.projects };
}

/** The user a ticket's requester is compared with: a user name, or a Cloud e-mail address. */
export function targetUser(target: string | undefined): TargetUser | undefined {
  const t = target?.trim();
  return t ? { username: t, ...(t.includes('@') ? { email: t } : {}) } : undefined;
}

/** The live ticket check of a panel or request step: the gate's own check, on the same ticket instance. */
export async function checkTicketFor(s: Services, profile: InstanceProfile, key: string, target: string | undefined): Promise<TicketCheck> {
  const { previewTicket } = await import('../core/requests/gate.js');
  return previewTicket(s.profiles.get(profile.id) ?? profile, key, targetUser(target), requestGateFor(s));
}

/**
 * Adds the comment of an action again (after it failed) and records it in its own
 * ticket.comment entry, under the identity the action was audited with.
 */
export async function retryCommentFor(s: Services, profile: InstanceProfile, entry: AuditEntry): Promise<CommentResult> {
  const [{ retryTicketComment }, { recordComment }] = await Promise.all([import('../core/requests/gate.js'), import('../core/actions/audited.js')]);
  const gate = requestGateFor(s);
  const live = s.profiles.get(profile.id) ?? profile;
  const { result, prepared } = await retryTicketComment(live, entry, actionLabel(entry.action), gate);
  await recordComment({ audit: s.audit, admin: entry.admin }, (await gate.profileOf(prepared.policy.ticketInstance)) ?? live, prepared, result);
  s.log.info(`Ticket comment retry on ${prepared.check?.ticket.key}: ${result.posted ? 'added' : 'failed'}`);
  return result;
}

/** The backend of a panel's Request section (src/extension/requestDesk.ts); `methods`: the setting's list, read when asked. */
export function requestBackendFor(s: Services, profile: InstanceProfile, methods: () => string[]): RequestBackend {
  return {
    get setup() {
      return requestSetupOf(s, profile, methods());
    },
    checkTicket: (key, target) => checkTicketFor(s, profile, key, target),
    retryComment: (entry) => retryCommentFor(s, profile, entry),
  };
}
