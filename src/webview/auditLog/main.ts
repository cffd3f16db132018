/** Audit log panel: newest first, filter as you type, chain verification shown on top. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { byId, el, setText } from '../shared/dom';
import { connect } from '../shared/host';
import { AuditStateSchema, filterRows, ToAuditSchema, type AuditRow, type AuditState, type FromAudit, type ToAudit } from './protocol';

type Field = HTMLElement & { value: string };
const host = connect<FromAudit, ToAudit, AuditState>(ToAuditSchema, AuditStateSchema);
let state: AuditState = host.getState() ?? { filter: '', outcome: '' };
let rows: AuditRow[] = [];
let focusId: string | undefined;

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

function render(): void {
  byId('app').replaceChildren(
    el('header', {}, el('h1', {}, 'Audit log')),
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
  const filter = byId<Field>('filter');
  const outcome = byId<Field>('outcome');
  filter.value = state.filter;
  outcome.value = state.outcome;
  filter.addEventListener('input', () => update({ filter: filter.value }));
  outcome.addEventListener('change', () => update({ outcome: outcome.value }));
  byId('refresh').addEventListener('click', () => host.post({ type: 'refresh' }));
  byId('export').addEventListener('click', () => host.post({ type: 'exportCsv' }));
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

host.onMessage((message) => {
  rows = message.rows;
  focusId = message.focusId;
  const v = byId('verify');
  v.className = `banner ${message.verify.ok ? 'ok' : 'warn'}`;
  setText(v, `${message.verify.ok ? '✓' : '⚠'} ${message.verify.message} — ${message.total} entries in ${message.file}`);
  renderTable();
});

render();
host.post({ type: 'ready' });
