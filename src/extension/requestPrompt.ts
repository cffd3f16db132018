/**
 * The request step of the editor's flows that change users' 2SV without a panel (bulk disable,
 * restore a backup, Cloud move back): quick picks and input boxes asking what the instance's
 * policy asks (a reason, or a ticket with its summary card, "I verified this" when the check
 * warns, the verification method and a note), then after the action the ticket comment's
 * outcome with a Retry. The same gate as the panels (requestGate.ts); the core enforces it.
 *
 * An instance that asks for nothing is not asked: the step then adds no click to the flow
 * (the panels and the CLI still take an optional request).
 */
import * as vscode from 'vscode';
import type { AuditEntry } from '../core/audit/types';
import { describeError } from '../core/errors';
import type { CommentResult } from '../core/requests/gate';
import { TICKET_KEY, type RequestInput } from '../core/requests/policy';
import type { TicketCheck } from '../core/requests/ticketCheck';
import type { InstanceProfile } from '../core/profiles/schema';
import { printable } from '../core/printable';
import { policyText } from '../webview/shared/requestProtocol';
import { cardOf, commentView } from './requestDesk';
import { checkTicketFor, requestSetupOf, retryCommentFor } from './requestGate';
import { verificationMethods } from './requestSettings';
import type { ExtensionServices } from './services';

type Services = Pick<ExtensionServices, 'profiles' | 'jira' | 'audit' | 'log'>;

/** What the admin answered: the request (undefined when none is asked), or undefined when cancelled. */
export type RequestAnswer = { request?: RequestInput };

/**
 * Asks the request behind `what` on `profile`, as its policy requires. `target`: the one user
 * whose requester is compared (undefined: several users, not compared).
 */
export async function askRequest(s: Services, profile: InstanceProfile, what: string, target?: string): Promise<RequestAnswer | undefined> {
  const setup = requestSetupOf(s, profile, verificationMethods());
  if (setup.require === 'none') return {};
  const title = `${what} on ${profile.name}: the request behind it`;
  // One box first: a ticket key starts the ticket's steps; any other text is the reason.
  const ticketOnly = setup.require === 'ticket';
  const first = await vscode.window.showInputBox({
    title,
    prompt: `${ticketOnly ? 'Ticket key (e.g. HELP-123).' : 'A reason, or a ticket key (e.g. HELP-123) to check.'} ${policyText(setup, what.toLowerCase())}`,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const t = v.trim();
      if (TICKET_KEY.test(t.toUpperCase())) return undefined;
      if (ticketOnly) return 'A ticket key is required (e.g. HELP-123).';
      return t === '' ? 'Give a reason or a ticket key.' : t.length > 500 ? 'At most 500 characters.' : undefined;
    },
  });
  if (first === undefined) return undefined;
  if (!TICKET_KEY.test(first.trim().toUpperCase())) return { request: { reason: first.trim() } };
  const request: RequestInput = {};
  const ticket = await askTicket(s, profile, title, target, first.trim().toUpperCase());
  if (!ticket) return undefined;
  request.ticket = ticket.check.ticket.key;
  if (ticket.override) request.override = ticket.override;
  const methods = setup.methods.map((m) => ({ label: m, method: m }));
  if (!ticketOnly) methods.push({ label: '(not recorded)', method: '' });
  const method = await vscode.window.showQuickPick(methods, { title, placeHolder: 'How was the requester\'s identity verified?', ignoreFocusOut: true });
  if (!method) return undefined;
  if (method.method) {
    request.verification = method.method;
    const note = await line(title, 'Verification note (optional)', false);
    if (note === undefined) return undefined;
    if (note) request.verificationNote = note;
  }
  const reason = await line(title, 'Reason (optional)', false);
  if (reason === undefined) return undefined;
  if (reason) request.reason = reason;
  return { request };
}

/** The key, its card in a quick pick (accept or type another key), and the typed reason when it warns. */
async function askTicket(s: Services, profile: InstanceProfile, title: string, target: string | undefined, key: string): Promise<{ check: TicketCheck; override?: string } | undefined> {
  let value = key;
  for (let first = true; ; first = false) {
    const typed = first ? value : await vscode.window.showInputBox({
      title,
      prompt: 'Ticket key (e.g. HELP-123); it is read on the ticket instance and shown before you go on.',
      value,
      ignoreFocusOut: true,
      validateInput: (v) => (TICKET_KEY.test(v.trim().toUpperCase()) ? undefined : 'Not a ticket key (expected e.g. HELP-123).'),
    });
    if (typed === undefined) return undefined;
    value = typed.trim().toUpperCase();
    let check: TicketCheck;
    try {
      check = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading ${value}…` }, () => checkTicketFor(s, profile, value, target));
    } catch (e) {
      void vscode.window.showErrorMessage(describeError(e));
      continue;
    }
    const picked = await vscode.window.showQuickPick(cardItems(check), { title, placeHolder: `${check.ticket.key}: use this ticket?`, ignoreFocusOut: true, matchOnDetail: true });
    if (!picked) return undefined;
    if (!picked.use) continue;
    if (!check.warnings.length) return { check };
    const override = await line(title, `I verified this: why you go on despite the warnings (${check.warnings.map((w) => printable(w)).join(' ')})`, true);
    if (override === undefined) return undefined;
    return { check, override };
  }
}

type CardItem = vscode.QuickPickItem & { use?: boolean };

/** The ticket's summary card (the panels' card, cardOf) as quick pick rows; server text through printable(). */
function cardItems(check: TicketCheck): CardItem[] {
  const card = cardOf(check);
  const identity = { reporter: 'the reporter is the locked-out user', requester: 'the service desk requester is the locked-out user', mismatch: 'the requester is NOT the locked-out user', unknown: 'identity not compared' }[card.identityMatch];
  return [
    { label: `$(check) Use ${printable(card.key)}`, description: printable(card.summary), detail: `${card.serviceDesk ? 'Requester' : 'Reporter'}: ${printable(card.reporter)} · Status: ${printable(card.status)} · Created: ${printable(card.created)} · ${identity}`, use: true },
    ...card.warnings.map((w): CardItem => ({ label: `$(warning) ${printable(w)}`, use: false })),
    { label: '$(edit) Another ticket…', use: false },
  ];
}

async function line(title: string, prompt: string, required: boolean): Promise<string | undefined> {
  const v = await vscode.window.showInputBox({
    title,
    prompt,
    ignoreFocusOut: true,
    validateInput: (x) => (x.length > 500 ? 'At most 500 characters.' : required && !x.trim() ? 'Required.' : undefined),
  });
  return v?.trim();
}

/** After the action: the comment's outcome; a failed one offers Retry (recorded like the first). */
export function reportComment(s: Services, profile: InstanceProfile, r: CommentResult, entry: AuditEntry): void {
  const view = commentView(r);
  if (!view.retry) return void vscode.window.showInformationMessage(view.message);
  void vscode.window.showWarningMessage(`${view.message} The action itself is done.`, 'Retry comment').then(async (choice) => {
    if (choice !== 'Retry comment') return;
    try {
      reportComment(s, profile, await retryCommentFor(s, profile, entry), entry);
    } catch (e) {
      void vscode.window.showErrorMessage(describeError(e));
    }
  });
}
