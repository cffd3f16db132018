/**
 * The CLI's OS keychain, on keytar (an optional native dependency): service "jira2fa",
 * account "<instanceId>:<kind>" (kind as in SECRET_KINDS, e.g. "prod-jira:token").
 *
 * keytar is loaded lazily with a plain require() inside loadKeytar(): esbuild leaves it
 * external, so dist/cli.js starts (and every command that needs no secret works) when the
 * module is missing or cannot load, e.g. when its build was skipped because libsecret's
 * headers were not installed. CliSecretStore, what ctx.secrets() returns, looks a secret up
 * in the keychain first and then in the environment variables of secrets.ts; when the
 * keychain is unusable it reads the environment only and, once, says why and how to fix it.
 * Writing (login, logout) needs the keychain and is refused (exit code 1) with the fix.
 *
 * Every value read or stored is registered with the redactor.
 */
import { AppError } from '../core/errors';
import { redactor } from '../core/redact';
import { SECRET_KINDS, type SecretKind, type SecretStore, type StoredSecret } from '../core/secrets';
import { EnvSecretStore, SECRET_ENV } from './secrets';

export const KEYCHAIN_SERVICE = 'jira2fa';
/** "off" (or 0, false, no) turns the keychain off: environment variables only. */
export const KEYCHAIN_SWITCH_ENV = 'JIRA2FA_KEYCHAIN';
/** How long one keychain call may take (a desktop unlock prompt waits for the user). */
export const KEYCHAIN_TIMEOUT_ENV = 'JIRA2FA_KEYCHAIN_TIMEOUT_MS';
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 30_000;

/** The part of keytar's API we use (typed here: keytar may not be installed at all). */
export interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** Why the keychain cannot be used, and what the user can do about it. */
export interface KeychainProblem {
  reason: string;
  fix: string;
}

export type KeytarLoad = { ok: true; keytar: Keytar } | { ok: false; problem: KeychainProblem };

export function keychainAccount(instanceId: string, kind: SecretKind): string {
  return `${instanceId}:${kind}`;
}

/** The account of the origin recorded beside a secret (credentialOrigin.ts). */
export function keychainOriginAccount(instanceId: string, kind: SecretKind): string {
  return `${keychainAccount(instanceId, kind)}:origin`;
}

const ENV_HINT = `Meanwhile the CLI reads the environment variables ${Object.values(SECRET_ENV).join(', ')}.`;

/** A refused command: the keychain is needed and cannot be used. Exit code 1. */
export class KeychainUnavailableError extends AppError {

  constructor(readonly problem: KeychainProblem, options?: { cause?: unknown }) {
    super('refused', `The OS keychain is not available: ${problem.reason}`, problem.fix, options);
    this.name = 'KeychainUnavailableError';
  }
}

/** Whether JIRA2FA_KEYCHAIN turns the keychain off. */
export function keychainDisabled(env: Record<string, string | undefined>): boolean {
  return /^(off|0|false|no)$/i.test((env[KEYCHAIN_SWITCH_ENV] ?? '').trim());
}

function requireKeytar(): unknown {
  // A plain require, evaluated only here: esbuild keeps 'keytar' external (esbuild.config.mjs).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('keytar');
}

/**
 * Loads keytar, or says why it cannot be loaded. `load` and `platform` are for tests.
 */
export function loadKeytar(
  env: Record<string, string | undefined>,
  load: () => unknown = requireKeytar,
  platform: NodeJS.Platform = process.platform,
): KeytarLoad {
  if (keychainDisabled(env)) {
    return { ok: false, problem: { reason: `it is turned off by ${KEYCHAIN_SWITCH_ENV}=${env[KEYCHAIN_SWITCH_ENV]}.`, fix: `Unset ${KEYCHAIN_SWITCH_ENV} to use it. ${ENV_HINT}` } };
  }
  let mod: unknown;
  try {
    mod = load();
  } catch (e) {
    return { ok: false, problem: loadProblem(e, platform) };
  }
  const k = ((mod as { default?: unknown } | null)?.default ?? mod) as Partial<Keytar> | null;
  if (!k || typeof k.getPassword !== 'function' || typeof k.setPassword !== 'function' || typeof k.deletePassword !== 'function') {
    return { ok: false, problem: { reason: 'the keytar module that was found is not keytar 7 (getPassword, setPassword and deletePassword are missing).', fix: `${buildFix(platform)} ${ENV_HINT}` } };
  }
  return { ok: true, keytar: k as Keytar };
}

function errorText(e: unknown): { code: string | undefined; message: string } {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  // Node's "Require stack:" lists local paths: the first line says it all.
  return { code: typeof code === 'string' ? code : undefined, message: message.split('\n')[0].trim() };
}

function buildFix(platform: NodeJS.Platform): string {
  if (platform === 'linux') {
    return 'Install libsecret and its headers (Debian/Ubuntu: sudo apt-get install libsecret-1-dev; Fedora: sudo dnf install libsecret-devel; ' +
      'a C++ toolchain and python3 are needed too), then run "npm rebuild keytar", or "npm install" again, where jira2fa is installed.';
  }
  return 'Run "npm install" again where jira2fa is installed so that its optional keytar module is built (it needs a C++ toolchain and python3).';
}

/** Why require('keytar') failed, with the fix for this platform. */
export function loadProblem(e: unknown, platform: NodeJS.Platform = process.platform): KeychainProblem {
  const { code, message } = errorText(e);
  if (code === 'MODULE_NOT_FOUND' && /['"]keytar['"]/.test(message)) {
    return { reason: 'the optional keytar module is not installed (npm skips it when its native build fails, on Linux usually because libsecret-1-dev is missing).', fix: `${buildFix(platform)} ${ENV_HINT}` };
  }
  if (/libsecret/i.test(message)) {
    return {
      reason: `keytar cannot load the libsecret library (${message}).`,
      fix: `Install it (Debian/Ubuntu: sudo apt-get install libsecret-1-0; Fedora: sudo dnf install libsecret). ${ENV_HINT}`,
    };
  }
  return { reason: `keytar is installed but its native part cannot be loaded (${message}).`, fix: `${buildFix(platform)} ${ENV_HINT}` };
}

const LINUX_SERVICE_FIX =
  'Run jira2fa in a desktop session with a Secret Service keyring (GNOME Keyring, KWallet, KeePassXC). Over SSH or in a container, start one: ' +
  'dbus-run-session -- sh -c \'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets; exec jira2fa ...\' ' +
  '(Debian/Ubuntu: sudo apt-get install gnome-keyring dbus).';
const LINUX_LOCKED_FIX =
  'Unlock your keyring (or create a default one), e.g. in "Passwords and Keys" (seahorse), or start gnome-keyring-daemon with --unlock; then retry.';

/** Why a keychain call failed at run time (no D-Bus session, no keyring, locked, timed out). */
export function callProblem(e: unknown, platform: NodeJS.Platform = process.platform): KeychainProblem {
  if (e instanceof KeychainTimeoutError) {
    return {
      reason: `the keychain did not answer within ${e.ms < 1000 ? `${e.ms} ms` : `${Math.round(e.ms / 1000)} s`} (is an unlock prompt waiting, or is the keyring daemon stuck?).`,
      fix: `${platform === 'linux' ? LINUX_LOCKED_FIX : 'Unlock the keychain and retry.'} ${KEYCHAIN_TIMEOUT_ENV} sets the wait in milliseconds. ${ENV_HINT}`,
    };
  }
  const { message } = errorText(e);
  const reason = `the keychain call failed: ${message || 'unknown error'}.`;
  if (platform !== 'linux') return { reason, fix: `Unlock the keychain and retry. ${ENV_HINT}` };
  if (/lock|prompt|dismiss|cancel|collection|does not exist at path/i.test(message)) return { reason, fix: `${LINUX_LOCKED_FIX} ${ENV_HINT}` };
  return { reason, fix: `${LINUX_SERVICE_FIX} ${ENV_HINT}` };
}

class KeychainTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    // unref: a keychain call that never answers must not keep the process alive.
    const timer = setTimeout(() => reject(new KeychainTimeoutError(ms)), ms);
    timer.unref?.();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The keychain call timeout from JIRA2FA_KEYCHAIN_TIMEOUT_MS (0 = wait for ever). */
export function keychainTimeout(env: Record<string, string | undefined>): number {
  const raw = env[KEYCHAIN_TIMEOUT_ENV]?.trim();
  const n = raw && /^\d+$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) ? n : DEFAULT_KEYCHAIN_TIMEOUT_MS;
}

export interface KeychainOptions {
  service?: string;
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

/** Secrets in the OS keychain through keytar. Failures throw KeychainUnavailableError. */
export class KeychainSecretStore implements SecretStore {
  readonly service: string;
  private readonly timeoutMs: number;
  private readonly platform: NodeJS.Platform;

  constructor(private readonly keytar: Keytar, options: KeychainOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.platform = options.platform ?? process.platform;
  }

  async get(instanceId: string, kind: SecretKind): Promise<string | undefined> {
    const value = await this.call(() => this.keytar.getPassword(this.service, keychainAccount(instanceId, kind)));
    if (typeof value !== 'string' || value === '') return undefined;
    redactor.add(value);
    return value;
  }

  async getWithOrigin(instanceId: string, kind: SecretKind): Promise<StoredSecret | undefined> {
    const value = await this.get(instanceId, kind);
    if (value === undefined) return undefined;
    const origin = await this.call(() => this.keytar.getPassword(this.service, keychainOriginAccount(instanceId, kind)));
    return origin ? { value, origin } : { value };
  }

  async set(instanceId: string, kind: SecretKind, value: string, origin?: string): Promise<void> {
    redactor.add(value);
    await this.call(() => this.keytar.setPassword(this.service, keychainAccount(instanceId, kind), value));
    if (origin) await this.setOrigin(instanceId, kind, origin);
    else await this.call(() => this.keytar.deletePassword(this.service, keychainOriginAccount(instanceId, kind)));
  }

  async setOrigin(instanceId: string, kind: SecretKind, origin: string): Promise<void> {
    await this.call(() => this.keytar.setPassword(this.service, keychainOriginAccount(instanceId, kind), origin));
  }

  async delete(instanceId: string, kind: SecretKind): Promise<void> {
    await this.remove(instanceId, kind);
  }

  /** Deletes one secret and its origin record; true when there was a secret. */
  async remove(instanceId: string, kind: SecretKind): Promise<boolean> {
    const removed = (await this.call(() => this.keytar.deletePassword(this.service, keychainAccount(instanceId, kind)))) === true;
    await this.call(() => this.keytar.deletePassword(this.service, keychainOriginAccount(instanceId, kind)));
    return removed;
  }

  /** The kinds stored for an instance (the values are read, registered with the redactor, and dropped). */
  async storedKinds(instanceId: string): Promise<SecretKind[]> {
    const stored: SecretKind[] = [];
    for (const kind of SECRET_KINDS) if ((await this.get(instanceId, kind)) !== undefined) stored.push(kind);
    return stored;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(Promise.resolve().then(fn), this.timeoutMs);
    } catch (e) {
      throw new KeychainUnavailableError(callProblem(e, this.platform), { cause: e });
    }
  }
}

export interface CliSecretStoreOptions {
  env: Record<string, string | undefined>;
  /** Prints one warning line (the CLI's ctx.warn). */
  warn(message: string): void;
  /** Replaces loadKeytar (tests). */
  loadKeytar?: () => KeytarLoad;
  platform?: NodeJS.Platform;
}

type KeychainState = { store: KeychainSecretStore } | { problem: KeychainProblem };

/**
 * Secrets a command can do without: a database may sign in with no password (trust or peer
 * authentication, PGlite). Not finding one is no reason to explain the keychain; the explanation
 * comes only if the database then refuses the sign-in (explainMissing, called by the CLI).
 */
const OPTIONAL_KINDS: ReadonlySet<SecretKind> = new Set(['dbPassword']);

/**
 * What the CLI reads secrets from: the keychain, then the environment. keytar is loaded on
 * the first call, so commands that need no secret never load it.
 */
export class CliSecretStore implements SecretStore {
  private state?: KeychainState;
  private warned = false;
  /** Optional secrets found nowhere while the keychain could not be used (not yet explained). */
  private readonly unexplained = new Set<SecretKind>();
  private readonly envStore: EnvSecretStore;

  constructor(private readonly options: CliSecretStoreOptions) {
    this.envStore = new EnvSecretStore(options.env);
  }

  /** The keychain store, or why there is none. Loads keytar on first use. */
  keychainState(): KeychainState {
    if (!this.state) {
      const loaded = (this.options.loadKeytar ?? (() => loadKeytar(this.options.env, undefined, this.options.platform)))();
      this.state = loaded.ok
        ? { store: new KeychainSecretStore(loaded.keytar, { timeoutMs: keychainTimeout(this.options.env), platform: this.options.platform }) }
        : { problem: loaded.problem };
    }
    return this.state;
  }

  /** The keychain, for commands that must write to it; KeychainUnavailableError (exit 1) when it cannot be used. */
  keychain(): KeychainSecretStore {
    const state = this.keychainState();
    if ('problem' in state) throw new KeychainUnavailableError(state.problem);
    return state.store;
  }

  async get(instanceId: string, kind: SecretKind): Promise<string | undefined> {
    return (await this.getWithOrigin(instanceId, kind))?.value;
  }

  async getWithOrigin(instanceId: string, kind: SecretKind): Promise<StoredSecret | undefined> {
    let state = this.keychainState();
    if ('store' in state) {
      try {
        const stored = await state.store.getWithOrigin(instanceId, kind);
        if (stored !== undefined) return stored;
      } catch (e) {
        if (!(e instanceof KeychainUnavailableError)) throw e;
        // Not asked again in this run: a second call would fail (or wait) the same way.
        state = this.state = { problem: e.problem };
      }
    }
    const stored = await this.envStore.getWithOrigin(instanceId, kind);
    if (stored === undefined && 'problem' in state) {
      // Said only for a secret the command needs: an optional one waits for explainMissing().
      if (OPTIONAL_KINDS.has(kind)) this.unexplained.add(kind);
      else this.warnMissing(kind, state.problem);
    }
    return stored;
  }

  /**
   * The command failed for want of an optional secret (the database refused a sign-in without
   * a password): now the keychain warning is due, if that secret was found nowhere.
   */
  explainMissing(kind: SecretKind): void {
    const state = this.state;
    if (!this.unexplained.delete(kind) || !state || !('problem' in state)) return;
    this.warnMissing(kind, state.problem);
  }

  /** One warning per run: why the keychain was not read and which variable is not set. */
  private warnMissing(kind: SecretKind, problem: KeychainProblem): void {
    if (this.warned) return;
    this.warned = true;
    this.options.warn(`the OS keychain is not available, so only environment variables are read, and ${SECRET_ENV[kind]} is not set. ` +
      `Why: ${problem.reason} Fix: ${problem.fix}`);
  }

  async set(instanceId: string, kind: SecretKind, value: string, origin?: string): Promise<void> {
    await this.keychain().set(instanceId, kind, value, origin);
  }

  async setOrigin(instanceId: string, kind: SecretKind, origin: string): Promise<void> {
    await this.keychain().setOrigin(instanceId, kind, origin);
  }

  async delete(instanceId: string, kind: SecretKind): Promise<void> {
    await this.keychain().delete(instanceId, kind);
  }
}
