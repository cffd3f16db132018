/**
 * A small SQL lexer, enough to find named parameters, quoted identifiers and macros
 * without being fooled by string literals, quoted names or comments. It does not parse SQL.
 *
 * Modes:
 *  - 'portable': the snippet language. 'strings' with '' escapes, "identifiers", -- and
 *    /* *\/ comments, :params, {{macros}}.
 *  - one per dialect, for SQL already rendered for a server: MySQL adds `backticks`,
 *    "double-quoted strings", backslash escapes and # comments; PostgreSQL adds E'..' and
 *    $tag$..$tag$ strings and :: casts; SQL Server adds [brackets]; Oracle adds q'[..]'.
 */
import type { Dialect, NamedParams, NativeBind, ParamInput, ParamList, ParamValue, TypedParam } from './types';
import { dialectFacts } from './dialect';

export type LexMode = 'portable' | Dialect;

export type Token =
  | { type: 'code'; text: string; start: number }
  | { type: 'string'; text: string; start: number }
  | { type: 'comment'; text: string; start: number }
  | { type: 'ident'; text: string; start: number; name: string }
  | { type: 'param'; text: string; start: number; name: string }
  | { type: 'macro'; text: string; start: number; body: string };

export class SqlLexError extends Error {
  constructor(message: string, public readonly offset: number) {
    super(message);
    this.name = 'SqlLexError';
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** Splits SQL text into tokens. Throws SqlLexError on an unterminated literal or comment. */
export function tokenize(sql: string, mode: LexMode): Token[] {
  const tokens: Token[] = [];
  let code = '';
  let codeStart = 0;
  let i = 0;
  const n = sql.length;

  const flush = () => {
    if (code) tokens.push({ type: 'code', text: code, start: codeStart });
    code = '';
  };
  const addCode = (s: string) => {
    if (!code) codeStart = i;
    code += s;
  };

  /** Reads a literal from `open` (a quote char at sql[from]) to its closing quote. */
  const readQuoted = (from: number, quote: string, backslash: boolean, what: string): number => {
    let j = from + 1;
    for (;;) {
      if (j >= n) throw new SqlLexError(`unterminated ${what}`, from);
      const c = sql[j];
      if (backslash && c === '\\') {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (sql[j + 1] === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
  };

  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];

    // Comments
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      const text = sql.slice(i, stop);
      flush();
      tokens.push({ type: 'comment', text, start: i });
      i = stop;
      continue;
    }
    if (c === '#' && mode === 'mysql') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      flush();
      tokens.push({ type: 'comment', text: sql.slice(i, stop), start: i });
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (depth > 0) {
        if (j >= n) throw new SqlLexError('unterminated /* comment', i);
        if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else if (mode === 'postgres' && sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else j++;
      }
      flush();
      tokens.push({ type: 'comment', text: sql.slice(i, j), start: i });
      i = j;
      continue;
    }

    // Macros (portable only): {{ ... }}
    if (mode === 'portable' && c === '{' && next === '{') {
      const end = sql.indexOf('}}', i + 2);
      if (end < 0) throw new SqlLexError('unterminated {{ macro', i);
      flush();
      tokens.push({ type: 'macro', text: sql.slice(i, end + 2), start: i, body: sql.slice(i + 2, end) });
      i = end + 2;
      continue;
    }

    // String literals
    if (c === "'") {
      const prev = sql[i - 1];
      const prefixed = code.length > 0 && (prev === 'E' || prev === 'e') && !IDENT_PART.test(sql[i - 2] ?? ' ');
      const backslash = mode === 'mysql' || (mode === 'postgres' && prefixed);
      const end = readQuoted(i, "'", backslash, 'string literal');
      flush();
      tokens.push({ type: 'string', text: sql.slice(i, end), start: i });
      i = end;
      continue;
    }
    if (mode === 'oracle' && (c === 'q' || c === 'Q') && next === "'" && !IDENT_PART.test(sql[i - 1] ?? ' ')) {
      const open = sql[i + 2];
      if (open === undefined) throw new SqlLexError('unterminated q-quoted literal', i);
      const close = ({ '[': ']', '{': '}', '<': '>', '(': ')' } as Record<string, string>)[open] ?? open;
      const end = sql.indexOf(`${close}'`, i + 3);
      if (end < 0) throw new SqlLexError('unterminated q-quoted literal', i);
      flush();
      tokens.push({ type: 'string', text: sql.slice(i, end + 2), start: i });
      i = end + 2;
      continue;
    }
    if (mode === 'postgres' && c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m && !IDENT_PART.test(sql[i - 1] ?? ' ')) {
        const tag = m[0];
        const end = sql.indexOf(tag, i + tag.length);
        if (end < 0) throw new SqlLexError('unterminated dollar-quoted string', i);
        flush();
        tokens.push({ type: 'string', text: sql.slice(i, end + tag.length), start: i });
        i = end + tag.length;
        continue;
      }
    }

    // Quoted identifiers (and MySQL's double-quoted strings)
    if (c === '"') {
      if (mode === 'mysql') {
        const end = readQuoted(i, '"', true, 'string literal');
        flush();
        tokens.push({ type: 'string', text: sql.slice(i, end), start: i });
        i = end;
        continue;
      }
      const end = readQuoted(i, '"', false, 'quoted identifier');
      flush();
      tokens.push({ type: 'ident', text: sql.slice(i, end), start: i, name: sql.slice(i + 1, end - 1).replace(/""/g, '"') });
      i = end;
      continue;
    }
    if (c === '`' && mode === 'mysql') {
      const end = readQuoted(i, '`', false, 'quoted identifier');
      flush();
      tokens.push({ type: 'ident', text: sql.slice(i, end), start: i, name: sql.slice(i + 1, end - 1).replace(/``/g, '`') });
      i = end;
      continue;
    }
    if (c === '[' && mode === 'mssql') {
      const end = readQuoted(i, ']', false, 'bracketed identifier');
      flush();
      tokens.push({ type: 'ident', text: sql.slice(i, end), start: i, name: sql.slice(i + 1, end - 1).replace(/]]/g, ']') });
      i = end;
      continue;
    }

    // Named parameters and :: casts
    if (c === ':') {
      if (next === ':') {
        addCode('::');
        i += 2;
        continue;
      }
      const prev = sql[i - 1] ?? ' ';
      if (next !== undefined && IDENT_START.test(next) && !IDENT_PART.test(prev)) {
        let j = i + 1;
        while (j < n && IDENT_PART.test(sql[j])) j++;
        const name = sql.slice(i + 1, j);
        flush();
        tokens.push({ type: 'param', text: sql.slice(i, j), start: i, name });
        i = j;
        continue;
      }
    }

    // Plain code; keep words whole so that E'..' and q'..' prefixes are seen in context.
    addCode(c);
    i++;
  }
  flush();
  return tokens;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Names of the parameters a text uses, in first-use order. */
export function paramNames(tokens: Token[]): string[] {
  const names: string[] = [];
  for (const t of tokens) if (t.type === 'param' && !names.includes(t.name)) names.push(t.name);
  return names;
}

/** Raw placeholders that the server would take as parameters: they must not appear in code. */
export function rawPlaceholderProblem(tokens: Token[], dialect: Dialect | 'portable'): { offset: number; message: string } | undefined {
  for (const t of tokens) {
    if (t.type !== 'code') continue;
    const checks: Array<[RegExp, string, boolean]> = [
      [/\?/, 'a literal "?" (MySQL would take it as a placeholder): use a named parameter such as :name', dialect === 'mysql' || dialect === 'portable'],
      [/\$\d/, 'a positional placeholder like $1: use a named parameter such as :name', dialect === 'postgres' || dialect === 'portable'],
      [/@p\d/i, 'a variable named like @p1 (reserved for bound parameters on SQL Server)', dialect === 'mssql' || dialect === 'portable'],
    ];
    for (const [re, message, applies] of checks) {
      if (!applies) continue;
      const m = re.exec(t.text);
      if (m) return { offset: t.start + m.index, message: `the SQL contains ${message}` };
    }
  }
  return undefined;
}

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

  // name → 1-based placeholder number (a Map: a batched INSERT binds thousands of names).
  const order = new Map<string, number>();
  const binds: NativeBind[] = [];
  const placeholder = (key: string, value: ParamInput): string => {
    if (facts.placeholder === 'question') {
      binds.push(toBind(value));
      return '?';
    }
    let k = order.get(key);
    if (k === undefined) {
      binds.push(toBind(value));
      k = binds.length;
      order.set(key, k);
    }
    return facts.placeholder === 'dollar' ? `$${k}` : facts.placeholder === 'at' ? `@p${k}` : `:b${k}`;
  };
  const emit = (t: Token, item?: number): string => {
    if (t.type !== 'param') return t.text;
    if (!has(t.name)) throw new ParamBindError(`parameter :${t.name} has no value`);
    const value = params[t.name];
    if (!isList(value)) return placeholder(t.name, value);
    if (item === undefined) throw new ParamBindError(`the list parameter :${t.name} can only stand inside IN (…)`);
    // "\u0000" cannot occur in a parameter name: the key never meets a plain one.
    return placeholder(`${t.name}\u0000${item}`, value[item]);
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
    text += items.map((_, n) => inner.map((t) => emit(t, n)).join('')).join(', ');
  }
  if (binds.length > facts.maxBindParams) {
    throw new ParamBindError(`the statement binds ${binds.length} values; ${facts.label} takes at most ${facts.maxBindParams}`);
  }
  return { text, binds };
}

/** Drops trailing semicolons and whitespace (drivers take one statement without a terminator). */
export function stripTerminator(sql: string): string {
  return sql.replace(/[\s;]+$/u, '');
}

/** The first keyword of a statement, upper case, skipping comments and parentheses. */
export function leadingKeyword(tokens: Token[]): string | undefined {
  for (const t of tokens) {
    if (t.type === 'comment') continue;
    if (t.type !== 'code') return undefined;
    const m = /^[\s(]*([A-Za-z]+)/.exec(t.text);
    if (m) return m[1].toUpperCase();
    if (t.text.trim() && !/^[\s(]*$/.test(t.text)) return undefined;
  }
  return undefined;
}

/** Offset of a statement separator (;) followed by more SQL, if any. */
export function secondStatementOffset(tokens: Token[]): number | undefined {
  let seen: number | undefined;
  for (const t of tokens) {
    if (t.type === 'comment') continue;
    if (seen !== undefined) {
      if (t.type !== 'code' || t.text.trim()) return seen;
      continue;
    }
    if (t.type !== 'code') continue;
    const k = t.text.indexOf(';');
    if (k >= 0) {
      if (t.text.slice(k + 1).replace(/;/g, '').trim()) return t.start + k;
      seen = t.start + k;
    }
  }
  return undefined;
}
