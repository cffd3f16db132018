/**
 * Reads a snippet file (.sql with a header comment block) and reports every problem with a
 * line number, so that the editor can underline it. Syntax: docs/snippets.md.
 *
 * This file scans the lines (header, then @query/@backup sections), checks what spans the whole
 * snippet (required fields, one section per role and dialect, kind rules, unused params) and
 * assembles the ParseResult. Header directives: header.ts; @param: paramDecl.ts; the SQL of each
 * section: sectionCheck.ts.
 */
import { DIALECTS, type Dialect } from '../db/types';
import { DIRECTIVE_RE, HEADER_DIRECTIVES, SECTION_DIRECTIVES, dialectName, headerDirective, splitList, type Collected } from './header';
import { checkReadSections } from './readCheck';
import { checkSection } from './sectionCheck';
import { SNIPPET_PRODUCTS, type Diagnostic, type ParseResult, type SnippetSection } from './types';

/** Re-exported for render.ts, which expands the paging macro this file's checks accept. */
export { MACRO_RE } from './sectionCheck';

export function parseSnippet(text: string, source = '<snippet>', builtin = false): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const reporter = (severity: Diagnostic['severity']) => (line: number, message: string, column = 1, endColumn?: number) => {
    diagnostics.push({ line, column, endColumn: endColumn ?? (lines[line - 1]?.length ?? 0) + 1, severity, message });
  };
  const err = reporter('error');
  const warn = reporter('warning');

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
    const first = body.findIndex((l) => l.trim() !== '');
    if (first < 0) {
      if (current.markerLine) err(current.markerLine, `the @${current.role} section has no SQL`);
      return;
    }
    let lastIdx = body.length - 1;
    while (lastIdx > first && body[lastIdx].trim() === '') lastIdx--;
    // Leading free comment lines stay part of the SQL (harmless); blank lines are trimmed.
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
        const dd = dialectName(d);
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
  checkReadSections(sections, c.kind, dialects, err);
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
    else if (p.type !== 'integer' && p.type !== 'string[]') err(c.expect.line, `@expect :${p.name} must be an integer parameter (the row count) or a list parameter (one row per item)`);
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
