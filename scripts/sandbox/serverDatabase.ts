/**
 * `npm run sandbox -- --postgres URL | --mysql URL`: the sandbox on a database server instead of
 * the embedded PGlite. The URL becomes a profile's database section (its password kept apart,
 * as a secret), and the Jira tables are created in that database, which must not hold Jira
 * tables the sandbox did not create: it must never touch a real instance's database.
 */
import type { DatabaseConfig } from '../../src/core/db/connect';
import type { Driver } from '../../src/core/db/types';
import { ddl } from '../../test/support/dbFixtures';
import { ENROLLMENT_TABLE } from '../../test/support/sqlSimulatorStore';

/** The marker table that says "the sandbox created these tables". */
export const MARKER_TABLE = 'jira2fa_sandbox';
const SANDBOX_TABLES = [MARKER_TABLE, 'app_user', 'cwd_user', 'user_mapping', ENROLLMENT_TABLE, 'AO_ED669C_TOTP_CODES'];

/** A server URL as a profile's database section plus its password (kept apart: it is a secret). */
export function configFromUrl(engine: 'postgres' | 'mysql', raw: string): { config: DatabaseConfig; password?: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--${engine} needs a URL like ${engine}://user@127.0.0.1:${engine === 'postgres' ? 5432 : 3306}/database`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  const ok = engine === 'postgres' ? ['postgres', 'postgresql'] : ['mysql', 'mariadb'];
  if (!ok.includes(scheme)) throw new Error(`--${engine} URL must start with ${ok[0]}:// (got ${scheme}://)`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`--${engine} URL must name a database, e.g. ${ok[0]}://user@127.0.0.1/sandbox`);
  return {
    config: {
      driver: engine,
      host: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      database,
      user: decodeURIComponent(url.username) || (engine === 'postgres' ? 'postgres' : 'root'),
      readOnly: false,
    },
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/**
 * Creates the Jira tables in a server database, refusing one that holds Jira tables the sandbox
 * did not create (it must never touch a real instance's database). A sandbox database of an
 * earlier run is emptied unless --keep.
 */
export async function prepareServerDatabase(db: Driver, engine: 'postgres' | 'mysql', keep: boolean): Promise<boolean> {
  const q = db.facts.quoteIdent;
  const schemaExpr = engine === 'postgres' ? 'current_schema()' : 'database()';
  const present = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schemaExpr}`);
  const names = new Set(present.rows.map((r) => String(r[0])));
  const ours = names.has(MARKER_TABLE);
  const jira = ['app_user', 'cwd_user', ENROLLMENT_TABLE, ENROLLMENT_TABLE.toLowerCase()].filter((t) => names.has(t));
  if (jira.length && !ours) {
    throw new Error(`the database already has Jira tables (${jira.join(', ')}) that the sandbox did not create: point it at an empty database`);
  }
  if (ours && keep) return true;
  for (const t of SANDBOX_TABLES) if (names.has(t)) await db.query(`DROP TABLE ${q(t)}`);
  await db.query(`CREATE TABLE ${MARKER_TABLE} (created_at VARCHAR(40))`);
  await db.query(`INSERT INTO ${MARKER_TABLE} (created_at) VALUES (:t)`, { t: new Date().toISOString() });
  for (const stmt of ddl(engine)) await db.query(stmt);
  return false;
}
