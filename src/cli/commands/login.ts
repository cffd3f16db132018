/**
 * `jira2fa login`, `jira2fa logout` and `jira2fa credentials list`: an instance's secrets in
 * the OS keychain (keychain.ts). login reads the secret without echo from the terminal (raw
 * mode), or from standard input with --stdin, checks it like the extension's "Set
 * credentials…" does, stores it and reads it back. No command here ever prints a value.
 *
 * Exit codes: 0 ok; 1 refused: the keychain cannot be used (the message says why and how to
 * fix it) or did not keep the value; 2 usage or bad input: unknown instance, bad --kind, an
 * empty or malformed secret, no terminal without --stdin, cancelled with Ctrl-C / Ctrl-D.
 */
import { storeSecretFor } from '../../core/credentialOrigin';
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../../core/errors';
import type { InstanceProfile } from '../../core/profiles/schema';
import { printable } from '../../core/printable';
import { redactor } from '../../core/redact';
import { SECRET_KINDS, secretKindsFor, type SecretKind, type SecretStore } from '../../core/secrets';
import { normalizeSeed, seedProblem } from '../../core/totp';
import type { CliContext, CliIo } from '../context';
import { formatTable } from '../format';
import { CliSecretStore, KEYCHAIN_SERVICE, KeychainSecretStore, keychainAccount } from '../keychain';
import { SECRET_ENV } from '../secrets';

/** The names --kind accepts and the CLI prints, per secret kind. */
export const KIND_NAMES: Record<SecretKind, string> = {
  token: 'token',
  password: 'password',
  dbPassword: 'db',
  totpSeed: 'totp',
  orgApiKey: 'orgkey',
};

const KIND_ALIASES: Record<string, SecretKind> = {
  token: 'token',
  pat: 'token',
  password: 'password',
  db: 'dbPassword',
  dbpassword: 'dbPassword',
  totp: 'totpSeed',
  totpseed: 'totpSeed',
  orgkey: 'orgApiKey',
  orgapikey: 'orgApiKey',
};

/** Short names for messages (SECRET_LABELS are the extension's prompts). */
export const KIND_LABELS: Record<SecretKind, string> = {
  token: 'personal access token',
  password: 'password',
  dbPassword: 'database password',
  totpSeed: 'TOTP seed',
  orgApiKey: 'organization API key',
};

/** commander parser for --kind: a usage error (exit code 2) for anything else. */
export function parseKind(value: string): SecretKind {
  const kind = KIND_ALIASES[value.trim().toLowerCase()];
  if (!kind) throw new InvalidArgumentError(`Expected one of ${Object.values(KIND_NAMES).join(', ')}.`);
  return kind;
}

const INSTANCE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** commander parser for --instance of logout and credentials list (no profile needed there). */
export function parseInstanceId(value: string): string {
  if (!INSTANCE_ID.test(value)) throw new InvalidArgumentError('Expected an instance id: lower-case letters, digits, ".", "_" and "-", at most 64 characters.');
  return value;
}

/** Quick checks that catch a paste of the wrong thing (as the extension does); the server has the last word. */
export function secretProblem(kind: SecretKind, value: string): string | undefined {
  if (value.trim() === '') return `The ${KIND_LABELS[kind]} is empty.`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'The value contains control characters (a stray newline or tab?).';
  if (kind === 'totpSeed') return seedProblem(value);
  if ((kind === 'token' || kind === 'orgApiKey') && /\s/.test(value.trim())) return 'A token contains no spaces: paste the token alone.';
  return undefined;
}

/** The form stored: TOTP seeds without spaces, dashes or padding, upper case; tokens trimmed; passwords as typed. */
export function normalizeSecret(kind: SecretKind, value: string): string {
  if (kind === 'totpSeed') return normalizeSeed(value);
  return kind === 'token' || kind === 'orgApiKey' ? value.trim() : value;
}

type SecretInput = NonNullable<CliIo['stdin']>;

/** Longest secret read from standard input (a token is < 1 kB; this only stops a wrong pipe). */
export const MAX_SECRET_BYTES = 64 * 1024;

function cancelled(): AppError {
  return new AppError('input', 'Cancelled: nothing was stored.');
}

// Terminal escape sequences (arrow keys, bracketed paste markers): never part of a secret.
const ESCAPES = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|O.)?/g;

/**
 * Reads one line from a terminal in raw mode, so nothing is echoed. Enter ends it,
 * Backspace deletes, Ctrl-U clears, Ctrl-C (or Ctrl-D on an empty line) cancels.
 * `onRaw` runs once raw mode is on (it prints the prompt).
 */
export function readHidden(input: SecretInput, onRaw?: () => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    let value = '';
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      try {
        input.setRawMode?.(wasRaw);
      } catch {
        // The terminal went away: nothing to restore.
      }
      input.pause();
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const text = (typeof chunk === 'string' ? chunk : chunk.toString('utf8')).replace(ESCAPES, '');
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(cancelled());
        if (ch === '\u0004') return finish(value === '' ? cancelled() : undefined);
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    const onEnd = () => finish(value === '' ? cancelled() : undefined);
    const onError = (e: Error) => finish(e);
    input.setRawMode?.(true);
    // The prompt comes after raw mode is on: a key typed at the prompt is never echoed.
    onRaw?.();
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}

/** Reads all of standard input (a pipe); one trailing newline is dropped. */
export async function readAll(input: SecretInput): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_SECRET_BYTES) throw new AppError('input', `Standard input is longer than ${MAX_SECRET_BYTES / 1024} KiB: that is not a secret.`, 'Pipe the secret alone.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The secret from the terminal (no echo) or, with --stdin, from a pipe. */
export async function readSecret(ctx: CliContext, label: string, fromStdin: boolean): Promise<string> {
  const input: SecretInput = ctx.io.stdin ?? process.stdin;
  if (input.isTTY) {
    try {
      return await readHidden(input, () => ctx.io.stderr(`${printable(label, 200)} (input hidden): `));
    } finally {
      ctx.io.stderr('\n');
    }
  }
  if (!fromStdin) {
    throw new AppError('input', 'No terminal to read the secret from.',
      'Pipe it to standard input with --stdin, e.g. printf %s "$TOKEN" | jira2fa login --instance ID --stdin');
  }
  return readAll(input);
}

/** Where login, logout and list read and write: the keychain (refused with the fix when it cannot be used), or io.secrets in tests. */
function writableStore(ctx: CliContext): SecretStore {
  const store = ctx.storage();
  return store instanceof CliSecretStore ? store.keychain() : store;
}

async function removeSecret(store: SecretStore, instanceId: string, kind: SecretKind): Promise<boolean> {
  if (store instanceof KeychainSecretStore) return store.remove(instanceId, kind);
  const existed = (await store.get(instanceId, kind)) !== undefined;
  await store.delete(instanceId, kind);
  return existed;
}

function names(kinds: SecretKind[]): string[] {
  return kinds.map((k) => KIND_NAMES[k]);
}

/** Which environment variables of these kinds are set (names only). */
function envSet(io: CliIo, kinds: readonly SecretKind[]): SecretKind[] {
  return kinds.filter((k) => (io.env[SECRET_ENV[k]] ?? '') !== '');
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('store a credential of an instance in the OS keychain (typed without echo, or piped with --stdin)')
    .requiredOption('--instance <id>', 'instance id from the profiles file')
    .option('--kind <kind>', `${Object.values(KIND_NAMES).join(' | ')} (default: token; password for basic auth; orgkey for cloud)`, parseKind)
    .option('--stdin', 'read the secret from standard input when it is not a terminal, e.g. printf %s "$TOKEN" | jira2fa login --instance ID --stdin')
    .action(async (opts: { instance: string; kind?: SecretKind; stdin?: boolean }) => {
      const profile = await ctx.getProfile(opts.instance);
      const kinds = secretKindsFor(profile);
      const kind = opts.kind ?? kinds[0];
      const label = KIND_LABELS[kind];
      if (!kinds.includes(kind)) {
        ctx.warn(`${profile.id} does not use the ${label} (it uses: ${names(kinds).join(', ')}); storing it anyway.`);
      }
      // Before asking: no one should type a secret that cannot be stored.
      const store = writableStore(ctx);
      const replaced = (await store.get(profile.id, kind)) !== undefined;

      const raw = await readSecret(ctx, `${capitalise(label)} for ${profile.id}`, opts.stdin === true);
      redactor.add(raw);
      const problem = secretProblem(kind, raw);
      if (problem) throw new AppError('input', problem, `Nothing was stored. Run "jira2fa login --instance ${profile.id} --kind ${KIND_NAMES[kind]}" again.`);
      const value = normalizeSecret(kind, raw);
      // Bound to the host (or database) the profile names now: it is sent nowhere else.
      await storeSecretFor(store, profile, kind, value);
      if ((await store.get(profile.id, kind)) !== value) {
        throw new AppError('refused', `The keychain did not keep the ${label} of ${profile.id}.`, 'Check that the keyring is unlocked and writable, then retry.');
      }
      const account = keychainAccount(profile.id, kind);
      ctx.result(
        { ok: true, instance: profile.id, kind: KIND_NAMES[kind], label, replaced, service: KEYCHAIN_SERVICE, account },
        () => ctx.out(`${replaced ? 'Replaced' : 'Stored'} the ${label} of ${profile.id} in the OS keychain (service "${KEYCHAIN_SERVICE}", account "${account}").`),
      );
    });

  program
    .command('logout')
    .description('delete every stored credential of an instance from the OS keychain')
    .requiredOption('--instance <id>', 'instance id (it need not be in the profiles file any more)', parseInstanceId)
    .action(async (opts: { instance: string }) => {
      const store = writableStore(ctx);
      const removed: SecretKind[] = [];
      for (const kind of SECRET_KINDS) if (await removeSecret(store, opts.instance, kind)) removed.push(kind);
      const stillInEnv = envSet(ctx.io, SECRET_KINDS);
      ctx.result({ ok: true, instance: opts.instance, removed: names(removed), environment: stillInEnv.map((k) => SECRET_ENV[k]) }, () => {
        ctx.out(removed.length
          ? `Removed ${removed.length} credential${removed.length === 1 ? '' : 's'} of ${opts.instance} from the OS keychain: ${names(removed).join(', ')}.`
          : `No credentials of ${opts.instance} were stored in the OS keychain.`);
      });
      if (stillInEnv.length) ctx.warn(`${stillInEnv.map((k) => SECRET_ENV[k]).join(', ')} still set in this environment; logout does not change environment variables.`);
    });

  const credentials = program.command('credentials').description('which credentials are stored (never their values)');
  credentials
    .command('list')
    .description('show which kinds of credential the OS keychain holds for an instance')
    .requiredOption('--instance <id>', 'instance id', parseInstanceId)
    .action(async (opts: { instance: string }) => {
      const store = writableStore(ctx);
      const used = await usedKinds(ctx, opts.instance);
      const rows: Array<{ kind: string; label: string; stored: boolean; environment: boolean; usedByProfile: boolean | null }> = [];
      for (const kind of SECRET_KINDS) {
        rows.push({
          kind: KIND_NAMES[kind],
          label: KIND_LABELS[kind],
          stored: (await store.get(opts.instance, kind)) !== undefined,
          environment: envSet(ctx.io, [kind]).length > 0,
          usedByProfile: used ? used.includes(kind) : null,
        });
      }
      ctx.result({ ok: true, instance: opts.instance, service: KEYCHAIN_SERVICE, credentials: rows }, () => {
        ctx.out(`Credentials of ${opts.instance} (OS keychain, service "${KEYCHAIN_SERVICE}"; values are never shown):`);
        ctx.out(formatTable(
          ['KIND', 'KEYCHAIN', `ENVIRONMENT`, 'USED BY PROFILE', 'WHAT'],
          rows.map((r, i) => [
            r.kind,
            r.stored ? 'stored' : '-',
            r.environment ? `${SECRET_ENV[SECRET_KINDS[i]]} set` : '-',
            r.usedByProfile === null ? '?' : r.usedByProfile ? 'yes' : 'no',
            r.label,
          ]),
        ));
      });
    });
}

/** The kinds the instance's profile uses, or undefined when there is no such (valid) profile. */
async function usedKinds(ctx: CliContext, id: string): Promise<SecretKind[] | undefined> {
  let profile: InstanceProfile | undefined;
  try {
    profile = (await ctx.loadProfiles()).profiles.find((p) => p.id === id);
  } catch {
    return undefined;
  }
  return profile ? secretKindsFor(profile) : undefined;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
