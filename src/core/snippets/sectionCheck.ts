/**
 * Checks one SQL section of a snippet: lexes it (portable syntax), then reports raw placeholders,
 * a second statement, a leading keyword the snippet's kind does not allow, undeclared :params,
 * the {{LIMIT :limit OFFSET :offset}} paging macro (MACRO_RE, also used by render.ts), backticks,
 * backslashes in strings and a @backup that does not seem to select the @backup-key columns.
 */
import { listGroups } from '../db/bindParams';
import { SqlLexError, leadingKeyword, lineColumn, rawPlaceholderProblem, secondStatementOffset, tokenize, type Token } from '../db/sqlText';
import type { Collected, Report } from './header';
import type { SnippetSection } from './types';

export const MACRO_RE = /^\s*LIMIT\s+:([A-Za-z_][A-Za-z0-9_]*)\s+OFFSET\s+:([A-Za-z_][A-Za-z0-9_]*)\s*$/i;

/** Marks every :param the section uses in `used`; errors and warnings go to err and warn. */
export function checkSection(
  s: SnippetSection,
  c: Collected,
  used: Set<string>,
  err: Report,
  warn: Report,
): void {
  const at = (offset: number) => {
    const lc = lineColumn(s.sql, offset);
    return { line: s.line + lc.line - 1, column: lc.column };
  };
  let tokens: Token[];
  try {
    tokens = tokenize(s.sql, 'portable');
  } catch (e) {
    if (e instanceof SqlLexError) {
      const p = at(e.offset);
      err(p.line, e.message, p.column);
      return;
    }
    throw e;
  }
  const raw = rawPlaceholderProblem(tokens, 'portable');
  if (raw) {
    const p = at(raw.offset);
    err(p.line, raw.message, p.column, p.column + 2);
  }
  const second = secondStatementOffset(tokens);
  if (second !== undefined) {
    const p = at(second);
    err(p.line, 'one statement per section: remove the ";" and what follows', p.column, p.column + 1);
  }
  const keyword = leadingKeyword(tokens);
  const allowed = s.role === 'backup' || c.kind === 'read' ? ['SELECT', 'WITH'] : ['DELETE', 'UPDATE', 'INSERT', 'MERGE'];
  if (!keyword || !allowed.includes(keyword)) {
    const what = s.role === 'backup' ? 'a @backup section' : c.kind === 'read' ? 'a read snippet' : 'a destructive snippet';
    if (c.kind) err(s.line, `${what} must start with ${allowed.join(' or ')}${keyword ? ` (found ${keyword})` : ''}`);
  }
  const lists = new Set(c.params.filter((p) => p.type === 'string[]').map((p) => p.name));
  const listProblem = listGroups(s.sql, tokens, (name) => lists.has(name)).problem;
  if (listProblem) {
    const p = at(listProblem.offset);
    err(p.line, listProblem.message, p.column);
  }
  const declared = new Set(c.params.map((p) => p.name));
  const check = (name: string, offset: number, len: number) => {
    used.add(name);
    if (!declared.has(name)) {
      const p = at(offset);
      err(p.line, `parameter :${name} is not declared: add "-- @param ${name} string \\"Label\\"" to the header`, p.column, p.column + len);
    }
  };
  for (const t of tokens) {
    if (t.type === 'param') check(t.name, t.start, t.text.length);
    else if (t.type === 'macro') {
      const m = MACRO_RE.exec(t.body);
      if (!m) {
        const p = at(t.start);
        err(p.line, 'unknown macro: the only one is {{LIMIT :limit OFFSET :offset}}', p.column, p.column + t.text.length);
        continue;
      }
      check(m[1], t.start, t.text.length);
      check(m[2], t.start, t.text.length);
      for (const n of [m[1], m[2]]) {
        const p = c.params.find((x) => x.name === n);
        if (p && p.type !== 'integer') {
          const pos = at(t.start);
          err(pos.line, `:${n} is used in LIMIT/OFFSET and must be an integer parameter`, pos.column, pos.column + t.text.length);
        }
      }
    } else if (t.type === 'code') {
      const k = t.text.indexOf('`');
      if (k >= 0) {
        const p = at(t.start + k);
        err(p.line, 'write identifiers in "double quotes": they are converted to `backticks` or [brackets] per dialect', p.column, p.column + 1);
      }
    } else if (t.type === 'string' && t.text.includes('\\')) {
      const p = at(t.start);
      warn(p.line, 'a backslash in a string literal means an escape on MySQL: the text differs between dialects', p.column, p.column + t.text.length);
    } else if (t.type === 'ident' && !t.name) {
      const p = at(t.start);
      err(p.line, 'empty quoted identifier ""', p.column, p.column + 2);
    }
  }
  if (s.role === 'backup' && c.backupKey && c.backupKey.length) {
    // The backup must return the key columns; checked for real when it runs.
    if (!c.backupKey.every((k) => new RegExp(`\\b${k}\\b`, 'i').test(s.sql) || /\*/.test(s.sql))) {
      warn(s.line, `the backup does not appear to select the key column(s) ${c.backupKey.join(', ')}`);
    }
  }
}
