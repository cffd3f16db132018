/**
 * "Recover a Cloud user" panel: find the user by name or e-mail, read who they are and why
 * they cannot get in (diagnosis in plain words, with the admin hub link), then move them to
 * a temporary policy where 2SV is not mandatory, following Atlassian's task to its end, with the
 * request behind it (the shared Request section: ticket card, reason, verification) and the
 * ticket comment after it.
 * Keyboard: Enter in the search field searches; Ctrl/Cmd+Enter moves.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-form-group/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { byId, el, fieldWithButton, onCtrlEnter, onLinkClick, show, setText } from '../shared/dom';
import { panelHeader, showConnection, showInstance } from '../shared/header';
import { showResult } from '../shared/result';
import { connect } from '../shared/host';
import { RequestSection } from '../shared/requestSection';
import {
  CloudRecoverStateSchema,
  ToCloudRecoverSchema,
  type CloudRecoverState,
  type FromCloudRecover,
  type MoveView,
  type PolicyView,
  type ToCloudRecover,
  type UserView,
} from './protocol';

type Field = HTMLElement & { value: string; disabled: boolean; checked?: boolean };

const host = connect<FromCloudRecover, ToCloudRecover, CloudRecoverState>(ToCloudRecoverSchema, CloudRecoverStateSchema);
let state: CloudRecoverState = host.getState() ?? { query: '', confirmation: '', acknowledgeUnknown: false };
let production = false;
let busy = false;
// The requester is compared with the selected user's e-mail address (the address a move names).
const request = new RequestSection({
  state: () => state,
  save: (patch) => save(patch),
  post: (m) => host.post(m),
  target: () => selectedUser()?.email ?? '',
  targetMissing: 'Select the user first: the ticket is checked against that user.',
  what: 'this move',
});

function render(): void {
  byId('app').replaceChildren(
    ...panelHeader('Recover a Cloud user'),
    el('div', { class: 'row muted', id: 'keyHint', hidden: true },
      'No organization API key is stored for this organization. ', el('a', { href: '#', id: 'setKey' }, 'Store the organization API key…')),
    el('p', { class: 'muted' },
      'In Atlassian Cloud there is no call that resets two-step verification. When the user\'s authentication policy makes 2SV ',
      'mandatory, or the user never finished enrolling, the admin hub offers no reset: move the user to a policy where 2SV is ',
      'optional, let them sign in and set it up again, then move them back (the Instances view lists them until then).'),
    fieldWithButton({ id: 'query', label: 'Name or e-mail address of the locked-out user', placeholder: 'jane@example.com' }, { id: 'find', text: 'Find' }),
    el('div', { id: 'status', class: 'muted', role: 'status', 'aria-live': 'polite' }),
    el('section', { id: 'found' }),
    el('section', { id: 'moveSection', hidden: true },
      el('h2', {}, 'Move to a temporary policy'),
      el('div', { id: 'moveFields' }),
      request.element,
      el('div', { class: 'buttons' }, el('vscode-button', { id: 'move', disabled: true }, 'Move user')),
      el('div', { id: 'moveBlocker', class: 'muted' }),
    ),
    el('div', { id: 'progress', class: 'banner', role: 'status', 'aria-live': 'polite' }),
    el('section', { id: 'result', class: 'result', role: 'status', 'aria-live': 'polite' }),
  );
  const query = byId<Field>('query');
  query.value = state.query;
  query.addEventListener('input', () => save({ query: query.value }));
  query.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) find();
  });
  byId('find').addEventListener('click', find);
  byId('move').addEventListener('click', move);
  onLinkClick(byId('setKey'), () => host.post({ type: 'setKey' }));
  onCtrlEnter(move);
  // Admin hub links go through the extension (which only opens admin.atlassian.com).
  document.addEventListener('click', (e) => {
    const a = (e.target as HTMLElement).closest?.('a[data-url]');
    if (!a) return;
    e.preventDefault();
    host.post({ type: 'openLink', url: a.getAttribute('data-url') ?? '' });
  });
}

function save(patch: Partial<CloudRecoverState>): void {
  state = { ...state, ...patch };
  host.setState(state);
  refresh();
}

function selectedUser(): UserView | undefined {
  return state.found?.users.find((u) => u.accountId === state.selected);
}

function targetOf(u: UserView): PolicyView | undefined {
  return u.diagnosis.targets.find((t) => t.id === state.target);
}

/** Why Move is not possible yet, or undefined when it is. */
function blocker(): string | undefined {
  const u = selectedUser();
  if (!u) return 'Find and select the user first.';
  if (!u.diagnosis.canMove) return 'No move is offered for this user (see the diagnosis).';
  if (state.moved && state.moved.moved !== 'no') return 'This user was moved: see the result below.';
  const t = targetOf(u);
  if (!t) return 'Choose the temporary policy.';
  if (needsAck(t) && !state.acknowledgeUnknown) return 'Confirm that you checked this policy in the admin hub.';
  if (!u.policy && !state.from) return 'Choose the user\'s current policy (the API did not say).';
  if (!u.policy && state.from === t.id) return 'The temporary policy must differ from the current one.';
  if (production && state.confirmation.trim().toLowerCase() !== (u.email ?? '').toLowerCase()) return 'Type the user\'s e-mail address again to confirm (production).';
  return request.blocker();
}

function refresh(): void {
  const u = selectedUser();
  const done = !!state.moved && state.moved.moved !== 'no';
  show(byId('moveSection'), !!u && u.diagnosis.canMove && !done);
  const t = u && targetOf(u);
  const ack = document.getElementById('ackGroup');
  if (ack) show(ack, !!t && needsAck(t));
  const conf = document.getElementById('confirmation-group');
  if (conf) show(conf, production);
  const why = blocker();
  byId<Field>('move').disabled = busy || why !== undefined;
  setText(byId('moveBlocker'), why ?? '');
  byId<Field>('find').disabled = busy;
  request.refresh();
  renderResult(state.moved);
}

function find(): void {
  if (busy || state.query.trim() === '') return;
  host.post({ type: 'find', query: state.query });
}

function move(): void {
  const u = selectedUser();
  if (busy || !u || blocker()) return;
  host.post({
    type: 'move',
    accountId: u.accountId,
    toPolicyId: state.target!,
    ...(!u.policy && state.from ? { fromPolicyId: state.from } : {}),
    ...(production ? { confirmation: state.confirmation } : {}),
    ...(needsAck(targetOf(u)) ? { acknowledgeUnknown: state.acknowledgeUnknown } : {}),
    ...(request.request() ? { request: request.request() } : {}),
  });
}

function hubLink(url: string, text: string, id?: string): HTMLElement {
  return el('a', { href: '#', 'data-url': url, ...(id ? { id } : {}) }, text);
}

/** A policy the admin did not designate as the recovery policy, whose 2SV the API does not give. */
function needsAck(t: PolicyView | undefined): boolean {
  return !!t && t.twoStepVerification === 'unknown' && t.designation !== 'recovery';
}

/** 2SV enforcement only as a documented field gives it; no field does today. */
function enforcementText(p: PolicyView): string {
  return p.twoStepVerification === 'enforced' ? '2SV mandatory' : p.twoStepVerification === 'optional' ? '2SV optional' : '2SV: not given by the API: check it in the admin hub';
}

function roleText(p: PolicyView): string {
  return p.designation === 'recovery' ? 'your recovery policy' : p.designation === 'usual' ? 'your usual policy' : '';
}

/** "Name (your recovery policy) — 2SV: not given by the API…", and its admin hub link. */
function policyLine(p: PolicyView, id?: string): HTMLElement {
  const role = roleText(p);
  return el('span', id ? { id } : {}, `${p.name}${role ? ` (${role})` : ''} — ${enforcementText(p)}`, ...(p.hubLink ? [' · ', hubLink(p.hubLink, 'open in the admin hub')] : []));
}

function renderFound(): void {
  const box = byId('found');
  const f = state.found;
  if (!f) return void box.replaceChildren();
  if (!f.ok) return void box.replaceChildren(el('div', { class: 'result error', id: 'findError' }, el('strong', {}, '✗ '), f.message ?? 'The search failed.'));
  const parts: HTMLElement[] = [];
  for (const w of f.warnings) parts.push(el('div', { class: 'warning' }, `⚠ ${w}`));
  if (!f.users.length) parts.push(el('p', { id: 'noUser' }, `No user matches "${f.query}".`));
  if (f.more) parts.push(el('p', { class: 'warning' }, 'More users match than are shown: refine the search.'));
  if (f.users.length > 1) {
    parts.push(el('p', { class: 'muted' }, `${f.users.length} users match: choose one.`));
    for (const u of f.users) {
      const b = el('vscode-button', { secondary: u.accountId !== state.selected, class: 'userChoice', 'data-account': u.accountId }, `${u.name}${u.email ? ` <${u.email}>` : ''}`);
      b.addEventListener('click', () => select(u.accountId));
      parts.push(el('div', { class: 'row' }, b));
    }
  }
  const u = selectedUser();
  if (u) parts.push(userCard(u));
  box.replaceChildren(...parts);
  renderMoveFields(u);
}

function userCard(u: UserView): HTMLElement {
  const d = u.diagnosis;
  const policy = u.policy ? policyLine(u.policy) : `unknown: ${u.policyUnknown ?? 'the API did not say'}`;
  const row = (label: string, value: string | HTMLElement, id: string) => el('tr', {}, el('th', { scope: 'row' }, label), el('td', { id }, value));
  return el('div', { class: 'userCard', id: 'userCard' },
    el('h2', {}, `${u.name}${u.email ? ` <${u.email}>` : ''}`),
    el('table', { class: 'facts' },
      row('E-mail', u.email ?? 'not given by the API', 'factEmail'),
      row('Managed account', u.managed === 'yes' ? 'yes' : u.managed === 'no' ? 'no (not managed by this organization)' : 'unknown', 'factManaged'),
      row('Two-step verification', u.twoSv === 'on' ? 'on' : u.twoSv === 'off' ? 'off (not set up)' : 'unknown (the API did not say)', 'factTwoSv'),
      row('Authentication policy', policy, 'factPolicy'),
      row('Last active', u.lastActive, 'factLastActive'),
    ),
    el('div', { class: `lookup ${d.canMove || d.code === 'reset-in-hub' ? 'ok' : 'warn'}`, id: 'diagnosis', 'data-code': d.code },
      el('p', { id: 'diagnosisSummary' }, el('strong', {}, 'Diagnosis: '), d.summary),
      el('p', { id: 'diagnosisNext' }, el('strong', {}, 'What to do: '), d.next),
      el('p', {}, hubLink(d.hubLink, 'Open the user in the admin hub', 'hubLink'), ' · ', hubLink(d.hubOrgLink, 'Organization admin hub')),
      ...d.notes.map((n) => el('p', { class: 'warning' }, `⚠ ${n}`)),
      u.pending ? el('p', { class: 'warning', id: 'pendingNote' }, `⏳ ${u.pending}`) : null,
    ),
  );
}

function renderMoveFields(u: UserView | undefined): void {
  const box = byId('moveFields');
  if (!u || !u.diagnosis.canMove) return void box.replaceChildren();
  const targets = u.diagnosis.targets;
  if (state.target && !targets.some((t) => t.id === state.target)) state = { ...state, target: undefined };
  if (!state.target) {
    const first = targets.find((t) => t.designation === 'recovery') ?? targets.find((t) => t.twoStepVerification === 'optional') ?? targets[0];
    if (first) state = { ...state, target: first.id };
  }
  const target = el('vscode-single-select', { id: 'target' },
    ...targets.map((t) => el('vscode-option', { value: t.id, ...(t.id === state.target ? { selected: true } : {}) }, `${t.name}${roleText(t) ? ` (${roleText(t)})` : ''}`)));
  const chosen = targets.find((t) => t.id === state.target);
  const info = el('div', { id: 'targetInfoBox' }, chosen ? policyLine(chosen, 'targetInfo') : '');
  target.addEventListener('change', () => {
    save({ target: (target as Field).value, acknowledgeUnknown: false });
    const now = targets.find((t) => t.id === state.target);
    info.replaceChildren(now ? policyLine(now, 'targetInfo') : '');
  });
  const parts: HTMLElement[] = [
    el('vscode-form-group', { variant: 'vertical' },
      el('vscode-label', { for: 'target' }, 'Temporary policy (your recovery policy first; no policy known to enforce 2SV is offered)'),
      target,
      info,
      targets.some((t) => t.designation === 'recovery') ? null
        : el('p', { class: 'warning', id: 'noRecoveryPolicy' }, '⚠ No recovery policy is designated for this organization: set it in Edit Instance (Cloud organization), where the policies are listed.')),
    el('div', { class: 'row', id: 'ackGroup', hidden: true },
      el('vscode-checkbox', { id: 'ackUnknown', label: 'I checked in the admin hub that 2SV is optional in this policy' })),
  ];
  if (!u.policy) {
    const others = state.found?.policies ?? [];
    const from = el('vscode-single-select', { id: 'from' },
      el('vscode-option', { value: '', ...(!state.from ? { selected: true } : {}) }, '(choose)'),
      ...others.map((p) => el('vscode-option', { value: p.id, ...(p.id === state.from ? { selected: true } : {}) }, `${p.name} (${p.id})${roleText(p) ? `, ${roleText(p)}` : ''}`)));
    from.addEventListener('change', () => save({ from: (from as Field).value || undefined }));
    parts.push(el('vscode-form-group', { variant: 'vertical' },
      el('vscode-label', { for: 'from' }, 'The user\'s current policy (the API did not say; see their page in the admin hub): they are moved back there'),
      from));
  }
  parts.push(el('vscode-form-group', { variant: 'vertical', id: 'confirmation-group' },
    el('vscode-label', { for: 'confirmation' }, 'Production: type the user\'s e-mail address again to confirm'),
    el('vscode-textfield', { id: 'confirmation' })));
  box.replaceChildren(...parts);
  const ack = byId<Field>('ackUnknown');
  ack.checked = state.acknowledgeUnknown;
  ack.addEventListener('change', () => save({ acknowledgeUnknown: !!ack.checked }));
  const confirmation = byId<Field>('confirmation');
  confirmation.value = state.confirmation;
  confirmation.addEventListener('input', () => save({ confirmation: confirmation.value }));
}

function select(accountId: string): void {
  state = { ...state, selected: accountId, target: undefined, from: undefined, confirmation: '', acknowledgeUnknown: false, moved: undefined };
  host.setState(state);
  renderFound();
  request.targetChanged();
  refresh();
}

function renderResult(r: MoveView | undefined): void {
  showResult(r, r ? [
    el('p', { id: 'resultNext' }, el('strong', {}, 'Next: '), r.next),
    el('p', { id: 'resultTracker' }, r.tracker),
    r.hubLink ? el('p', {}, hubLink(r.hubLink, 'Open the user in the admin hub', 'resultHubLink')) : '',
    ...r.warnings.map((w) => el('p', { class: 'warning' }, `⚠ ${w}`)),
  ] : [], r ? [...(r.received ? [el('p', { class: 'muted' }, 'Received: ', el('code', {}, r.received))] : []), request.commentLine(r.comment, () => busy)] : [], () => host.post({ type: 'openAuditLog' }));
}

function setProgress(text: string): void {
  const p = byId('progress');
  setText(p, text);
}

host.onMessage((message) => {
  switch (message.type) {
    case 'init': {
      const i = message.instance;
      production = i.environment === 'production';
      showInstance(i, `${i.name} · Atlassian Cloud organization ${i.orgId}`);
      show(byId('keyHint'), !message.keyStored);
      request.configure(message.request);
      busy = false;
      renderFound();
      refresh();
      byId('query').focus();
      return;
    }
    case 'connection':
      showConnection(message.connection, true);
      return;
    case 'busy':
      busy = true;
      setText(byId('status'), message.what);
      setProgress('');
      refresh();
      return;
    case 'progress':
      setProgress(message.what);
      byId('progress').scrollIntoView({ block: 'nearest' });
      return;
    case 'found': {
      busy = false;
      setText(byId('status'), '');
      const only = message.result.users.length === 1 ? message.result.users[0].accountId : undefined;
      state = { ...state, found: message.result, selected: only, target: undefined, from: undefined, confirmation: '', acknowledgeUnknown: false, moved: undefined };
      host.setState(state);
      renderFound();
      request.targetChanged();
      refresh();
      return;
    }
    case 'ticket':
      request.handle(message);
      return;
    case 'comment':
      busy = false;
      setText(byId('status'), '');
      if (state.moved) save({ moved: { ...state.moved, comment: message.comment } });
      else refresh();
      return;
    case 'moved':
      busy = false;
      setText(byId('status'), '');
      setProgress('');
      save({ moved: message.result, confirmation: message.result.ok ? '' : state.confirmation });
      byId('result').scrollIntoView({ block: 'nearest' });
      return;
  }
});

render();
renderFound();
refresh();
host.post({ type: 'ready' });
