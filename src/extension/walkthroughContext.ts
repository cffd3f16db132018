/**
 * Context keys that tick the walkthrough's steps from what is already true, not only from a
 * command run in this window: an instance exists, one has credentials, a connection test
 * passed, an unenroll or a snippet run is in the audit log. package.json's completionEvents
 * name them ("onContext:jira2fa.walkthrough.hasInstance"). Set at activation and on change.
 */
import * as vscode from 'vscode';
import { recentEntries } from '../core/audit/read';
import { secretKindsFor, type SecretStore } from '../core/secrets';
import type { ProfileStore } from './profileStore';
import type { InstanceStatusStore } from './tree/instanceStatus';

export const WALKTHROUGH_KEYS = {
  hasInstance: 'jira2fa.walkthrough.hasInstance',
  hasCredentials: 'jira2fa.walkthrough.hasCredentials',
  connectionTested: 'jira2fa.walkthrough.connectionTested',
  unenrolled: 'jira2fa.walkthrough.unenrolled',
  snippetRun: 'jira2fa.walkthrough.snippetRun',
} as const;

export class WalkthroughContext implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private tested = false;

  constructor(private readonly profiles: ProfileStore, private readonly secrets: SecretStore, statuses: InstanceStatusStore, private readonly auditFile: string) {
    this.subscriptions = [
      profiles.onDidChange(() => void this.update()),
      statuses.onDidChange((id) => {
        if (statuses.get(id).state === 'ok' && !this.tested) {
          this.tested = true;
          void set('connectionTested', true);
        }
      }),
    ];
  }

  /** Reads the facts again; failures leave a key unset (the step's command still ticks it). */
  async update(): Promise<void> {
    const { profiles } = this.profiles.snapshot();
    await set('hasInstance', profiles.length > 0);
    const withCredentials = await Promise.all(
      profiles.map(async (p) => {
        const kinds = secretKindsFor(p).filter((k) => k !== 'totpSeed' && k !== 'dbPassword');
        const values = await Promise.all(kinds.map((k) => this.secrets.get(p.id, k).catch(() => undefined)));
        return kinds.length > 0 && values.some((v) => v !== undefined);
      }),
    );
    await set('hasCredentials', withCredentials.some(Boolean));
    const done = async (actions: string[]) =>
      (await recentEntries(this.auditFile, 1, { filter: (e) => actions.includes(e.action) && e.outcome === 'ok' }).catch(() => [])).length > 0;
    await set('unenrolled', await done(['unenroll', 'bulk.run', 'bulk.sql.disable']));
    await set('snippetRun', await done(['sql.run', 'sql.change']));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}

function set(key: keyof typeof WALKTHROUGH_KEYS, value: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', WALKTHROUGH_KEYS[key], value);
}
