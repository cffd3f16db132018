/**
 * Turns a snippet's portable SQL into one dialect's SQL: "identifiers" re-quoted for the
 * dialect (backticks on MySQL, brackets on SQL Server), table names replaced by the spelling
 * found in the database, {{LIMIT :n OFFSET :m}} written the dialect's way. Parameters stay
 * `:named`; the driver binds them.
 */
import { dialectFacts } from '../db/dialect';
import { stripTerminator, tokenize } from '../db/sqlText';
import type { Dialect } from '../db/types';
import { qualifyTables } from './qualifyTables';
import { MACRO_RE } from './sectionCheck';
import type { Snippet, SnippetSection } from './types';

/** Active-objects tables: their case differs between MySQL installations. */
export const AO_TABLE_RE = /^AO_[0-9A-F]{6}_/i;

export interface RenderOptions {
  /** Table names as written in the snippet → the name that exists in the database. */
  tables?: ReadonlyMap<string, string>;
  /** database.schema: on SQL Server every table is written [schema].[table] (see qualifyTables). */
  schema?: string;
}

export interface RenderedSnippet {
  dialect: Dialect;
  statement: string;
  backup?: string;
  /** @backup-table, quoted for the dialect, with the spelling found in the database. */
  backupTable?: string;
  /** @backup-table, unquoted, with the spelling found in the database. */
  backupTableName?: string;
}

/** The section for a dialect: its own if it has one, else the default. */
export function sectionFor(snippet: Snippet, role: 'query' | 'backup', dialect: Dialect): SnippetSection | undefined {
  return (
    snippet.sections.find((s) => s.role === role && s.dialects?.includes(dialect)) ??
    snippet.sections.find((s) => s.role === role && s.dialects === null)
  );
}

function expandMacro(body: string, dialect: Dialect): string {
  const m = MACRO_RE.exec(body);
  if (!m) throw new Error(`unknown macro {{${body}}}`);
  const [, limit, offset] = m;
  if (dialect === 'mssql' || dialect === 'oracle') return `OFFSET :${offset} ROWS FETCH NEXT :${limit} ROWS ONLY`;
  return `LIMIT :${limit} OFFSET :${offset}`;
}

/** Renders portable SQL for one dialect. */
export function renderSql(sql: string, dialect: Dialect, options: RenderOptions = {}): string {
  const quote = dialectFacts(dialect).quoteIdent;
  const source = qualifiesTables(dialect, options) ? qualifyTables(sql, options.schema!) : sql;
  let out = '';
  for (const t of tokenize(source, 'portable')) {
    if (t.type === 'ident') out += quote(options.tables?.get(t.name) ?? t.name);
    else if (t.type === 'macro') out += expandMacro(t.body, dialect);
    else out += t.text;
  }
  return stripTerminator(out);
}

export function renderSnippet(snippet: Snippet, dialect: Dialect, options: RenderOptions = {}): RenderedSnippet {
  if (!snippet.dialects.includes(dialect)) throw new Error(`snippet ${snippet.name} is not written for ${dialect}`);
  const query = sectionFor(snippet, 'query', dialect);
  if (!query) throw new Error(`snippet ${snippet.name} has no SQL for ${dialect}`);
  const backup = sectionFor(snippet, 'backup', dialect);
  const tableName = snippet.backupTable ? options.tables?.get(snippet.backupTable) ?? snippet.backupTable : undefined;
  return {
    dialect,
    statement: renderSql(query.sql, dialect, options),
    backup: backup ? renderSql(backup.sql, dialect, options) : undefined,
    backupTable: tableName ? qualifiedTable(dialect, tableName, options) : undefined,
    backupTableName: tableName,
  };
}

/** Only SQL Server needs its tables qualified: elsewhere the session itself is set to the schema. */
export function qualifiesTables(dialect: Dialect, options: Pick<RenderOptions, 'schema'>): boolean {
  return dialect === 'mssql' && !!options.schema;
}

/** One table name quoted for the dialect, with the schema in front where the dialect needs it. */
export function qualifiedTable(dialect: Dialect, table: string, options: Pick<RenderOptions, 'schema'>): string {
  const quote = dialectFacts(dialect).quoteIdent;
  return qualifiesTables(dialect, options) ? `${quote(options.schema!)}.${quote(table)}` : quote(table);
}

/** Quoted names in the snippet (and its @backup-table) that are active-objects tables. */
export function aoTablesOf(snippet: Snippet): string[] {
  const names = new Set<string>();
  for (const s of snippet.sections) {
    for (const t of tokenize(s.sql, 'portable')) if (t.type === 'ident' && AO_TABLE_RE.test(t.name)) names.add(t.name);
  }
  if (snippet.backupTable && AO_TABLE_RE.test(snippet.backupTable)) names.add(snippet.backupTable);
  return [...names];
}
