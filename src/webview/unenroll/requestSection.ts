/**
 * The Request section of the Unenroll panel: its fields, the ticket card, the policy line, and
 * the request as the action gets it. Page-side only; the policy itself is enforced by the core.
 */
import { byId, el, fieldWithButton } from '../shared/dom';
import type { FromUnenroll, RequestSetup, TicketCard, UnenrollState } from './protocol';

type Field = HTMLElement & { value: string };

export function requestSection(): HTMLElement {
  return el('details', { id: 'requestDetails', class: 'request' },
    el('summary', { id: 'requestSummary' }, 'Request'),
    el('p', { id: 'requestPolicy', class: 'muted' }),
    fieldWithButton({ id: 'ticket', label: 'Ticket key', placeholder: 'HELP-123', maxlength: '64' }, { id: 'checkTicket', text: 'Check ticket' }, true),
    el('div', { id: 'ticketCard', class: 'lookup', role: 'status', 'aria-live': 'polite' }),
    el('vscode-form-group', { variant: 'vertical', id: 'override-group' },
      el('vscode-label', { for: 'override' }, 'I verified this: why you go on despite the warnings'),
      el('vscode-textfield', { id: 'override', maxlength: '500' }),
    ),
    el('vscode-form-group', { variant: 'vertical' },
      el('vscode-label', { for: 'verification' }, 'How the requester\'s identity was verified'),
      el('div', { id: 'verificationBox' }),
    ),
    el('vscode-form-group', { variant: 'vertical' },
      el('vscode-label', { for: 'verificationNote' }, 'Verification note (optional)'),
      el('vscode-textfield', { id: 'verificationNote', maxlength: '500' }),
    ),
    el('vscode-form-group', { variant: 'vertical' },
      el('vscode-label', { for: 'reason' }, 'Reason'),
      el('vscode-textfield', { id: 'reason', maxlength: '500', placeholder: 'e.g. lost phone, reported by phone to the service desk' }),
    ),
  );
}

/** The verification select: the configured methods, plus a saved choice no longer among them. */
export function methodSelect(configured: readonly string[], chosen: string, onChange: (value: string) => void): HTMLElement {
  const methods = chosen && !configured.includes(chosen) ? [...configured, chosen] : configured;
  const select = el('vscode-single-select', { id: 'verification' },
    el('vscode-option', { value: '', ...(chosen === '' ? { selected: true } : {}) }, '(not recorded)'),
    ...methods.map((m) => el('vscode-option', { value: m, ...(m === chosen ? { selected: true } : {}) }, m)));
  select.addEventListener('change', () => onChange((select as Field).value));
  return select;
}

export function policyText(r: RequestSetup): string {
  const where = `Tickets are read on ${r.ticketInstance}${r.projects.length ? ` (projects ${r.projects.join(', ')})` : ''}${r.comment ? '; an internal comment is added to the ticket after the action' : ''}.`;
  if (r.require === 'ticket') return `This instance requires a ticket and a record of how the requester's identity was verified. ${where}`;
  if (r.require === 'reason') return `This instance requires a reason or a ticket. ${where}`;
  return `Optional: the request behind this reset, kept in the audit entry. ${where}`;
}

export function summaryText(r: RequestSetup): string {
  return r.require === 'none' ? 'Request (optional)' : `Request (${r.require === 'ticket' ? 'ticket' : 'reason or ticket'} required)`;
}

const IDENTITY: Record<TicketCard['identityMatch'], string> = {
  reporter: '✓ The reporter is the locked-out user.',
  requester: '✓ The service desk requester is the locked-out user.',
  mismatch: '⚠ The requester is not the locked-out user.',
  unknown: 'Identity not compared.',
};

/** The card of the ticket key now in the field; an answer for another key leaves the box alone. */
export function renderCard(card: TicketCard | undefined, ticket: string | undefined): void {
  const box = byId('ticketCard');
  if (!card || card.key !== ticket) {
    if (!box.textContent?.startsWith('Checking')) box.replaceChildren();
    return;
  }
  const created = Date.parse(card.created);
  box.className = `lookup ${card.warnings.length ? 'warn' : 'ok'}`;
  box.replaceChildren(
    el('div', { id: 'ticketSummary' }, el('strong', {}, card.key), ` · ${card.summary}`),
    el('div', { class: 'muted' }, `${card.serviceDesk ? 'Requester' : 'Reporter'}: ${card.reporter} · Status: ${card.status} · Created: ${Number.isNaN(created) ? card.created : new Date(created).toLocaleString()}`),
    el('div', { id: 'ticketIdentity' }, IDENTITY[card.identityMatch]),
    ...card.warnings.map((w) => el('div', { class: 'warning' }, `⚠ ${w}`)),
  );
}

/** The request as the action gets it: blanks dropped; the override only while warnings show. */
export function requestOf(state: UnenrollState): NonNullable<Extract<FromUnenroll, { type: 'send' }>['request']> | undefined {
  const r: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    const t = v?.trim();
    if (t) r[k] = t;
  };
  put('ticket', state.ticket);
  put('reason', state.reason);
  put('verification', state.verification);
  put('verificationNote', state.verificationNote);
  if (state.card?.warnings.length && state.card.key === state.ticket) put('override', state.override);
  return Object.keys(r).length ? r : undefined;
}
