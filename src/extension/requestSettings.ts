/** The verification methods a request offers: the user setting jira2fa.requests.verificationMethods. */
import * as vscode from 'vscode';
import { DEFAULT_VERIFICATION_METHODS } from '../core/requests/policy';

/** The setting's methods, one line each; the defaults when it holds none. */
export function verificationMethods(): string[] {
  const raw = vscode.workspace.getConfiguration('jira2fa').get<unknown>('requests.verificationMethods');
  const methods = Array.isArray(raw) ? raw.filter((m): m is string => typeof m === 'string').map((m) => m.trim()).filter((m) => m !== '' && m.length <= 200 && !/[\u0000-\u001f\u007f-\u009f]/.test(m)) : [];
  return methods.length ? [...new Set(methods)].slice(0, 50) : [...DEFAULT_VERIFICATION_METHODS];
}
