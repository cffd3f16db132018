/**
 * Snippet runs as audited actions (see audited.ts): a read, the preview of a change, and the
 * change. Each checks what it can before opening a session (the profile has a database, the
 * snippet is of the right kind, a change on production is confirmed), opens the session, runs
 * the guarded service of recovery/runSnippet.ts, and ends in exactly one audit entry
 * ("sql.run", "sql.preview", "sql.change").
 */
import { AppError } from '../errors';
import { targetOf } from '../recovery/context';
import {
  executeDestructiveSnippet,
  previewDestructiveSnippet,
  runReadSnippet,
  type DestructivePreview,
  type DestructiveRunResult,
  type ReadRunResult,
} from '../recovery/runSnippet';
import type { InstanceProfile } from '../profiles/schema';
import type { Snippet } from '../snippets/types';
import { confirmationWord } from '../snippets/confirmation';
import { tidySnippetParams } from '../snippets/params';
import type { RequestInput } from '../requests/policy';
import { auditedAttempt, rethrowStopped, type RequestStep } from './audited';
import { withRecoveryContext, type DatabaseDeps } from './database';

export interface SnippetInput {
  profile: InstanceProfile;
  snippet: Snippet;
  /** Parameter values as typed; always bound, never pasted into the SQL. */
  params: Record<string, string>;
}

export interface SnippetReadInput extends SnippetInput {
  rowLimit?: number;
  /** A read changes nothing: a confirmation given for one is refused as a mistake. */
  confirmation?: string;
}

export interface SnippetChangeInput extends SnippetInput {
  /** Production instances: the confirmation word (the user name, the list's count, or the snippet name). */
  confirmation?: string;
  /** Refuse when the rows differ from the ones this preview showed. */
  expectFingerprint?: string;
  /** The request behind the change (ticket, reason, verification): see src/core/requests. */
  request?: RequestInput;
  onComment?: RequestStep['onComment'];
}

/** What the run said about the values: "Used "dave" without the spaces around it." */
export interface ParamNotes {
  notes: string[];
}

/** The input with its user names tidied (tidySnippetParams), and what was said about them. */
function tidied<T extends SnippetInput>(given: T): { input: T; notes: string[] } {
  const { params, notes } = tidySnippetParams(given.snippet, given.params);
  return { input: { ...given, params }, notes };
}

export async function runSnippetRead(deps: DatabaseDeps, given: SnippetReadInput): Promise<ReadRunResult & ParamNotes> {
  const { input, notes } = tidied(given);
  return { ...(await readSnippet(deps, input)), notes };
}

export async function runSnippetPreview(deps: DatabaseDeps, given: SnippetInput): Promise<DestructivePreview & ParamNotes> {
  const { input, notes } = tidied(given);
  return { ...(await previewSnippet(deps, input)), notes };
}

export async function runSnippetChange(deps: DatabaseDeps, given: SnippetChangeInput): Promise<DestructiveRunResult & ParamNotes> {
  const { input, notes } = tidied(given);
  return { ...(await changeSnippet(deps, input)), notes };
}

function readSnippet(deps: DatabaseDeps, input: SnippetReadInput): Promise<ReadRunResult> {
  const { profile, snippet, params } = input;
  return auditedAttempt(deps, profile, entry('sql.run', input), async (audit) => {
    checkKind(snippet, 'read');
    if (input.confirmation !== undefined) throw new AppError('input', `${snippet.name} is a read snippet: it changes nothing, so there is nothing to confirm or commit.`);
    return withRecoveryContext(deps, audit, profile, (ctx) => runReadSnippet(ctx, snippet, params, input.rowLimit !== undefined ? { rowLimit: input.rowLimit } : {}));
  }, rethrowStopped);
}

function previewSnippet(deps: DatabaseDeps, input: SnippetInput): Promise<DestructivePreview> {
  const { profile, snippet, params } = input;
  return auditedAttempt(deps, profile, entry('sql.preview', input), async (audit) => {
    checkKind(snippet, 'destructive');
    return withRecoveryContext(deps, audit, profile, (ctx) => previewDestructiveSnippet(ctx, snippet, params));
  }, rethrowStopped);
}

function changeSnippet(deps: DatabaseDeps, input: SnippetChangeInput): Promise<DestructiveRunResult> {
  const { profile, snippet, params } = input;
  return auditedAttempt(deps, profile, entry('sql.change', input), async (audit) => {
    checkKind(snippet, 'destructive');
    checkConfirmation(profile, snippet, params, input.confirmation);
    return withRecoveryContext(deps, audit, profile, (ctx) =>
      executeDestructiveSnippet(ctx, snippet, params, input.expectFingerprint !== undefined ? { expectFingerprint: input.expectFingerprint } : {}),
    );
  }, rethrowStopped, undefined, changeRequest(input, `Recovery SQL change (${snippet.name})`));
}

function entry(action: string, input: SnippetInput) {
  const target = targetOf(input.params);
  return { action, ...(target !== undefined ? { target } : {}), details: { snippet: input.snippet.name } };
}

function checkKind(snippet: Snippet, kind: Snippet['kind']): void {
  if (snippet.kind === kind) return;
  throw new AppError('input', `${snippet.name} is a ${snippet.kind} snippet.`, kind === 'read' ? 'Use preview and execute for destructive snippets.' : 'Run it as a read snippet.');
}

/** A change on a production instance runs only with the confirmation word typed. */
export function checkConfirmation(profile: Pick<InstanceProfile, 'name' | 'environment'>, snippet: Snippet, params: Record<string, string>, given: string | undefined): void {
  if (profile.environment !== 'production') return;
  const word = confirmationWord(snippet, params);
  if (given !== word) {
    throw new AppError('input', `${profile.name} is a production instance: confirm the change by typing "${word}" (CLI: --confirm ${JSON.stringify(word)}).`, 'Nothing was changed.');
  }
}

/** The request step of a change to users' 2SV; the identity match needs one user name. */
export function changeRequest(input: SnippetInput & { request?: RequestInput; onComment?: RequestStep['onComment'] }, label: string): RequestStep {
  const target = targetOf(input.params);
  return { profile: input.profile, input: input.request, ...(target && !target.includes(',') ? { target: { username: target } } : {}), label, ...(input.onComment ? { onComment: input.onComment } : {}) };
}
