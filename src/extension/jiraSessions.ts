/**
 * One place that turns a profile into a Jira client (credentials from the keychain, the
 * connection pool shared per instance) and remembers the last "Test connection" report, so
 * the tree status, the unenroll form's warnings and the self-unenroll check agree.
 */
import type { JiraClient } from '../core/jira/client';
import type { InstanceProfile } from '../core/profiles/schema';
import { redactInstanceSecrets, type SecretStore } from '../core/secrets';
import type { ConnectionReport } from '../core/jira/testConnection';
import type { InstanceStatusStore } from './tree/instanceStatus';

export class JiraSessions {
  private readonly reports = new Map<string, ConnectionReport>();
  /** Instances whose stored secrets are all known to the redactor (new ones are added on store). */
  private readonly redacted = new Set<string>();

  constructor(private readonly secrets: SecretStore, private readonly statuses: InstanceStatusStore) {}

  async client(profile: InstanceProfile): Promise<JiraClient> {
    if (!this.redacted.has(profile.id)) {
      await redactInstanceSecrets(this.secrets, profile.id);
      this.redacted.add(profile.id);
    }
    return (await import('../core/jira/client.js')).createJiraClient(profile, this.secrets);
  }

  lastReport(id: string): ConnectionReport | undefined {
    return this.reports.get(id);
  }

  /** Runs Test connection and puts the result in the tree's status slot. */
  async test(profile: InstanceProfile): Promise<ConnectionReport> {
    const report = await this.statuses.test<ConnectionReport>(
      profile.id,
      async () => (await import('../core/jira/testConnection.js')).testConnection(profile, await this.client(profile)),
      (summary) => ({ ok: false, summary, productName: profile.product, warnings: [] }),
    );
    this.reports.set(profile.id, report);
    return report;
  }

  forget(id: string): void {
    this.reports.delete(id);
  }
}
