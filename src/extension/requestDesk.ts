/**
 * The extension's side of the Request section every 2SV-changing panel shares (Unenroll, Run
 * snippet, Recover a Cloud user; page side: src/webview/shared/requestSection.ts): the live
 * ticket card, the comment's result after the action, and Retry on the entry whose comment
 * failed. Free of VS Code, like the panel controllers that use it; requestGate.ts supplies the
 * real backend.
 */
import type { AuditEntry } from '../core/audit/types';
import { describeError } from '../core/errors';
import type { CommentResult } from '../core/requests/gate';
import type { TicketCheck } from '../core/requests/ticketCheck';
import type { CommentView, RequestSetup, TicketCard, ToRequestSection } from '../webview/shared/requestProtocol';

export interface RequestBackend {
  /** The instance's request policy and the verification methods offered (read when asked: settings change). */
  readonly setup: RequestSetup;
  /** The gate's ticket check on the ticket instance (''/undefined target: identity not compared); throws AppError when refused. */
  checkTicket(key: string, target: string | undefined): Promise<TicketCheck>;
  /** Adds the comment of this action again and records it (its own ticket.comment entry). */
  retryComment(entry: AuditEntry): Promise<CommentResult>;
}

type Post = (message: ToRequestSection | { type: 'busy'; what: string }) => void | Thenable<boolean>;

export class RequestDesk {
  /** The action entry whose ticket comment failed: what Retry comments on. */
  private failed: AuditEntry | undefined;

  constructor(
    private readonly backend: RequestBackend,
    private readonly post: Post,
  ) {}

  get setup(): RequestSetup {
    return this.backend.setup;
  }

  /** Answers the page's check with the card, or why there is none. */
  async checkTicket(key: string, target: string): Promise<void> {
    try {
      const check = await this.backend.checkTicket(key, target || undefined);
      await this.post({ type: 'ticket', key, username: target, card: cardOf(check) });
    } catch (e) {
      await this.post({ type: 'ticket', key, username: target, error: describeError(e) });
    }
  }

  /**
   * For one action: the onComment the core calls after it, and the comment's view for the
   * result (undefined when the action reached no comment step).
   */
  action(): { onComment: (r: CommentResult, entry: AuditEntry) => void; view: () => CommentView | undefined } {
    this.failed = undefined;
    let view: CommentView | undefined;
    return {
      onComment: (r, entry) => {
        view = commentView(r);
        if (r.posted === false && r.why === 'failed') this.failed = entry;
      },
      view: () => view,
    };
  }

  /** Retry of the failed comment; the caller keeps it exclusive with its actions. */
  async retry(): Promise<void> {
    const entry = this.failed;
    if (!entry) return;
    await this.post({ type: 'busy', what: `Adding the comment to ${entry.request?.ticket ?? 'the ticket'} again…` });
    let view: CommentView;
    try {
      view = commentView(await this.backend.retryComment(entry));
    } catch (e) {
      view = { ok: false, message: describeError(e), retry: true };
    }
    if (view.ok) this.failed = undefined;
    await this.post({ type: 'comment', comment: view });
  }
}

/** The ticket check as the page's card shows it (server text, escaped by the page). */
export function cardOf(check: TicketCheck): TicketCard {
  const t = check.ticket;
  const who = check.serviceDesk?.requester ?? t.reporter;
  return {
    key: t.key,
    summary: t.summary,
    reporter: who ? `${who.displayName ?? who.username ?? '?'}${who.username ? ` (${who.username})` : who.email ? ` <${who.email}>` : ''}` : 'unknown',
    status: t.status,
    created: check.serviceDesk?.created ?? t.created,
    url: check.ticketUrl,
    serviceDesk: !!check.serviceDesk,
    identityMatch: check.identityMatch,
    warnings: check.warnings,
  };
}

export function commentView(r: CommentResult): CommentView {
  if (r.posted) return { ok: true, message: `Internal comment added to ${r.ticket}.`, retry: false };
  if (r.why === 'failed') return { ok: false, message: `The comment on ${r.ticket} was not added: ${r.error}`, retry: true };
  return { ok: true, message: r.why === 'off' ? 'No ticket comment: this instance does not ask for one.' : 'No ticket: no comment.', retry: false };
}
