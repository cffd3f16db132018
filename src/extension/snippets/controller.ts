/**
 * The "Run snippet" panel's behaviour, free of VS Code (like unenroll/controller.ts): messages
 * from the webview go to a small backend interface, answers go back as protocol messages.
 * snippetRunPanel.ts supplies the real backend (database session, save dialog, clipboard);
 * unit tests supply a fake one.
 *
 * Guards kept here, not only in the browser: a change runs only after a preview made with the
 * same parameters, with the preview's row fingerprint (rows changed since → refused), and on
 * production only with the typed confirmation word.
 */
import { AppError, describeError } from '../../core/errors';
import type { Column } from '../../core/db/types';
import type { DestructivePreview, DestructiveRunResult, ReadRunResult } from '../../core/recovery/runSnippet';
import { DEFAULT_ROW_LIMIT } from '../../core/recovery/runSnippet';
import type { RevealRequest } from '../../core/recovery/reveal';
import { isNumeric, resultCells, resultToCsv, resultToJson } from '../../core/snippets/results';
import { hasRecoveryCodes } from '../../core/snippets/secretColumns';
import type { Snippet } from '../../core/snippets/types';
import { confirmationWord } from '../../core/snippets/confirmation';
import { tidySnippetParams } from '../../core/snippets/params';
import type { FromRun, SnippetInfo, ToRun } from '../../webview/snippetRun/protocol';
import type { AuditEntry } from '../../core/audit/types';
import { RequestRefusedError, type CommentResult } from '../../core/requests/gate';
import type { RequestInput } from '../../core/requests/policy';
import { RequestDesk, type RequestBackend } from '../requestDesk';

export interface SnippetRunBackend {
  instance: { id: string; name: string; environment: 'production' | 'staging' | 'test'; product: 'jira' | 'confluence' | 'bitbucket' | 'bamboo' | 'cloud'; baseUrl: string };
  snippet: Snippet;
  /** The profile refuses changes (database.readOnly). */
  readOnly: boolean;
  runRead(params: Record<string, string>, rowLimit: number): Promise<ReadRunResult>;
  preview(params: Record<string, string>): Promise<DestructivePreview>;
  /**
   * The change; on production the core refuses it (audited) unless `confirmation` is the
   * confirmation word, and refuses it when the instance's request policy is not met.
   */
  execute(change: { params: Record<string, string>; expectFingerprint: string; confirmation?: string; request?: RequestInput; onComment: (r: CommentResult, entry: AuditEntry) => void }): Promise<DestructiveRunResult>;
  /** The Request section of destructive snippets: the policy, the ticket check, the comment's retry. */
  requests: RequestBackend;
  /** Writes the audit entry of a reveal of recovery codes (recovery/reveal.ts); resolves to its id, throws when it could not be written. */
  auditReveal(request: RevealRequest): Promise<string>;
  /** Asks where to save and writes the file (owner-only); resolves to where it went, undefined when cancelled. */
  saveExport(suggestedName: string, format: 'csv' | 'json', content: string): Promise<string | undefined>;
  copy(text: string): Promise<void>;
  showBackups(): void;
  /**
   * Asks before a change, in every environment (a modal naming the rows and the backup);
   * production asks for the typed word as well. Resolves false when the admin declines.
   */
  confirmChange(change: { title: string; rows: number; table: string; instanceName: string; environment: string }): Promise<boolean>;
  /** A short notice outside the panel (export saved, copy done). */
  notify(message: string): void;
}

/** What the panel shows about a snippet. */
export function snippetInfo(s: Snippet): SnippetInfo {
  return {
    name: s.name,
    title: s.title,
    description: s.description,
    kind: s.kind,
    params: s.params.map((p) => ({ name: p.name, type: p.type, label: p.label, optional: p.optional, ...(p.default !== undefined ? { default: String(p.default) } : {}) })),
    ...(s.expect ? { expectation: s.expect.type === 'count' ? `exactly ${s.expect.count} row${s.expect.count === 1 ? '' : 's'}` : `exactly as many rows as :${s.expect.param}` } : {}),
  };
}

function gridColumns(columns: Column[]) {
  return columns.map((c) => ({ name: c.name, numeric: isNumeric(c) }));
}

export class SnippetRunController {
  private busy = false;
  /**
   * The rows on screen, for export and reveal (kept in memory only: they can hold recovery
   * codes). `revealed`: the admin revealed their recovery codes (audited); the export then
   * holds them too. TOTP secrets are never shown nor exported.
   */
  private shown: { columns: Column[]; rows: unknown[][]; params: Record<string, string>; revealed: boolean } | undefined;
  private lastPreview: { params: string; fingerprint: string; ok: boolean; rows: number; table: string } | undefined;
  private readonly requests: RequestDesk;

  constructor(
    private readonly backend: SnippetRunBackend,
    private readonly post: (message: ToRun) => void | Thenable<boolean>,
    private readonly prefill?: Record<string, string>,
  ) {
    this.requests = new RequestDesk(backend.requests, post);
  }

  async handle(message: FromRun): Promise<void> {
    switch (message.type) {
      case 'ready':
        return void (await this.post({
          type: 'init',
          instance: this.backend.instance,
          snippet: snippetInfo(this.backend.snippet),
          rowLimit: DEFAULT_ROW_LIMIT,
          readOnly: this.backend.readOnly,
          ...(this.prefill ? { prefill: this.prefill } : {}),
          request: this.requests.setup,
        }));
      case 'run':
        return this.exclusive('Running…', async () => {
          const { params, tidied } = this.tidy(message.params);
          const r = await this.backend.runRead(params, message.rowLimit);
          this.shown = { columns: r.columns, rows: r.rows, params, revealed: false };
          await this.post({
            type: 'rows',
            columns: gridColumns(r.columns),
            cells: resultCells(r.columns, r.rows),
            canReveal: hasRecoveryCodes(r.columns, r.rows),
            truncated: r.truncated,
            rowLimit: r.rowLimit,
            sql: r.sql,
            ...(r.auditEntryId ? { auditId: r.auditEntryId } : {}),
            ...tidied,
          });
        });
      case 'preview':
        return this.exclusive('Reading the rows the change would affect…', async () => {
          this.lastPreview = undefined;
          const { params, tidied } = this.tidy(message.params);
          const p = await this.backend.preview(params);
          this.lastPreview = { params: key(params), fingerprint: p.fingerprint, ok: p.matchesExpectation && p.allowed, rows: p.rows.length, table: p.table };
          await this.showPreview(params, p, tidied);
        });
      case 'commit':
        return this.commit(this.tidy(message.params).params, message.confirmation, message.request);
      case 'checkTicket':
        return this.requests.checkTicket(message.key, message.username);
      case 'retryComment':
        return this.retryComment();
      case 'export':
        return this.export(message.format);
      case 'reveal':
        return this.reveal();
      case 'copy':
        await this.backend.copy(message.text);
        return this.backend.notify('Copied to the clipboard.');
      case 'showBackups':
        return this.backend.showBackups();
    }
  }

  private async retryComment(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.requests.retry();
    } finally {
      this.busy = false;
    }
  }

  private async commit(params: Record<string, string>, confirmation: string | undefined, request: RequestInput | undefined): Promise<void> {
    const preview = this.lastPreview;
    const refuse = (message: string) => this.post({ type: 'done', ok: false, message });
    if (this.busy) return;
    if (this.backend.snippet.kind !== 'destructive') return void (await refuse(`${this.backend.snippet.name} is a read snippet: nothing to apply.`));
    if (!preview || preview.params !== key(params)) return void (await refuse('Preview the affected rows with these parameters first: nothing was changed.'));
    if (!preview.ok) return void (await refuse('The preview did not allow this change: nothing was changed.'));
    const b = this.backend;
    // Asked in every environment. On production a wrong typed word goes straight to the audited
    // action, which refuses it (and records the refusal): no modal for a change that cannot run.
    const wordTyped = b.instance.environment !== 'production' || confirmation === confirmationWord(b.snippet, params);
    const ok = !wordTyped || await b.confirmChange({ title: b.snippet.title, rows: preview.rows, table: preview.table, instanceName: b.instance.name, environment: b.instance.environment });
    if (!ok) return void (await refuse('Not applied: you cancelled the confirmation. Nothing was changed.'));
    await this.exclusive('Backing up and applying the change…', async () => {
      // One preview, one change: a second click must preview again.
      this.lastPreview = undefined;
      let r: DestructiveRunResult;
      const comment = this.requests.action();
      try {
        r = await this.backend.execute({ params, expectFingerprint: preview.fingerprint, ...(confirmation !== undefined ? { confirmation } : {}), ...(request ? { request } : {}), onComment: comment.onComment });
      } catch (e) {
        // Refused for its input (the confirmation word, the request) before any statement: the
        // preview still holds; give what was missing and apply again.
        if (!((e instanceof AppError && e.kind === 'input') || e instanceof RequestRefusedError)) throw e;
        this.lastPreview = preview;
        return void (await this.post({ type: 'done', ok: false, message: describeError(e), previewKept: true }));
      }
      const said = comment.view();
      // The rows as they are now, so the grid no longer shows what was just deleted.
      const now = await this.backend.preview(params).catch(() => undefined);
      if (now) await this.showPreview(params, { ...now, message: `${now.rows.length} row${now.rows.length === 1 ? '' : 's'} now: the change is done.` });
      // The panel adds the backup id and audit entry after the message.
      const message = `${this.backend.snippet.title}: ${r.affected} row${r.affected === 1 ? '' : 's'} changed.${now ? ` ${now.rows.length} row${now.rows.length === 1 ? '' : 's'} now.` : ''}`;
      await this.post({
        type: 'done',
        ok: true,
        message: r.auditError ? `${message} Warning: ${r.auditError}` : message,
        backupId: r.backupId,
        ...(r.auditEntryId ? { auditId: r.auditEntryId } : {}),
        ...(said ? { comment: said } : {}),
      });
    });
  }

  /**
   * User names tidied as the core binds them (tidySnippetParams): the backend gets those values,
   * and the page its fields' new values and what was said, when something changed.
   */
  private tidy(typed: Record<string, string>): { params: Record<string, string>; tidied: { tidied?: { params: Record<string, string>; notes: string[] } } } {
    const { params, notes } = tidySnippetParams(this.backend.snippet, typed);
    return { params, tidied: notes.length ? { tidied: { params, notes } } : {} };
  }

  private async showPreview(params: Record<string, string>, p: DestructivePreview, tidied: { tidied?: { params: Record<string, string>; notes: string[] } } = {}): Promise<void> {
    this.shown = { columns: p.columns, rows: p.rows, params, revealed: false };
    await this.post({
      type: 'preview',
      columns: gridColumns(p.columns),
      cells: resultCells(p.columns, p.rows),
      canReveal: hasRecoveryCodes(p.columns, p.rows),
      expected: p.expected,
      matches: p.matchesExpectation,
      allowed: p.allowed,
      message: p.message,
      statementSql: p.statementSql,
      backupSql: p.backupSql,
      ...tidied,
    });
  }

  /** One audit entry per press, written before the codes leave the extension host. */
  private async reveal(): Promise<void> {
    const shown = this.shown;
    if (!shown) return this.backend.notify('Nothing to reveal yet: run the snippet first.');
    await this.exclusive('Recording the reveal in the audit log…', async () => {
      const auditId = await this.backend.auditReveal({ snippet: this.backend.snippet.name, params: shown.params, columns: shown.columns, rows: shown.rows });
      shown.revealed = true;
      await this.post({ type: 'revealed', cells: resultCells(shown.columns, shown.rows, { revealRecoveryCodes: true }), auditId });
    });
  }

  private async export(format: 'csv' | 'json'): Promise<void> {
    const shown = this.shown;
    if (!shown) return this.backend.notify('Nothing to export yet: run the snippet first.');
    const reveal = { revealRecoveryCodes: shown.revealed };
    const content = format === 'csv' ? resultToCsv(shown.columns, shown.rows, reveal) : resultToJson(shown.columns, shown.rows, reveal);
    const where = await this.backend.saveExport(`${this.backend.snippet.name}.${format}`, format, content);
    if (where) this.backend.notify(`Exported ${shown.rows.length} row${shown.rows.length === 1 ? '' : 's'} to ${where}.`);
  }

  /** One action at a time; a failure is shown in the panel, not thrown. */
  private async exclusive(what: string, fn: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.post({ type: 'busy', what });
      await fn();
    } catch (e) {
      await this.post({ type: 'done', ok: false, message: describeError(e) });
    } finally {
      this.busy = false;
    }
  }
}

function key(params: Record<string, string>): string {
  return JSON.stringify(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
}
