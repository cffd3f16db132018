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
import type { Dialect } from './types';

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
