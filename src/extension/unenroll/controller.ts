/**
 * The unenroll panel's behaviour, free of VS Code: messages from the webview go to a small
 * backend interface and the answers go back as protocol messages. The panel glue
 * (unenrollPanel.ts) supplies the real backend; unit tests supply a fake one.
 */
import type { AuditEntry } from '../../core/audit/types';
import type { CommentResult } from '../../core/requests/gate';
import type { RequestInput } from '../../core/requests/policy';
import type { ConnectionReport } from '../../core/jira/testConnection';
import type { UnenrollResult as CoreResult } from '../../core/unenroll';
import type { FromUnenroll, Lookup, ToUnenroll, UnenrollResult } from '../../webview/unenroll/protocol';
import { localTime } from '../../core/audit/timeFormat';
import { RequestDesk, type RequestBackend } from '../requestDesk';

export interface UnenrollBackend {
  instance: { id: string; name: string; environment: 'production' | 'staging' | 'test'; product: 'jira' | 'confluence' | 'bitbucket' | 'bamboo' | 'cloud'; baseUrl: string };
  lookupAvailable: boolean;
  seedStored(): Promise<boolean>;
  connection(): Promise<ConnectionReport>;
  lookup(username: string): Promise<Lookup>;
  /** The Request section: the policy, the ticket check, the comment's retry. */
  requests: RequestBackend;
  unenroll(request: {
    username: string;
    confirmation?: string;
    code?: string;
    useStoredSeed: boolean;
    request?: RequestInput;
    onWait: (ms: number) => void;
    onComment: (r: CommentResult, entry: AuditEntry) => void;
  }): Promise<CoreResult>;
  openAuditLog(entryId?: string): void;
  setSeed(): Promise<void>;
}

export class UnenrollController {
  private lastAuditId: string | undefined;
  private sending = false;
  private readonly requests: RequestDesk;

  constructor(
    private readonly backend: UnenrollBackend,
    private readonly post: (message: ToUnenroll) => void | Thenable<boolean>,
    private readonly prefillUsername?: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.requests = new RequestDesk(backend.requests, post);
  }

  async handle(message: FromUnenroll): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.init();
      case 'lookup':
        return void (await this.post({ type: 'lookup', lookup: await this.backend.lookup(message.username) }));
      case 'send':
        return this.send(message);
      case 'openAuditLog':
        return this.backend.openAuditLog(this.lastAuditId);
      case 'setSeed':
        await this.backend.setSeed();
        return this.init();
      case 'checkTicket':
        return this.requests.checkTicket(message.key, message.username);
      case 'retryComment':
        return this.retryComment();
    }
  }

  private async retryComment(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      await this.requests.retry();
    } finally {
      this.sending = false;
    }
  }

  private async init(): Promise<void> {
    const b = this.backend;
    await this.post({
      type: 'init',
      instance: b.instance,
      seedStored: await b.seedStored(),
      lookupAvailable: b.lookupAvailable,
      request: this.requests.setup,
      ...(this.prefillUsername ? { prefillUsername: this.prefillUsername } : {}),
    });
    // The connection check can take a while: the form is usable meanwhile.
    const report = await b.connection();
    await this.post({ type: 'connection', connection: { ok: report.ok, summary: report.summary, warnings: report.warnings } });
  }

  private async send(message: Extract<FromUnenroll, { type: 'send' }>): Promise<void> {
    if (this.sending) return; // a double click must not send twice
    this.sending = true;
    try {
      await this.post({ type: 'busy', what: `Sending the recovery unenroll for ${message.username}…` });
      const comment = this.requests.action();
      const result = await this.backend.unenroll({
        username: message.username,
        ...(message.confirmation !== undefined ? { confirmation: message.confirmation } : {}),
        ...(message.codeSource === 'typed' && message.code ? { code: message.code } : {}),
        useStoredSeed: message.codeSource === 'seed',
        ...(message.request ? { request: message.request } : {}),
        onComment: comment.onComment,
        onWait: (ms) => void this.post({ type: 'busy', what: `That code was already used: waiting ${Math.ceil(ms / 1000)} s for your next code…` }),
      });
      this.lastAuditId = result.auditEntry?.id;
      const said = comment.view();
      await this.post({ type: 'result', result: { ...this.view(result), ...(said ? { comment: said } : {}) } });
    } finally {
      this.sending = false;
    }
  }

  private view(result: CoreResult): UnenrollResult {
    const o = result.outcome;
    return {
      ok: result.ok,
      title: o.summary,
      explanation: o.ok ? 'The user\'s authenticator enrollment was removed. At their next login they set up two-step verification again.' : describeKind(o.kind),
      nextStep: o.next,
      ...(o.serverMessage ? { serverMessage: o.serverMessage } : {}),
      ...(o.status !== undefined ? { status: o.status } : {}),
      time: localTime(this.now()),
      ...(result.auditEntry ? { auditId: result.auditEntry.id } : {}),
      ...(result.auditError ? { nextStep: `${o.next} Warning: the audit entry could not be written: ${result.auditError}` } : {}),
    };
  }
}

/** A short "why" for each failure kind, shown under the outcome's summary. */
export function describeKind(kind: string): string {
  switch (kind) {
    case 'invalidCode':
      return 'The server rejected the TOTP code (401). It must be YOUR current code, from your own authenticator, not the user\'s; an already used or expired code is rejected too.';
    case 'authFailed':
      return 'The server did not accept your credentials (401): the token may be wrong, expired or revoked.';
    case 'noEnrollment':
      return 'The user exists but has no two-step verification enrollment (400): nothing to remove.';
    case 'selfUnenroll':
      return 'You cannot unenroll your own account (403).';
    case 'forbidden':
      return 'The server refused the call (403): you must be a system administrator with two-step verification on your own account.';
    case 'noSuchUser':
      return 'No user has this user name (404). User names are logins, not display names or e-mail addresses.';
    case 'refusedByGuard':
      return 'Refused before anything was sent to the server.';
    case 'rateLimited':
      return 'The server is rate limiting requests (429).';
    case 'loginRedirect':
    case 'loginPage':
      return 'The server answered with a login page instead of the REST API: the token was not accepted or a session is required.';
    case 'tlsError':
      return 'The TLS connection could not be trusted.';
    default:
      return 'The call did not succeed.';
  }
}
