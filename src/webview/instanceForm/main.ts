/**
 * Add / Edit instance form. Validates as the user types with the same schema as the
 * settings (formModel.checkForm); the extension validates again on save.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-form-group/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import { profileWarnings } from '../../core/profiles/schema';
import { byId, el, show, setText } from '../shared/dom';
import { showEnvironment } from '../shared/header';
import { connect } from '../shared/host';
import { checkForm, EMPTY_FORM, slugify, type FormValues } from './formModel';
import { FormStateSchema, ToFormSchema, type FormState, type FromForm, type PolicyChoice, type ToForm } from './protocol';
import { hubPolicyLink, idProblem } from '../../core/cloud/paths';

const host = connect<FromForm, ToForm, FormState>(ToFormSchema, FormStateSchema);

type TextKey = { [K in keyof FormValues]: FormValues[K] extends string ? K : never }[keyof FormValues];
type BoolKey = { [K in keyof FormValues]: FormValues[K] extends boolean ? K : never }[keyof FormValues];

let state: FormState | undefined = host.getState();
const touched = new Set<string>();
let submitted = false;

const LABELS: Partial<Record<keyof FormValues, string>> = {
  name: 'Name',
  id: 'Id',
  product: 'Product',
  baseUrl: 'Base URL',
  environment: 'Environment',
  authType: 'Authentication',
  username: 'User name',
  tsvApiVersion: '2SV REST API version',
  caFile: 'CA certificate file (PEM)',
  proxy: 'Proxy URL',
  orgId: 'Organization id',
  directoryId: 'Directory id (optional)',
  recoveryPolicyId: 'Recovery policy id (2SV optional)',
  defaultPolicyId: 'Usual policy id (optional)',
  apiKeyOwner: 'API key owner (optional)',
  dbDriver: 'Database',
  dbHost: 'Host',
  dbPort: 'Port',
  dbName: 'Database name (PGlite: data directory)',
  dbUser: 'User',
  dbSchema: 'Schema (optional)',
};

const HELP: Partial<Record<keyof FormValues, string>> = {
  id: 'Used to name stored credentials and by the CLI (--instance).',
  baseUrl: 'Including any context path, e.g. https://jira.example.com/jira',
  tsvApiVersion: '1.0 (the knowledge-base path) or latest',
  authType:
    'A personal access token is the documented way to call the 2SV recovery; user name and password (Basic) is a fallback (Bamboo: sent with os_authType=basic). The token or password itself is stored in the OS keychain with "Set credentials…" after saving.',
  dbSchema: 'The schema holding the product\'s tables, <schema-name> in dbconfig.xml (e.g. jiraschema, public, dbo). PostgreSQL: the search path; Oracle: CURRENT_SCHEMA; SQL Server: every table is written [schema].[table]. Empty: the login\'s default schema.',
  recoveryPolicyId: 'Where locked-out users are moved. The API does not say which policy has 2SV optional: you designate it.',
  defaultPolicyId: 'The policy your users are normally in; named when the API cannot tell a user\'s policy.',
  apiKeyOwner: 'Who owns the organization API key (a name or e-mail). The API does not say: audit entries record it as you entered it, marked "(entered, not verified)".',
};

function textField(key: TextKey, opts: { placeholder?: string; type?: string } = {}): HTMLElement {
  const input = el('vscode-textfield', { id: key, name: key, placeholder: opts.placeholder, type: opts.type });
  input.addEventListener('input', () => update(key, (input as unknown as { value: string }).value));
  return group(key, input);
}

function selectField(key: 'product' | 'environment' | 'authType' | 'dbDriver', options: Array<[string, string]>): HTMLElement {
  const select = el('vscode-single-select', { id: key, name: key }, ...options.map(([value, label]) => el('vscode-option', { value }, label)));
  // The option values are exactly the enum members listed above.
  select.addEventListener('change', () => update(key, (select as unknown as { value: FormValues[typeof key] }).value));
  return group(key, select);
}

function checkbox(key: BoolKey, label: string): HTMLElement {
  const box = el('vscode-checkbox', { id: key, name: key, label });
  box.addEventListener('change', () => update(key, (box as unknown as { checked: boolean }).checked));
  return el('div', { class: 'row', id: `${key}-group` }, box);
}

function group(key: keyof FormValues, control: HTMLElement): HTMLElement {
  return el(
    'vscode-form-group',
    { variant: 'vertical', id: `${key}-group` },
    el('vscode-label', { for: key }, LABELS[key] ?? key),
    control,
    el('vscode-form-helper', { id: `${key}-help` }, HELP[key] ?? ''),
    el('div', { class: 'field-error', id: `${key}-error`, role: 'alert' }),
  );
}

/**
 * The designated recovery and usual policies: typed, or picked from the organization's list
 * (read with the API key stored for this instance). Each designated id links to its page in
 * the admin hub; whether a policy enforces 2SV is not given by the API.
 */
function policySection(): HTMLElement {
  const load = el('vscode-button', { id: 'loadPolicies', secondary: true }, 'List the organization\'s policies');
  load.addEventListener('click', () => {
    if (!state) return;
    setText(byId('policyStatus'), 'Reading the authentication policies…');
    host.post({ type: 'listPolicies', values: state.values });
  });
  return el('div', { id: 'policySection' },
    el('h3', {}, 'Authentication policies'),
    textField('recoveryPolicyId'),
    el('div', { class: 'policy-link', id: 'recoveryPolicyId-link' }),
    textField('defaultPolicyId'),
    el('div', { class: 'policy-link', id: 'defaultPolicyId-link' }),
    el('div', { class: 'row' }, load),
    el('div', { id: 'policyStatus', role: 'status', 'aria-live': 'polite' }),
    el('div', { id: 'policyList' }),
  );
}

function policyHubLink(id: string): HTMLElement | string {
  const org = state?.values.orgId.trim() ?? '';
  if (!org || !id.trim() || idProblem('policy id', id.trim())) return '';
  return el('span', {}, 'Admin hub: ', el('a', { href: hubPolicyLink(org, id.trim()) }, 'open this policy'), ' · 2SV: not given by the API: check it in the admin hub');
}

function renderPolicies(policies: readonly PolicyChoice[]): void {
  const rows = policies.map((p) => {
    const use = (key: 'recoveryPolicyId' | 'defaultPolicyId', label: string) => {
      const b = el('vscode-button', { secondary: true, class: `use-${key}`, 'data-policy': p.id }, label);
      b.addEventListener('click', () => {
        (byId(key) as unknown as { value: string }).value = p.id;
        update(key, p.id);
      });
      return b;
    };
    return el('tr', { 'data-policy': p.id },
      el('td', {}, p.name), el('td', {}, el('code', {}, p.id)),
      el('td', {}, 'not given by the API: check it in the admin hub'),
      el('td', {}, el('a', { href: p.hubLink }, 'admin hub')),
      el('td', {}, use('recoveryPolicyId', 'Recovery'), ' ', use('defaultPolicyId', 'Usual')));
  });
  byId('policyList').replaceChildren(rows.length
    ? el('table', { class: 'policies' }, el('thead', {}, el('tr', {}, el('th', {}, 'Policy'), el('th', {}, 'Id'), el('th', {}, '2SV'), el('th', {}, ''), el('th', {}, 'Use as'))), el('tbody', {}, ...rows))
    : '');
}

function render(): void {
  const app = byId('app');
  app.replaceChildren(
    el('header', {}, el('h1', { id: 'title' }), el('span', { id: 'envBadge', class: 'badge' })),
    el('div', { id: 'summary', class: 'summary', role: 'alert' }),
    el('form', { id: 'form', novalidate: true },
      el('h2', {}, 'Instance'),
      textField('name', { placeholder: 'Production Jira' }),
      textField('id'),
      selectField('product', [['jira', 'Jira Data Center'], ['confluence', 'Confluence Data Center'], ['bitbucket', 'Bitbucket Data Center'], ['bamboo', 'Bamboo Data Center'], ['cloud', 'Atlassian Cloud organization']]),
      textField('baseUrl', { placeholder: 'https://jira.example.com', type: 'url' }),
      el('div', { class: 'field-warning', id: 'baseUrl-warning', role: 'status' }),
      selectField('environment', [['production', 'Production'], ['staging', 'Staging'], ['test', 'Test']]),
      el('section', { id: 'cloudSection' }, el('h2', {}, 'Cloud organization'), textField('orgId'), textField('directoryId'), textField('apiKeyOwner', { placeholder: 'e.g. admin@example.com' }), policySection()),
      el('section', { id: 'dcSection' },
        el('h2', {}, 'Authentication'),
        selectField('authType', [['pat', 'Personal access token (Bearer)'], ['basic', 'User name and password (Basic)']]),
        textField('username'),
        el('h2', {}, 'Connection'),
        textField('tsvApiVersion'),
        textField('caFile', { placeholder: '/etc/ssl/certs/company-ca.pem' }),
        checkbox('allowSelfSigned', 'Accept a self-signed certificate for this instance only'),
        textField('proxy', { placeholder: 'http://proxy.example.com:3128 (default: HTTPS_PROXY)' }),
        el('h2', {}, 'Database'),
        checkbox('hasDatabase', 'This instance has a database connection for recovery SQL'),
        el('section', { id: 'dbSection' },
          selectField('dbDriver', [['postgres', 'PostgreSQL'], ['mysql', 'MySQL / MariaDB'], ['mssql', 'SQL Server'], ['oracle', 'Oracle'], ['pglite', 'PGlite (embedded)']]),
          textField('dbHost'),
          textField('dbPort'),
          textField('dbName'),
          textField('dbUser'),
          textField('dbSchema', { placeholder: 'jiraschema' }),
          el('p', { id: 'dbSchema-mysql', class: 'note' }, 'MySQL/MariaDB: the database name above already is the schema; there is no separate schema setting.'),
          checkbox('dbSsl', 'Use TLS'),
          checkbox('dbReadOnly', 'Read-only: refuse destructive snippets'),
        ),
      ),
      el('div', { class: 'buttons' },
        el('vscode-button', { id: 'save' }, 'Save'),
        el('vscode-button', { id: 'cancel', secondary: true }, 'Cancel'),
      ),
    ),
  );
  byId('save').addEventListener('click', save);
  byId('cancel').addEventListener('click', () => host.post({ type: 'cancel' }));
  // Ctrl/Cmd+Enter saves from anywhere in the form; Escape cancels.
  byId('form').addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) save();
    else if (e.key === 'Escape') host.post({ type: 'cancel' });
  });
}

function fill(values: FormValues): void {
  for (const [key, value] of Object.entries(values)) {
    const node = document.getElementById(key) as (HTMLElement & { value?: string; checked?: boolean }) | null;
    if (!node) continue;
    if (typeof value === 'boolean') node.checked = value;
    else node.value = value;
  }
}

function update<K extends keyof FormValues>(key: K, value: FormValues[K]): void {
  if (!state) return;
  touched.add(key);
  const values = { ...state.values, [key]: value };
  let idEdited = state.idEdited || key === 'id';
  if (key === 'name' && state.mode === 'add' && !idEdited) {
    values.id = slugify(String(value));
    (byId('id') as unknown as { value: string }).value = values.id;
    touched.add('id');
  }
  if (key === 'id' && value === '') idEdited = false;
  state = { ...state, values, idEdited };
  host.setState(state);
  refresh();
}

function refresh(): void {
  if (!state) return;
  const v = state.values;
  setText(byId('title'), state.mode === 'add' ? 'Add instance' : `Edit instance: ${v.name}`);
  showEnvironment(v.environment);
  const cloud = v.product === 'cloud';
  show(byId('cloudSection'), cloud);
  show(byId('dcSection'), !cloud);
  show(byId('username-group'), v.authType === 'basic');
  show(byId('dbSection'), v.hasDatabase);
  show(byId('dbHost-group'), v.dbDriver !== 'pglite');
  show(byId('dbPort-group'), v.dbDriver !== 'pglite');
  show(byId('dbUser-group'), v.dbDriver !== 'pglite');
  show(byId('dbSchema-group'), v.dbDriver !== 'mysql');
  show(byId('dbSchema-mysql'), v.dbDriver === 'mysql');
  byId('recoveryPolicyId-link').replaceChildren(policyHubLink(v.recoveryPolicyId));
  byId('defaultPolicyId-link').replaceChildren(policyHubLink(v.defaultPolicyId));

  const { check, byField } = checkForm(v, state.takenIds);
  for (const key of Object.keys(EMPTY_FORM)) {
    const errors = submitted || touched.has(key) ? byField.get(key) ?? [] : [];
    const box = document.getElementById(`${key}-error`);
    if (box) setText(box, errors.join(' · '));
    const control = document.getElementById(key) as (HTMLElement & { invalid?: boolean }) | null;
    if (control && 'invalid' in control) control.invalid = errors.length > 0;
  }
  const general = submitted ? byField.get('') ?? [] : [];
  setText(byId('summary'), general.join(' · '));
  setText(byId('baseUrl-warning'), check.ok ? profileWarnings(check.profile).join(' · ') : '');
}

function save(): void {
  if (!state) return;
  submitted = true;
  refresh();
  const { check } = checkForm(state.values, state.takenIds);
  if (!check.ok) {
    const first = document.querySelector<HTMLElement>('[invalid]');
    first?.focus();
    setText(byId('summary'), `Please fix ${check.errors.length} field${check.errors.length > 1 ? 's' : ''} before saving.`);
    return;
  }
  host.post({ type: 'save', values: state.values });
}

host.onMessage((message) => {
  if (message.type === 'init') {
    // A restored panel keeps what the user typed; a fresh one takes the extension's values.
    if (!state || state.mode !== message.mode) state = { mode: message.mode, values: message.values, takenIds: message.takenIds, idEdited: message.mode === 'edit' };
    else state = { ...state, takenIds: message.takenIds };
    host.setState(state);
    fill(state.values);
    refresh();
    (byId('name') as HTMLElement).focus();
  } else if (message.type === 'policies') {
    setText(byId('policyStatus'), message.ok
      ? `${message.policies.length} authentication polic${message.policies.length === 1 ? 'y' : 'ies'}: choose the recovery policy (2SV optional) and your usual one.`
      : `✗ ${message.message ?? 'The policies could not be read.'}`);
    renderPolicies(message.policies);
  } else if (message.type === 'saveFailed') {
    submitted = true;
    setText(byId('summary'), message.message);
    for (const e of message.errors) {
      const box = document.getElementById(`${e.field}-error`);
      if (box) setText(box, e.message);
    }
  }
});

render();
host.post({ type: 'ready' });
