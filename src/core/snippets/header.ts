/**
 * Header directives of a snippet (-- @name, @products, @kind, @param, @expect, @backup-table, ...):
 * the directive syntax, the names known in the header and in the body, and headerDirective, which
 * checks one directive and records its value in the Collected header state.
 */
import { DIALECTS, type Dialect } from '../db/types';
import { parseParam } from './paramDecl';
import { SNIPPET_PRODUCTS, type ExpectRule, type SnippetParam, type SnippetProduct } from './types';

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const DIRECTIVE_RE = /^--\s*@([A-Za-z][A-Za-z-]*)\b\s*(.*)$/;
export const SECTION_DIRECTIVES = new Set(['query', 'backup']);
export const HEADER_DIRECTIVES = new Set([
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

export function splitList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A dialect name as written in the snippet, lowercased; pglite is PostgreSQL. */
export function dialectName(d: string): string {
  const lower = d.toLowerCase();
  return lower === 'pglite' ? 'postgres' : lower;
}

/** What the header directives have set so far; seen maps a directive to the line it was given on. */
export interface Collected {
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

/** Reports a problem at a line (and optionally columns) of the snippet. */
export type Report = (line: number, message: string, column?: number, endColumn?: number) => void;

/** Checks one header directive and its value (line is 1-based) and records it in c. */
export function headerDirective(directive: string, value: string, line: number, c: Collected, err: Report, warn: Report): void {
  // For the directives that may be given only once (not @description or @param).
  const once = () => {
    if (c.seen.has(directive)) {
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
      const list = splitList(value).map(dialectName);
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
      else err(line, '@expect must be a whole number (e.g. 1), an integer parameter (e.g. :count) or a list parameter (e.g. :usernames)');
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
