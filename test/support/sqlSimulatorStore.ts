/**
 * A SimulatorStore kept in a real Jira-shaped database, the same one the recovery snippets
 * query: users come from app_user + cwd_user, 2SV enrollments from
 * AO_ED669C_TOTP_USER_ENROLLMENT (SECRET holds the base32 seed). So an unenroll through the
 * simulator's REST API deletes the row a snippet looks for, and a row deleted or restored by
 * SQL is what the REST API answers from next.
 *
 * What Jira keeps elsewhere (crowd password hashes, the personal access token table, group
 * membership for system administrators) stays in memory: it is fixed for a sandbox run and
 * nothing in this product reads it by SQL. The replay guard (last TOTP step used) is in memory
 * too, as Jira keeps it in a cache.
 */
import type { Driver } from '../../src/core/db/types';
import type { SimulatorFixtures, SimulatorStore, SimUser } from './simulatorStore';

export const ENROLLMENT_TABLE = 'AO_ED669C_TOTP_USER_ENROLLMENT';

export interface SqlStoreOptions {
  /** token -> user name */
  tokens: Record<string, string>;
  /** user name -> password */
  passwords: Record<string, string>;
  /** User names with system administrator rights. */
  sysadmins: string[];
  /** The enrollment table's physical name (MySQL may hold it in lower case). */
  enrollmentTable?: string;
}

const lower = (s: string) => s.toLowerCase();

export class SqlSimulatorStore implements SimulatorStore {
  private readonly tokens: Map<string, string>;
  private readonly passwords: Map<string, string>;
  private readonly sysadmins: Set<string>;
  private readonly steps = new Map<string, number>();
  private readonly enr: string;

  constructor(private readonly db: Driver, options: SqlStoreOptions) {
    this.tokens = new Map(Object.entries(options.tokens));
    this.passwords = new Map(Object.entries(options.passwords).map(([u, p]) => [lower(u), p]));
    this.sysadmins = new Set(options.sysadmins.map(lower));
    this.enr = db.facts.quoteIdent(options.enrollmentTable ?? ENROLLMENT_TABLE);
  }

  private q(name: string): string {
    return this.db.facts.quoteIdent(name);
  }

  async findUser(username: string): Promise<SimUser | undefined> {
    // A user may sit in several directories: the first (lowest directory id) wins, as in Jira.
    const r = await this.db.query(
      `SELECT au.user_key, au.lower_user_name, cu.user_name, cu.display_name, cu.email_address, cu.active
       FROM app_user au LEFT JOIN cwd_user cu ON cu.lower_user_name = au.lower_user_name
       WHERE au.lower_user_name = :lower ORDER BY cu.directory_id, cu.id`,
      { lower: lower(username) },
      { maxRows: 1 },
    );
    const row = r.rows[0];
    if (!row) return undefined;
    const [key, lowerName, name, display, email, active] = row as [string, string, string | null, string | null, string | null, unknown];
    const login = name ?? lowerName;
    return {
      username: login,
      key,
      displayName: display ?? login,
      email: email ?? '',
      active: active === null || active === undefined ? true : Number(active) === 1,
      sysadmin: this.sysadmins.has(lowerName),
    };
  }

  async userForToken(token: string): Promise<string | undefined> {
    return this.tokens.get(token);
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    const stored = this.passwords.get(lower(username));
    return stored !== undefined && stored === password;
  }

  async enrollmentSeed(username: string): Promise<string | undefined> {
    const r = await this.db.query(
      `SELECT e.${this.q('SECRET')} FROM ${this.enr} e JOIN app_user au ON au.user_key = e.${this.q('USER_KEY')} WHERE au.lower_user_name = :lower`,
      { lower: lower(username) },
    );
    const v = r.rows[0]?.[0];
    return typeof v === 'string' ? v : undefined;
  }

  async removeEnrollment(username: string): Promise<boolean> {
    const r = await this.db.query(
      `DELETE FROM ${this.enr} WHERE ${this.q('USER_KEY')} = (SELECT user_key FROM app_user WHERE lower_user_name = :lower)`,
      { lower: lower(username) },
    );
    return r.rowCount > 0;
  }

  async lastUsedStep(username: string): Promise<number | undefined> {
    return this.steps.get(lower(username));
  }

  async setLastUsedStep(username: string, step: number): Promise<void> {
    this.steps.set(lower(username), step);
  }
}

/** The store's options from the fixtures the in-memory store takes. */
export function sqlStoreOptions(fixtures: SimulatorFixtures, enrollmentTable?: string): SqlStoreOptions {
  return {
    tokens: fixtures.tokens,
    passwords: fixtures.passwords,
    sysadmins: fixtures.users.filter((u) => u.sysadmin).map((u) => u.username),
    ...(enrollmentTable ? { enrollmentTable } : {}),
  };
}

/**
 * Writes fixture users and enrollments into Jira tables that already exist (app_user,
 * cwd_user, the enrollment table). Ids continue after the highest present, so this can add
 * to a database that has other users. `recoveryCodes` (user name -> code) defaults to a
 * code derived from the user key.
 */
export async function seedJiraUsers(
  db: Driver,
  fixtures: SimulatorFixtures,
  options: { recoveryCodes?: Record<string, string>; enrollmentTable?: string; now?: Date } = {},
): Promise<void> {
  const q = db.facts.quoteIdent;
  const enr = q(options.enrollmentTable ?? ENROLLMENT_TABLE);
  const when = options.now ?? new Date();
  const stamp = when.toISOString().replace('T', ' ').replace('Z', '');
  await db.transaction(async (tx) => {
    const maxOf = async (table: string) => Number((await tx.query(`SELECT COALESCE(MAX(id), 0) FROM ${table}`)).rows[0]?.[0] ?? 0);
    let appId = Math.max(await maxOf('app_user'), 10_000);
    let cwdId = await maxOf('cwd_user');
    for (const u of fixtures.users) {
      const lowerName = lower(u.username);
      await tx.query('INSERT INTO app_user (id, user_key, lower_user_name) VALUES (:id, :key, :lower)', { id: ++appId, key: u.key, lower: lowerName });
      await tx.query(
        'INSERT INTO cwd_user (id, directory_id, user_name, lower_user_name, active, display_name, email_address) VALUES (:id, 1, :name, :lower, :active, :display, :email)',
        { id: ++cwdId, name: u.username, lower: lowerName, active: u.active ? 1 : 0, display: u.displayName, email: u.email },
      );
      const seed = Object.entries(fixtures.enrollments).find(([name]) => lower(name) === lowerName)?.[1];
      if (!seed) continue;
      const code = options.recoveryCodes?.[u.username] ?? `RC-${u.key}`;
      await tx.query(
        `INSERT INTO ${enr} (${['USER_KEY', 'SECRET', 'RECOVERY_CODE', 'CREATED_AT', 'MODIFIED_AT'].map(q).join(', ')}) VALUES (:k, :s, :r, :c, :m)`,
        { k: u.key, s: seed, r: code, c: stamp, m: stamp },
      );
    }
  });
}
