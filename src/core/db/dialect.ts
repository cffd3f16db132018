/**
 * What differs between SQL dialects, without loading any driver library.
 */
import { AppError } from '../errors';
import type { DbDriverName } from '../profiles/schema';
import type { Dialect, DialectFacts } from './types';

/** The dialect a driver speaks. */
export function dialectOf(driver: DbDriverName): Dialect {
  return driver === 'pglite' ? 'postgres' : driver;
}

function checkIdent(name: string): void {
  if (!name || name.includes('\u0000')) throw new Error(`invalid identifier ${JSON.stringify(name)}`);
}

/**
 * A database.schema value is untrusted text that ends up inside SQL: quoting makes any name
 * safe, so this only refuses what no server accepts as a name (empty, NUL, control characters,
 * longer than 128 characters) and MySQL, where the database already is the schema.
 */
export function checkSchemaName(schema: string, driver: DbDriverName): void {
  if (driver === 'mysql') throw new AppError('input', 'database.schema is not used on MySQL/MariaDB: there the database name already is the schema.', 'Remove database.schema, or put the schema name in database.database.');
  if (!schema || schema.length > 128 || /[\u0000-\u001f\u007f]/.test(schema)) {
    throw new AppError('input', 'database.schema must be 1-128 characters without control characters.', 'Copy <schema-name> from dbconfig.xml.');
  }
}

/** ANSI quoting: "name", an embedded " doubled. PostgreSQL and Oracle. */
export function quoteDouble(name: string): string {
  checkIdent(name);
  return `"${name.replace(/"/g, '""')}"`;
}

/** MySQL/MariaDB: `name`, an embedded ` doubled. */
export function quoteBacktick(name: string): string {
  checkIdent(name);
  return `\`${name.replace(/`/g, '``')}\``;
}

/** SQL Server: [name], an embedded ] doubled. */
export function quoteBracket(name: string): string {
  checkIdent(name);
  return `[${name.replace(/]/g, ']]')}]`;
}

const FACTS: Record<Dialect, DialectFacts> = {
  postgres: {
    dialect: 'postgres',
    label: 'PostgreSQL',
    placeholder: 'dollar',
    quoteIdent: quoteDouble,
    readOnlyTransactions: true,
    rowLocking: 'for-update',
    defaultPort: 5432,
    // The protocol counts a statement's parameters in 16 bits.
    maxBindParams: 65535,
  },
  mysql: {
    dialect: 'mysql',
    label: 'MySQL/MariaDB',
    placeholder: 'question',
    quoteIdent: quoteBacktick,
    readOnlyTransactions: true,
    rowLocking: 'for-update',
    defaultPort: 3306,
    // A prepared statement holds at most 65535 placeholders.
    maxBindParams: 65535,
  },
  mssql: {
    dialect: 'mssql',
    label: 'SQL Server',
    placeholder: 'at',
    quoteIdent: quoteBracket,
    // SQL Server has no READ ONLY transaction: read snippets run in a transaction that is
    // always rolled back.
    readOnlyTransactions: false,
    rowLocking: 'serializable',
    defaultPort: 1433,
    // 2100 parameters per request, two of which sp_executesql takes for the statement and
    // its parameter declarations.
    maxBindParams: 2098,
    // A table value constructor (INSERT … VALUES) takes at most 1000 rows.
    maxValuesRows: 1000,
  },
  oracle: {
    dialect: 'oracle',
    label: 'Oracle',
    placeholder: 'colon',
    quoteIdent: quoteDouble,
    readOnlyTransactions: true,
    rowLocking: 'for-update',
    defaultPort: 1521,
    maxBindParams: 65535,
    // ORA-01795: at most 1000 expressions in a list.
    maxInListItems: 1000,
    // No multi-row VALUES before 23ai (INSERT ALL exists, but one prepared INSERT per row is
    // the statement every Oracle version runs the same way).
    maxValuesRows: 1,
  },
};

export function dialectFacts(dialect: Dialect): DialectFacts {
  return FACTS[dialect];
}

export function driverFacts(driver: DbDriverName): DialectFacts {
  if (driver === 'pglite') return { ...FACTS.postgres, label: 'PGlite', defaultPort: undefined };
  return FACTS[driver];
}
