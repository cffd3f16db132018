/**
 * The frame every webview panel of the extension is built on: a strict CSP with a fresh
 * nonce per load, resources only from dist/webview and media, a typed message protocol per
 * panel (src/webview/<panel>/protocol.ts) validated on arrival, and a log line for anything
 * that does not match it.
 */
import { randomBytes } from '../../core/lazyCrypto';
import * as vscode from 'vscode';
import type { ZodMiniType as ZodType } from 'zod/mini';
import { printable } from '../../core/printable';
import type { Log } from '../log';

export interface PanelOptions<FromWebview> {
  viewType: string;
  title: string;
  /** The browser bundle: dist/webview/<bundle>.js, built from src/webview/<bundle>/main.ts. */
  bundle: string;
  /** Schema of messages the webview may send; anything else is rejected and logged. */
  fromWebview: ZodType<FromWebview>;
  column?: vscode.ViewColumn;
  iconPath?: vscode.Uri | { light: vscode.Uri; dark: vscode.Uri };
}

export class PanelHost<FromWebview, ToWebview> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private handler: (message: FromWebview) => void | Promise<void> = () => undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
    private readonly options: PanelOptions<FromWebview>,
  ) {
    this.panel = vscode.window.createWebviewPanel(options.viewType, options.title, options.column ?? vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    if (options.iconPath) this.panel.iconPath = options.iconPath;
    this.panel.webview.html = this.html();
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  onMessage(handler: (message: FromWebview) => void | Promise<void>): void {
    this.handler = handler;
  }

  post(message: ToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  reveal(): void {
    this.panel.reveal();
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = this.options.fromWebview.safeParse(raw);
    if (!parsed.success) {
      // printable(): the type comes from the page; a newline in it must not forge a log line.
      const type = raw && typeof raw === 'object' && 'type' in raw ? printable(String((raw as { type: unknown }).type), 40) : typeof raw;
      this.log.warn(`${this.options.viewType}: rejected a malformed message from the webview (type ${type}): ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    try {
      await this.handler(parsed.data);
    } catch (e) {
      this.log.error(`${this.options.viewType}: handling ${String((parsed.data as { type?: string }).type)} failed`, e);
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(18).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', `${this.options.bundle}.js`));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'webview.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}" nonce="${nonce}">
<title>${escapeHtml(this.options.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script type="module" nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
