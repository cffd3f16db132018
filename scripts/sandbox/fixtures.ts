/**
 * The sandbox's people: one system administrator with 2SV (whose seed the sandbox prints),
 * a help-desk user who is not an administrator, and 18 more users, 12 of them enrolled with
 * known recovery codes. Seeds and the token are random per fresh run (a --keep run reads
 * the seeds back from the database), so no two sandboxes share a credential.
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorFixtures, SimUser } from '../../test/support/simulatorStore';
import { user } from '../../test/support/jiraFixtures';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random base32 TOTP seed of 160 bits (what authenticator apps expect). */
export function randomSeed(): string {
  return [...randomBytes(32)].map((b) => BASE32[b % 32]).join('');
}

export function randomToken(): string {
  return `sandbox-${randomBytes(24).toString('base64url')}`;
}

export interface SandboxPerson {
  username: string;
  displayName: string;
  /** Recovery code when enrolled. */
  recoveryCode?: string;
}

/** [user name, display name, enrolled]: names with a quote, an accent and an old-style key on purpose. */
const PEOPLE: Array<[string, string, boolean]> = [
  ['alice', 'Alice Andersen', true],
  ['bob', 'Bob Brown', true],
  ['carol', 'Carol Chen', false],
  ['dave', 'Dave Dubois', true],
  ['erin', 'Erin Evans', true],
  ['frank', 'Frank Fischer', false],
  ['grace', 'Grace Garcia', true],
  ['heidi', 'Heidi Hansen', true],
  ['ivan', 'Ivan Ivanov', false],
  ['judy', 'Judy Jones', true],
  ['mallory', 'Mallory Martin', false],
  ["o'brien", "Siobhan O'Brien", true],
  ['zoë', 'Zoë Zimmermann', true],
  ['peggy', 'Peggy Parker', false],
  ['trent', 'Trent Turner', true],
  ['victor', 'Victor Vega', false],
  ['walter', 'Walter White', true],
  ['jdoe', 'John Doe', true],
];

export interface SandboxFixtures {
  fixtures: SimulatorFixtures;
  /** Jira groups and their members, for "Bulk Disable 2SV…" → "Members of groups…". */
  groups: Record<string, string[]>;
  adminSeed: string;
  token: string;
  people: SandboxPerson[];
  recoveryCodes: Record<string, string>;
}

/** Recovery codes are fixed per user so the welcome page can list them. */
export function recoveryCodeFor(username: string, i: number): string {
  return `RC-${String(1000 + i * 137).padStart(4, '0')}-${username.normalize('NFKD').replace(/[^A-Za-z]/g, '').toUpperCase().slice(0, 6)}`;
}

export function sandboxFixtures(adminSeed = randomSeed(), token = randomToken()): SandboxFixtures {
  const users: SimUser[] = [user('admin', { sysadmin: true, displayName: 'Sandbox Admin' }), user('helpdesk', { displayName: 'Help Desk (not an administrator)' })];
  const enrollments: Record<string, string> = { admin: adminSeed, helpdesk: randomSeed() };
  const recoveryCodes: Record<string, string> = { admin: recoveryCodeFor('admin', 0), helpdesk: recoveryCodeFor('helpdesk', 1) };
  const people: SandboxPerson[] = [];
  PEOPLE.forEach(([name, display, enrolled], i) => {
    // dave is an account from before Jira 8: his user key is his user name
    users.push(user(name, { displayName: display, ...(name === 'dave' ? { key: 'dave' } : {}) }));
    const person: SandboxPerson = { username: name, displayName: display };
    if (enrolled) {
      enrollments[name] = randomSeed();
      recoveryCodes[name] = person.recoveryCode = recoveryCodeFor(name, i + 2);
    }
    people.push(person);
  });
  return {
    fixtures: { users, tokens: { [token]: 'admin' }, passwords: {}, enrollments },
    groups: {
      'jira-software-users': users.map((u) => u.username),
      'jira-administrators': ['admin'],
      'phones-replaced': ['admin', 'alice', 'bob', 'carol', 'grace'],
      contractors: ['mallory', 'trent', 'victor'],
    },
    adminSeed,
    token,
    people,
    recoveryCodes,
  };
}
