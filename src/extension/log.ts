/** The extension's log: a LogOutputChannel whose every message passes the redactor. */
import * as vscode from 'vscode';
import { redactor } from '../core/redact';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  show(): void;
}

export function createLog(): Log & vscode.Disposable {
  const channel = vscode.window.createOutputChannel('Jira 2FA Admin', { log: true });
  const clean = (m: string) => redactor.redact(m);
  return {
    info: (m) => channel.info(clean(m)),
    warn: (m) => channel.warn(clean(m)),
    error: (m, e) => channel.error(clean(e === undefined ? m : `${m}: ${e instanceof Error ? e.message : String(e)}`)),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
