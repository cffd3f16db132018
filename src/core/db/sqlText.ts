/**
 * A small SQL lexer, enough to find named parameters, quoted identifiers and macros
 * without being fooled by string literals, quoted names or comments. It does not parse SQL.
 *
 * Modes:
 *  - 'portable': the snippet language. 'strings' with '' escapes, "identifiers", -- and
 *    /* *\/ comments, :params, {{macros}}.
 *  - one per dialect, for SQL already rendered for a server, following that server's lexer:
 *    PostgreSQL: E'..' (backslash escapes), $tag$..$tag$, nested /* /* *\/ *\/ comments, -- ending
 *      at \n or \r, :: casts, and plain strings with backslash escapes when
 *      standard_conforming_strings is off (LexOptions.standardStrings = false);
 *    MySQL/MariaDB: backslash escapes (unless NO_BACKSLASH_ESCAPES), "double-quoted strings"
 *      (quoted names under ANSI_QUOTES), `backticks`, # comments, -- only when followed by a
 *      space or control character, and /*! .. *\/ (/*M! .. *\/) executable comments lexed as code;
 *    SQL Server: [brackets] with ]] escapes, nested /* *\/ comments;
 *    Oracle: q'[..]' and nq'[..]' strings.
 *  Identifier characters follow the dialect ($ in PostgreSQL and MySQL, # and $ in Oracle,
 *  @ # $ in SQL Server, and any non-ASCII letter), so that a prefix such as E or q is only
 *  taken as one when it stands alone, as the server does.
 */
import type { Dialect } from './types';

export type LexMode = 'portable' | Dialect;

/** Server settings that change where a literal ends. Defaults are the servers' defaults. */
export interface LexOptions {
  /** PostgreSQL standard_conforming_strings (default on); off: backslash escapes in '...' too. */
  standardStrings?: boolean;
  /** MySQL: backslash escapes in strings (default on; off under NO_BACKSLASH_ESCAPES). */
  backslashEscapes?: boolean;
  /** MySQL ANSI_QUOTES (default off): "..." is a quoted name, not a string. */
  ansiQuotes?: boolean;
}

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

/** Characters that continue an unquoted name in each mode (non-ASCII letters included). */
const NAME_PART: Record<LexMode, RegExp> = {
  portable: /[A-Za-z0-9_]/,
  postgres: /[A-Za-z0-9_$\u0080-\uffff]/,
  mysql: /[A-Za-z0-9_$\u0080-\uffff]/,
  mssql: /[A-Za-z0-9_@#$\u0080-\uffff]/,
  oracle: /[A-Za-z0-9_$#\u0080-\uffff]/,
};

/** PostgreSQL's dollar-quote tag: letters (non-ASCII too), digits after the first, underscores. */
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

const Q_CLOSE: Record<string, string> = { '[': ']', '{': '}', '<': '>', '(': ')' };

/** Splits SQL text into tokens. Throws SqlLexError on an unterminated literal or comment. */
export function tokenize(sql: string, mode: LexMode, options: LexOptions = {}): Token[] {
  const tokens: Token[] = [];
  let code = '';
  let codeStart = 0;
  let i = 0;
  const n = sql.length;
  const namePart = NAME_PART[mode];
  /** The character before `at` continues a name, so a quote or $ there cannot start a literal. */
  const afterName = (at: number) => at > 0 && namePart.test(sql[at - 1]);
  const standardStrings = options.standardStrings !== false;
  const mysqlBackslash = options.backslashEscapes !== false;
  /** Inside a MySQL /*! .. *\/ executable comment, whose text the server runs as code. */
  let executable = -1;

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
  const lineComment = (stopAtCr: boolean) => {
    let stop = i;
    while (stop < n && sql[stop] !== '\n' && !(stopAtCr && sql[stop] === '\r')) stop++;
    flush();
    tokens.push({ type: 'comment', text: sql.slice(i, stop), start: i });
    i = stop;
  };

  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];

    // Comments
    if (c === '-' && next === '-') {
      // MySQL: "--" starts a comment only when a space or control character follows.
      if (mode !== 'mysql' || i + 2 >= n || sql.charCodeAt(i + 2) <= 32) {
        lineComment(mode === 'postgres');
        continue;
      }
    }
    if (c === '#' && mode === 'mysql') {
      lineComment(false);
      continue;
    }
    if (mode === 'mysql' && c === '/' && next === '*' && (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!'))) {
      if (executable >= 0) throw new SqlLexError('executable comment inside an executable comment', i);
      const len = sql[i + 2] === '!' ? 3 : 4;
      executable = i;
      addCode(sql.slice(i, i + len));
      i += len;
      continue;
    }
    if (executable >= 0 && c === '*' && next === '/') {
      executable = -1;
      addCode('*/');
      i += 2;
      continue;
    }
    if (c === '/' && next === '*') {
      const nests = mode === 'postgres' || mode === 'mssql';
      let depth = 1;
      let j = i + 2;
      while (depth > 0) {
        if (j >= n) throw new SqlLexError('unterminated /* comment', i);
        if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else if (nests && sql[j] === '/' && sql[j + 1] === '*') {
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
    if (mode === 'oracle' && (c === 'q' || c === 'Q') && next === "'") {
      const national = (sql[i - 1] === 'n' || sql[i - 1] === 'N') && !afterName(i - 1);
      if (national || !afterName(i)) {
        const open = sql[i + 2];
        if (open === undefined || /\s/.test(open)) throw new SqlLexError('a q-quoted literal needs a delimiter after q\'', i);
        const close = Q_CLOSE[open] ?? open;
        const end = sql.indexOf(`${close}'`, i + 3);
        if (end < 0) throw new SqlLexError('unterminated q-quoted literal', i);
        flush();
        tokens.push({ type: 'string', text: sql.slice(i, end + 2), start: i });
        i = end + 2;
        continue;
      }
    }
    if (c === "'") {
      let backslash = false;
      if (mode === 'mysql') backslash = mysqlBackslash;
      else if (mode === 'postgres') {
        const escapePrefix = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !afterName(i - 1);
        const unicodePrefix = sql[i - 1] === '&' && (sql[i - 2] === 'U' || sql[i - 2] === 'u') && !afterName(i - 2);
        backslash = escapePrefix || (!standardStrings && !unicodePrefix);
      }
      const end = readQuoted(i, "'", backslash, 'string literal');
      flush();
      tokens.push({ type: 'string', text: sql.slice(i, end), start: i });
      i = end;
      continue;
    }
    if (mode === 'postgres' && c === '$' && !afterName(i)) {
      const m = DOLLAR_TAG.exec(sql.slice(i, i + 200));
      if (m) {
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
      if (mode === 'mysql' && !options.ansiQuotes) {
        const end = readQuoted(i, '"', mysqlBackslash, 'string literal');
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
  if (executable >= 0) throw new SqlLexError('unterminated executable comment /*!', executable);
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
