/**
 * The "Recover a Cloud user" panel's behaviour, free of VS Code (like unenroll/controller.ts):
 * messages from the webview go to a small backend interface, answers go back as protocol
 * messages. The panel glue (panel.ts) supplies the real backend; unit tests a fake one.
 *
 * The webview is not trusted to choose freely: a move names a user and a policy from the
 * last search, the policy must be one the diagnosis offered (no mandatory 2SV), a policy
 * whose enforcement the API did not state needs the admin's explicit check, and a user whose
 * current policy is unknown needs the admin to name it. The core checks again before moving.
 */
import type { LookupReport, UserReport } from '../../core/cloud/diagnose';
import type { CloudFailure, CloudResult } from '../../core/cloud/outcomes';
import type { MoveResult } from '../../core/cloud/moveResult';
import type { CloudPolicy } from '../../core/cloud/shapes';
import { hubPolicyLink } from '../../core/cloud/paths';
import type { Environment, Product } from '../../core/profiles/schema';
import { isHubLink, type FindResult, type FromCloudRecover, type MoveView, type PolicyView, type ToCloudRecover, type UserView } from '../../webview/cloudRecover/protocol';
import { localTime } from '../../core/audit/timeFormat';
import type { AuditEntry } from '../../core/audit/types';
import type { CommentResult } from '../../core/requests/gate';
import type { RequestInput } from '../../core/requests/policy';
import { RequestDesk, type RequestBackend } from '../requestDesk';

export interface CloudConnection {
  ok: boolean;
  summary: string;
  warnings: string[];
}

export interface MoveEvents {
  /** Told after each poll of the policy task, with its counts in words. */
  onPoll(progress: string, poll: number): void;
  /** Atlassian asked us to slow down: waiting this long. */
  onRateLimited(waitMs: number): void;
}

export interface CloudRecoverBackend {
  instance: { id: string; name: string; environment: Environment; product: Product; orgId: string };
  keyStored(): Promise<boolean>;
  connection(): Promise<CloudConnection>;
  find(query: string): Promise<CloudResult<LookupReport>>;
  move(
    request: { email: string; toPolicyId: string; fromPolicyId?: string; confirmation?: string; request?: RequestInput; onComment: (r: CommentResult, entry: AuditEntry) => void },
    events: MoveEvents,
  ): Promise<MoveResult>;
  /** The Request section: the policy, the ticket check, the comment's retry. */
  requests: RequestBackend;
  openLink(url: string): void;
  openAuditLog(entryId?: string): void;
  setKey(): Promise<void>;
}

export class CloudRecoverController {
  private report: LookupReport | undefined;
  private lastAuditId: string | undefined;
  private moving = false;
  /** Users moved from this panel: the search result shown is stale for them. */
  private readonly movedHere = new Set<string>();
  private readonly requests: RequestDesk;

  constructor(
    private readonly backend: CloudRecoverBackend,
    private readonly post: (message: ToCloudRecover) => void | Thenable<boolean>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.requests = new RequestDesk(backend.requests, post);
  }

  async handle(message: FromCloudRecover): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.init();
      case 'find':
        return this.find(message.query);
      case 'move':
        return this.move(message);
      case 'openLink':
        // Only the admin hub: a tampered webview cannot make us open anything else.
        if (isHubLink(message.url)) this.backend.openLink(message.url);
        return;
      case 'openAuditLog':
        return this.backend.openAuditLog(this.lastAuditId);
      case 'setKey':
        await this.backend.setKey();
        return this.init();
      case 'checkTicket':
        return this.requests.checkTicket(message.key, message.username);
      case 'retryComment':
        return this.retryComment();
    }
  }

  private async init(): Promise<void> {
    const b = this.backend;
    await this.post({ type: 'init', instance: b.instance, keyStored: await b.keyStored(), request: this.requests.setup });
    const c = await b.connection();
    await this.post({ type: 'connection', connection: { ok: c.ok, summary: c.summary, warnings: c.warnings } });
  }

  private async find(query: string): Promise<void> {
    const q = query.trim();
    if (!q) return;
    await this.post({ type: 'busy', what: `Searching ${this.backend.instance.name} for "${q}"…` });
    const r = await this.backend.find(q);
    if (!r.ok) {
      this.report = undefined;
      return void (await this.post({ type: 'found', result: { query: q, ok: false, message: failureText(r.outcome), users: [], policies: [], more: false, warnings: [] } }));
    }
    this.report = r.value;
    this.movedHere.clear();
    await this.post({ type: 'found', result: this.findView(r.value) });
  }

  private async move(m: Extract<FromCloudRecover, { type: 'move' }>): Promise<void> {
    if (this.moving) return; // a double click must not start two moves
    const refusal = this.check(m);
    if (typeof refusal === 'string') return void (await this.post({ type: 'moved', result: this.refused(refusal) }));
    const { user, target } = refusal;
    this.moving = true;
    try {
      await this.post({ type: 'busy', what: `Moving ${user.user.email} to "${target.name}"…` });
      const comment = this.requests.action();
      const result = await this.backend.move(
        {
          email: user.user.email!,
          toPolicyId: target.id,
          ...(!user.membership.known && m.fromPolicyId ? { fromPolicyId: m.fromPolicyId } : {}),
          ...(m.confirmation !== undefined ? { confirmation: m.confirmation } : {}),
          ...(m.request ? { request: m.request } : {}),
          onComment: comment.onComment,
        },
        {
          onPoll: (progress, poll) => void this.post({ type: 'progress', what: `Atlassian is applying the change: check ${poll}, ${progress}…` }),
          onRateLimited: (ms) => void this.post({ type: 'progress', what: `Atlassian is limiting the request rate: waiting ${Math.ceil(ms / 1000)} s…` }),
        },
      );
      this.lastAuditId = result.auditEntry?.id;
      if (result.moved !== 'no') this.movedHere.add(user.user.accountId);
      const said = comment.view();
      await this.post({ type: 'moved', result: { ...this.moveView(result), ...(said ? { comment: said } : {}) } });
    } finally {
      this.moving = false;
    }
  }

  private async retryComment(): Promise<void> {
    if (this.moving) return;
    this.moving = true;
    try {
      await this.requests.retry();
    } finally {
      this.moving = false;
    }
  }

  /** The user and target of a move, or why it is refused before anything is sent. */
  private check(m: Extract<FromCloudRecover, { type: 'move' }>): { user: UserReport; target: CloudPolicy } | string {
    const user = this.report?.users.find((u) => u.user.accountId === m.accountId);
    if (!user) return 'Search for the user first.';
    if (!user.user.email) return 'The API did not give this user\'s e-mail address, and a move names users by e-mail address.';
    if (this.movedHere.has(m.accountId)) return `${user.user.email} was already moved from this panel: see "Waiting to move back" in the Instances view.`;
    const d = user.diagnosis;
    if (!d.canMove) return `No move is offered for ${user.user.email}: ${d.summary}`;
    const target = d.targets.find((t) => t.id === m.toPolicyId);
    if (!target) return 'Choose one of the policies offered (only policies without mandatory 2SV are).';
    // The designated recovery policy is the admin's own statement that 2SV is optional there.
    if (target.twoStepVerification === 'unknown' && target.designation !== 'recovery' && m.acknowledgeUnknown !== true) {
      return `Whether "${target.name}" enforces 2SV is not given by the API: check it in the admin hub and tick the box, or choose your recovery policy.`;
    }
    if (!user.membership.known) {
      if (!m.fromPolicyId) return `The API did not say which policy ${user.user.email} is in: choose their current policy (shown on their page in the admin hub), so they can be moved back.`;
      if (!this.report!.policies.some((p) => p.id === m.fromPolicyId)) return 'Choose the current policy from the list.';
      if (m.fromPolicyId === target.id) return 'The temporary policy must differ from the current one.';
    }
    return { user, target };
  }

  private refused(title: string): MoveView {
    return { ok: false, title, next: 'Nothing was sent to Atlassian.', moved: 'no', tracker: 'Nothing recorded.', warnings: [], time: localTime(this.now()) };
  }

  private findView(r: LookupReport): FindResult {
    return {
      query: r.query,
      ok: true,
      users: r.users.map((u) => this.userView(u)),
      policies: r.policies.map((p) => this.policyView(p)),
      more: r.more,
      warnings: r.warnings,
    };
  }

  private userView(u: UserReport): UserView {
    const { user, diagnosis: d, membership } = u;
    const policy = d.currentPolicy;
    return {
      accountId: user.accountId,
      name: user.name ?? '(no name)',
      ...(user.email ? { email: user.email } : {}),
      managed: user.managed === undefined ? 'unknown' : user.managed ? 'yes' : 'no',
      twoSv: user.mfaEnabled === undefined ? 'unknown' : user.mfaEnabled ? 'on' : 'off',
      lastActive: this.lastActiveText(user.lastActive, user.lastActiveProblem),
      ...(policy ? { policy: this.policyView(policy) } : {}),
      ...(!policy ? { policyUnknown: membership.known ? `the API named policy ${membership.policyId}, which could not be read` : membership.reason } : {}),
      diagnosis: {
        code: d.code,
        summary: d.summary,
        next: d.next,
        hubLink: d.hubLink,
        hubOrgLink: d.hubOrgLink,
        canMove: d.canMove && !!user.email,
        targets: d.targets.map((p) => this.policyView(p)),
        notes: d.notes,
      },
      ...(d.pending ? { pending: `Moved to ${d.pending.toPolicyName ?? d.pending.toPolicyId} on ${d.pending.movedAt}${d.pending.state === 'unconfirmed' ? ' (not confirmed)' : ''}; not moved back yet.` } : {}),
    };
  }

  private policyView(p: CloudPolicy): PolicyView {
    const orgId = this.backend.instance.orgId;
    return { id: p.id, name: p.name, twoStepVerification: p.twoStepVerification, ...(p.designation ? { designation: p.designation } : {}), ...(orgId ? { hubLink: hubPolicyLink(orgId, p.id) } : {}) };
  }

  private lastActiveText(value: string | null | undefined, problem: string | undefined): string {
    if (value === null) return 'never (no product activity recorded)';
    if (value === undefined) return `unknown${problem ? ` (${problem})` : ''}`;
    const t = Date.parse(value);
    if (Number.isNaN(t)) return value;
    const days = Math.floor((this.now().getTime() - t) / 86_400_000);
    return `${value.slice(0, 10)} (${days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`})`;
  }

  private moveView(r: MoveResult): MoveView {
    const o = r.outcome;
    const next = r.auditError ? `${r.next} Warning: ${r.auditError}` : r.next;
    return {
      ok: r.ok,
      title: r.summary,
      next,
      moved: r.moved,
      ...(o?.serverMessage ? { serverMessage: o.serverMessage } : {}),
      ...(o?.received ? { received: o.received } : {}),
      ...(o?.status !== undefined ? { status: o.status } : {}),
      ...(r.hubLink ? { hubLink: r.hubLink } : {}),
      tracker: trackerText(r),
      warnings: r.warnings,
      time: localTime(this.now()),
      ...(r.auditEntry ? { auditId: r.auditEntry.id } : {}),
    };
  }
}

function failureText(o: CloudFailure): string {
  const status = o.status ? ` [HTTP ${o.status}]` : '';
  const server = o.serverMessage ? ` Server said: "${o.serverMessage}".` : '';
  const received = o.received ? ` Received: ${o.received}` : '';
  return `${o.summary}${status}${server}${received} ${o.next}`;
}

function trackerText(r: MoveResult): string {
  switch (r.tracker) {
    case 'recorded':
      return r.entry?.state === 'unconfirmed'
        ? 'Listed under "Waiting to move back" as NOT CONFIRMED: check the user\'s policy in the admin hub, and move them back when done.'
        : 'Listed under "Waiting to move back" in the Instances view: move them back once they can sign in.';
    case 'removed':
      return 'Removed from "Waiting to move back".';
    case 'kept':
      return 'Still listed under "Waiting to move back".';
    case 'failed':
      return `The list of users waiting to be moved back could not be updated: ${r.trackerError ?? 'unknown error'}. Note the user down and move them back by hand.`;
    case 'unchanged':
      return 'Nothing recorded: the user\'s policy was not changed.';
  }
}
