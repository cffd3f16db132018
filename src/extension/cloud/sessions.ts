/**
 * The Cloud counterpart of jiraSessions.ts: turns a `product: cloud` profile into an admin
 * API client (organization API key from the keychain, the HTTP client loaded on first use),
 * runs "Test connection" (the key works and the organization's policies can be listed) and
 * puts the result in the tree's status slot.
 */
import type { CloudAdminClient } from '../../core/cloud/client';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { SecretStore } from '../../core/secrets';
import type { InstanceStatusStore } from '../tree/instanceStatus';
import type { CloudConnection } from './controller';

export class CloudSessions {
  constructor(private readonly secrets: SecretStore, private readonly statuses: InstanceStatusStore) {}

  /** A client for one operation; close() it afterwards (see withClient). */
  async client(profile: InstanceProfile, onRateLimited?: (waitMs: number) => void): Promise<CloudAdminClient> {
    const { createCloudClient } = await import('../../core/cloud/client.js');
    return createCloudClient(profile, this.secrets, onRateLimited ? { onRateLimited } : {});
  }

  async withClient<T>(profile: InstanceProfile, fn: (client: CloudAdminClient) => Promise<T>, onRateLimited?: (waitMs: number) => void): Promise<T> {
    const client = await this.client(profile, onRateLimited);
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  /** Test connection: lists the policies; fills the tree status. Never throws. */
  async test(profile: InstanceProfile): Promise<CloudConnection> {
    return this.statuses.test<CloudConnection>(
      profile.id,
      () => this.withClient(profile, async (client) => {
        const r = await client.listPolicies();
        if (!r.ok) {
          const server = r.outcome.serverMessage ? ` Server said: "${r.outcome.serverMessage}".` : '';
          return { ok: false, summary: `${r.outcome.summary}${server} ${r.outcome.next}`, warnings: [] };
        }
        return connectionSummary(r.value.policies.map((p) => p.twoStepVerification), r.value.more);
      }),
      (summary) => ({ ok: false, summary, warnings: [] }),
    );
  }
}

/** "API key works · 3 policies (1 enforces 2SV)", with what the admin must know. */
export function connectionSummary(enforcement: ReadonlyArray<'enforced' | 'optional' | 'unknown'>, more: boolean): CloudConnection {
  const n = enforcement.length;
  const enforced = enforcement.filter((e) => e === 'enforced').length;
  const unknown = enforcement.filter((e) => e === 'unknown').length;
  const warnings: string[] = [];
  if (n === 0) warnings.push('The organization has no authentication policy the API listed: users cannot be moved.');
  if (n === 1) warnings.push('Only one authentication policy (Standard plan): users cannot be moved to another one; enforcement can only be relaxed for everyone.');
  if (unknown) warnings.push(`For ${unknown} polic${unknown === 1 ? 'y' : 'ies'} the API did not say whether 2SV is enforced: check them in the admin hub.`);
  if (more) warnings.push('More policies exist than were read.');
  return { ok: true, summary: `API key works · ${n} authentication polic${n === 1 ? 'y' : 'ies'} (${enforced} enforce${enforced === 1 ? 's' : ''} 2SV)`, warnings };
}
