/**
 * The state behind the Jira simulator: users, credentials, 2SV enrollments and the last
 * TOTP time step each user consumed. Async on purpose: a later sandbox backs it with a SQL
 * database (the AO_ED669C_TOTP_USER_ENROLLMENT table), so nothing may assume it is in memory.
 */
export interface SimUser {
  username: string;
  displayName: string;
  email: string;
  /** Jira user key, e.g. JIRAUSER10100. */
  key: string;
  sysadmin: boolean;
  active: boolean;
}

export interface SimulatorStore {
  /** Case-insensitive, as Jira's lower_user_name. */
  findUser(username: string): Promise<SimUser | undefined>;
  /** The user name a personal access token belongs to. */
  userForToken(token: string): Promise<string | undefined>;
  checkPassword(username: string, password: string): Promise<boolean>;
  /** The user's TOTP seed (base32), when enrolled. */
  enrollmentSeed(username: string): Promise<string | undefined>;
  /** Deletes the enrollment; false when there was none. */
  removeEnrollment(username: string): Promise<boolean>;
  /** Highest TOTP time step this user already used (replay protection). */
  lastUsedStep(username: string): Promise<number | undefined>;
  setLastUsedStep(username: string, step: number): Promise<void>;
}

export interface SimulatorFixtures {
  users: SimUser[];
  /** token -> user name */
  tokens: Record<string, string>;
  /** user name -> password */
  passwords: Record<string, string>;
  /** user name -> base32 seed */
  enrollments: Record<string, string>;
}

const key = (username: string) => username.toLowerCase();

export class InMemorySimulatorStore implements SimulatorStore {
  private readonly users = new Map<string, SimUser>();
  private readonly tokens = new Map<string, string>();
  private readonly passwords = new Map<string, string>();
  private readonly seeds = new Map<string, string>();
  private readonly steps = new Map<string, number>();

  constructor(fixtures: SimulatorFixtures) {
    for (const u of fixtures.users) {
      if (this.users.has(key(u.username))) throw new Error(`duplicate fixture user ${u.username}`);
      this.users.set(key(u.username), { ...u });
    }
    for (const [t, u] of Object.entries(fixtures.tokens)) this.tokens.set(t, u);
    for (const [u, p] of Object.entries(fixtures.passwords)) this.passwords.set(key(u), p);
    for (const [u, s] of Object.entries(fixtures.enrollments)) this.seeds.set(key(u), s);
  }

  async findUser(username: string): Promise<SimUser | undefined> {
    const u = this.users.get(key(username));
    return u ? { ...u } : undefined;
  }

  async userForToken(token: string): Promise<string | undefined> {
    return this.tokens.get(token);
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    const stored = this.passwords.get(key(username));
    return stored !== undefined && stored === password;
  }

  async enrollmentSeed(username: string): Promise<string | undefined> {
    return this.seeds.get(key(username));
  }

  async removeEnrollment(username: string): Promise<boolean> {
    return this.seeds.delete(key(username));
  }

  async lastUsedStep(username: string): Promise<number | undefined> {
    return this.steps.get(key(username));
  }

  async setLastUsedStep(username: string, step: number): Promise<void> {
    this.steps.set(key(username), step);
  }
}
