/**
 * Binding named parameters: `:name` placeholders become the dialect's own ($1, ?, @p1, :1)
 * and the values a list of binds, in order. Values are never written into SQL text. A list
 * parameter inside IN (…) writes the expression once per item, each item bound.
 * Built on the lexer in sqlText.ts, which finds the placeholders.
 */
import type { Dialect, NamedParams, NativeBind, ParamInput, ParamList, ParamValue, TypedParam } from './types';
import { dialectFacts } from './dialect';
import { rawPlaceholderProblem, tokenize, type Token } from './sqlText';

export interface BoundSql {
  /** SQL with the dialect's placeholders. */
  text: string;
  /** Values in the order the dialect's placeholders number them. */
  binds: NativeBind[];
}

export class ParamBindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamBindError';
  }
}

function isTyped(v: ParamInput): v is TypedParam {
  return v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array) && !Array.isArray(v) && 'kind' in v && 'value' in v;
}

function isList(v: ParamInput | undefined): v is ParamList {
  return Array.isArray(v);
}

function toBind(v: ParamInput): NativeBind {
  return isTyped(v) ? { value: v.value, kind: v.kind } : { value: v as ParamValue };
}

/** The text between the parentheses of an `IN (…)` that holds a list parameter: sql.slice(start, end). */
export interface ListGroup {
  start: number;
  end: number;
  param: string;
}

const IN_BEFORE = /(?:^|[^A-Za-z0-9_])IN\s*$/i;

/**
 * Finds where each list parameter stands: the nearest enclosing `IN (…)`, whose one expression
 * is written once per item when bound. Also used by the snippet checker, so that a list
 * parameter outside IN (…), two in one list, or an IN holding a subquery or several
 * expressions are reported where they are written.
 */
export function listGroups(sql: string, tokens: Token[], isListParam: (name: string) => boolean): { groups: ListGroup[]; problem?: { offset: number; message: string } } {
  const stack: Array<{ at: number; isIn: boolean; group?: ListGroup }> = [];
  const groups: ListGroup[] = [];
  for (const t of tokens) {
    if (t.type === 'code') {
      for (let k = 0; k < t.text.length; k++) {
        const abs = t.start + k;
        if (t.text[k] === '(') stack.push({ at: abs, isIn: IN_BEFORE.test(sql.slice(Math.max(0, abs - 40), abs)) });
        else if (t.text[k] === ')') {
          const e = stack.pop();
          if (e?.group) {
            e.group.end = abs;
            groups.push(e.group);
          }
        }
      }
    } else if (t.type === 'param' && isListParam(t.name)) {
      const k = stack.map((e) => e.isIn).lastIndexOf(true);
      const where = stack[k];
      if (!where) return { groups, problem: { offset: t.start, message: `the list parameter :${t.name} can only stand inside IN (…)` } };
      if (where.group && where.group.param !== t.name) return { groups, problem: { offset: t.start, message: `one IN (…) holds two list parameters (:${where.group.param} and :${t.name})` } };
      if (stack.some((e) => e.group && e !== where)) return { groups, problem: { offset: t.start, message: `the list parameter :${t.name} stands inside the IN (…) of another list` } };
      where.group ??= { start: where.at + 1, end: -1, param: t.name };
    }
  }
  for (const g of groups) {
    // The IN (…) must hold ONE expression: it is repeated per item, separated by commas.
    let depth = 0;
    for (const t of tokens) {
      if (t.type !== 'code' || t.start + t.text.length <= g.start || t.start >= g.end) continue;
      for (let k = Math.max(0, g.start - t.start); k < t.text.length && t.start + k < g.end; k++) {
        const c = t.text[k];
        if (c === '(') depth++;
        else if (c === ')') depth--;
        else if (c === ',' && depth === 0) return { groups, problem: { offset: t.start + k, message: `the IN (…) of the list parameter :${g.param} must hold only the expression with it` } };
      }
      for (const m of t.text.matchAll(/\bSELECT\b/gi)) {
        if (t.start + m.index >= g.start && t.start + m.index < g.end) {
          return { groups, problem: { offset: t.start + m.index, message: `the IN (…) of the list parameter :${g.param} must hold an expression, not a subquery` } };
        }
      }
    }
  }
  return { groups };
}

/** Splits code tokens so that every offset in `at` starts a token. */
function splitAt(tokens: Token[], at: Set<number>): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.type !== 'code') {
      out.push(t);
      continue;
    }
    let from = 0;
    for (let k = 1; k < t.text.length; k++) {
      if (!at.has(t.start + k)) continue;
      out.push({ type: 'code', text: t.text.slice(from, k), start: t.start + from });
      from = k;
    }
    out.push({ type: 'code', text: t.text.slice(from), start: t.start + from });
  }
  return out;
}

/**
 * Replaces `:name` placeholders with the dialect's own and lists the values to bind.
 * Values are never written into the SQL text. A list value (ParamList) writes the expression
 * of its IN (…) once per item, each item bound; the result must fit the dialect's bind and
 * IN-list limits (callers cut long lists into batches: db/batching.ts).
 */
export function bindNamed(sql: string, dialect: Dialect, params: NamedParams = {}): BoundSql {
  let tokens: Token[];
  try {
    tokens = tokenize(sql, dialect);
  } catch (e) {
    throw new ParamBindError(`the SQL cannot be read: ${(e as Error).message}`);
  }
  const raw = rawPlaceholderProblem(tokens, dialect);
  if (raw) throw new ParamBindError(raw.message);

  const facts = dialectFacts(dialect);
  const has = (name: string) => Object.prototype.hasOwnProperty.call(params, name) && params[name] !== undefined;
  const { groups, problem } = listGroups(sql, tokens, (name) => has(name) && isList(params[name]));
  if (problem) throw new ParamBindError(problem.message);
  const groupAt = new Map(groups.map((g) => [g.start, g]));
  if (groups.length) tokens = splitAt(tokens, new Set(groups.flatMap((g) => [g.start, g.end])));

  // name → 1-based placeholder number (a Map: a batched INSERT binds thousands of names), and
  // for a list parameter the number of each of its items (a list used twice binds once).
  const order = new Map<string, number>();
  const itemOrder = new Map<string, number[]>();
  const binds: NativeBind[] = [];
  const bind = (value: ParamInput): number => binds.push(toBind(value));
  const written = (k: number): string => (facts.placeholder === 'dollar' ? `$${k}` : facts.placeholder === 'at' ? `@p${k}` : `:b${k}`);
  const placeholder = (name: string, value: ParamInput): string => {
    if (facts.placeholder === 'question') {
      bind(value);
      return '?';
    }
    let k = order.get(name);
    if (k === undefined) order.set(name, (k = bind(value)));
    return written(k);
  };
  const itemPlaceholder = (name: string, items: ParamList, item: number): string => {
    if (facts.placeholder === 'question') {
      bind(items[item]);
      return '?';
    }
    let numbers = itemOrder.get(name);
    if (!numbers) itemOrder.set(name, (numbers = []));
    let k = numbers[item];
    if (k === undefined) numbers[item] = k = bind(items[item]);
    return written(k);
  };
  const emit = (t: Token, item?: number): string => {
    if (t.type !== 'param') return t.text;
    if (!has(t.name)) throw new ParamBindError(`parameter :${t.name} has no value`);
    const value = params[t.name];
    if (!isList(value)) return placeholder(t.name, value);
    if (item === undefined) throw new ParamBindError(`the list parameter :${t.name} can only stand inside IN (…)`);
    return itemPlaceholder(t.name, value, item);
  };
  let text = '';
  for (let i = 0; i < tokens.length; ) {
    const g = groupAt.get(tokens[i].start);
    if (!g) {
      text += emit(tokens[i++]);
      continue;
    }
    const inner: Token[] = [];
    while (i < tokens.length && tokens[i].start < g.end) inner.push(tokens[i++]);
    const items = params[g.param] as ParamList;
    if (!items.length) throw new ParamBindError(`the list parameter :${g.param} is empty`);
    if (facts.maxInListItems !== undefined && items.length > facts.maxInListItems) {
      throw new ParamBindError(`the list parameter :${g.param} has ${items.length} items; ${facts.label} takes at most ${facts.maxInListItems} in one IN (…)`);
    }
    for (let n = 0; n < items.length; n++) {
      if (n) text += ', ';
      for (const t of inner) text += emit(t, n);
    }
  }
  if (binds.length > facts.maxBindParams) {
    throw new ParamBindError(`the statement binds ${binds.length} values; ${facts.label} takes at most ${facts.maxBindParams}`);
  }
  return { text, binds };
}
