/**
 * Environment badges: instance rows carry a `jira2fa-instance:` resource URI and this
 * provider gives them a badge and colour, so production stands out in the tree the same way
 * a modified file does in the explorer.
 */
import * as vscode from 'vscode';
import type { Environment } from '../../core/profiles/schema';

export const INSTANCE_SCHEME = 'jira2fa-instance';

const BADGES: Record<Environment, { badge: string; color?: string; tooltip: string }> = {
  production: { badge: 'P', color: 'list.errorForeground', tooltip: 'Production' },
  staging: { badge: 'S', color: 'list.warningForeground', tooltip: 'Staging' },
  test: { badge: 'T', tooltip: 'Test' },
};

export function instanceUri(id: string, environment: Environment): vscode.Uri {
  return vscode.Uri.from({ scheme: INSTANCE_SCHEME, path: `/${id}`, query: `env=${environment}` });
}

export class EnvironmentDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== INSTANCE_SCHEME) return undefined;
    const env = new URLSearchParams(uri.query).get('env') as Environment | null;
    const spec = env ? BADGES[env] : undefined;
    if (!spec) return undefined;
    return new vscode.FileDecoration(spec.badge, spec.tooltip, spec.color ? new vscode.ThemeColor(spec.color) : undefined);
  }
}
