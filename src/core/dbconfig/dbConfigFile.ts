/**
 * "Import Database from dbconfig.xml": reads the database settings a Data Center product
 * keeps in its home directory (Jira: dbconfig.xml; Confluence: confluence.cfg.xml) and turns
 * them into a profile's database section, with the list of fields that change. The password
 * in the file is never read into the profile: the user stores it in the keychain.
 */
import { AppError } from '../errors';
import type { InstanceProfile } from '../profiles/schema';
import { JdbcUrlError, parseJdbcUrl, type JdbcTarget } from './jdbcUrl';
import { childrenNamed, decodeXml, parseXml, XmlError, type XmlElement } from './strictXml';

export type DatabaseSection = NonNullable<InstanceProfile['database']>;

export interface DbConfigFile {
  /** Which file it was. */
  kind: 'jira-dbconfig' | 'confluence-cfg';
  databaseType?: string;
  schemaName?: string;
  url: string;
  username?: string;
  /** The file holds a password (not read, not kept). */
  hasPassword: boolean;
}

export interface DbConfigImport {
  database: DatabaseSection;
  changes: Array<{ field: string; from?: string; to?: string }>;
  notes: string[];
}

const bad = (what: string, hint = 'Choose the dbconfig.xml from the product\'s home directory (e.g. /var/atlassian/application-data/jira/dbconfig.xml).') =>
  new AppError('input', `This dbconfig.xml cannot be imported: ${what}.`, hint);

function only(parent: XmlElement, name: string, path: string, required: boolean): string | undefined {
  const found = childrenNamed(parent, name);
  if (found.length > 1) throw bad(`<${path}> appears ${found.length} times`);
  if (!found.length) {
    if (required) throw bad(`the element <${path}> is missing`);
    return undefined;
  }
  if (found[0].children.length) throw bad(`<${path}> must hold text, not other elements`);
  const value = found[0].text.trim();
  if (!value && required) throw bad(`the element <${path}> is empty`);
  return value || undefined;
}

/** Reads the bytes of a dbconfig.xml (or confluence.cfg.xml). Throws AppError('input') naming the element at fault. */
export function readDbConfig(bytes: Uint8Array): DbConfigFile {
  let root: XmlElement;
  try {
    root = parseXml(decodeXml(bytes));
  } catch (e) {
    if (e instanceof XmlError) throw bad(e.message);
    throw e;
  }
  if (root.name === 'jira-database-config') {
    const ds = childrenNamed(root, 'jdbc-datasource');
    if (ds.length === 0) {
      if (childrenNamed(root, 'jndi-datasource').length) throw bad('it uses a JNDI datasource (<jndi-datasource>), whose settings live in the application server', 'Enter the database settings by hand.');
      throw bad('the element <jdbc-datasource> is missing');
    }
    if (ds.length > 1) throw bad('<jdbc-datasource> appears more than once');
    return {
      kind: 'jira-dbconfig',
      databaseType: only(root, 'database-type', 'jira-database-config/database-type', true),
      schemaName: only(root, 'schema-name', 'jira-database-config/schema-name', false),
      url: only(ds[0], 'url', 'jdbc-datasource/url', true)!,
      username: only(ds[0], 'username', 'jdbc-datasource/username', true),
      hasPassword: childrenNamed(ds[0], 'password').length > 0,
    };
  }
  if (root.name === 'confluence-configuration') {
    const props = childrenNamed(root, 'properties');
    if (props.length !== 1) throw bad('the element <confluence-configuration>/<properties> is missing');
    const byName = new Map<string, string>();
    for (const p of childrenNamed(props[0], 'property')) {
      const name = p.attributes.name;
      if (name) byName.set(name, p.text.trim());
    }
    if (byName.get('hibernate.connection.datasource')) throw bad('it uses a JNDI datasource, whose settings live in the application server', 'Enter the database settings by hand.');
    const url = byName.get('hibernate.connection.url');
    if (!url) throw bad('the property hibernate.connection.url is missing');
    return {
      kind: 'confluence-cfg',
      databaseType: byName.get('hibernate.dialect') || undefined,
      url,
      username: byName.get('hibernate.connection.username') || undefined,
      hasPassword: byName.has('hibernate.connection.password'),
    };
  }
  throw bad(`its root element is <${root.name.slice(0, 60)}>, expected <jira-database-config> (Jira's dbconfig.xml) or <confluence-configuration> (confluence.cfg.xml)`);
}

/** The driver a <database-type> (or Confluence's hibernate dialect) names, when it names one. */
function driverOfType(type: string): JdbcTarget['driver'] | 'embedded' | undefined {
  const t = type.toLowerCase();
  if (/^(h2|hsql)/.test(t) || /h2dialect|hsqldialect/.test(t)) return 'embedded';
  if (t.startsWith('postgres') || t.includes('postgres')) return 'postgres';
  if (t.startsWith('mysql') || t.includes('mysql') || t.includes('mariadb')) return 'mysql';
  if (t.startsWith('mssql') || t.includes('sqlserver')) return 'mssql';
  if (t.startsWith('oracle') || t.includes('oracle')) return 'oracle';
  return undefined;
}

/** The database section a dbconfig file describes, merged over the current one, and what changes. */
export function databaseFromDbConfig(file: DbConfigFile, current?: DatabaseSection): DbConfigImport {
  const typed = file.databaseType ? driverOfType(file.databaseType) : undefined;
  if (typed === 'embedded') throw bad(`the product uses its embedded ${file.databaseType} database, which this app cannot open`, 'Recovery SQL needs the product on PostgreSQL, MySQL/MariaDB, SQL Server or Oracle.');
  let target: JdbcTarget;
  try {
    target = parseJdbcUrl(file.url);
  } catch (e) {
    if (e instanceof JdbcUrlError) throw bad(`${e.message} (in ${file.kind === 'jira-dbconfig' ? 'jdbc-datasource/url' : 'hibernate.connection.url'})`, 'Enter the database settings by hand.');
    throw e;
  }
  const notes = [...target.notes];
  if (file.kind === 'jira-dbconfig' && !typed) throw bad(`<database-type> "${file.databaseType!.slice(0, 40)}" is not a database this app connects to`);
  if (typed && typed !== target.driver) throw bad(`<database-type> says ${file.databaseType!.slice(0, 40)} but the JDBC URL is for ${target.driver}`);
  let schema = file.schemaName;
  if (schema && target.driver === 'mysql') {
    notes.push(`<schema-name> ${schema.slice(0, 64)} was not used: on MySQL/MariaDB the database (${target.database}) is the schema.`);
    schema = undefined;
  }
  if (schema && (schema.length > 128 || /[\u0000-\u001f\u007f]/.test(schema))) throw bad('<schema-name> is longer than 128 characters or contains control characters');
  const user = file.username ?? target.user;
  if (file.hasPassword) notes.push('The database password in the file was not imported (passwords are never imported).');
  const database: DatabaseSection = {
    driver: target.driver,
    host: target.host,
    ...(target.port !== undefined ? { port: target.port } : {}),
    database: target.database,
    ...(user ? { user } : {}),
    ...(target.ssl ? { ssl: current?.ssl && current.ssl !== true ? current.ssl : true } : current?.ssl !== undefined ? { ssl: current.ssl } : {}),
    // An import never loosens the guard: a new section is read-only, an existing one keeps its choice.
    readOnly: current?.readOnly ?? true,
    ...(schema ? { schema } : {}),
  };
  const show = (v: unknown) => (v === undefined ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const changes: DbConfigImport['changes'] = [];
  for (const field of ['driver', 'host', 'port', 'database', 'user', 'schema', 'ssl'] as const) {
    const from = show(current?.[field]);
    const to = show(database[field]);
    if (from !== to) changes.push({ field: `database.${field}`, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return { database, changes, notes };
}
