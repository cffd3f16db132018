/**
 * Checking audit entries: the input an action hands in (redacted, bounded, and refused when
 * a registered secret would still reach the file) and the lines read back from the file.
 */
import { osUserOrUndefined } from '../osUser';
import { AppError } from '../errors';
import { Redactor } from '../redact';
import { isHash } from './canonical';
import { AuditWriteError } from './errors';
import type { AuditEntry, AuditEntryInput, AuditOutcome } from './types';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'refused', 'error', 'cancelled'];

/** Bounds on what one entry may hold, so that lines stay small. Longer text is cut. */
export const ENTRY_LIMITS = { text: 1000, message: 4000, detailKeys: 50, detailKey: 100 } as const;

type DetailValue = string | number | boolean | null;

/** A redactor without registered secrets: only the credential-shaped patterns. */
const patternsOnly = new Redactor();

/**
 * Whether `text` contains a value registered with `redactor` as a secret. The Redactor does
 * not expose its secrets, so this compares its output with that of a redactor that knows
 * none: the two differ exactly when a registered secret occurs in the text.
 */
export function containsRegisteredSecret(redactor: Redactor, text: string): boolean {
  // No registered secret in the text: both redactors give the same output, no need to run them.
  if (!redactor.mentionsSecret(text)) return false;
  return redactor.redact(text) !== patternsOnly.redact(text);
}

/** Texts already checked in one batch: by length limit, the text and what is written for it. */
export type TextMemo = Map<number, Map<string, string>>;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function badInput(message: string): AppError {
  return new AppError('input', `Invalid audit entry: ${message}`, 'This is a bug in the caller of the audit log.');
}

/** What checking one text needs: a function of its own, not a closure made per entry. */
interface TextCheck {
  redactor: Redactor;
  file: string;
  memo?: TextMemo;
}

/**
 * A text of an entry as it will be written: redacted, cut to `max`, refused when a registered
 * secret would still be in it. `field` (with `fieldSuffix`) only names it in errors.
 */
function text(c: TextCheck, field: string, value: unknown, max: number = ENTRY_LIMITS.text, required = true, fieldSuffix = ''): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw badInput(`${field}${fieldSuffix} must be a string`);
  let seen: Map<string, string> | undefined;
  if (c.memo) {
    seen = c.memo.get(max);
    if (!seen) c.memo.set(max, (seen = new Map()));
    const known = seen.get(value);
    if (known !== undefined) return known;
  }
  const clean = cut(c.redactor.redact(value), max);
  if (containsRegisteredSecret(c.redactor, clean)) throw secretError(`${field}${fieldSuffix}`, c.file);
  seen?.set(value, clean);
  return clean;
}

/**
 * Returns the entry as it will be written: every string (detail names included) passed
 * through the redactor and then bounded. Throws AppError("input") for a malformed entry and
 * AuditWriteError("ESECRET") when a registered secret would still be written, e.g. a TOTP
 * code passed as a number. No message quotes the offending value.
 *
 * `memo` may be shared by the entries of ONE batch checked in one synchronous pass (the
 * redactor cannot learn a secret in between): a text already checked (the admin, the
 * instance, the action, the run id, the repeated message of a bulk run) is then redacted and
 * checked once per batch instead of once per entry. Only texts that passed are remembered.
 */
export function sanitizeInput(input: AuditEntryInput, redactor: Redactor, file: string, memo?: TextMemo): AuditEntryInput {
  if (!input || typeof input !== 'object') throw badInput('not an object');
  const c: TextCheck = { redactor, file, memo };
  if (!AUDIT_OUTCOMES.includes(input.outcome)) throw badInput(`outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  if (typeof input.action !== 'string' || !input.action.trim()) throw badInput('action is required');
  const inst = input.instance;
  if (!inst || typeof inst !== 'object') throw badInput('instance is required');
  if (input.status !== undefined && !(Number.isInteger(input.status) && input.status >= 0 && input.status <= 999)) {
    throw badInput('status must be an HTTP status code');
  }
  if (input.status !== undefined && containsRegisteredSecret(redactor, String(input.status))) throw secretError('status', file);

  // Built member by member, absent ones left out (rather than written `undefined` and deleted
  // afterwards, which turns the object into a slow dictionary-mode one). The texts are checked
  // in the order of the members, so the first bad one is the one reported.
  const admin = text(c, 'admin', input.admin) as string;
  const id = text(c, 'instance.id', inst.id) as string;
  const name = text(c, 'instance.name', inst.name) as string;
  // Members in sorted order, as canonical JSON writes them (hashedLine then needs no copy).
  const instance = { baseUrl: text(c, 'instance.baseUrl', inst.baseUrl, 2048) as string, id, name };
  const action = text(c, 'action', input.action) as string;
  const target = text(c, 'target', input.target, ENTRY_LIMITS.text, false);
  const message = text(c, 'message', input.message, ENTRY_LIMITS.message) as string;
  const osUser = text(c, 'osUser', input.osUser ?? osUserOrUndefined(), ENTRY_LIMITS.text, false);
  const runId = text(c, 'runId', input.runId, ENTRY_LIMITS.text, false);
  const backupId = text(c, 'backupId', input.backupId, ENTRY_LIMITS.text, false);
  const out: AuditEntryInput = { admin, instance, action, outcome: input.outcome, message };
  if (osUser !== undefined) out.osUser = osUser;
  if (target !== undefined) out.target = target;
  if (input.status !== undefined) out.status = input.status;
  if (runId !== undefined) out.runId = runId;
  if (backupId !== undefined) out.backupId = backupId;
  if (input.details !== undefined) {
    if (!input.details || typeof input.details !== 'object' || Array.isArray(input.details)) throw badInput('details must be an object');
    const keys = Object.keys(input.details);
    if (keys.length > ENTRY_LIMITS.detailKeys) throw badInput(`details has more than ${ENTRY_LIMITS.detailKeys} members`);
    const details: Record<string, DetailValue> = {};
    for (const key of keys) {
      const name = text(c, 'details key', key, ENTRY_LIMITS.detailKey) as string;
      const value: unknown = input.details[key];
      if (value === undefined) continue;
      if (typeof value === 'string') details[name] = text(c, 'details.', value, ENTRY_LIMITS.text, true, name) as string;
      else if (value === null || typeof value === 'boolean') details[name] = value;
      else if (typeof value === 'number' && Number.isFinite(value)) {
        if (containsRegisteredSecret(redactor, String(value))) throw secretError(`details.${name}`, file);
        details[name] = value;
      } else throw badInput(`details.${name} must be a string, a finite number, a boolean or null`);
    }
    out.details = details;
  }
  if (input.request !== undefined) {
    if (!input.request || typeof input.request !== 'object' || Array.isArray(input.request)) throw badInput('request must be an object');
    const request: Record<string, string> = {};
    for (const key of REQUEST_KEYS) {
      const value = text(c, 'request.', (input.request as Record<string, unknown>)[key] as string | undefined, ENTRY_LIMITS.text, false, key);
      if (value !== undefined) request[key] = value;
    }
    if (Object.keys(request).length) out.request = request as AuditEntryInput['request'];
  }
  return out;
}

/** The members of an entry's request block, all strings. */
const REQUEST_KEYS = ['identityMatch', 'override', 'reason', 'ticket', 'ticketUrl', 'verification', 'verificationNote', 'warnings'] as const;

function secretError(field: string, file: string): AuditWriteError {
  return new AuditWriteError('ESECRET', file,
    `Refused to write an audit entry: its field ${field} contains a stored secret (a token, password, seed or TOTP code).`,
    'This is a bug in the caller of the audit log: secrets must never be passed to it.');
}

export type ParsedLine = { entry: AuditEntry; value: Record<string, unknown> } | { reason: string };

/** Parses one line of the log and checks the entry's shape (not its hash). */
export function parseEntryLine(text: string): ParsedLine {
  if (!text.trim()) return { reason: 'blank line' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { reason: `not valid JSON (${(e as Error).message})` };
  }
  const problem = shapeProblem(value);
  if (problem) return { reason: problem };
  return { entry: value as AuditEntry, value: value as Record<string, unknown> };
}

/** Why `v` is not an audit entry, or undefined when it is one. Unknown members are allowed. */
export function shapeProblem(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  for (const key of ['id', 'time', 'admin', 'action', 'message'] as const) {
    if (typeof o[key] !== 'string') return `"${key}" is missing or not a string`;
  }
  for (const key of ['target', 'runId', 'backupId', 'osUser'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') return `"${key}" is not a string`;
  }
  if (!AUDIT_OUTCOMES.includes(o.outcome as AuditOutcome)) return '"outcome" is missing or unknown';
  if (o.status !== undefined && typeof o.status !== 'number') return '"status" is not a number';
  const inst = o.instance as Record<string, unknown> | undefined;
  if (!inst || typeof inst !== 'object' || Array.isArray(inst) || typeof inst.id !== 'string' || typeof inst.name !== 'string' || typeof inst.baseUrl !== 'string') {
    return '"instance" is missing or incomplete';
  }
  if (o.details !== undefined) {
    if (!o.details || typeof o.details !== 'object' || Array.isArray(o.details)) return '"details" is not an object';
    for (const value of Object.values(o.details)) {
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) return '"details" holds a nested value';
    }
  }
  if (o.request !== undefined) {
    if (!o.request || typeof o.request !== 'object' || Array.isArray(o.request)) return '"request" is not an object';
    for (const value of Object.values(o.request)) if (typeof value !== 'string') return '"request" holds a value that is not text';
  }
  if (!isHash(o.prevHash)) return '"prevHash" is missing or not a SHA-256 hex digest';
  if (!isHash(o.hash)) return '"hash" is missing or not a SHA-256 hex digest';
  return undefined;
}

