/**
 * Audit log panel: this computer's log (newest first, filter as you type, chain verification
 * shown on top) and the Team view of the shared store (filters sent to the extension, which
 * queries the store with bound parameters).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { byId, el, setText } from '../shared/dom';
import { connect } from '../shared/host';
import { AuditStateSchema, filterRows, ToAuditSchema, type AuditRow, type AuditState, type FromAudit, type TeamFilter, type TeamRow, type ToAudit } from './protocol';

type Field = HTMLElement & { value: string };
const host = connect<FromAudit, ToAudit, AuditState>(ToAuditSchema, AuditStateSchema);
let state: AuditState = host.getState() ?? { filter: '', outcome: '' };
let rows: AuditRow[] = [];
let focusId: string | undefined;
let local: Extract<ToAudit, { type: 'entries' }> | undefined;
let team: Extract<ToAudit, { type: 'team' }> | undefined;

const COLUMNS: Array<[keyof AuditRow, string]> = [
  ['time', 'Time'],
  ['admin', 'Admin'],
  ['instance', 'Instance'],
  ['action', 'Action'],
  ['target', 'Target'],
  ['outcome', 'Outcome'],
  ['status', 'HTTP'],
  ['message', 'Message'],
  ['id', 'Entry'],
];

const TEAM_COLUMNS: Array<[keyof TeamRow, string]> = [
  ['time', 'Time'],
  ['admin', 'Admin'],
  ['computer', 'Computer'],
  ['instance', 'Instance'],
  ['action', 'Action'],
  ['target', 'Target'],
  ['ticket', 'Ticket'],
  ['outcome', 'Outcome'],
  ['message', 'Message'],
  ['seq', 'No.'],
  ['id', 'Entry'],
];

const TEAM_FILTERS: Array<[keyof TeamFilter, string, string]> = [
  ['admin', 'Admin', 'exact admin name'],
  ['computer', 'Computer', 'computer id'],
  ['instance', 'Instance', 'instance id'],
  ['target', 'Target', 'user acted on'],
  ['ticket', 'Ticket', 'e.g. OPS-123'],
  ['since', 'Since', 'YYYY-MM-DD'],
  ['until', 'Until', 'YYYY-MM-DD'],
];

function tabs(): HTMLElement {
  const tab = (view: 'local' | 'team', label: string) =>
    el('vscode-button', { id: `tab-${view}`, role: 'tab', 'aria-selected': String((state.view ?? 'local') === view), ...((state.view ?? 'local') === view ? {} : { secondary: true }) }, label);
  return el('div', { class: 'inline toolbar', role: 'tablist', 'aria-label': 'Audit views' }, tab('local', 'This computer'), tab('team', 'Team'));
}

function render(): void {
  if ((state.view ?? 'local') === 'team') return renderTeam();
  byId('app').replaceChildren(
    el('header', {}, el('h1', {}, 'Audit log')),
    tabs(),
    el('div', { id: 'verify', class: 'banner', role: 'status' }),
    el('div', { class: 'inline toolbar' },
      el('vscode-textfield', { id: 'filter', placeholder: 'Filter: user, instance, action, message…', 'aria-label': 'Filter entries' }),
      el('vscode-single-select', { id: 'outcome', 'aria-label': 'Outcome' },
        el('vscode-option', { value: '' }, 'All outcomes'),
        ...['ok', 'refused', 'error', 'cancelled'].map((o) => el('vscode-option', { value: o }, o))),
      el('vscode-button', { id: 'refresh', secondary: true }, 'Refresh'),
      el('vscode-button', { id: 'export' }, 'Export CSV…'),
    ),
    el('p', { id: 'count', class: 'muted' }),
    el('div', { class: 'table-wrap' }, el('table', { id: 'table' })),
  );
  wireTabs();
  const filter = byId<Field>('filter');
  const outcome = byId<Field>('outcome');
  filter.value = state.filter;
  outcome.value = state.outcome;
  filter.addEventListener('input', () => update({ filter: filter.value }));
  outcome.addEventListener('change', () => update({ outcome: outcome.value }));
  byId('refresh').addEventListener('click', () => host.post({ type: 'refresh' }));
  byId('export').addEventListener('click', () => host.post({ type: 'exportCsv' }));
  showLocal();
}

function wireTabs(): void {
  byId('tab-local').addEventListener('click', () => switchTo('local'));
  byId('tab-team').addEventListener('click', () => switchTo('team'));
}

function switchTo(view: 'local' | 'team'): void {
  if ((state.view ?? 'local') === view) return;
  state = { ...state, view };
  host.setState(state);
  render();
  if (view === 'team' && !team) queryTeam();
}

function teamFilter(): TeamFilter {
  const out: TeamFilter = {};
  for (const [key] of TEAM_FILTERS) {
    const v = (document.getElementById(`team-${key}`) as Field | null)?.value.trim();
    if (v) out[key] = v;
  }
  return out;
}

function queryTeam(): void {
  const filter = document.getElementById('team-admin') ? teamFilter() : (state.team ?? {});
  state = { ...state, team: filter };
  host.setState(state);
  const status = document.getElementById('team-status');
  if (status) setText(status, 'Reading the team store…');
  host.post({ type: 'teamQuery', filter });
}

function renderTeam(): void {
  byId('app').replaceChildren(
    el('header', {}, el('h1', {}, 'Audit log')),
    tabs(),
    el('div', { id: 'team-status', class: 'banner', role: 'status' }),
    el('form', { id: 'team-form', class: 'inline toolbar' },
      ...TEAM_FILTERS.map(([key, label, hint]) => el('vscode-textfield', { id: `team-${key}`, placeholder: `${label}: ${hint}`, 'aria-label': label })),
      el('vscode-button', { id: 'team-search', type: 'submit' }, 'Search'),
    ),
    el('p', { id: 'count', class: 'muted' }),
    el('div', { class: 'table-wrap' }, el('table', { id: 'table' })),
  );
  wireTabs();
  for (const [key] of TEAM_FILTERS) byId<Field>(`team-${key}`).value = state.team?.[key] ?? '';
  byId('team-form').addEventListener('submit', (e) => {
    e.preventDefault();
    queryTeam();
  });
  byId('team-search').addEventListener('click', () => queryTeam());
  byId('team-form').addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') {
      e.preventDefault();
      queryTeam();
    }
  });
  showTeam();
}

function update(patch: Partial<AuditState>): void {
  state = { ...state, ...patch };
  host.setState(state);
  renderTable();
}

function renderTable(): void {
  const shown = filterRows(rows, state.filter, state.outcome);
  setText(byId('count'), `${shown.length} of ${rows.length} entries shown`);
  const head = el('thead', {}, el('tr', {}, ...COLUMNS.map(([, label]) => el('th', { scope: 'col' }, label))));
  const body = el('tbody', {}, ...shown.map((r) => {
    const tr = el('tr', { class: `outcome-${r.outcome}${r.id === focusId ? ' focused' : ''}`, tabindex: '0', 'data-id': r.id },
      ...COLUMNS.map(([key]) => el('td', { class: `col-${key}` }, r[key] === undefined ? '' : String(r[key]))));
    return tr;
  }));
  byId('table').replaceChildren(head, body);
  if (focusId) document.querySelector<HTMLElement>(`tr[data-id="${CSS.escape(focusId)}"]`)?.scrollIntoView({ block: 'center' });
}

function showLocal(): void {
  if (!local || (state.view ?? 'local') !== 'local') return;
  const v = byId('verify');
  v.className = `banner ${local.verify.ok ? 'ok' : 'warn'}`;
  setText(v, `${local.verify.ok ? '✓' : '⚠'} ${local.verify.message} — ${local.total} entries in ${local.file}`);
  renderTable();
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function showTeam(): void {
  if (!team || state.view !== 'team') return;
  const status = byId('team-status');
  status.className = `banner ${team.error ? 'warn' : 'ok'}`;
  setText(status, team.error ? `⚠ ${team.error}` : `${plural(team.rows.length, 'entry', 'entries')} from ${plural(new Set(team.rows.map((r) => r.writer)).size, 'writer', 'writers')} in ${team.store}`);
  setText(byId('count'), team.error ? '' : `${plural(team.rows.length, 'entry', 'entries')}, newest first`);
  const head = el('thead', {}, el('tr', {}, ...TEAM_COLUMNS.map(([, label]) => el('th', { scope: 'col' }, label))));
  const body = el('tbody', {}, ...[...team.rows].reverse().map((r) =>
    el('tr', { class: `outcome-${r.outcome}`, tabindex: '0', 'data-id': r.id }, ...TEAM_COLUMNS.map(([key]) => el('td', {}, String(r[key]))))));
  byId('table').replaceChildren(head, body);
}

host.onMessage((message) => {
  if (message.type === 'team') {
    team = message;
    showTeam();
    return;
  }
  local = message;
  rows = message.rows;
  focusId = message.focusId;
  showLocal();
});

render();
host.post({ type: 'ready' });
if (state.view === 'team') queryTeam();
