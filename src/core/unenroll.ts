/**
 * The recovery unenroll, as one service for the extension and the CLI. The order matters:
 * every guard runs before any request (user name shape, production confirmation, code or
 * seed present), then the self-unenroll check (which may ask the server who we are), then
 * a fresh code is taken from the replay guard as late as possible, then the one DELETE.
 * Every attempt, refused ones included, ends in exactly one audit entry without the code.
 */
import { osUser } from './osUser';
import type { AuditEntry, AuditEntryInput, AuditOutcome, AuditSink } from './audit/types';
import type { InstanceProfile } from './profiles/schema';
import { redactor } from './redact';
import type { SecretStore } from './secrets';
import type { JiraClient } from './jira/client';
import { CredentialOriginChangedError, readSecretFor } from './credentialOrigin';
import { guardRefusal, type Outcome } from './jira/outcomes';
import { tidyUsername, usernameProblem } from './jira/paths';
import { decodeSeed, normalizeTypedCode, seedProblem, type ReplayGuard } from './totp';

export type UnenrollClient = Pick<JiraClient, 'myself' | 'unenroll'> & Partial<Pick<JiraClient, 'findUser'>>;

export interface UnenrollRequest {
  profile: Pick<InstanceProfile, 'id' | 'name' | 'baseUrl' | 'environment' | 'auth'>;
  client: UnenrollClient;
  audit: AuditSink;
  /** The locked-out user's user name (login); surrounding whitespace is removed (tidyUsername). */
  username: string;
  /**
   * Look the user up (client.findUser) before a code is taken or waited for, and refuse an
   * unknown user without spending a code window. The CLI sets it; the form looks up itself.
   */
  lookUpFirst?: boolean;
  /** Whether the user has an enrollment, when the caller can tell (the instance's database). */
  enrollment?: (username: string) => Promise<'yes' | 'no' | 'unknown'>;
  /** The admin's own current code, typed. Exclusive with useStoredSeed. */
  code?: string;
  /** Generate the code from the admin's seed in `secrets`. */
  useStoredSeed?: boolean;
  secrets?: SecretStore;
  /** Production instances: the user name typed again. */
  confirmation?: string;
  /** The guard of this instance (replayGuardFor(profile.id)). */
  replayGuard: ReplayGuard;
  /** Name written to the audit log; default the signed-in user, else the OS user. */
  admin?: string;
  /** The signed-in user when already known (from Test connection): saves a request. */
  signedInAs?: string;
  runId?: string;
  signal?: AbortSignal;
  /** Told how long we wait for a fresh code window, so a UI can show it. */
  onWaitForFreshCode?: (ms: number) => void;
}

export interface UnenrollResult {
  ok: boolean;
  outcome: Outcome;
  /** The audit entry written; absent only when the audit log failed (see auditError). */
  auditEntry?: AuditEntry;
  auditError?: string;
}

type SelfCheck = 'given' | 'basicAuthUser' | 'myself' | 'server-only';

export async function unenrollUser(given: UnenrollRequest): Promise<UnenrollResult> {
  // One tidy name from here on: the same string is sent, shown and audited.
  const tidied = tidyUsername(given.username);
  const req = { ...given, username: tidied.username, ...(given.confirmation !== undefined ? { confirmation: given.confirmation.trim() } : {}) };
  const facts: { codeSource: 'typed' | 'storedSeed' | 'none'; selfCheck?: SelfCheck; waitedMs: number; identity?: string } = {
    codeSource: req.useStoredSeed ? 'storedSeed' : req.code !== undefined ? 'typed' : 'none',
    waitedMs: 0,
  };
  let code: string | undefined;
  const raw = await attempt(req, facts, (c) => (code = c));
  const outcome = tidied.note ? { ...raw, summary: `${raw.summary} (${tidied.note})` } : raw;
  return finish(req, outcome, facts, code);
}

async function attempt(req: UnenrollRequest, facts: { codeSource: string; selfCheck?: SelfCheck; waitedMs: number; identity?: string }, usedCode: (c: string) => void): Promise<Outcome> {
  const { profile, username } = req;
  const problem = usernameProblem(username);
  if (problem) return guardRefusal('username', problem, 'Enter the user name (login) exactly as stored.', 'input');
  if (req.replayGuard.instanceId !== profile.id) {
    return guardRefusal('config', 'Internal error: the replay guard belongs to another instance.', 'Report this; nothing was sent.', 'input');
  }

  if (profile.environment === 'production') {
    if (req.confirmation === undefined || req.confirmation === '') {
      return guardRefusal('confirmation', `${profile.name} is a production instance: type the user name to confirm.`, `Type "${username}" in the confirmation field (CLI: --confirm).`);
    }
    if (req.confirmation.normalize('NFC') !== username.normalize('NFC')) {
      return guardRefusal('confirmation', 'The confirmation does not match the user name.', `Type exactly "${username}" (same case) to confirm.`);
    }
  }

  // The code source is checked now, but the code itself is taken last (freshest).
  let typed: string | undefined;
  let seed: Uint8Array | undefined;
  if (req.useStoredSeed && req.code !== undefined) {
    return guardRefusal('code', 'Give either a typed code or the stored seed, not both.', 'Choose one source for your TOTP code.', 'input');
  }
  if (req.useStoredSeed) {
    let raw: string | undefined;
    try {
      raw = req.secrets ? await readSecretFor(req.secrets, profile, 'totpSeed') : undefined;
    } catch (e) {
      if (e instanceof CredentialOriginChangedError) return guardRefusal('seed', e.message, e.hint ?? '');
      throw e;
    }
    redactor.add(raw);
    if (!raw) return guardRefusal('seed', `No TOTP seed of yours is stored for ${profile.name}.`, 'Store it with "Set Credentials…" (CLI: jira2fa login --kind totp, or $JIRA2FA_TOTP_SECRET), or type the code from your app instead (CLI: --totp-stdin or $JIRA2FA_TOTP_CODE).', 'input');
    const seedIssue = seedProblem(raw);
    if (seedIssue) return guardRefusal('seed', seedIssue, 'Store your seed again with "Set Credentials…", or type your code instead.', 'input');
    seed = decodeSeed(raw);
  } else {
    typed = normalizeTypedCode(req.code ?? '');
    if (req.code) redactor.addShortLived(req.code.replace(/[\s-]/g, ''));
    if (!typed) return guardRefusal('code', req.code ? 'The TOTP code must be 6 digits.' : 'No TOTP code was given.', 'Type the current 6-digit code of YOUR OWN authenticator entry for this instance.', 'input');
  }

  const self = await whoAmI(req, facts);
  if ('outcome' in self) return self.outcome;
  if (self.username !== undefined && sameUser(self.username, username)) {
    return guardRefusal('selfUnenroll', 'You cannot remove your own two-step verification.', 'Ask another system administrator, or use the database recovery.');
  }

  // Before any code is claimed or waited for: an unknown or not-enrolled user is told at once.
  const known = await lookUp(req);
  if (known) return known;

  let code: string;
  if (typed) {
    const claim = await req.replayGuard.claimTypedCode(typed);
    if (!claim.ok) {
      return guardRefusal('replay', 'This code was already used on this instance; the server would refuse it.', `Wait ${claim.retryInSeconds} s and type the next code.`);
    }
    code = typed;
  } else {
    try {
      const issued = await req.replayGuard.nextCode(seed!, { signal: req.signal, onWait: req.onWaitForFreshCode });
      facts.waitedMs = issued.waitedMs;
      code = issued.code;
    } catch (e) {
      if (req.signal?.aborted) return { kind: 'cancelled', ok: false, failure: 'refused', summary: 'Cancelled while waiting for a fresh code.', next: 'Nothing was sent.' };
      throw e;
    }
  }
  usedCode(code);
  return req.client.unenroll(username, code, req.signal);
}

/** A refusal when the user is known not to exist or not to be enrolled; undefined to go on. */
async function lookUp(req: UnenrollRequest): Promise<Outcome | undefined> {
  const { username, profile } = req;
  if (req.lookUpFirst && req.client.findUser) {
    const found = await req.client.findUser(username, req.signal);
    // Lookup unavailable on this product, or failing: the DELETE's own answer still tells.
    if (found.ok && !found.value.found) {
      return { kind: 'noSuchUser', ok: false, failure: 'refused', status: found.status, summary: `There is no user "${username}" on ${profile.name}.`, next: 'Use the login (user name), not the display name or e-mail address. Nothing was sent and no code was used.' };
    }
  }
  if (req.enrollment && (await req.enrollment(username)) === 'no') {
    return { kind: 'noEnrollment', ok: false, failure: 'refused', summary: `"${username}" has no two-step verification enrollment on ${profile.name}: nothing to remove.`, next: 'Check the user name; nothing was sent and no code was used.' };
  }
  return undefined;
}

/** Who the credentials sign in as, without a request when we already know. */
async function whoAmI(req: UnenrollRequest, facts: { selfCheck?: SelfCheck; identity?: string }): Promise<{ username?: string } | { outcome: Outcome }> {
  if (req.signedInAs) {
    facts.selfCheck = 'given';
    facts.identity = req.signedInAs;
    return { username: req.signedInAs };
  }
  if (req.profile.auth.type === 'basic') {
    facts.selfCheck = 'basicAuthUser';
    facts.identity = req.profile.auth.username;
    return { username: req.profile.auth.username };
  }
  const me = await req.client.myself(req.signal);
  if (me.ok) {
    facts.selfCheck = 'myself';
    facts.identity = me.value.username;
    return { username: me.value.username };
  }
  // No "who am I" endpoint on this product: the server's own self-unenroll check remains.
  if (me.outcome.kind === 'unavailable') {
    facts.selfCheck = 'server-only';
    return {};
  }
  // Credentials refused or network down: the DELETE would fail the same way, so no code is spent.
  return { outcome: me.outcome };
}

/** Atlassian user names compare case-insensitively (lower_user_name). */
function sameUser(a: string, b: string): boolean {
  return a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
}

async function finish(req: UnenrollRequest, outcome: Outcome, facts: { codeSource: string; selfCheck?: SelfCheck; waitedMs: number; identity?: string }, code: string | undefined): Promise<UnenrollResult> {
  const entry: AuditEntryInput = {
    admin: req.admin ?? facts.identity ?? osUser(),
    instance: { id: req.profile.id, name: req.profile.name, baseUrl: req.profile.baseUrl },
    action: 'unenroll',
    target: req.username,
    outcome: auditOutcome(outcome),
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    message: outcome.serverMessage ? `${outcome.summary} Server said: "${outcome.serverMessage}".` : outcome.summary,
    details: {
      kind: outcome.kind,
      codeSource: facts.codeSource,
      selfCheck: facts.selfCheck ?? null,
      waitedForFreshCodeMs: facts.waitedMs,
      environment: req.profile.environment,
    },
    ...(req.runId ? { runId: req.runId } : {}),
  };
  const safe = scrub(entry, code);
  try {
    return { ok: outcome.ok, outcome, auditEntry: await req.audit.append(safe) };
  } catch (e) {
    // The action is done (or refused) either way: report the outcome and the audit failure.
    return { ok: outcome.ok, outcome, auditError: `The audit log could not be written: ${redactor.redact(e instanceof Error ? e.message : String(e))}` };
  }
}

function auditOutcome(o: Outcome): AuditOutcome {
  if (o.ok) return 'ok';
  if (o.kind === 'cancelled') return 'cancelled';
  if (o.kind === 'refusedByGuard' || o.failure === 'refused') return 'refused';
  return 'error';
}

/** Last line of defence: the code never reaches the log, even if a server echoed it. */
function scrub(entry: AuditEntryInput, code: string | undefined): AuditEntryInput {
  const text = JSON.stringify(entry);
  if (!code || !text.includes(code)) return entry;
  return JSON.parse(text.split(code).join('***')) as AuditEntryInput;
}

