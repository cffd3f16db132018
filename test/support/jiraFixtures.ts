/**
 * Users of the simulated instance. Tokens and passwords are long and distinctive so that a
 * test asserting "this text does not contain the token" cannot pass by accident.
 */
import type { SimulatorFixtures, SimUser } from './simulatorStore';

/** The admin's own seed (RFC 6238 test secret "12345678901234567890", base32). */
export const ADMIN_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
export const USER_SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export const ADMIN_TOKEN = 'NjM0OTI3ODE2NzQ1OkFkbWluUGF0VG9rZW5Gb3JUZXN0c09ubHk';
export const ADMIN_PASSWORD = 'correct horse battery staple 42!';
export const HELPDESK_TOKEN = 'MzE0MTU5MjY1MzU4OkhlbHBkZXNrTm90U3lzYWRtaW5Ub2tlbg';
export const ADMIN2_TOKEN = 'Mjc4MTgyODQ1OTA0OlN5c2FkbWluV2l0aG91dE93bjJTVlRva2Vu';
export const EXPIRED_TOKEN = 'OTk5OTk5OTk5OTk5OkV4cGlyZWRUb2tlblRoYXRXaWxsRmFpbA';

export function user(username: string, extra: Partial<SimUser> = {}): SimUser {
  return {
    username,
    displayName: `User ${username}`,
    email: `${username.replace(/[^A-Za-z0-9._-]/g, '_')}@example.com`,
    key: `JIRAUSER${10000 + (hash(username) % 90000)}`,
    sysadmin: false,
    active: true,
    ...extra,
  };
}

/** A fresh copy of the standard fixtures (tests mutate the store). */
export function standardFixtures(extraUsers: Array<{ username: string; seed?: string }> = []): SimulatorFixtures {
  const fixtures: SimulatorFixtures = {
    users: [
      user('admin', { sysadmin: true, displayName: 'Ada Admin' }),
      user('admin2', { sysadmin: true, displayName: 'Second Admin (no own 2SV)' }),
      user('helpdesk', { displayName: 'Help Desk (not sysadmin)' }),
      user('jdoe', { displayName: 'John Doe' }),
      user('nosv', { displayName: 'No Second Factor' }),
    ],
    tokens: { [ADMIN_TOKEN]: 'admin', [HELPDESK_TOKEN]: 'helpdesk', [ADMIN2_TOKEN]: 'admin2' },
    passwords: { admin: ADMIN_PASSWORD },
    enrollments: { admin: ADMIN_SEED, helpdesk: ADMIN_SEED, jdoe: USER_SEED },
  };
  for (const extra of extraUsers) {
    fixtures.users.push(user(extra.username));
    if (extra.seed) fixtures.enrollments[extra.username] = extra.seed;
  }
  return fixtures;
}

function hash(s: string): number {
  let h = 7;
  for (const c of s) h = (h * 31 + c.codePointAt(0)!) >>> 0;
  return h;
}
