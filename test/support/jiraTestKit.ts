/** Shared set-up for the Jira integration tests: profiles, clients and codes against a simulator. */
import { JiraClient, type JiraClientOptions } from '../../src/core/jira/client';
import type { Credentials } from '../../src/core/jira/credentials';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { codeAt, decodeSeed } from '../../src/core/totp';
import { ADMIN_SEED, ADMIN_TOKEN } from './jiraFixtures';

/** A start time 5 s into a TOTP window, far from any real clock. */
export const T0 = 1_750_000_000_000 - (1_750_000_000_000 % 30_000) + 5_000;

export function testProfile(baseUrl: string, overrides: Partial<InstanceProfile> = {}): InstanceProfile {
  return {
    id: 'sim',
    name: 'Simulated Jira',
    product: 'jira',
    baseUrl,
    environment: 'test',
    auth: { type: 'pat' },
    tsvApiVersion: '1.0',
    tls: { allowSelfSigned: false },
    ...overrides,
  };
}

export function testClient(profile: InstanceProfile, dispatchers: DispatcherCache, opts: { credentials?: Credentials } & Partial<Omit<JiraClientOptions, 'profile' | 'credentials'>> = {}): JiraClient {
  const { credentials = { type: 'pat', token: ADMIN_TOKEN }, ...rest } = opts;
  return new JiraClient({ profile, credentials, dispatchers, env: {}, ...rest });
}

/** The admin's code at a time (what their authenticator app shows). */
export function adminCode(nowMs: number): string {
  return codeAt(decodeSeed(ADMIN_SEED), nowMs);
}

export { DispatcherCache };
