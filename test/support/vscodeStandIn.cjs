// A minimal stand-in for the `vscode` module: just enough of the API for activate() to run
// in plain Node (bench/activation.cjs) and for a PanelHost to build its webview HTML
// (test/integration/webviewSecurity.test.ts). Anything else that is touched is recorded in
// `missing` (and returns a harmless function) so a gap is visible.
const path = require('node:path');

const missing = new Set();
const disposable = () => ({ dispose() {} });

class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((d) => d.dispose())); }
  dispose() { this.fn?.(); }
}

class EventEmitter {
  listeners = [];
  event = (listener) => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(value) { for (const l of this.listeners) l(value); }
  dispose() { this.listeners = []; }
}

class Uri {
  constructor(scheme, fsPath) { this.scheme = scheme; this.fsPath = fsPath; this.path = fsPath; }
  // http(s) URIs made by asWebviewUri carry the whole URL in `path`.
  static file(p) { return new Uri('file', p); }
  static joinPath(base, ...parts) { return new Uri(base.scheme, path.join(base.fsPath, ...parts)); }
  static from(c) { return new Uri(c.scheme, c.path ?? ''); }
  static parse(s) { return new Uri(s.split(':')[0], s); }
  with() { return this; }
  toString() { return this.scheme === 'http' ? this.path : `${this.scheme}://${this.path}`; }
}

class TreeItem { constructor(label, state) { this.label = label; this.collapsibleState = state; } }
class ThemeIcon { constructor(id, color) { this.id = id; this.color = color; } }
class ThemeColor { constructor(id) { this.id = id; } }
class MarkdownString { constructor(v = '') { this.value = v; } appendMarkdown(s) { this.value += s; return this; } appendText(s) { this.value += s; return this; } }
class FileDecoration { constructor(badge, tooltip, color) { Object.assign(this, { badge, tooltip, color }); } }

function outputChannel() {
  const lines = [];
  const log = (level) => (m) => lines.push(`${level} ${m}`);
  return { lines, info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), trace: log('trace'), append() {}, appendLine: log('line'), show() {}, hide() {}, clear() {}, dispose() {} };
}

/** Command ids registered through the stand-in, with their handlers (test/unit/manifest.test.ts). */
const registeredCommands = new Map();

/** Webview panels created through the stand-in, newest last. */
const panels = [];

/**
 * A webview panel whose resources are served from `web.origin` (an HTTP server the test
 * runs over the extension folder `web.root`); messages from the page are delivered with
 * panel.deliver(message), what the extension posts lands in panel.posted.
 */
function webviewPanel(web, viewType, title, options) {
  const receivers = [];
  const disposers = [];
  const panel = {
    viewType,
    title,
    options,
    posted: [],
    webview: {
      html: '',
      options,
      cspSource: web.origin,
      asWebviewUri: (uri) => new Uri('http', `${web.origin}/${path.relative(web.root, uri.fsPath).split(path.sep).join('/')}`),
      onDidReceiveMessage: (l) => (receivers.push(l), { dispose() {} }),
      postMessage: async (m) => (panel.posted.push(m), true),
    },
    deliver: (m) => Promise.all(receivers.map((l) => l(m))),
    onDidDispose: (l) => (disposers.push(l), { dispose() {} }),
    reveal() {},
    dispose() { disposers.splice(0).forEach((l) => l()); },
  };
  // Uri.toString of asWebviewUri results is the plain URL.
  panels.push(panel);
  return panel;
}

function createStandIn(settings, web = { origin: 'http://127.0.0.1', root: '/' }) {
  const api = {
    Disposable, EventEmitter, Uri, TreeItem, ThemeIcon, ThemeColor, MarkdownString, FileDecoration,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    window: {
      createOutputChannel: () => outputChannel(),
      createWebviewPanel: (viewType, title, _column, options) => webviewPanel(web, viewType, title, options),
      createTreeView: () => ({ ...disposable(), onDidChangeVisibility: disposable, reveal: async () => undefined }),
      registerFileDecorationProvider: disposable,
      createStatusBarItem: (id, alignment, priority) => ({ id, alignment, priority, text: '', show() {}, hide() {}, dispose() {} }),
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
      showErrorMessage: async () => undefined,
    },
    commands: { registerCommand: (id, handler) => (registeredCommands.set(id, handler), disposable()), executeCommand: async () => undefined },
    workspace: {
      // `settings` is the user's jira2fa.instances; every other setting is unset.
      getConfiguration: (section) => {
        const value = (key) => ((section ? `${section}.${key}` : key) === 'jira2fa.instances' ? settings : undefined);
        return { inspect: (key) => ({ key, globalValue: value(key) }), get: (key, fallback) => value(key) ?? fallback, update: async () => undefined };
      },
      onDidChangeConfiguration: disposable,
      onDidOpenTextDocument: disposable,
      onDidChangeTextDocument: disposable,
      onDidCloseTextDocument: disposable,
      onDidSaveTextDocument: disposable,
      onDidGrantWorkspaceTrust: disposable,
      onDidChangeWorkspaceFolders: disposable,
      workspaceFolders: undefined,
      textDocuments: [],
      isTrusted: true,
    },
    languages: {
      createDiagnosticCollection: (name) => ({ name, set() {}, delete() {}, clear() {}, dispose() {} }),
    },
    env: { appName: 'bench', language: 'en' },
  };
  // Anything not listed above: recorded, and a no-op that returns a disposable.
  const guard = (obj, prefix) =>
    new Proxy(obj, {
      get(target, key) {
        if (typeof key !== 'string' || key in target || key === 'then' || key === '__esModule' || key === 'default') return target[key];
        missing.add(`${prefix}${key}`);
        return disposable;
      },
    });
  for (const k of ['window', 'commands', 'workspace', 'languages']) api[k] = guard(api[k], `${k}.`);
  return guard(api, '');
}

function fakeContext(root) {
  const memento = () => { const m = new Map(); return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()] }; };
  return {
    subscriptions: [],
    extensionUri: Uri.file(root),
    extensionPath: root,
    globalStorageUri: Uri.file(path.join(root, '.bench-storage')),
    logUri: Uri.file(path.join(root, '.bench-log')),
    globalState: memento(),
    workspaceState: memento(),
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: disposable },
    extensionMode: 1,
  };
}

/** Makes require('vscode') return the stand-in in this process (the first call wins). */
function installStandIn(settings = [], web) {
  const Module = require('node:module');
  const standIn = createStandIn(settings, web);
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return standIn;
    return load.call(this, request, parent, isMain);
  };
  return standIn;
}

module.exports = { installStandIn, fakeContext, missing, panels, registeredCommands, Uri };
