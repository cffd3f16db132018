/**
 * Reads the JDBC URL of a Data Center product's database (dbconfig.xml <url>) into the parts
 * a database profile needs. The forms the products document:
 *
 *   jdbc:postgresql://host[:port]/database[?k=v&…]
 *   jdbc:mysql://host[:port]/database[?…]   jdbc:mariadb://…
 *   jdbc:sqlserver://host[\instance][:port][;property=value;…]   (databaseName=, portNumber=, …; {braced values})
 *   jdbc:jtds:sqlserver://host[:port][/database][;property=value…]
 *   jdbc:oracle:thin:@//host:port/service   @host:port/service   @host:port:SID
 *   jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=…)(PORT=…))(CONNECT_DATA=(SERVICE_NAME=…)))
 *
 * Anything else (several hosts, load balancing, LDAP or TNS aliases, unknown drivers) is
 * refused with a sentence saying what to enter by hand. A password in the URL is never
 * taken; the error texts never repeat the URL, which may hold one.
 */
import type { DbDriverName } from '../profiles/schema';

export interface JdbcTarget {
  driver: Exclude<DbDriverName, 'pglite'>;
  host: string;
  port?: number;
  /** Database name; Oracle: service name (or the SID, see notes). */
  database: string;
  /** A user name given in the URL itself. */
  user?: string;
  /** The URL asks for TLS (ssl=true, sslmode=require…, encrypt=true, tcps). */
  ssl?: boolean;
  /** Things the user must see: what was ignored or guessed. */
  notes: string[];
}

export class JdbcUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JdbcUrlError';
  }
}

const fail = (message: string): never => {
  throw new JdbcUrlError(message);
};

export function parseJdbcUrl(url: string): JdbcTarget {
  const u = url.trim();
  if (u.length > 4096) fail('the JDBC URL is longer than 4096 characters');
  if (/[\u0000-\u001f\u007f]/.test(u)) fail('the JDBC URL contains control characters');
  const lower = u.toLowerCase();
  if (lower.startsWith('jdbc:postgresql:')) return hostPathUrl(u.slice('jdbc:postgresql:'.length), 'postgres', 'PostgreSQL');
  if (lower.startsWith('jdbc:mysql:')) return hostPathUrl(u.slice('jdbc:mysql:'.length), 'mysql', 'MySQL');
  if (lower.startsWith('jdbc:mariadb:')) return hostPathUrl(u.slice('jdbc:mariadb:'.length), 'mysql', 'MariaDB');
  if (lower.startsWith('jdbc:sqlserver:')) return sqlServerUrl(u.slice('jdbc:sqlserver:'.length));
  if (lower.startsWith('jdbc:jtds:sqlserver:')) return jtdsUrl(u.slice('jdbc:jtds:sqlserver:'.length));
  if (lower.startsWith('jdbc:oracle:thin:')) return oracleUrl(u.slice('jdbc:oracle:thin:'.length));
  if (lower.startsWith('jdbc:oracle:')) return fail('only the Oracle thin driver URL (jdbc:oracle:thin:@…) can be read; OCI URLs name a local client configuration');
  const scheme = /^jdbc:([a-z0-9]+)/i.exec(u)?.[1];
  return fail(scheme ? `the JDBC driver "${scheme.slice(0, 30)}" is not one this app connects to (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle)` : 'the URL does not start with jdbc:');
}

function port(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) fail(`the ${what} port "${text.slice(0, 20)}" is not a number 1-65535`);
  return Number(text);
}

/** host, host:port, [v6], [v6]:port. */
function hostPort(text: string, what: string): { host: string; port?: number } {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(text);
  if (v6) return { host: v6[1], ...(v6[2] !== undefined ? { port: port(v6[2], what) } : {}) };
  const m = /^([^:]*)(?::(.*))?$/.exec(text)!;
  if (!m[1]) fail(`the ${what} URL names no host`);
  if (!/^[A-Za-z0-9._-]+$/.test(m[1])) fail(`the ${what} host name contains characters a host name cannot have`);
  return { host: m[1], ...(m[2] !== undefined ? { port: port(m[2], what) } : {}) };
}

/** postgresql and mysql/mariadb: //host[:port]/database[?query]. */
function hostPathUrl(rest: string, driver: 'postgres' | 'mysql', label: string): JdbcTarget {
  if (!rest.startsWith('//')) {
    if (driver === 'mysql' && /^(loadbalance|replication|aws|mysql\+srv)/i.test(rest)) fail(`${label} ${rest.split(/[:/]/)[0]} URLs name several servers: enter the primary's host by hand`);
    fail(`the ${label} URL must look like jdbc:${driver === 'postgres' ? 'postgresql' : label.toLowerCase()}://host:port/database`);
  }
  const body = rest.slice(2);
  const q = body.indexOf('?');
  const [path, query] = q < 0 ? [body, ''] : [body.slice(0, q), body.slice(q + 1)];
  const slash = path.indexOf('/');
  const authority = slash < 0 ? path : path.slice(0, slash);
  if (authority.includes('@')) fail(`the ${label} URL carries a user name or password before the host: remove it from the file, the password is never imported`);
  if (authority.includes(',')) fail(`the ${label} URL names several hosts (failover): enter the primary's host by hand`);
  if (/^address=/i.test(authority)) fail(`the ${label} URL uses the address=(…) form: enter host and port by hand`);
  const hp = hostPort(authority, label);
  const rawDb = slash < 0 ? '' : path.slice(slash + 1);
  let database: string;
  try {
    database = decodeURIComponent(rawDb);
  } catch {
    return fail(`the ${label} database name in the URL has a broken %-escape`);
  }
  if (!database) fail(`the ${label} URL names no database (expected …/database after the host)`);
  if (database.includes('/')) fail(`the ${label} database name contains "/"`);
  const notes: string[] = [];
  const props = new Map<string, string>();
  for (const pair of query.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const k = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    let v = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      v = decodeURIComponent(v);
    } catch {
      /* keep raw */
    }
    props.set(k, v);
  }
  if (props.has('password')) notes.push('The URL contains a password parameter, which was ignored (passwords are never imported).');
  const user = props.get('user');
  const sslmode = props.get('sslmode')?.toLowerCase();
  const ssl =
    props.get('ssl') === 'true' ||
    props.get('usessl') === 'true' ||
    (!!sslmode && !['disable', 'allow', 'prefer', 'disabled', 'preferred'].includes(sslmode));
  if (driver === 'postgres' && props.has('currentschema')) notes.push(`The URL sets currentSchema=${props.get('currentschema')!.slice(0, 64)}; <schema-name> is what sets database.schema.`);
  return { driver, ...hp, database, ...(user ? { user } : {}), ...(ssl ? { ssl } : {}), notes };
}

/** SQL Server properties: name=value;… with {braced values} that may hold ";" ("}}" escapes "}"). */
function sqlServerProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    if (text[i] === ';') {
      i++;
      continue;
    }
    const eq = text.indexOf('=', i);
    if (eq < 0) fail(`the SQL Server URL property "${text.slice(i, i + 30)}" has no value`);
    const name = text.slice(i, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9]*$/.test(name)) fail('the SQL Server URL has a property name that is not a word');
    let value = '';
    let j = eq + 1;
    if (text[j] === '{') {
      j++;
      for (;;) {
        if (j >= text.length) fail(`the SQL Server URL property ${name} has an unterminated {braced value}`);
        if (text[j] === '}') {
          if (text[j + 1] === '}') {
            value += '}';
            j += 2;
            continue;
          }
          j++;
          break;
        }
        value += text[j++];
      }
      if (j < text.length && text[j] !== ';') fail(`the SQL Server URL property ${name} has text after its closing brace`);
    } else {
      const end = text.indexOf(';', j);
      value = text.slice(j, end < 0 ? text.length : end);
      j = end < 0 ? text.length : end;
    }
    props.set(name, value);
    i = j;
  }
  return props;
}

function sqlServerTarget(server: string, props: Map<string, string>, label: string): JdbcTarget {
  const notes: string[] = [];
  if (props.has('password')) notes.push('The URL contains a password property, which was ignored (passwords are never imported).');
  const serverName = server || props.get('servername') || '';
  if (!serverName) fail(`the ${label} URL names no server`);
  let host = serverName;
  let instance = props.get('instancename');
  const slash = serverName.indexOf('\\');
  let urlPort: number | undefined;
  if (slash >= 0) {
    host = serverName.slice(0, slash);
    const rest = serverName.slice(slash + 1);
    const colon = rest.indexOf(':');
    instance = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) urlPort = port(rest.slice(colon + 1), label);
  } else {
    const hp = hostPort(serverName, label);
    host = hp.host;
    urlPort = hp.port;
  }
  if (!/^[A-Za-z0-9._-]+$/.test(host)) fail(`the ${label} host name contains characters a host name cannot have`);
  const propPort = props.get('portnumber') ?? props.get('port');
  const p = urlPort ?? (propPort !== undefined ? port(propPort, label) : undefined);
  const database = props.get('databasename') ?? props.get('database') ?? '';
  if (!database) fail(`the ${label} URL names no database (databaseName=…)`);
  if (instance !== undefined && !/^[A-Za-z0-9_$-]{1,16}$/.test(instance)) fail(`the ${label} instance name is not valid`);
  if (instance && p !== undefined) notes.push(`Both an instance name (${instance}) and a port (${p}) are given: the port is used.`);
  const user = props.get('user') ?? props.get('username');
  const encrypt = props.get('encrypt')?.toLowerCase();
  const ssl = encrypt === 'true' || encrypt === 'strict' || encrypt === 'mandatory' || props.get('ssl')?.toLowerCase() === 'require';
  if (props.get('integratedsecurity')?.toLowerCase() === 'true') notes.push('The URL uses Windows integrated security: this app signs in with a SQL Server login (user and password).');
  return {
    driver: 'mssql',
    // A named instance without a port: the driver asks SQL Server Browser, as the JDBC driver does.
    host: instance && p === undefined ? `${host}\\${instance}` : host,
    ...(p !== undefined ? { port: p } : {}),
    database,
    ...(user ? { user } : {}),
    ...(ssl ? { ssl } : {}),
    notes,
  };
}

/** jdbc:sqlserver://[server[\instance][:port]][;property=value…] */
function sqlServerUrl(rest: string): JdbcTarget {
  if (!rest.startsWith('//')) fail('the SQL Server URL must look like jdbc:sqlserver://host:port;databaseName=…');
  const body = rest.slice(2);
  const semi = body.indexOf(';');
  const server = semi < 0 ? body : body.slice(0, semi);
  if (server.includes('/')) fail('the SQL Server URL has a "/" after the host: the database goes in ;databaseName=…');
  return sqlServerTarget(server, sqlServerProperties(semi < 0 ? '' : body.slice(semi + 1)), 'SQL Server');
}

/** jdbc:jtds:sqlserver://host[:port][/database][;property=value…] (the driver of older Jira versions). */
function jtdsUrl(rest: string): JdbcTarget {
  if (!rest.startsWith('//')) fail('the jTDS URL must look like jdbc:jtds:sqlserver://host:port/database');
  const body = rest.slice(2);
  const semi = body.indexOf(';');
  const head = semi < 0 ? body : body.slice(0, semi);
  const props = sqlServerProperties(semi < 0 ? '' : body.slice(semi + 1));
  const slash = head.indexOf('/');
  const server = slash < 0 ? head : head.slice(0, slash);
  if (slash >= 0 && head.slice(slash + 1)) props.set('databasename', head.slice(slash + 1));
  const instance = props.get('instance');
  if (instance) props.set('instancename', instance);
  return sqlServerTarget(server, props, 'jTDS');
}

/** jdbc:oracle:thin:[user[/password]]@… */
function oracleUrl(rest: string): JdbcTarget {
  const at = rest.indexOf('@');
  if (at < 0) fail('the Oracle URL must look like jdbc:oracle:thin:@//host:port/service');
  const notes: string[] = [];
  const cred = rest.slice(0, at);
  let user: string | undefined;
  if (cred) {
    const slash = cred.indexOf('/');
    user = slash < 0 ? cred : cred.slice(0, slash);
    if (slash >= 0) notes.push('The URL contains a password, which was ignored (passwords are never imported).');
  }
  const target = rest.slice(at + 1).trim();
  let result: Omit<JdbcTarget, 'notes' | 'driver'>;
  if (target.startsWith('(')) result = oracleDescriptor(target, notes);
  else {
    let t = target;
    let ssl = false;
    const proto = /^(tcps?):\/\//i.exec(t);
    if (proto) {
      ssl = proto[1].toLowerCase() === 'tcps';
      t = t.slice(proto[0].length);
    } else if (t.startsWith('//')) t = t.slice(2);
    else {
      // host:port:SID, the old form.
      const sid = /^([^:/]+):(\d+):([^:/?]+)$/.exec(t);
      if (sid) {
        notes.push(`The URL names an Oracle SID (${sid[3]}), not a service name. This app connects by service name, so the SID was entered as the service name: on most databases they are the same; if the connection test says the service is unknown, enter the service name (SELECT value FROM v$parameter WHERE name = 'service_names').`);
        return { driver: 'oracle', ...hostPort(`${sid[1]}:${sid[2]}`, 'Oracle'), database: sid[3], ...(user ? { user } : {}), notes };
      }
    }
    if (t.includes('?')) t = t.slice(0, t.indexOf('?'));
    const slash = t.indexOf('/');
    if (slash < 0) fail('the Oracle URL names no service (expected @//host:port/service); a TNS alias from tnsnames.ora cannot be read here: enter host, port and service by hand');
    const service = t.slice(slash + 1).split(':')[0];
    if (!/^[A-Za-z0-9._$#-]+$/.test(service)) fail('the Oracle service name is not valid');
    result = { ...hostPort(t.slice(0, slash), 'Oracle'), database: service, ...(ssl ? { ssl } : {}) };
  }
  return { driver: 'oracle', ...result, ...(user ? { user } : {}), notes };
}

/** (DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=h)(PORT=p))(CONNECT_DATA=(SERVICE_NAME=s))) with one address. */
function oracleDescriptor(text: string, notes: string[]): Omit<JdbcTarget, 'notes' | 'driver'> {
  const pairs = new Map<string, string[]>();
  let depth = 0;
  for (const m of text.matchAll(/\(\s*([A-Za-z_]+)\s*=\s*([^()]*?)\s*(?=[()])|(\))/g)) {
    if (m[3]) depth--;
    else {
      depth++;
      const key = m[1].toUpperCase();
      if (m[2]) pairs.set(key, [...(pairs.get(key) ?? []), m[2]]);
    }
  }
  if (depth !== 0 || !/^\(\s*DESCRIPTION\s*=/i.test(text)) fail('the Oracle (DESCRIPTION=…) in the URL is not balanced or does not start with DESCRIPTION');
  const hosts = pairs.get('HOST') ?? [];
  if (hosts.length !== 1) fail(`the Oracle (DESCRIPTION=…) names ${hosts.length} hosts: enter the host of the primary by hand`);
  const protocol = (pairs.get('PROTOCOL')?.[0] ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'TCPS') fail(`the Oracle (DESCRIPTION=…) uses protocol ${protocol.slice(0, 10)}: only TCP and TCPS can be used`);
  const service = pairs.get('SERVICE_NAME')?.[0];
  const sid = pairs.get('SID')?.[0];
  if (!service && !sid) fail('the Oracle (DESCRIPTION=…) has no SERVICE_NAME or SID');
  if (!service) notes.push(`The URL names an Oracle SID (${sid}), not a service name; it was entered as the service name: check it with the connection test.`);
  const portText = pairs.get('PORT')?.[0];
  const db = service ?? sid!;
  if (!/^[A-Za-z0-9._$#-]+$/.test(db)) fail('the Oracle service name is not valid');
  return { ...hostPort(hosts[0], 'Oracle'), ...(portText ? { port: port(portText, 'Oracle') } : {}), database: db, ...(protocol === 'TCPS' ? { ssl: true } : {}) };
}
