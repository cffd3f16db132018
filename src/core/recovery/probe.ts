/**
 * "Test connection" for a database, and the enrollment lookup of the unenroll form.
 */
import { AppError } from '../errors';
import type { Product } from '../profiles/schema';
import { connectDatabase, describeTarget, type ConnectOptions, type DatabaseConfig } from '../db/connect';
import { dialectOf } from '../db/dialect';
import { lookupTable, resolveTableSpellings } from '../db/tables';
import { batches, rowsPerStatement } from '../db/batching';
import type { Dialect, DialectFacts, Driver, QueryResult, Queryable } from '../db/types';
import { userKeyOf } from '../userKey';
import { builtinSnippet } from '../snippets/catalogue';
import { aoTablesOf, qualifiedTable, renderSnippet } from '../snippets/render';

export const ENROLLMENT_TABLE = 'AO_ED669C_TOTP_USER_ENROLLMENT';

export interface DatabaseCheck {
  /** e.g. PostgreSQL at db:5432, database "jira". */
  target: string;
  driver: Driver['name'];
  serverVersion: string;
  sessionId: string;
  enrollmentTable: {
    found: boolean;
    /** The spelling that exists (on MySQL either case). */
    name?: string;
    /** Quoted for this dialect, as the snippets will use it. */
    quoted?: string;
    candidates: string[];
  };
  /** Rows in the enrollment table (one per enrolled user), when the table was found. */
  enrolledUsers?: number;
  warnings: string[];
}

/** Checks an open session: server version, the enrollment table, how many users are enrolled. */
export async function checkDatabase(driver: Driver, db: DatabaseConfig): Promise<DatabaseCheck> {
  const dialect = dialectOf(driver.name);
  return driver.transaction(
    async (tx) => {
      const warnings: string[] = [];
      const look = await lookupTable(tx, dialect, ENROLLMENT_TABLE, driver.schema);
      const check: DatabaseCheck = {
        target: describeTarget(db),
        driver: driver.name,
        serverVersion: driver.serverVersion,
        sessionId: driver.sessionId,
        enrollmentTable: { found: !!look.found, candidates: look.candidates },
        warnings,
      };
      if (!look.found) {
        warnings.push(
          driver.schema
          ? `The table ${ENROLLMENT_TABLE} was not found in the schema "${driver.schema}" (database.schema): check <schema-name> in dbconfig.xml, or two-step verification was never used (the plugin creates the table on first use).`
          : `The table ${ENROLLMENT_TABLE} was not found in the current schema: this is not the product's database, the user's default schema is another one (set database.schema), or two-step verification was never used (the plugin creates the table on first use).`,
        );
        return check;
      }
      if (look.candidates.length > 1) warnings.push(`The table exists in several spellings (${look.candidates.join(', ')}); ${look.found} is used.`);
      if (look.found !== ENROLLMENT_TABLE && dialect !== 'mysql') {
        warnings.push(`The table is spelled ${look.found}, not ${ENROLLMENT_TABLE}: the built-in snippets will not find it.`);
      }
      const quoted = qualifiedTable(dialect, look.found!, { schema: driver.schema });
      check.enrollmentTable.name = look.found;
      check.enrollmentTable.quoted = quoted;
      const count = await tx.query(`SELECT COUNT(*) FROM ${quoted}`);
      check.enrolledUsers = Number(count.rows[0]?.[0] ?? 0);
      return check;
    },
    { readOnly: true },
  );
}

/** Connects, checks and closes. Connection failures are AppError 'unreachable'. */
export async function testDatabaseConnection(db: DatabaseConfig, password: string | undefined, options?: ConnectOptions): Promise<DatabaseCheck> {
  const driver = await connectDatabase(db, password, options);
  try {
    return await checkDatabase(driver, db);
  } finally {
    await driver.close();
  }
}

export interface EnrollmentStatus {
  username: string;
  /** A user with this name exists in the product's user mapping. */
  userExists: boolean;
  enrolled: boolean;
  userKey?: string;
  createdAt?: string;
  modifiedAt?: string;
}

function asText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return v instanceof Date ? v.toISOString() : String(v);
}

function checkLookup(product: Product, usernames: string[]): void {
  if (product !== 'jira' && product !== 'confluence') {
    throw new AppError('input', `The user mapping of ${product} is not known, so enrollment cannot be looked up in its database.`, 'Write a read snippet with your own mapping query.');
  }
  for (const username of usernames) if (!username || username.includes('\u0000')) throw new AppError('input', 'Enter a user name.');
}

/** Is this user enrolled? Uses the product's built-in is-enrolled snippet, read-only. */
export async function isUserEnrolled(driver: Driver, product: Product, username: string): Promise<EnrollmentStatus> {
  checkLookup(product, [username]);
  const snippet = await builtinSnippet(`${product}.is-enrolled`);
  const dialect = dialectOf(driver.name);
  const result = await driver.transaction(
    async (tx) => {
      const tables = await resolveTableSpellings(tx, dialect, aoTablesOf(snippet));
      return tx.query(renderSnippet(snippet, dialect, { tables, schema: driver.schema }).statement, { username });
    },
    { readOnly: true },
  );
  return enrollmentFrom(result, username);
}

/** The rendered SQL of a product's is-enrolled lookups: one name (`:username`), a batch of names (`:usernames`). */
export interface EnrollmentLookupSql {
  one: string;
  many: string;
}

export async function enrollmentLookupSql(tx: Queryable, dialect: Dialect, product: Product, schema?: string): Promise<EnrollmentLookupSql> {
  const one = await builtinSnippet(`${product}.is-enrolled`);
  const many = await builtinSnippet(`${product}.is-enrolled-many`);
  const tables = await resolveTableSpellings(tx, dialect, [...new Set([...aoTablesOf(one), ...aoTablesOf(many)])]);
  return { one: renderSnippet(one, dialect, { tables, schema }).statement, many: renderSnippet(many, dialect, { tables, schema }).statement };
}

/** Names per lookup statement on this dialect (each name is bound once). */
export function lookupBatchSize(facts: DialectFacts): number {
  return rowsPerStatement(facts, 1, facts.maxInListItems);
}

/**
 * The lookup rows of each name of a batch (at most lookupBatchSize names, no two with the same
 * userKeyOf), in order, with ONE statement when the answer is plain. A row belongs to the name
 * whose lower-case form equals its user name's. The server may compare differently from us
 * (trailing spaces on MySQL, collations, lower-casing outside ASCII), so the answer must stay
 * the single-name snippet's for every name:
 *  - a row that belongs to no name: the whole batch is looked up again one name at a time;
 *  - a name without a row of its own (usually: no such user): that name is looked up alone.
 * A list of names that all exist, as a bulk run's targets do, costs one statement.
 */
export async function lookupBatch(tx: Queryable, sql: EnrollmentLookupSql, names: string[]): Promise<QueryResult[]> {
  const all = await tx.query(sql.many, { usernames: names });
  const iUser = all.columns.findIndex((c) => c.name.toLowerCase() === 'username');
  const byKey = new Map(names.map((n, i) => [userKeyOf(n), i]));
  const rowsOf: unknown[][][] = names.map(() => []);
  let unmatched = false;
  for (const row of all.rows) {
    const i = byKey.get(userKeyOf(String(row[iUser] ?? '')));
    if (i === undefined) unmatched = true;
    else rowsOf[i].push(row);
  }
  const out: QueryResult[] = [];
  for (const [i, rows] of rowsOf.entries()) {
    out.push(unmatched || !rows.length ? await tx.query(sql.one, { username: names[i] }) : { columns: all.columns, rows, rowCount: rows.length });
  }
  return out;
}

/**
 * The enrollment of each user name, in order, in ONE read-only transaction and one statement
 * per batch of names (a bulk run looks up a thousand names with one SELECT … IN (…) on most
 * dialects). `onEach` reports progress after each batch.
 */
export async function lookupEnrollments(driver: Driver, product: Product, usernames: string[], onEach?: (done: number) => void): Promise<EnrollmentStatus[]> {
  checkLookup(product, usernames);
  const dialect = dialectOf(driver.name);
  const results = await driver.transaction(
    async (tx) => {
      const sql = await enrollmentLookupSql(tx, dialect, product, driver.schema);
      const out: QueryResult[] = [];
      for (const batch of batches(usernames, lookupBatchSize(driver.facts))) {
        out.push(...(await lookupBatch(tx, sql, batch.items)));
        onEach?.(out.length);
      }
      return out;
    },
    { readOnly: true },
  );
  return results.map((result, i) => enrollmentFrom(result, usernames[i]));
}

/** Where the lookup's columns are, per columns array: the results of one batch share theirs. */
const lookupColumns = new WeakMap<QueryResult['columns'], number[]>();

function lookupColumnIndexes(columns: QueryResult['columns']): number[] {
  let at = lookupColumns.get(columns);
  if (!at) {
    const col = (name: string) => columns.findIndex((c) => c.name.toLowerCase() === name);
    at = ['username', 'user_key', 'enrolled', 'created_at', 'modified_at'].map(col);
    lookupColumns.set(columns, at);
  }
  return at;
}

export function enrollmentFrom(result: QueryResult, username: string): EnrollmentStatus {
  const [iUser, iKey, iEnrolled, iCreated, iModified] = lookupColumnIndexes(result.columns);
  if (!result.rows.length) return { username, userExists: false, enrolled: false };
  let row = result.rows[0];
  for (const r of result.rows) {
    if (Number(r[iEnrolled]) === 1) {
      row = r;
      break;
    }
  }
  const enrolled = Number(row[iEnrolled]) === 1;
  return {
    username: asText(row[iUser]) ?? username,
    userExists: true,
    enrolled,
    userKey: asText(row[iKey]),
    ...(enrolled ? { createdAt: asText(row[iCreated]), modifiedAt: asText(row[iModified]) } : {}),
  };
}
