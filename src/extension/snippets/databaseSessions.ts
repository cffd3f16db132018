/**
 * Database sessions of the extension, opened on first use and closed after a minute idle (or
 * when the extension is disposed), so a series of runs from the panel reuses one session and
 * nothing stays connected for long. Free of `vscode` so it is unit-testable.
 *
 * Also keeps the last "Test database connection" result per instance for the tree.
 */
import { AppError, describeError } from '../../core/errors';
import { connectDatabase, type ConnectOptions } from '../../core/db/connect';
import type { Driver } from '../../core/db/types';
import { readSecretFor, type SecretReader } from '../../core/credentialOrigin';
import type { InstanceProfile } from '../../core/profiles/schema';
import { checkDatabase, type DatabaseCheck } from '../../core/recovery/probe';

export type DatabaseStatus =
  | { state: 'unchecked' }
  | { state: 'ok'; check: DatabaseCheck; checkedAt: Date }
  | { state: 'error'; message: string; checkedAt: Date };

interface Session {
  key: string;
  driver: Promise<Driver>;
  timer?: ReturnType<typeof setTimeout>;
  busy: number;
  /**
   * The end of the queue of actions on this connection. Actions take turns: a guarded change's
   * transaction must never have another action's statements (or its BEGIN/COMMIT) run inside it.
   */
  tail: Promise<unknown>;
}

export class DatabaseSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly statuses = new Map<string, DatabaseStatus>();
  private readonly listeners = new Set<(instanceId: string) => void>();

  constructor(
    private readonly secrets: SecretReader,
    private readonly options: { idleMs?: number; connect?: typeof connectDatabase; connectOptions?: ConnectOptions } = {},
  ) {}

  /**
   * Runs `fn` with an open session on the profile's database (opened when needed), after the
   * actions already waiting for it. `fn` must not call `use` for the same instance (it would wait
   * for itself).
   */
  async use<T>(profile: InstanceProfile, fn: (driver: Driver) => Promise<T>): Promise<T> {
    const db = profile.database;
    if (!db) throw new AppError('input', `"${profile.name}" has no database connection configured.`, 'Add a database section in Edit Instance.');
    const key = JSON.stringify(db);
    let session = this.sessions.get(profile.id);
    if (session && session.key !== key) {
      // The profile's database settings changed: the old session points at the old target.
      await this.close(profile.id);
      session = undefined;
    }
    if (!session) {
      const connect = this.options.connect ?? connectDatabase;
      // Registered before anything is awaited, so that two actions at once share one connection.
      const opening = (async () => connect(db, await readSecretFor(this.secrets, profile, 'dbPassword'), { applicationName: 'jira2fa-vscode', ...this.options.connectOptions }))();
      const s: Session = { key, driver: opening, busy: 0, tail: Promise.resolve() };
      session = s;
      this.sessions.set(profile.id, s);
      s.driver.catch(() => {
        if (this.sessions.get(profile.id) === s) this.sessions.delete(profile.id);
      });
    }
    const s = session;
    if (s.timer) clearTimeout(s.timer);
    s.busy++;
    try {
      const turn = s.tail.then(async () => fn(await s.driver));
      s.tail = turn.catch(() => undefined);
      return await turn;
    } catch (e) {
      // A lost or broken connection is not reused: the next action reconnects.
      if (e instanceof AppError && e.kind === 'unreachable') await this.close(profile.id);
      throw e;
    } finally {
      s.busy--;
      if (s.busy === 0 && this.sessions.get(profile.id) === s) {
        s.timer = setTimeout(() => void this.close(profile.id), this.options.idleMs ?? 60_000);
        s.timer.unref?.();
      }
    }
  }

  /** "Test database connection": version, enrollment table, enrolled count; kept for the tree. */
  async test(profile: InstanceProfile): Promise<DatabaseStatus> {
    let status: DatabaseStatus;
    try {
      const check = await this.use(profile, (d) => checkDatabase(d, profile.database!));
      status = { state: 'ok', check, checkedAt: new Date() };
    } catch (e) {
      status = { state: 'error', message: describeError(e), checkedAt: new Date() };
    }
    this.statuses.set(profile.id, status);
    this.fire(profile.id);
    return status;
  }

  status(instanceId: string): DatabaseStatus {
    return this.statuses.get(instanceId) ?? { state: 'unchecked' };
  }

  clearStatus(instanceId: string): void {
    if (this.statuses.delete(instanceId)) this.fire(instanceId);
  }

  onDidChange(listener: (instanceId: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Whether a session is open (tests, and the log). */
  isOpen(instanceId: string): boolean {
    return this.sessions.has(instanceId);
  }

  async close(instanceId: string): Promise<void> {
    const s = this.sessions.get(instanceId);
    if (!s) return;
    this.sessions.delete(instanceId);
    if (s.timer) clearTimeout(s.timer);
    await s.driver.then((d) => d.close()).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private fire(instanceId: string): void {
    for (const l of this.listeners) l(instanceId);
  }
}
