/**
 * Shared CLI plumbing, handed to every command's register(program, ctx): the io (so tests
 * can capture output), the global options, profile loading, the audit log, JSON output and
 * the mapping of errors to exit codes.
 *
 * Rules for commands:
 *  - throw AppError for expected failures (its kind gives the exit code); never print a stack;
 *  - print results with ctx.result(json, text): --json prints exactly one JSON object;
 *  - other text goes through ctx.out / ctx.err / ctx.warn, which redact secrets and show
 *    control, bidi and zero-width characters as U+XXXX (core/printable.ts); values from a
 *    server, a database or a file go through cell() first (so a newline in one shows too);
 *  - set a non-zero exit code without an error message with ctx.setExitCode.
 */
import path from 'node:path';
import * as fsp from 'node:fs/promises';
import { osUserOrUndefined } from '../core/osUser';
import { CommanderError, type Command } from 'commander';
import { AuditLog, type AuditLogOptions } from '../core/audit/log';
import { AuditHead } from '../core/audit/head';
import { auditFilePath, auditHeadFilePath } from '../core/audit/paths';
import { AppError, EXIT_CODES, exitCodeFor, type FailureKind } from '../core/errors';
import { profilesFilePath } from '../core/platformPaths';
import { readProfilesFile, ProfilesFileError, type InvalidEntry } from '../core/profiles/exchange';
import type { FieldError, InstanceProfile } from '../core/profiles/schema';
import { redactor } from '../core/redact';
import { withOriginConfirmation } from '../core/credentialOrigin';
import { SECRET_LABELS, type SecretStore } from '../core/secrets';
import { CliSecretStore } from './keychain';
import { DbError } from '../core/db/connect';
import { printable, printableJson, printableLines } from '../core/printable';
import { replayGuardFor, type ReplayGuard } from '../core/totp';
import { FileStepLedger, totpLedgerPath } from '../core/totpLedger';
import { redactEnvSecrets } from './secrets';

export interface CliIo {
  /** Writes text as is (callers add newlines). */
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Relative paths given on the command line resolve against this. */
  cwd: string;
  /** Where credentials come from; defaults to the OS keychain, then environment variables (tests pass their own). */
  secrets?: SecretStore;
  /** Where "jira2fa login" reads a secret; defaults to process.stdin (tests pass their own). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; isRaw?: boolean; setRawMode?(raw: boolean): unknown };
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Options every command accepts (before or after the command name). */
export interface GlobalOptions {
  profiles?: string;
  json?: boolean;
  auditFile?: string;
  acceptNewHost?: boolean;
}

export interface LoadedProfiles {
  /** Absolute path of the profiles file that was read. */
  file: string;
  profiles: InstanceProfile[];
  invalid: InvalidEntry[];
}

export class CliContext {
  private exit: number = EXIT_CODES.ok;
  private jsonPrinted = false;
  private profilesCache?: Promise<LoadedProfiles>;
  private secretStore?: SecretStore;
  private baseStore?: SecretStore;
  private head?: AuditHead;
  private appended = false;

  constructor(
    readonly io: CliIo,
    private readonly program: Command,
  ) {
    redactEnvSecrets(io.env);
  }

  get globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  get exitCode(): number {
    return this.exit;
  }

  /** Sets the exit code of a command that ends without throwing (e.g. verify found damage). */
  setExitCode(code: number): void {
    this.exit = code;
  }

  /** A path from the command line or the environment, made absolute. */
  resolvePath(p: string): string {
    return path.resolve(this.io.cwd, p);
  }

  /** --profiles, else $JIRA2FA_PROFILES, else <config dir>/profiles.json. */
  profilesFile(): string {
    return this.resolvePath(profilesFilePath(this.globals.profiles, this.io.env));
  }

  /** --audit-file, else $JIRA2FA_AUDIT_FILE, else <state dir>/audit.jsonl. */
  auditFile(): string {
    return this.resolvePath(auditFilePath(this.globals.auditFile, this.io.env));
  }

  /**
   * The head file shared with the extension ($JIRA2FA_AUDIT_HEAD_FILE, else <state dir>/
   * audit-head.json): the last entry written from this computer to each log, so that removing
   * the log's last lines is detected (core/audit/head.ts). Its problems are warnings.
   */
  auditHead(): AuditHead {
    this.head ??= new AuditHead(this.resolvePath(auditHeadFilePath(this.io.env)), { onWarning: (message) => this.warn(`audit: ${message}`) });
    return this.head;
  }

  /** The audit log that commands which change anything must append to. */
  auditLog(options?: AuditLogOptions): AuditLog {
    return new AuditLog(this.auditFile(), { head: this.auditHead(), onAppended: () => (this.appended = true), ...options });
  }

  /** Whether this run wrote to the audit log: then it ships to the team store and syslog at its end (teamAudit.ts). */
  get appendedToAuditLog(): boolean {
    return this.appended;
  }

  /** The guard that keeps TOTP codes from being sent twice, sharing used windows with other runs and the editor. */
  replayGuard(instanceId: string): ReplayGuard {
    return replayGuardFor(instanceId, undefined, new FileStepLedger(this.resolvePath(totpLedgerPath(this.io.env))));
  }

  /**
   * The credentials store: io.secrets when given, else the OS keychain (keytar, loaded on first
   * use) then the environment variables of secrets.ts; without a keychain, the environment only,
   * with one warning naming the fix when a secret is missing (keychain.ts).
   */
  secrets(): SecretStore {
    // A credential whose instance now points elsewhere is sent only with --accept-new-host.
    this.secretStore ??= withOriginConfirmation(this.storage(), async (change) => {
      if (this.globals.acceptNewHost !== true) return false;
      this.warn(`--accept-new-host: the ${SECRET_LABELS[change.kind]} of ${change.instanceId} was stored for ${change.storedOrigin}; it is now bound to ${change.currentOrigin}.`);
      return true;
    });
    return this.secretStore;
  }

  /**
   * After a failure: a database that refused a sign-in without a password was missing one the
   * keychain could not give; the keychain warning (keychain.ts) is due now, not before.
   */
  explainMissingSecret(e: unknown): void {
    if (e instanceof DbError && e.category === 'auth' && this.baseStore instanceof CliSecretStore) this.baseStore.explainMissing('dbPassword');
  }

  /** The store itself (login, logout and credentials manage it; secrets() is for reading to send). */
  storage(): SecretStore {
    this.baseStore ??= this.io.secrets ?? new CliSecretStore({ env: this.io.env, warn: (message) => this.warn(message) });
    return this.baseStore;
  }

  /** The admin named in audit entries: $JIRA2FA_ADMIN, else the OS user. */
  adminName(): string {
    if (this.io.env.JIRA2FA_ADMIN) return this.io.env.JIRA2FA_ADMIN;
    return osUserOrUndefined() ?? (this.io.env.USER || this.io.env.USERNAME || 'unknown');
  }

  /** Reads and validates the profiles file once per run. Throws AppError("input") when unreadable. */
  loadProfiles(): Promise<LoadedProfiles> {
    this.profilesCache ??= readProfiles(this.profilesFile());
    return this.profilesCache;
  }

  /** The valid profile with this id, or AppError("input") naming the known ids. */
  async getProfile(id: string): Promise<InstanceProfile> {
    const { file, profiles, invalid } = await this.loadProfiles();
    const found = profiles.find((p) => p.id === id);
    if (found) return found;
    const bad = invalid.find((e) => e.label === id);
    if (bad) {
      throw new AppError('input', `Instance ${JSON.stringify(id)} in ${file} is invalid: ${bad.errors.map(formatFieldError).join('; ')}.`,
        'Fix the entry in the profiles file, then retry.');
    }
    const known = profiles.map((p) => p.id);
    throw new AppError('input', `No instance with id ${JSON.stringify(id)}; known: ${known.length ? known.join(', ') : '(none)'}.`,
      `The profiles file is ${file}; run "jira2fa instances list" to see it.`);
  }

  /** A line of normal output. With --json it goes to stderr, so stdout holds only the JSON. */
  out(line: string): void {
    const text = `${printableLines(redactor.redact(line))}\n`;
    if (this.json) this.io.stderr(text);
    else this.io.stdout(text);
  }

  err(line: string): void {
    this.io.stderr(`${printableLines(redactor.redact(line))}\n`);
  }

  warn(message: string): void {
    this.err(`warning: ${message}`);
  }

  /** Prints the command's one JSON object on stdout; string values are redacted, unsafe characters escaped as \uXXXX. */
  printJson(value: object): void {
    if (this.jsonPrinted) throw new Error('internal: a command printed two JSON objects');
    this.jsonPrinted = true;
    this.io.stdout(`${printableJson(redactValue(value), 2)}\n`);
  }

  get printedJson(): boolean {
    return this.jsonPrinted;
  }

  /** Prints a result: `json` with --json, else whatever `text` prints. */
  result(json: object, text: () => void): void {
    if (this.json) this.printJson(json);
    else text();
  }
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  }
  return value;
}

export function formatFieldError(e: FieldError): string {
  return !e.field || e.message.startsWith(e.field) ? e.message : `${e.field}: ${e.message}`;
}

async function readProfiles(file: string): Promise<LoadedProfiles> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AppError('input', `No profiles file at ${printable(file, 300)}.`,
        'Create it with {"version": 1, "instances": [{"id": "prod-jira", "name": "Prod Jira", "product": "jira", ' +
          '"baseUrl": "https://jira.example.com", "environment": "production"}]}, or export your profiles from the VS Code ' +
          'extension, and pass it with --profiles FILE or JIRA2FA_PROFILES.');
    }
    throw new AppError('input', `Cannot read the profiles file ${printable(file, 300)} (${code ?? 'error'}): ${printable((e as Error).message, 300)}`,
      'Pass a readable file with --profiles FILE or JIRA2FA_PROFILES.', { cause: e });
  }
  try {
    return { file, ...readProfilesFile(text) };
  } catch (e) {
    if (e instanceof ProfilesFileError) throw new AppError('input', `${printable(file, 300)}: ${e.message}`, undefined, { cause: e });
    throw e;
  }
}

// ---- errors and exit codes ----

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET',
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** File-system errors about a path the user gave (a flag, a variable): bad input. */
const FILE_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EROFS']);

/** The failure kind of an error; "internal" for a bug (exit code 1). */
export function errorKind(e: unknown): FailureKind | 'internal' {
  if (e instanceof AppError) return e.kind;
  if (e instanceof ProfilesFileError || e instanceof CommanderError) return 'input';
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unreachable';
  if (typeof code === 'string' && FILE_CODES.has(code)) return 'input';
  return 'internal';
}

/** 0 ok, 1 refused (and unexpected errors), 2 usage or bad input, 3 unreachable. */
export function exitCodeForError(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.input;
  const kind = errorKind(e);
  return kind === 'internal' ? EXIT_CODES.refused : exitCodeFor(kind);
}
