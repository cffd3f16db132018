/**
 * The Request section of every panel that changes a user's 2SV (Unenroll, Run snippet, Recover a
 * Cloud user): ticket key with a live summary card (summary, reporter, status, created), "I
 * verified this" with a typed reason when the card warns, the verification method from the
 * setting's list, a note and a reason; then the request as the action gets it, and the ticket
 * comment's line (with Retry) under the action's result. Page-side only: the policy itself is
 * enforced by the core, whose refusal the panel shows. Messages: requestProtocol.ts.
 */
import { TICKET_KEY } from '../../core/requests/policy';
import { el, fieldWithButton, setText, show } from './dom';
import { policyText, summaryText, type CommentView, type FromRequestSection, type RequestMessage, type RequestSetup, type RequestState, type TicketCard, type ToRequestSection } from './requestProtocol';

type Field = HTMLElement & { value: string };

export interface RequestSectionHost {
  /** The section's part of the panel's saved state. */
  state(): RequestState;
  /** Merges into the panel's saved state and refreshes the panel (its send blocker). */
  save(patch: Partial<RequestState>): void;
  post(message: FromRequestSection): void;
  /**
   * The user the ticket's requester is compared with: a user name or e-mail address; '' while
   * it is not given yet (the check waits for it); undefined when there is none to compare
   * (several users): the card then shows no identity match.
   */
  target(): string | undefined;
  /** What to ask for while the target is '' (e.g. "Enter the user name first"). */
  targetMissing: string;
  /** What the action is, for the optional policy line (e.g. "this reset"). */
  what: string;
}

const IDENTITY: Record<TicketCard['identityMatch'], string> = {
  reporter: '✓ The reporter is the locked-out user.',
  requester: '✓ The service desk requester is the locked-out user.',
  mismatch: '⚠ The requester is not the locked-out user.',
  unknown: 'Identity not compared.',
};

/** The request as the action gets it: blanks dropped; the override only while warnings show for this key. */
export function requestOf(state: RequestState): RequestMessage | undefined {
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

export class RequestSection {
  readonly element: HTMLElement;
  private setup: RequestSetup = { require: 'none', methods: [], ticketInstance: '', comment: false, projects: [] };
  private error = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly fields: Record<'ticket' | 'reason' | 'verificationNote' | 'override', Field>;
  private readonly card = el('div', { id: 'ticketCard', class: 'lookup', role: 'status', 'aria-live': 'polite' });
  private readonly errorLine: HTMLElement;
  private readonly overrideGroup: HTMLElement;
  private readonly methodBox = el('div', { id: 'verificationBox' });
  private readonly summary = el('summary', { id: 'requestSummary' }, 'Request');
  private readonly policy = el('p', { id: 'requestPolicy', class: 'muted' });

  constructor(private readonly host: RequestSectionHost) {
    const field = (id: string, attrs: Record<string, string> = {}) => el('vscode-textfield', { id, maxlength: '500', ...attrs }) as Field;
    const ticketGroup = fieldWithButton({ id: 'ticket', label: 'Ticket key', placeholder: 'HELP-123', maxlength: '64' }, { id: 'checkTicket', text: 'Check ticket' }, true);
    const inGroup = <T extends HTMLElement>(id: string) => ticketGroup.querySelector(`#${id}`) as T;
    this.errorLine = inGroup('ticket-error');
    this.fields = {
      ticket: inGroup<Field>('ticket'),
      reason: field('reason', { placeholder: 'e.g. lost phone, reported by phone to the service desk' }),
      verificationNote: field('verificationNote'),
      override: field('override'),
    };
    const checkButton = inGroup('checkTicket');
    this.overrideGroup = el('vscode-form-group', { variant: 'vertical', id: 'override-group' },
      el('vscode-label', { for: 'override' }, 'I verified this: why you go on despite the warnings'), this.fields.override);
    this.element = el('details', { id: 'requestDetails', class: 'request' },
      this.summary,
      this.policy,
      ticketGroup,
      this.card,
      this.overrideGroup,
      el('vscode-form-group', { variant: 'vertical' }, el('vscode-label', { for: 'verification' }, 'How the requester\'s identity was verified'), this.methodBox),
      el('vscode-form-group', { variant: 'vertical' }, el('vscode-label', { for: 'verificationNote' }, 'Verification note (optional)'), this.fields.verificationNote),
      el('vscode-form-group', { variant: 'vertical' }, el('vscode-label', { for: 'reason' }, 'Reason'), this.fields.reason),
    );
    const s = host.state();
    this.fields.ticket.value = s.ticket ?? '';
    this.fields.ticket.addEventListener('input', () => {
      this.error = '';
      host.save({ ticket: this.fields.ticket.value.trim().toUpperCase(), card: undefined });
      this.schedule();
    });
    this.fields.ticket.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) this.checkNow();
    });
    checkButton.addEventListener('click', () => this.checkNow());
    for (const k of ['reason', 'verificationNote', 'override'] as const) {
      this.fields[k].value = s[k] ?? '';
      this.fields[k].addEventListener('input', () => host.save({ [k]: this.fields[k].value }));
    }
    this.renderMethods();
  }

  /** The instance's policy and the methods offered, from the panel's init message. */
  configure(setup: RequestSetup): void {
    this.setup = setup;
    setText(this.policy, policyText(setup, this.host.what));
    setText(this.summary, summaryText(setup));
    const s = this.host.state();
    if (setup.require !== 'none' || s.ticket || s.reason) (this.element as HTMLDetailsElement).open = true;
    this.renderMethods();
    this.refresh();
  }

  /** The user changed: the card's identity match was for someone else, so the ticket is checked again. */
  targetChanged(): void {
    if (this.host.state().card) this.host.save({ card: undefined });
    this.schedule();
  }

  /** A ticket answer from the extension; one for a key or user since changed is stale. */
  handle(message: Extract<ToRequestSection, { type: 'ticket' }>): void {
    const s = this.host.state();
    if (message.key !== s.ticket || message.username !== (this.host.target() ?? '').trim()) return;
    this.error = message.error ?? '';
    if (!message.card) this.card.replaceChildren();
    this.host.save({ card: message.card });
  }

  /** The request to send with the action, or undefined when nothing was said. */
  request(): RequestMessage | undefined {
    return requestOf(this.host.state());
  }

  /** Why the action cannot be sent yet because of the request (a malformed key), or undefined. */
  blocker(): string | undefined {
    const t = this.host.state().ticket;
    return t && !TICKET_KEY.test(t) ? 'The ticket key is not valid (expected e.g. HELP-123).' : undefined;
  }

  /** Called by the panel's refresh: the card, the error line, "I verified this". */
  refresh(): void {
    const s = this.host.state();
    show(this.overrideGroup, !!s.card && s.card.key === s.ticket && s.card.warnings.length > 0);
    setText(this.errorLine, this.error);
    this.renderCard(s.card, s.ticket);
  }

  /** The comment's line under the action's result, with Retry when it failed. */
  commentLine(comment: CommentView | undefined, busy: () => boolean): HTMLElement | '' {
    if (!comment) return '';
    const line = el('p', { id: 'resultComment', class: comment.ok ? '' : 'warning' }, comment.message, ' ');
    if (comment.retry) {
      const retry = el('vscode-button', { id: 'retryComment', secondary: true }, 'Retry comment');
      retry.addEventListener('click', () => {
        if (!busy()) this.host.post({ type: 'retryComment' });
      });
      line.append(retry);
    }
    return line;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.checkNow(), 600);
  }

  /** Asks for the card only for a well-formed key: nothing is sent for anything else. */
  private checkNow(): void {
    clearTimeout(this.timer);
    const key = this.host.state().ticket ?? '';
    const target = this.host.target();
    if (key === '') this.error = '';
    else if (!TICKET_KEY.test(key)) this.error = 'Not a ticket key (expected e.g. HELP-123).';
    else if (target !== undefined && target.trim() === '') this.error = this.host.targetMissing;
    else {
      this.error = '';
      this.card.className = 'lookup';
      setText(this.card, `Checking ${key}…`);
      setText(this.errorLine, '');
      this.host.post({ type: 'checkTicket', key, username: (target ?? '').trim() });
      return;
    }
    this.refresh();
  }

  /** The verification select: the configured methods, plus a saved choice no longer among them. */
  private renderMethods(): void {
    const chosen = this.host.state().verification ?? '';
    const configured = this.setup.methods;
    const methods = chosen && !configured.includes(chosen) ? [...configured, chosen] : configured;
    const select = el('vscode-single-select', { id: 'verification' },
      el('vscode-option', { value: '', ...(chosen === '' ? { selected: true } : {}) }, '(not recorded)'),
      ...methods.map((m) => el('vscode-option', { value: m, ...(m === chosen ? { selected: true } : {}) }, m)));
    select.addEventListener('change', () => this.host.save({ verification: (select as Field).value }));
    this.methodBox.replaceChildren(select);
  }

  /** The card of the ticket key now in the field; an answer for another key leaves the box alone. */
  private renderCard(card: TicketCard | undefined, ticket: string | undefined): void {
    const box = this.card;
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
}
