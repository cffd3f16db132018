/**
 * The sandbox (`npm run sandbox`) hands the extension its credentials through a one-time
 * import file, because code-server keeps SecretStorage in the browser (encrypted in its
 * localStorage) where no outside process can write, and secrets must never sit in settings.
 *
 * The sandbox writes the file (mode 0600) and names it in JIRA2FA_SANDBOX_SECRETS in the
 * editor's environment. On activation the extension reads it, stores each secret in
 * SecretStorage and deletes the file, whatever happened. It is refused unless it is a regular
 * file owned by this user and readable by no one else, and a secret is only stored for an
 * instance that exists, is marked `test` and points at this machine (loopback): a stray file
 * or environment variable can never put credentials on a production or remote instance.
 */
import { storeSecretFor } from './credentialOrigin';
import { lstat, readFile, rm } from 'node:fs/promises';
import * as z from 'zod/mini';
import type { InstanceProfile } from './profiles/schema';
import { SECRET_KINDS, type SecretKind, type SecretStore } from './secrets';

export const SANDBOX_SECRETS_ENV = 'JIRA2FA_SANDBOX_SECRETS';

const ImportFile = z.strictObject({
  version: z.literal(1),
  instances: z.array(
    z.strictObject({
      id: z.string(),
      secrets: z.partialRecord(z.enum(SECRET_KINDS), z.string().check(z.minLength(1), z.maxLength(4096))),
    }),
  ),
});
export type SandboxSecretsFile = z.infer<typeof ImportFile>;

export interface ImportResult {
  /** Instance ids whose secrets were stored. */
  imported: string[];
  /** Why an instance (or the whole file) was skipped; never contains a secret. */
  skipped: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Why secrets may not be imported for this profile, or undefined when they may. */
export function importRefusal(profile: InstanceProfile | undefined, id: string): string | undefined {
  if (!profile) return `no instance "${id}" in the settings`;
  if (profile.environment !== 'test') return `instance "${id}" is not a test instance`;
  let host = '';
  try {
    host = new URL(profile.baseUrl).hostname;
  } catch {
    return `instance "${id}" has no valid base URL`;
  }
  if (!LOOPBACK.has(host)) return `instance "${id}" is not on this machine (${host})`;
  return undefined;
}

/**
 * Consumes the import file named by the environment, if any. The file is deleted in every
 * case once it was found, so its secrets are on disk only until the editor first starts.
 */
export async function consumeSandboxSecrets(
  env: NodeJS.ProcessEnv,
  secrets: SecretStore,
  profileById: (id: string) => InstanceProfile | undefined,
): Promise<ImportResult | undefined> {
  const file = env[SANDBOX_SECRETS_ENV];
  if (!file) return undefined;
  const result: ImportResult = { imported: [], skipped: [] };
  let text: string;
  try {
    const st = await lstat(file);
    if (!st.isFile()) return { ...result, skipped: [`${file} is not a regular file`] };
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return { ...result, skipped: [`${file} belongs to another user`] };
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      await rm(file, { force: true });
      return { ...result, skipped: [`${file} was readable by other users (mode ${(st.mode & 0o777).toString(8)}); deleted unread`] };
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Already consumed (a second window, a reload): nothing to do.
    if (code === 'ENOENT') return result;
    return { ...result, skipped: [`${file} cannot be read (${code ?? 'error'})`] };
  }
  await rm(file, { force: true });
  let parsed: SandboxSecretsFile;
  try {
    const r = ImportFile.safeParse(JSON.parse(text));
    if (!r.success) return { ...result, skipped: [`${file} is not a sandbox secrets file`] };
    parsed = r.data;
  } catch {
    return { ...result, skipped: [`${file} is not JSON`] };
  }
  for (const entry of parsed.instances) {
    const profile = profileById(entry.id);
    const refusal = importRefusal(profile, entry.id);
    if (refusal || !profile) {
      result.skipped.push(refusal ?? `no instance "${entry.id}" in the settings`);
      continue;
    }
    for (const [kind, value] of Object.entries(entry.secrets) as Array<[SecretKind, string]>) await storeSecretFor(secrets, profile, kind, value);
    result.imported.push(entry.id);
  }
  return result;
}
