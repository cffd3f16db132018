/**
 * The Cloud counterpart of jiraSessions.ts: turns a `product: cloud` profile into an admin
 * API client (organization API key from the keychain, the HTTP client loaded on first use),
 * runs "Test connection" (the key works and the organization's policies can be listed) and
 * puts the result in the tree's status slot.
 */
import type { CloudAdminClient } from '../../core/cloud/client';
import { AppError, describeError } from '../../core/errors';
import type { CloudPolicy } from '../../core/cloud/shapes';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { SecretStore } from '../../core/secrets';
import type { InstanceStatusStore } from '../tree/instanceStatus';
import type { PolicyChoices } from '../../webview/instanceForm/protocol';
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

  /**
   * The authentication policies of a (possibly unsaved) Cloud profile, for the instance form's
   * policy picker. Uses the API key stored for the profile's id; never throws.
   */
  async policyChoices(profile: InstanceProfile): Promise<PolicyChoices> {
    try {
      return await this.withClient(profile, async (client) => {
        const r = await client.listPolicies();
        if (!r.ok) return { ok: false, message: `${r.outcome.summary}${r.outcome.serverMessage ? ` Server said: "${r.outcome.serverMessage}".` : ''} ${r.outcome.next}` };
        const { hubPolicyLink } = await import('../../core/cloud/paths.js');
        return { ok: true, policies: r.value.policies.map((p) => ({ id: p.id, name: p.name, hubLink: hubPolicyLink(client.orgId, p.id) })) };
      });
    } catch (e) {
      // No key stored yet (a new instance): say how to get one, the ids can still be typed.
      const hint = e instanceof AppError && e.hint ? ` ${e.hint}` : '';
      return { ok: false, message: `${describeError(e instanceof AppError ? new AppError(e.kind, e.message) : e)}${hint} Or type the policy ids.` };
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
        return connectionSummary(r.value.policies, r.value.more, profile.cloud);
      }),
      (summary) => ({ ok: false, summary, warnings: [] }),
    );
  }
}

/** "API key works · 3 authentication policies · recovery policy "Rescue"", with what the admin must know. */
export function connectionSummary(policies: ReadonlyArray<Pick<CloudPolicy, 'id' | 'name' | 'designation'>>, more: boolean, designated?: InstanceProfile['cloud']): CloudConnection {
  const n = policies.length;
  const recovery = policies.find((p) => p.designation === 'recovery');
  const warnings: string[] = [];
  if (n === 0) warnings.push('The organization has no authentication policy the API listed: users cannot be moved.');
  if (n === 1) warnings.push('Only one authentication policy (Standard plan): users cannot be moved to another one; enforcement can only be relaxed for everyone.');
  if (n > 1 && !designated?.recoveryPolicyId) warnings.push('No recovery policy is designated: the API does not say which policy has 2SV optional. Choose it in Edit Instance (Cloud organization).');
  for (const [label, id] of [['recovery', designated?.recoveryPolicyId], ['usual', designated?.defaultPolicyId]] as const) {
    if (id && !policies.some((p) => p.id === id)) warnings.push(`The designated ${label} policy ${id} is not in the organization's policy list (deleted?): choose it again in Edit Instance.`);
  }
  if (n) warnings.push('Whether a policy enforces 2SV is not given by the API: check it in the admin hub (Security → Authentication policies).');
  if (more) warnings.push('More policies exist than were read.');
  return { ok: true, summary: `API key works · ${n} authentication polic${n === 1 ? 'y' : 'ies'}${recovery ? ` · recovery policy "${recovery.name}"` : ''}`, warnings };
}
