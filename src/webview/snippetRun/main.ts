/**
 * "Run snippet" panel. Read snippets: parameters → Run → results grid (sort, copy, export).
 * Destructive snippets: parameters → Preview the rows the backup query finds → confirm
 * (production: type the user name) → the Request section (ticket, reason, verification, as the
 * instance's policy asks) → Disable → backup id, audit entry and the ticket comment.
 * TOTP secrets never reach the panel; recovery codes arrive hidden, and "Reveal recovery
 * codes" asks the extension for them (one audit entry per press).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-form-group/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { byId, el, onLinkClick, show, setText } from '../shared/dom';
import { showInstance } from '../shared/header';
import { connect } from '../shared/host';
import { ResultsGrid } from '../shared/resultsGrid';
import { RequestSection } from '../shared/requestSection';
import type { CommentView } from '../shared/requestProtocol';
import { confirmationWord } from '../../core/snippets/confirmation';
import { RunStateSchema, ToRunSchema, type FromRun, type RunState, type SnippetInfo, type ToRun } from './protocol';

type Field = HTMLElement & { value: string; disabled: boolean };
const host = connect<FromRun, ToRun, RunState>(ToRunSchema, RunStateSchema);
let state: RunState = host.getState() ?? { params: {}, rowLimit: 1000, confirmation: '' };
let snippet: SnippetInfo | undefined;
let production = false;
let readOnly = true;
let previewOk = false;
let busy = false;
const grid = new ResultsGrid((text) => host.post({ type: 'copy', text }));
/** The last change's outcome line: put back after a comment's Retry (whose progress replaced it). */
let lastDone: { text: string; kind: 'ok' | 'error' } | undefined;
const request = new RequestSection({
  state: () => state,
  save: (patch) => save(patch),
  post: (m) => host.post(m),
  // The ticket's requester is compared with the one user named; a list of users: not compared.
  target: () => {
    if (!snippet?.params.some((p) => p.name === 'username')) return undefined;
    const u = values().username ?? '';
    return u.includes(',') ? undefined : u;
  },
  targetMissing: 'Enter the user name first: the ticket is checked against that user.',
  what: 'this change',
});

function render(info: SnippetInfo): void {
  const destructive = info.kind === 'destructive';
  byId('app').replaceChildren(
    el('header', {}, el('h1', {}, info.title), el('span', { id: 'envBadge', class: 'badge' }), el('span', { class: `badge kind-${info.kind}` }, info.kind)),
    el('p', { id: 'instanceLine', class: 'muted' }),
    el('p', {}, info.description),
    destructive ? el('div', { class: 'banner warn' },
      'Atlassian does not support editing its database. This change runs in one transaction, after a backup of exactly the rows it changes, ',
      `and only if the row count is as expected (${info.expectation ?? 'see the snippet'}). You can restore the backup afterwards.`) : '',
    el('div', { id: 'readOnlyNote', class: 'banner warn' }, 'This instance\'s database connection is read-only: destructive snippets are refused. Turn off "Read-only" in the instance to allow them.'),
    el('form', { id: 'params' },
      ...info.params.map((p) => el('vscode-form-group', { variant: 'vertical' },
        el('vscode-label', { for: `p-${p.name}` }, `${p.label}${p.optional ? ' (optional)' : ''}`),
        el('vscode-textfield', { id: `p-${p.name}`, 'data-param': p.name, placeholder: placeholderFor(p) }))),
      destructive ? '' : el('vscode-form-group', { variant: 'vertical' },
        el('vscode-label', { for: 'rowLimit' }, 'Row limit'),
        el('vscode-textfield', { id: 'rowLimit', type: 'number', min: '1', max: '100000' })),
    ),
    el('div', { class: 'buttons' },
      destructive ? el('vscode-button', { id: 'preview' }, 'Preview affected rows') : el('vscode-button', { id: 'run' }, 'Run'),
      el('vscode-button', { id: 'exportCsv', secondary: true, disabled: true }, 'Export CSV…'),
      el('vscode-button', { id: 'exportJson', secondary: true, disabled: true }, 'Export JSON…'),
      el('vscode-button', { id: 'reveal', secondary: true, title: 'Show the users\' recovery codes in the grid (and in exports); recorded in the audit log' }, 'Reveal recovery codes'),
    ),
    el('div', { id: 'status', class: 'banner', role: 'status', 'aria-live': 'polite' }),
    el('div', { id: 'commentBox' }),
    // The apply button sits with the preview's summary, above the rows: not below a long grid.
    destructive ? el('section', { id: 'commitSection' },
      request.element,
      el('vscode-form-group', { variant: 'vertical', id: 'confirmGroup' },
        el('vscode-label', { for: 'confirmation', id: 'confirmLabel' }, 'Production: type the user name to confirm'),
        el('vscode-textfield', { id: 'confirmation' })),
      el('div', { class: 'buttons' }, el('vscode-button', { id: 'commit', disabled: true }, 'Back up and apply the change'), el('a', { href: '#', id: 'showBackups' }, 'Backups…')),
    ) : '',
    el('p', { id: 'summary', class: 'muted' }),
    grid.element,
  );
  show(grid.element, false);
  for (const p of info.params) {
    const input = byId<Field>(`p-${p.name}`);
    input.value = state.params[p.name] ?? p.default ?? '';
    input.addEventListener('input', () => {
      save({ params: { ...state.params, [p.name]: input.value } }, true);
      if (p.name === 'username') request.targetChanged();
    });
    input.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') (destructive ? preview : run)();
    });
  }
  if (!destructive) {
    const limit = byId<Field>('rowLimit');
    limit.value = String(state.rowLimit);
    limit.addEventListener('input', () => save({ rowLimit: Number(limit.value) || 1000 }));
    byId('run').addEventListener('click', run);
  } else {
    byId('preview').addEventListener('click', preview);
    const confirm = byId<Field>('confirmation');
    confirm.value = state.confirmation;
    confirm.addEventListener('input', () => save({ confirmation: confirm.value }));
    byId('commit').addEventListener('click', commit);
    onLinkClick(byId('showBackups'), () => host.post({ type: 'showBackups' }));
  }
  byId('exportCsv').addEventListener('click', () => host.post({ type: 'export', format: 'csv' }));
  byId('exportJson').addEventListener('click', () => host.post({ type: 'export', format: 'json' }));
  show(byId('reveal'), false);
  byId('reveal').addEventListener('click', reveal);
}

/** A hint in the field's words, never the SQL type name. */
function placeholderFor(p: SnippetInfo['params'][number]): string {
  switch (p.type) {
    case 'timestamp': return '2026-01-31T12:00:00Z';
    case 'string[]': return 'one or more, separated by commas';
    case 'integer': return 'a whole number';
    case 'boolean': return 'true or false';
    default: return p.label.toLowerCase();
  }
}

/** "No rows: nothing found for User name "alice"." from the snippet's own labels. */
function emptyExplanation(): string {
  const given = (snippet?.params ?? []).filter((p) => values()[p.name]?.trim()).map((p) => `${p.label} "${values()[p.name].trim()}"`);
  return `No rows: ${snippet?.title ?? 'the snippet'} found nothing${given.length ? ` for ${given.join(', ')}` : ''}.`;
}

function reveal(): void {
  if (busy) return;
  host.post({ type: 'reveal' });
}

/** Current parameter values, defaults filled in. */
function values(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of snippet?.params ?? []) out[p.name] = state.params[p.name] ?? p.default ?? '';
  return out;
}

function save(patch: Partial<RunState>, paramsChanged = false): void {
  state = { ...state, ...patch };
  host.setState(state);
  if (paramsChanged && previewOk) {
    // A preview is only valid for the parameters it was made with.
    previewOk = false;
    setStatus('Parameters changed: preview again before applying the change.', 'warn');
  } else if (paramsChanged) {
    // The last result was for other values: its status line would now describe the wrong user.
    setStatus('');
  }
  refresh();
}

function refresh(): void {
  if (!snippet) return;
  // The read-only note is about changes: a read snippet runs on a read-only connection too.
  show(byId('readOnlyNote'), readOnly && snippet.kind === 'destructive');
  if (snippet.kind !== 'destructive') return;
  show(byId('confirmGroup'), production);
  const word = confirmationWord(snippet, values());
  setText(byId('confirmLabel'), `Production: type "${word}" to confirm`);
  const confirmed = !production || state.confirmation === word;
  request.refresh();
  byId<Field>('commit').disabled = busy || readOnly || !previewOk || !confirmed || request.blocker() !== undefined;
  byId<Field>('preview').disabled = busy;
}

/** The fields take the values as they were bound (a user name without its pasted spaces). */
function useTidied(params: Record<string, string> | undefined): void {
  if (!params) return;
  state = { ...state, params: { ...state.params, ...params } };
  host.setState(state);
  for (const [name, value] of Object.entries(params)) {
    const field = document.getElementById(`p-${name}`) as Field | null;
    if (field && field.value !== value) field.value = value;
  }
}

/** " Used "dave" without the spaces around it." after a status line. */
function saidAbout(notes: string[] | undefined): string {
  return notes?.length ? ` ${notes.join(' ')}` : '';
}

function setStatus(text: string, kind: 'ok' | 'warn' | 'error' | '' = ''): void {
  const s = byId('status');
  s.className = `banner ${kind}`;
  setText(s, text);
}

function run(): void {
  if (busy) return;
  host.post({ type: 'run', params: values(), rowLimit: state.rowLimit });
}

function preview(): void {
  if (busy) return;
  previewOk = false;
  host.post({ type: 'preview', params: values() });
}

function commit(): void {
  if (busy || !snippet) return;
  const given = request.request();
  host.post({ type: 'commit', params: values(), ...(production ? { confirmation: state.confirmation } : {}), ...(given ? { request: given } : {}) });
}

/** The ticket comment's line after a change (with Retry when it failed); kept until the next change. */
function showComment(c: CommentView | undefined): void {
  byId('commentBox').replaceChildren(request.commentLine(c, () => busy));
}

let gridColumns: Array<{ name: string; numeric: boolean }> = [];

function showGrid(columns: Array<{ name: string; numeric: boolean }>, cells: Array<Array<string | null>>, canReveal: boolean): void {
  gridColumns = columns;
  grid.setData(columns, cells);
  show(byId('reveal'), canReveal);
  show(grid.element, true);
  byId<Field>('exportCsv').disabled = false;
  byId<Field>('exportJson').disabled = false;
}

host.onMessage((m) => {
  switch (m.type) {
    case 'init':
      snippet = m.snippet;
      production = m.instance.environment === 'production';
      readOnly = m.readOnly;
      if (m.prefill) state = { ...state, params: { ...state.params, ...m.prefill } };
      if (!host.getState()) state = { ...state, rowLimit: m.rowLimit };
      render(m.snippet);
      if (m.snippet.kind === 'destructive') request.configure(m.request);
      showInstance(m.instance, `${m.instance.name} · ${m.instance.product} · database`);
      refresh();
      (document.querySelector('[data-param]') as HTMLElement | null)?.focus();
      return;
    case 'ticket':
      request.handle(m);
      return;
    case 'comment':
      busy = false;
      setStatus(lastDone?.text ?? '', lastDone?.kind ?? '');
      showComment(m.comment);
      refresh();
      return;
    case 'busy':
      busy = true;
      setStatus(m.what);
      refresh();
      return;
    case 'rows':
      busy = false;
      showGrid(m.columns, m.cells, m.canReveal);
      useTidied(m.tidied?.params);
      setStatus(
        (m.truncated ? `Showing the first ${m.rowLimit} rows: there are more. Raise the row limit to see them.` : m.cells.length === 0 ? emptyExplanation() : `${m.cells.length} row${m.cells.length === 1 ? '' : 's'}.`) + saidAbout(m.tidied?.notes),
        m.truncated ? 'warn' : 'ok',
      );
      show(grid.element, m.cells.length > 0);
      setText(byId('summary'), m.auditId ? `Audit entry ${m.auditId}` : '');
      return;
    case 'preview':
      busy = false;
      // Before previewOk: the preview is for these values.
      useTidied(m.tidied?.params);
      previewOk = m.matches && m.allowed;
      showGrid(m.columns, m.cells, m.canReveal);
      setStatus(m.message + saidAbout(m.tidied?.notes), previewOk ? 'ok' : 'warn');
      setText(byId('summary'), `Backup query: ${m.backupSql}`);
      refresh();
      return;
    case 'revealed':
      busy = false;
      grid.setData(gridColumns, m.cells);
      show(byId('reveal'), false);
      setStatus(`Recovery codes shown (audit entry ${m.auditId}). They are in exports from now on.`, 'warn');
      refresh();
      return;
    case 'done':
      busy = false;
      previewOk = !!m.previewKept && previewOk;
      lastDone = { text: `${m.ok ? '✓' : '✗'} ${m.message}${m.backupId ? ` · backup ${m.backupId}` : ''}${m.auditId ? ` · audit entry ${m.auditId}` : ''}`, kind: m.ok ? 'ok' : 'error' };
      setStatus(lastDone.text, lastDone.kind);
      showComment(m.comment);
      if (m.ok) {
        // A production confirmation is for one change: the next one is typed again.
        save({ confirmation: '' });
        const confirm = document.getElementById('confirmation') as Field | null;
        if (confirm) confirm.value = '';
      }
      refresh();
      return;
  }
});

host.post({ type: 'ready' });
