/**
 * Checks and converts the values a user typed (form fields, CLI --param k=v) into the typed
 * values a snippet declares. Values are only ever bound, never written into SQL; this is about
 * clear messages and the right types, not about escaping.
 */
import type { ParamValue } from '../db/types';
import { tidyUsername, usernameProblem } from '../jira/paths';
import type { Snippet, SnippetParam } from './types';

export interface ParamProblem {
  param: string;
  message: string;
}

/** A parameter's value after checking: one value, or the items of a list parameter. */
export type SnippetValue = ParamValue | string[];
export type SnippetValues = Record<string, SnippetValue>;

export interface CoercedParams {
  values: SnippetValues;
  problems: ParamProblem[];
}

/** Longest string value accepted when a parameter has no maxLength. */
export const DEFAULT_MAX_LENGTH = 1000;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Most items of a list parameter in one run (a bulk run cuts its list into batches far below). */
export const MAX_LIST_ITEMS = 100_000;

function checkText(label: string, p: SnippetParam, v: string): string | undefined {
  if (v.includes('\u0000')) return `${label} contains a NUL character, which databases cannot store`;
  const max = p.maxLength ?? DEFAULT_MAX_LENGTH;
  if ([...v].length > max) return `${label} is longer than ${max} characters`;
  return undefined;
}

/** What isUsernameParam() reads of a declaration (the webview's copy has the same fields). */
export type ParamDeclaration = { name: string; type: string; label?: string };

/**
 * A parameter that holds user names, by its declaration: named `username`/`usernames` (or
 * `user_name`) or labelled "User name(s)", as the built-in snippets declare them. Its values
 * get the user-name rules of the forms (core/jira/paths.ts): surrounding whitespace removed
 * (and said), invisible characters refused. Every other parameter is bound exactly as typed.
 */
export function isUsernameParam(p: ParamDeclaration): boolean {
  if (p.type !== 'string' && p.type !== 'string[]') return false;
  return /^user_?names?$/i.test(p.name) || /^user ?names?$/i.test(p.label?.trim() ?? '');
}

/** Why a user name cannot be bound, with the field's label first; "." and ".." are fine in SQL. */
function usernameValueProblem(label: string, v: string): string | undefined {
  if (v === '.' || v === '..') return undefined;
  return usernameProblem(v, label)?.replace(/\.$/, '');
}

/**
 * The typed values with each user-name parameter tidied (tidyUsername), and what was said
 * about it ("Used "dave" without the spaces around it."), for the panel and the CLI to show
 * and put back in the field. Binding (coerceOne) applies the same tidyUsername, so a caller
 * that skips this binds the same value; lists are trimmed item by item there.
 */
export function tidySnippetParams(snippet: { params: readonly ParamDeclaration[] }, params: Record<string, string>): { params: Record<string, string>; notes: string[] } {
  const out = { ...params };
  const notes: string[] = [];
  for (const p of snippet.params) {
    if (p.type !== 'string' || !isUsernameParam(p) || !Object.prototype.hasOwnProperty.call(params, p.name) || typeof params[p.name] !== 'string') continue;
    const { username, note } = tidyUsername(params[p.name]);
    out[p.name] = username;
    if (note) notes.push(note);
  }
  return { params: out, notes };
}

/** The items of a list parameter typed as text (a form field, --param k=v): one per line or comma. */
export function listItems(text: string): string[] {
  return text.split(/[\r\n,]+/).map((s) => s.trim()).filter(Boolean);
}

/** A list: an array of texts, or text with one item per line or comma (as typed in a form). */
function coerceList(p: SnippetParam, label: string, raw: unknown): { value?: SnippetValue; problem?: string } {
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (typeof raw === 'string') items = listItems(raw);
  else return { problem: `${label} must be a list of texts` };
  if (!items.length) return p.optional ? { value: null } : { problem: `${label} is required` };
  if (items.length > MAX_LIST_ITEMS) return { problem: `${label} has more than ${MAX_LIST_ITEMS} items` };
  const out: string[] = [];
  for (const [i, item] of items.entries()) {
    const what = `${label}, item ${i + 1},`;
    if (typeof item !== 'string' && typeof item !== 'number') return { problem: `${what} must be text` };
    // User names: trimmed item by item (a pasted list's spaces), then the user-name rules.
    const v = isUsernameParam(p) ? String(item).trim() : String(item);
    if (!v) return { problem: `${what} is empty` };
    const problem = checkText(what, p, v) ?? (isUsernameParam(p) ? usernameValueProblem(what, v) : undefined);
    if (problem) return { problem };
    out.push(v);
  }
  return { value: out };
}

function coerceOne(p: SnippetParam, raw: unknown): { value?: SnippetValue; problem?: string } {
  // The form's label, not the SQL parameter name: "User name is required" (ParamProblem.param names it).
  const label = p.label;
  if (p.type === 'string[]') return coerceList(p, label, raw);
  if (raw === undefined || raw === null || raw === '') {
    if (p.default !== undefined) raw = p.default;
    else if (p.optional) return { value: null };
    else return { problem: `${label} is required` };
  }
  switch (p.type) {
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { problem: `${label} must be text` };
      if (!isUsernameParam(p)) {
        const v = String(raw);
        const problem = checkText(label, p, v);
        return problem ? { problem } : { value: v };
      }
      // A user name: tidied as everywhere (tidySnippetParams says so), then the user-name rules.
      const v = tidyUsername(String(raw)).username;
      if (!v.trim() && p.optional) return { value: null };
      const problem = checkText(label, p, v) ?? usernameValueProblem(label, v);
      return problem ? { problem } : { value: v };
    }
    case 'integer': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && /^\s*[+-]?\d{1,16}\s*$/.test(raw)) n = Number(raw);
      else return { problem: `${label} must be a whole number` };
      if (!Number.isSafeInteger(n)) return { problem: `${label} must be a whole number` };
      if (p.min !== undefined && n < p.min) return { problem: `${label} must be at least ${p.min}` };
      if (p.max !== undefined && n > p.max) return { problem: `${label} must be at most ${p.max}` };
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      // Only text and numbers are read as words; String() on an arbitrary object can run its
      // toString() and even throw (an object whose toString is not a function).
      if (typeof raw !== 'string' && typeof raw !== 'number') return { problem: `${label} must be true or false` };
      const s = String(raw).trim().toLowerCase();
      if (['true', 'yes', '1'].includes(s)) return { value: true };
      if (['false', 'no', '0'].includes(s)) return { value: false };
      return { problem: `${label} must be true or false` };
    }
    case 'timestamp': {
      if (raw instanceof Date && !Number.isNaN(raw.getTime())) return { value: raw };
      if (typeof raw === 'string' && ISO_TIME.test(raw.trim())) {
        const d = new Date(raw.trim());
        if (!Number.isNaN(d.getTime())) return { value: d };
      }
      return { problem: `${label} must be a date and time like 2024-05-01T12:00:00Z` };
    }
  }
}

export function coerceParams(snippet: Snippet, raw: Record<string, unknown>): CoercedParams {
  const values: SnippetValues = {};
  const problems: ParamProblem[] = [];
  for (const p of snippet.params) {
    const r = coerceOne(p, Object.prototype.hasOwnProperty.call(raw, p.name) ? raw[p.name] : undefined);
    if (r.problem) problems.push({ param: p.name, message: r.problem });
    else values[p.name] = r.value as SnippetValue;
  }
  for (const k of Object.keys(raw)) {
    if (!snippet.params.some((p) => p.name === k)) problems.push({ param: k, message: `${snippet.name} has no parameter :${k}` });
  }
  return { values, problems };
}

/**
 * The number of rows a destructive snippet must change, given its parameter values: the
 * fixed count, the integer parameter's value, or the number of items of a list parameter
 * (one row per listed item).
 */
export function expectedRows(snippet: Snippet, values: SnippetValues): number {
  const rule = snippet.expect;
  if (!rule) throw new Error(`snippet ${snippet.name} has no @expect`);
  if (rule.type === 'count') return rule.count;
  const v = values[rule.param];
  if (Array.isArray(v)) return v.length;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`@expect :${rule.param} has no whole-number value`);
  return v;
}
