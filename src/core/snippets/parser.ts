/**
 * Reads a snippet file (.sql with a header comment block) and reports every problem with a
 * line number, so that the editor can underline it. Syntax: docs/snippets.md.
 */
import { DIALECTS, type Dialect } from '../db/types';
import { SqlLexError, leadingKeyword, lineColumn, rawPlaceholderProblem, secondStatementOffset, tokenize, type Token } from '../db/sqlText';
import {
  PARAM_TYPES,
  SNIPPET_PRODUCTS,
  type Diagnostic,
  type ExpectRule,
  type ParamType,
  type ParseResult,
  type SnippetParam,
  type SnippetProduct,
  type SnippetSection,
} from './types';

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const PARAM_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const DIRECTIVE_RE = /^--\s*@([A-Za-z][A-Za-z-]*)\b\s*(.*)$/;
const SECTION_DIRECTIVES = new Set(['query', 'backup']);
const HEADER_DIRECTIVES = new Set([
  'name',
  'title',
  'description',
  'products',
  'dialects',
  'kind',
  'param',
  'expect',
  'backup-table',
  'backup-key',
]);
/** Table and column names: letters, digits, _ and $ (what the products use). */
const TABLE_RE = /^[A-Za-z_][A-Za-z0-9_$]{0,127}$/;

export const MACRO_RE = /^\s*LIMIT\s+:([A-Za-z_][A-Za-z0-9_]*)\s+OFFSET\s+:([A-Za-z_][A-Za-z0-9_]*)\s*$/i;

function splitList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Splits `a "quoted text" b=c d="e f"` into words, keeping quoted parts whole. */
function words(value: string): { words: string[]; error?: string } {
  const out: string[] = [];
  const re = /\s*(?:([A-Za-z][A-Za-z0-9]*=)?"((?:[^"\\]|\\.)*)"|(\S+))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(value))) {
    last = re.lastIndex;
    if (m[2] !== undefined) out.push(`${m[1] ?? ''}\u0001${m[2].replace(/\\(.)/g, '$1')}`);
    else out.push(m[3]);
  }
  if (value.slice(last).trim()) return { words: out, error: 'unterminated quoted text' };
  return { words: out };
}

const unquote = (w: string) => (w.includes('\u0001') ? w.replace('\u0001', '') : w);
const isQuoted = (w: string) => w.startsWith('\u0001');

interface Collected {
  name?: string;
  title?: string;
  description: string[];
  products?: SnippetProduct[];
  dialects?: Dialect[];
  kind?: 'read' | 'destructive';
  params: SnippetParam[];
  expect?: { rule: ExpectRule; line: number };
  backupTable?: string;
  backupKey?: string[];
  seen: Map<string, number>;
}

export function parseSnippet(text: string, source = '<snippet>', builtin = false): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const err = (line: number, message: string, column = 1, endColumn?: number) =>
    diagnostics.push({ line, column, endColumn: endColumn ?? (lines[line - 1]?.length ?? 0) + 1, severity: 'error', message });
  const warn = (line: number, message: string, column = 1, endColumn?: number) =>
    diagnostics.push({ line, column, endColumn: endColumn ?? (lines[line - 1]?.length ?? 0) + 1, severity: 'warning', message });

  const c: Collected = { description: [], params: [], seen: new Map() };

  // ---- header ----
  let i = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    if (!raw.startsWith('--')) break;
    const m = DIRECTIVE_RE.exec(raw);
    if (!m) continue; // free comment text
    const directive = m[1].toLowerCase();
    if (SECTION_DIRECTIVES.has(directive)) break;
    headerDirective(directive, m[2].trim(), i + 1, c, err, warn);
  }

  // ---- body: sections ----
  const sections: SnippetSection[] = [];
  let current: { role: 'query' | 'backup'; dialects: Dialect[] | null; start: number; markerLine: number } = {
    role: 'query',
    dialects: null,
    start: i,
    markerLine: 0,
  };
  const closeSection = (end: number) => {
    const body = lines.slice(current.start, end);
    let first = body.findIndex((l) => l.trim() !== '');
    if (first < 0) {
      if (current.markerLine) err(current.markerLine, `the @${current.role} section has no SQL`);
      return;
    }
    let lastIdx = body.length - 1;
    while (lastIdx > first && body[lastIdx].trim() === '') lastIdx--;
    // Leading free comment lines stay part of the SQL (harmless); blank lines are trimmed.
    first = Math.max(first, 0);
    sections.push({
      role: current.role,
      dialects: current.dialects,
      sql: body.slice(first, lastIdx + 1).join('\n'),
      line: current.start + first + 1,
    });
  };
  for (; i < lines.length; i++) {
    const raw = lines[i].trim();
    const m = raw.startsWith('--') ? DIRECTIVE_RE.exec(raw) : null;
    if (!m) continue;
    const directive = m[1].toLowerCase();
    if (!SECTION_DIRECTIVES.has(directive)) {
      if (HEADER_DIRECTIVES.has(directive)) err(i + 1, `@${directive} belongs in the header, before the SQL`);
      else err(i + 1, `unknown directive @${directive}`);
      continue;
    }
    closeSection(i);
    const names = splitList(m[2]);
    let dialects: Dialect[] | null = null;
    if (names.length) {
      dialects = [];
      for (const d of names) {
        const dd = d.toLowerCase() === 'pglite' ? 'postgres' : d.toLowerCase();
        if ((DIALECTS as readonly string[]).includes(dd)) dialects.push(dd as Dialect);
        else err(i + 1, `unknown dialect "${d}" (expected ${DIALECTS.join(', ')})`);
      }
    }
    current = { role: directive as 'query' | 'backup', dialects, start: i + 1, markerLine: i + 1 };
  }
  closeSection(lines.length);

  // ---- required header fields ----
  if (!c.name) err(1, 'missing @name (e.g. "-- @name jira.recovery-code")');
  if (!c.products) err(1, `missing @products (one or more of ${SNIPPET_PRODUCTS.join(', ')})`);
  if (!c.kind) err(1, 'missing @kind (read or destructive)');
  const dialects = c.dialects ?? [...DIALECTS];

  // ---- sections ----
  const sectionKeys = new Set<string>();
  const used = new Set<string>();
  for (const s of sections) {
    for (const d of s.dialects ?? ['*']) {
      const key = `${s.role}:${d}`;
      if (sectionKeys.has(key)) err(s.line, `a second @${s.role} section for ${d === '*' ? 'all dialects' : d}`);
      sectionKeys.add(key);
      if (d !== '*' && !dialects.includes(d as Dialect)) warn(s.line, `the section is for ${d}, which @dialects does not list`);
    }
    checkSection(s, c, used, err, warn);
  }
  const queries = sections.filter((s) => s.role === 'query');
  const backups = sections.filter((s) => s.role === 'backup');
  if (!queries.length) err(Math.max(1, lines.length), 'the snippet has no SQL');
  for (const d of dialects) {
    if (queries.length && !queries.some((s) => s.dialects === null || s.dialects.includes(d))) err(1, `no @query SQL for ${d}`);
  }

  if (c.kind === 'destructive') {
    if (!c.expect) err(1, 'a destructive snippet needs @expect (the number of rows it must change, or :param)');
    if (!c.backupTable) err(1, 'a destructive snippet needs @backup-table (the table its backup restores into)');
    if (!c.backupKey) err(1, 'a destructive snippet needs @backup-key (the key column(s) of @backup-table)');
    if (!backups.length) err(1, 'a destructive snippet needs a @backup section: a SELECT of exactly the rows the statement changes');
    for (const d of dialects) {
      if (backups.length && !backups.some((s) => s.dialects === null || s.dialects.includes(d))) err(1, `no @backup SQL for ${d}`);
    }
  } else if (c.kind === 'read') {
    for (const s of backups) err(s.line - 1 || 1, 'a read snippet has no @backup section');
    if (c.expect) err(c.expect.line, '@expect is only for destructive snippets');
    if (c.backupTable) err(c.seen.get('backup-table') ?? 1, '@backup-table is only for destructive snippets');
    if (c.backupKey) err(c.seen.get('backup-key') ?? 1, '@backup-key is only for destructive snippets');
  }

  if (c.expect?.rule.type === 'param') {
    const p = c.params.find((x) => x.name === (c.expect!.rule as { param: string }).param);
    if (!p) err(c.expect.line, `@expect names :${c.expect.rule.param}, which is not a declared @param`);
    else if (p.type !== 'integer') err(c.expect.line, `@expect :${p.name} must be an integer parameter`);
    else used.add(p.name);
  }
  for (const p of c.params) {
    if (!used.has(p.name)) warn(p.line, `parameter :${p.name} is declared but not used`);
  }

  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return {
    diagnostics,
    snippet: {
      name: c.name!,
      title: c.title ?? c.name!,
      description: c.description.join(' '),
      products: c.products!,
      dialects,
      kind: c.kind!,
      params: c.params,
      expect: c.expect?.rule,
      backupTable: c.backupTable,
      backupKey: c.backupKey,
      sections,
      source,
      builtin,
    },
  };
}

type Report = (line: number, message: string, column?: number, endColumn?: number) => void;

function headerDirective(directive: string, value: string, line: number, c: Collected, err: Report, warn: Report): void {
  const once = () => {
    if (c.seen.has(directive) && directive !== 'description' && directive !== 'param') {
      err(line, `@${directive} is given twice (first on line ${c.seen.get(directive)})`);
      return false;
    }
    c.seen.set(directive, line);
    return true;
  };
  switch (directive) {
    case 'name':
      if (!once()) return;
      if (!NAME_RE.test(value)) err(line, 'the @name must be 1-100 characters: lowercase letters, digits, dot, dash, underscore (e.g. jira.recovery-code)');
      else c.name = value;
      return;
    case 'title':
      if (!once()) return;
      if (!value) err(line, '@title is empty');
      else if (value.length > 100) err(line, '@title is longer than 100 characters');
      else c.title = value;
      return;
    case 'description':
      c.seen.set(directive, line);
      if (value) c.description.push(value);
      return;
    case 'products': {
      if (!once()) return;
      const list = splitList(value.toLowerCase());
      if (!list.length) return err(line, '@products is empty');
      const bad = list.filter((p) => !(SNIPPET_PRODUCTS as readonly string[]).includes(p));
      if (bad.length) return err(line, `unknown product ${bad.join(', ')} (expected ${SNIPPET_PRODUCTS.join(', ')})`);
      c.products = [...new Set(list)] as SnippetProduct[];
      return;
    }
    case 'dialects': {
      if (!once()) return;
      const list = splitList(value.toLowerCase()).map((d) => (d === 'pglite' ? 'postgres' : d));
      if (list.length === 1 && list[0] === 'all') {
        c.dialects = [...DIALECTS];
        return;
      }
      if (!list.length) return err(line, '@dialects is empty (write "all" or a list)');
      const bad = list.filter((d) => !(DIALECTS as readonly string[]).includes(d));
      if (bad.length) return err(line, `unknown dialect ${bad.join(', ')} (expected ${DIALECTS.join(', ')} or all)`);
      c.dialects = [...new Set(list)] as Dialect[];
      return;
    }
    case 'kind':
      if (!once()) return;
      if (value !== 'read' && value !== 'destructive') err(line, '@kind must be "read" or "destructive"');
      else c.kind = value;
      return;
    case 'param': {
      const p = parseParam(value, line, err);
      if (!p) return;
      if (c.params.some((x) => x.name === p.name)) return err(line, `parameter :${p.name} is declared twice`);
      c.params.push(p);
      return;
    }
    case 'expect': {
      if (!once()) return;
      if (/^\d+$/.test(value) && Number(value) <= 1_000_000) {
        const count = Number(value);
        if (count === 0) warn(line, '@expect 0: the statement must change no row');
        c.expect = { rule: { type: 'count', count }, line };
      } else if (/^:[A-Za-z_][A-Za-z0-9_]*$/.test(value)) c.expect = { rule: { type: 'param', param: value.slice(1) }, line };
      else err(line, '@expect must be a whole number (e.g. 1) or an integer parameter (e.g. :count)');
      return;
    }
    case 'backup-table':
      if (!once()) return;
      if (!TABLE_RE.test(value)) err(line, '@backup-table must be one table name, unquoted (e.g. AO_ED669C_TOTP_USER_ENROLLMENT)');
      else c.backupTable = value;
      return;
    case 'backup-key': {
      if (!once()) return;
      const cols = splitList(value);
      if (!cols.length) return err(line, '@backup-key is empty');
      const bad = cols.filter((k) => !TABLE_RE.test(k));
      if (bad.length) return err(line, `@backup-key: not a column name: ${bad.join(', ')}`);
      c.backupKey = cols;
      return;
    }
    default:
      err(line, `unknown directive @${directive}`);
  }
}

function parseParam(value: string, line: number, err: Report): SnippetParam | undefined {
  const { words: w, error } = words(value);
  if (error) {
    err(line, `@param: ${error}`);
    return undefined;
  }
  const [name, type, label, ...rest] = w;
  const usage = '@param needs: name type "Label" [default=…] [min=…] [max=…] [maxLength=…] [optional]';
  if (!name || !type || label === undefined || !isQuoted(label)) {
    err(line, usage);
    return undefined;
  }
  if (!PARAM_NAME_RE.test(name)) {
    err(line, `@param: "${name}" is not a valid parameter name (letters, digits, _; not starting with a digit)`);
    return undefined;
  }
  if (!(PARAM_TYPES as readonly string[]).includes(type)) {
    err(line, `@param ${name}: unknown type "${type}" (expected ${PARAM_TYPES.join(', ')})`);
    return undefined;
  }
  const p: SnippetParam = { name, type: type as ParamType, label: unquote(label), optional: false, line };
  if (!p.label.trim()) err(line, `@param ${name}: the label is empty`);
  for (const opt of rest) {
    const plain = unquote(opt);
    if (plain === 'optional') {
      p.optional = true;
      continue;
    }
    const m = /^(default|min|max|maxLength)=(.*)$/s.exec(plain);
    if (!m) {
      err(line, `@param ${name}: unknown option "${plain}"`);
      continue;
    }
    const [, key, v] = m;
    if (key === 'default') {
      if (p.type === 'integer') {
        if (!/^-?\d+$/.test(v)) err(line, `@param ${name}: default must be a whole number`);
        else p.default = Number(v);
      } else if (p.type === 'boolean') {
        if (v !== 'true' && v !== 'false') err(line, `@param ${name}: default must be true or false`);
        else p.default = v === 'true';
      } else p.default = v;
      continue;
    }
    if (!/^-?\d+$/.test(v)) {
      err(line, `@param ${name}: ${key} must be a whole number`);
      continue;
    }
    const num = Number(v);
    if (key === 'maxLength') {
      if (p.type !== 'string') err(line, `@param ${name}: maxLength is only for string parameters`);
      else if (num < 1) err(line, `@param ${name}: maxLength must be at least 1`);
      else p.maxLength = num;
    } else {
      if (p.type !== 'integer') err(line, `@param ${name}: ${key} is only for integer parameters`);
      else p[key as 'min' | 'max'] = num;
    }
  }
  if (p.min !== undefined && p.max !== undefined && p.min > p.max) err(line, `@param ${name}: min is greater than max`);
  if (typeof p.default === 'number' && ((p.min !== undefined && p.default < p.min) || (p.max !== undefined && p.default > p.max))) {
    err(line, `@param ${name}: the default is outside min..max`);
  }
  return p;
}

function checkSection(
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
