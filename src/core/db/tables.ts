/**
 * Finds how a table is spelled in the connected database. Active-objects tables are
 * UPPERCASE, but on MySQL/MariaDB the spelling depends on lower_case_table_names and on how
 * the database was created or restored, so both AO_ED669C_... and ao_ed669c_... occur.
 */
import type { Dialect, Queryable } from './types';

export interface TableLookup {
  /** The name as the snippet writes it. */
  requested: string;
  /** The name as it exists (exact spelling), when found. */
  found?: string;
  /** Every spelling that exists, ignoring case. */
  candidates: string[];
  /** Several spellings exist and none matches exactly. */
  ambiguous: boolean;
}

const LOOKUP_SQL: Record<Dialect, string> = {
  postgres:
    'SELECT table_name FROM information_schema.tables ' +
    'WHERE table_schema::text = ANY (current_schemas(false)::text[]) AND lower(table_name::text) = lower(:name) ORDER BY table_name',
  mysql:
    'SELECT table_name AS table_name FROM information_schema.tables ' +
    'WHERE table_schema = DATABASE() AND LOWER(table_name) = LOWER(:name) ORDER BY table_name',
  mssql:
    'SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES ' +
    'WHERE TABLE_SCHEMA = SCHEMA_NAME() AND UPPER(TABLE_NAME) = UPPER(:name) ORDER BY TABLE_NAME',
  oracle:
    "SELECT table_name FROM all_tables WHERE owner = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') " +
    'AND UPPER(table_name) = UPPER(:name) ORDER BY table_name',
};

/** SQL Server with database.schema: the session cannot switch schema, so the lookup names it. */
const MSSQL_IN_SCHEMA =
  'SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = :schema AND UPPER(TABLE_NAME) = UPPER(:name) ORDER BY TABLE_NAME';

/** Looks one table up in the current schema / database (on SQL Server: `schema` when given). */
export async function lookupTable(q: Queryable, dialect: Dialect, name: string, schema?: string): Promise<TableLookup> {
  const result = dialect === 'mssql' && schema ? await q.query(MSSQL_IN_SCHEMA, { name, schema }) : await q.query(LOOKUP_SQL[dialect], { name });
  const candidates = result.rows.map((r) => String(r[0]));
  const exact = candidates.find((c) => c === name);
  const found = exact ?? candidates[0];
  return { requested: name, found, candidates, ambiguous: !exact && candidates.length > 1 };
}

/**
 * The spelling map a snippet is rendered with. Only MySQL/MariaDB needs it; elsewhere quoted
 * names are exact and are used as written. A name not found stays as written, so the
 * statement fails with the server's "table does not exist".
 */
export async function resolveTableSpellings(q: Queryable, dialect: Dialect, names: string[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (dialect !== 'mysql') return map;
  for (const name of names) {
    const look = await lookupTable(q, dialect, name);
    if (look.found) map.set(name, look.found);
  }
  return map;
}
