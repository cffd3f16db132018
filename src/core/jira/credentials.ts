/**
 * The credentials one instance signs in with, read from the SecretStore. Every value read
 * is registered with the redactor at once, so it is masked in any later log line or error.
 */
import { AppError } from '../errors';
import { redactor } from '../redact';
import type { InstanceProfile } from '../profiles/schema';
import { readSecretFor } from '../credentialOrigin';
import type { SecretStore } from '../secrets';

export type Credentials =
  | { type: 'pat'; token: string }
  | { type: 'basic'; username: string; password: string };

/**
 * Reads the token or password of a profile. Throws AppError('input') when none is stored, and
 * CredentialOriginChangedError when it was stored for another host than the profile's.
 */
export async function loadCredentials(profile: Pick<InstanceProfile, 'id' | 'name' | 'auth' | 'baseUrl'>, secrets: SecretStore): Promise<Credentials> {
  if (profile.auth.type === 'basic') {
    const password = await readSecretFor(secrets, profile, 'password');
    redactor.add(password);
    if (!password) throw missing(profile.name, 'password');
    return checked({ type: 'basic', username: profile.auth.username, password });
  }
  const token = (await readSecretFor(secrets, profile, 'token'))?.trim();
  redactor.add(token);
  if (!token) throw missing(profile.name, 'personal access token');
  return checked({ type: 'pat', token });
}

function missing(name: string, what: string): AppError {
  return new AppError('input', `No ${what} is stored for ${name}.`, 'Use "Set Credentials…" on the instance (or the CLI credentials command) first.');
}

/** Catches values that cannot travel in an HTTP header before undici throws a cryptic error. */
export function checked(c: Credentials): Credentials {
  redactor.add(c.type === 'pat' ? c.token : c.password);
  // The base64 form of user:password is as good as the password itself.
  if (c.type === 'basic') redactor.add(authorizationHeader(c).slice('Basic '.length));
  if (c.type === 'pat' && !/^[\x21-\x7e]+$/.test(c.token)) {
    throw new AppError('input', 'The stored personal access token contains spaces or non-ASCII characters.', 'Copy the token again from your profile page and store it with "Set Credentials…".');
  }
  if (c.type === 'basic') {
    if (c.username.includes(':')) throw new AppError('input', 'A user name for basic authentication cannot contain ":".', 'Use a personal access token instead.');
    if (/[\u0000-\u001f\u007f]/.test(c.username + c.password)) {
      throw new AppError('input', 'The user name or password contains control characters (a stray newline?).', 'Store the password again with "Set Credentials…".');
    }
  }
  return c;
}

/** The Authorization header value. Basic credentials are UTF-8, as Atlassian products expect. */
export function authorizationHeader(c: Credentials): string {
  if (c.type === 'pat') return `Bearer ${c.token}`;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** The user name the credentials sign in as, when it is known without asking the server. */
export function knownLogin(c: Credentials): string | undefined {
  return c.type === 'basic' ? c.username : undefined;
}
