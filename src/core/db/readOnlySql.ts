/**
 * The check every statement of a read-only transaction passes before it is sent: it must be
 * ONE query (SELECT, or WITH … SELECT) and nothing else, as the dialect's own lexer reads it.
 *
 * The server's read-only transaction is the other guard (PostgreSQL and PGlite: BEGIN READ
 * ONLY and the extended protocol, one statement per message; MySQL/MariaDB: START TRANSACTION
 * READ ONLY and prepared statements; Oracle: SET TRANSACTION READ ONLY). SQL Server has no
 * read-only transaction and runs a batch of several statements, so there this check is the
 * guard. It refuses, naming the word and where it stands:
 *  - text the servers could read differently from us: a literal whose end depends on a
 *    server setting (standard_conforming_strings, NO_BACKSLASH_ESCAPES, ANSI_QUOTES), a quote
 *    glued to a word that is not a known prefix, a non-ASCII or control character outside
 *    quotes, a line comment holding another line break than \n, MySQL executable comments;
 *  - a second statement: a ";" followed by more SQL, or (SQL Server, where no ";" is needed)
 *    a SELECT or WITH at the top level that does not continue the query;
 *  - words that do anything but read: data changes (also in a PostgreSQL WITH), DDL,
 *    transaction control, procedure calls, SELECT … INTO, row locks, and functions with side
 *    effects (sessions, locks, sequences, files, other connections, dynamic SQL).
 * Quoted names are not words, so a column called "UPDATE" stays usable when quoted.
 */
import { SqlLexError, lineColumn, tokenize, type LexOptions, type Token } from './sqlText';
import type { Dialect } from './types';

export interface ReadProblem {
  /** Offset in the SQL text. */
  offset: number;
  /** The word or character refused, as written. */
  word?: string;
  message: string;
}

type Why = string;

const DATA = 'changes data';
const DDL = 'changes the schema or rights';
const TX = 'controls the transaction';
const CALL = 'runs a procedure or dynamic SQL';
const INTO = 'SELECT … INTO writes a table, a file or variables';
const LOCK = 'locks rows or tables';
const SESSION = 'changes the session or server state';
const SEQUENCE = 'advances a sequence (never rolled back)';
const REMOTE = 'reaches another server, connection or file';

function words(why: Why, list: string): Array<[string, Why]> {
  return list.split(/\s+/).filter(Boolean).map((w) => [w.toUpperCase(), why]);
}

/** Words refused in a read, per dialect (whole words, any case; quoted names are never words). */
const COMMON: Array<[string, Why]> = [
  ...words(DATA, 'INSERT UPDATE DELETE MERGE'),
  ...words(DDL, 'CREATE ALTER DROP GRANT REVOKE'),
  ...words(TX, 'COMMIT ROLLBACK SAVEPOINT BEGIN'),
  ...words(CALL, 'EXEC EXECUTE CALL'),
  ...words(INTO, 'INTO'),
  ...words(LOCK, 'LOCK'),
];

const BY_DIALECT: Record<Dialect, Array<[string, Why]>> = {
  postgres: [
    ...words(DATA, 'TRUNCATE COPY'),
    ...words(LOCK, 'SHARE'),
    ...words(SESSION, 'SET_CONFIG PG_TERMINATE_BACKEND PG_CANCEL_BACKEND PG_RELOAD_CONF PG_ROTATE_LOGFILE PG_PROMOTE PG_SWITCH_WAL PG_CREATE_RESTORE_POINT PG_NOTIFY NOTIFY LISTEN PG_LOG_BACKEND_MEMORY_CONTEXTS PG_IMPORT_SYSTEM_COLLATIONS'),
    ...words(SEQUENCE, 'NEXTVAL SETVAL'),
    ...words(REMOTE, 'LO_IMPORT LO_EXPORT LO_CREATE LO_CREAT LO_UNLINK LO_PUT LO_FROM_BYTEA LO_TRUNCATE LO_TRUNCATE64 LO_OPEN LOWRITE LO_WRITE PG_FILE_WRITE PG_FILE_RENAME PG_FILE_UNLINK PG_FILE_SYNC'),
    ...words(CALL, 'QUERY_TO_XML QUERY_TO_XMLSCHEMA QUERY_TO_XML_AND_XMLSCHEMA CURSOR_TO_XML CURSOR_TO_XMLSCHEMA DO'),
  ],
  mysql: [
    ...words(LOCK, 'SHARE GET_LOCK RELEASE_LOCK RELEASE_ALL_LOCKS'),
    ...words(SEQUENCE, 'NEXTVAL SETVAL'),
    ...words(CALL, 'SYS_EXEC SYS_EVAL HANDLER DO'),
    ...words(DDL, 'RENAME'),
  ],
  mssql: [
    ...words(DATA, 'TRUNCATE BULK WRITETEXT UPDATETEXT'),
    ...words(TX, 'TRAN TRANSACTION SAVE'),
    ...words(DDL, 'DENY TRIGGER DISABLE ENABLE ADD RENAME SIGNATURE'),
    ...words(SESSION, 'SET DECLARE USE KILL SHUTDOWN DBCC RECONFIGURE CHECKPOINT BACKUP RESTORE SETUSER REVERT WAITFOR CURSOR OPEN CLOSE DEALLOCATE RECEIVE SEND CONVERSATION PRINT RAISERROR THROW GOTO RETURN IF WHILE BREAK CONTINUE READTEXT'),
    ...words(REMOTE, 'OPENROWSET OPENQUERY OPENDATASOURCE OPENXML'),
  ],
  oracle: [
    ...words(DATA, 'TRUNCATE'),
    ...words(DDL, 'RENAME AUDIT NOAUDIT FLASHBACK PURGE ANALYZE'),
    ...words(SESSION, 'SET DECLARE EXPLAIN'),
    ...words(CALL, 'FUNCTION PROCEDURE PRAGMA AUTONOMOUS_TRANSACTION'),
    ...words(SEQUENCE, 'NEXTVAL'),
    ...words(REMOTE, 'HTTPURITYPE'),
  ],
};

/** Name prefixes refused (packages and system procedures with side effects). */
const PREFIXES: Record<Dialect, Array<[RegExp, Why]>> = {
  postgres: [
    [/^PG_(TRY_)?ADVISORY_/, LOCK],
    [/^PG_STAT_RESET/, SESSION],
    [/^PG_(CREATE|DROP|COPY)_\w*(REPLICATION_SLOT|SLOT)$/, SESSION],
    [/^PG_REPLICATION_ORIGIN_/, SESSION],
    [/^PG_LOGICAL_/, SESSION],
    [/^PG_WAL_REPLAY_/, SESSION],
    [/^PG_(START|STOP)_BACKUP$|^PG_BACKUP_(START|STOP)$/, SESSION],
    [/^DBLINK/, REMOTE],
  ],
  mysql: [],
  mssql: [[/^(SP|XP)_/, CALL]],
  oracle: [[/^(DBMS|UTL|OWA)_/, REMOTE]],
};

/** Several words that are refused together: [words…, why]. */
const PHRASES: Record<Dialect, Array<[string[], Why]>> = {
  postgres: [],
  mysql: [[['NEXT', 'VALUE', 'FOR'], SEQUENCE], [['PREVIOUS', 'VALUE', 'FOR'], SEQUENCE]],
  mssql: [[['NEXT', 'VALUE', 'FOR'], SEQUENCE]],
  oracle: [],
};

const WORDS: Record<Dialect, Map<string, Why>> = Object.fromEntries(
  (Object.keys(BY_DIALECT) as Dialect[]).map((d) => [d, new Map([...COMMON, ...BY_DIALECT[d]])]),
) as Record<Dialect, Map<string, Why>>;

/** Every setting combination that changes where a literal ends, per dialect. */
const LEX_VARIANTS: Record<Dialect, LexOptions[]> = {
  postgres: [{}, { standardStrings: false }],
  mysql: [{}, { backslashEscapes: false }, { ansiQuotes: true }, { backslashEscapes: false, ansiQuotes: true }],
  mssql: [{}],
  oracle: [{}],
};

const VARIANT_NAMES: Record<Dialect, string[]> = {
  postgres: ['', 'standard_conforming_strings = off'],
  mysql: ['', 'NO_BACKSLASH_ESCAPES', 'ANSI_QUOTES', 'NO_BACKSLASH_ESCAPES and ANSI_QUOTES'],
  mssql: [''],
  oracle: [''],
};

/** Words that may stand right before a quote (literal prefixes), per dialect. */
const QUOTE_PREFIXES: Record<Dialect, RegExp> = {
  postgres: /^(E|N|B|X|U&)$/i,
  mysql: /^(N|B|X|_[A-Za-z0-9]+)$/i,
  mssql: /^N$/i,
  oracle: /^(N|Q|NQ)$/i,
};

/** Set operators after which a top-level SELECT continues the same query. */
const SET_OPERATORS = new Set(['UNION', 'EXCEPT', 'INTERSECT', 'MINUS']);
/** What may follow WITH inside a query (not a new WITH … AS (…) statement). */
const WITH_INSIDE = new Set(['TIES', 'ROLLUP', 'CUBE', 'XMLNAMESPACES']);

function spanOf(t: Token): string {
  const kind = t.type === 'string' || t.type === 'ident' ? 'q' : t.type;
  return `${kind}:${t.start}:${t.text.length}`;
}

interface Word {
  text: string;
  upper: string;
  offset: number;
  depth: number;
}

/** The unquoted words and parentheses of the code, with their nesting depth. */
function codeWords(tokens: Token[]): { words: Word[]; parens: Array<{ offset: number; open: boolean; depth: number }> } {
  const out: Word[] = [];
  const parens: Array<{ offset: number; open: boolean; depth: number }> = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.type !== 'code') continue;
    const re = /[A-Za-z_][A-Za-z0-9_]*|[()]/g;
    for (const m of t.text.matchAll(re)) {
      const offset = t.start + m.index;
      if (m[0] === '(') parens.push({ offset, open: true, depth: depth++ });
      else if (m[0] === ')') parens.push({ offset, open: false, depth: --depth });
      else out.push({ text: m[0], upper: m[0].toUpperCase(), offset, depth });
    }
  }
  return { words: out, parens };
}

function refusedName(name: string, dialect: Dialect): Why | undefined {
  const upper = name.toUpperCase();
  const why = WORDS[dialect].get(upper);
  if (why) return why;
  for (const [re, w] of PREFIXES[dialect]) if (re.test(upper)) return w;
  return undefined;
}

/** Why this SQL may not run in a read-only transaction, or undefined when it is one query. */
export function readProblem(sql: string, dialect: Dialect): ReadProblem | undefined {
  // 1. Lexed the same way under every server setting, or refused.
  const variants: Array<Token[] | SqlLexError> = LEX_VARIANTS[dialect].map((o) => {
    try {
      return tokenize(sql, dialect, o);
    } catch (e) {
      if (e instanceof SqlLexError) return e;
      throw e;
    }
  });
  const first = variants[0];
  if (first instanceof SqlLexError) return { offset: first.offset, message: `the SQL cannot be read: ${first.message}` };
  const shape = first.map(spanOf).join(' ');
  for (const [k, v] of variants.entries()) {
    if (k === 0) continue;
    const other = v instanceof SqlLexError ? undefined : v.map(spanOf).join(' ');
    if (other === shape) continue;
    const at = v instanceof SqlLexError ? v.offset : firstDifference(first, v);
    return {
      offset: at,
      message: `where a literal ends here depends on the server setting ${VARIANT_NAMES[dialect][k]}: write it without backslashes (and, on MySQL, strings in 'single quotes')`,
    };
  }
  const tokens = first;

  // 2. Characters and shapes we cannot be sure the server reads as we do.
  for (const [k, t] of tokens.entries()) {
    if (t.type === 'code') {
      const bad = /[^\x20-\x7e\t\n\r]|\r(?!\n)/.exec(t.text);
      if (bad) {
        const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        return { offset: t.start + bad.index, word: bad[0], message: `the character U+${code} outside quotes is refused in a read (only plain ASCII, tabs and line breaks)` };
      }
      const exec = /\/\*M?!/.exec(t.text);
      if (exec) return { offset: t.start + exec.index, word: exec[0], message: `the executable comment ${exec[0]} … */ is refused in a read: the server runs its text` };
    } else if (t.type === 'comment' && /^(--|#)/.test(t.text)) {
      const odd = /[\r\v\f\u0085\u2028\u2029]/.exec(t.text);
      if (odd && !(odd[0] === '\r' && odd.index === t.text.length - 1 && sql[t.start + t.text.length] === '\n')) {
        return { offset: t.start + odd.index, message: 'a line comment holds a line break other than \\n: servers disagree on where it ends' };
      }
    } else if (t.type === 'comment' && /[\u0000]/.test(t.text)) {
      return { offset: t.start, message: 'a comment holds a NUL character' };
    }
    if (t.type === 'string' || t.type === 'ident') {
      if (t.text.includes('\u0000')) return { offset: t.start, message: 'a literal holds a NUL character' };
      // A quote glued to a word: only a known prefix (E'', N'', q'', _utf8mb4'') is fine.
      const prev = tokens[k - 1];
      if (prev?.type === 'code' && prev.start + prev.text.length === t.start) {
        const glued = /[A-Za-z0-9_$#@&]+$/.exec(prev.text);
        const qQuote = dialect === 'oracle' && /^q/i.test(t.text);
        const allowed = qQuote ? /^N$/i : /^['"`[]/.test(t.text) ? QUOTE_PREFIXES[dialect] : undefined;
        if (glued && !allowed?.test(glued[0])) {
          return { offset: prev.start + glued.index, word: glued[0], message: `"${glued[0]}" directly before a quote is not a literal prefix this check knows: put a space between them` };
        }
      }
    }
  }

  // 3. One statement: a ";" may only end the text.
  for (const [k, t] of tokens.entries()) {
    if (t.type !== 'code') continue;
    const semi = t.text.indexOf(';');
    if (semi < 0) continue;
    const rest = t.text.slice(semi + 1).trim() + tokens.slice(k + 1).filter((x) => x.type !== 'comment').map((x) => x.text).join('').trim();
    if (rest.replace(/[\s;]/g, '')) return { offset: t.start + semi, word: ';', message: 'a second statement follows the ";": a read is one query' };
  }

  // 4. It is a query: SELECT or WITH … SELECT, and no other statement starts at the top level.
  const { words: list } = codeWords(tokens);
  const lead = list[0];
  if (!lead || (lead.upper !== 'SELECT' && lead.upper !== 'WITH')) {
    return { offset: lead?.offset ?? 0, word: lead?.text, message: `a read must start with SELECT or WITH${lead ? ` (found ${lead.text})` : ''}` };
  }
  let selects = 0;
  for (const [k, w] of list.entries()) {
    if (w.depth !== 0) continue;
    if (w.upper === 'SELECT') {
      const before = list.slice(0, k).filter((x) => x.depth === 0);
      const p1 = before[before.length - 1]?.upper;
      const p2 = before[before.length - 2]?.upper;
      const continues = (p1 && SET_OPERATORS.has(p1)) || ((p1 === 'ALL' || p1 === 'DISTINCT') && p2 && SET_OPERATORS.has(p2));
      if (selects > 0 && !continues) return { offset: w.offset, word: w.text, message: 'a second statement starts at this SELECT: a read is one query' };
      selects++;
    } else if (w.upper === 'WITH' && k > 0 && selects > 0 && list[k - 1].upper !== 'START') {
      const after = list[k + 1];
      const paren = sql.slice(w.offset + 4).trimStart().startsWith('(');
      if (!paren && !(after && WITH_INSIDE.has(after.upper))) return { offset: w.offset, word: w.text, message: 'a second statement starts at this WITH: a read is one query' };
    }
  }
  if (selects === 0) return { offset: lead.offset, word: lead.text, message: 'a read must be a query: WITH … SELECT' };

  // 5. No word that does anything but read.
  for (const [k, w] of list.entries()) {
    const why = refusedName(w.text, dialect);
    if (why) return { offset: w.offset, word: w.text, message: `${w.upper} is refused in a read: it ${why}` };
    for (const [phrase, pwhy] of PHRASES[dialect]) {
      if (phrase.every((p, j) => list[k + j]?.upper === p)) return { offset: w.offset, word: phrase.join(' '), message: `${phrase.join(' ')} is refused in a read: it ${pwhy}` };
    }
  }
  for (const t of tokens) {
    if (t.type !== 'ident') continue;
    // A quoted name is no keyword, but it can still name a function or a package.
    const why = refusedName(t.name, dialect);
    const prefixed = PREFIXES[dialect].some(([re]) => re.test(t.name.toUpperCase()));
    if (why && (prefixed || /^\s*\(/.test(sql.slice(t.start + t.text.length)))) {
      return { offset: t.start, word: t.name, message: `${t.name} is refused in a read: it ${why}` };
    }
  }
  if (dialect === 'mysql') {
    for (const t of tokens) {
      if (t.type !== 'code') continue;
      const k = t.text.indexOf(':=');
      if (k >= 0) return { offset: t.start + k, word: ':=', message: ':= is refused in a read: it assigns a user variable' };
    }
  }
  return undefined;
}

function firstDifference(a: Token[], b: Token[]): number {
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    if (!a[k] || !b[k] || spanOf(a[k]) !== spanOf(b[k])) return Math.min(a[k]?.start ?? Infinity, b[k]?.start ?? Infinity);
  }
  return 0;
}

/** "… (line 2, column 7)": a problem as a sentence that says where. */
export function describeReadProblem(sql: string, problem: ReadProblem): string {
  const { line, column } = lineColumn(sql, problem.offset);
  return `${problem.message} (line ${line}, column ${column})`;
}
