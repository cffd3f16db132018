/**
 * Where the team audit store is: a PostgreSQL or MySQL/MariaDB database, described like an
 * instance's database (driver, host, port, database, user, TLS) and given to the CLI as a URL
 * in $JIRA2FA_AUDIT_STORE. The password never travels in the URL: it comes from
 * $JIRA2FA_AUDIT_STORE_PASSWORD or the keychain, and a URL that holds one is refused.
 */
import { AppError } from '../../errors';
import { hostOfUrl, parseDestinationUrl } from '../destinationUrl';
import type { DatabaseConfig } from '../../db/connect';

export type StoreDriver = 'postgres' | 'mysql';

export interface StoreConfig {
  driver: StoreDriver;
  host: string;
  port?: number;
  database: string;
  user?: string;
  /** false, true (system CAs) or a CA file. */
  ssl: boolean | { caFile: string };
}

/** The keychain entry of the store's password: "instance" audit-store, kind dbPassword. */
export const STORE_SECRET_ID = 'audit-store';
export const STORE_URL_ENV = 'JIRA2FA_AUDIT_STORE';
export const STORE_PASSWORD_ENV = 'JIRA2FA_AUDIT_STORE_PASSWORD';

const SCHEMES: Record<string, StoreDriver> = { 'postgres:': 'postgres', 'postgresql:': 'postgres', 'mysql:': 'mysql', 'mariadb:': 'mysql' };

function bad(message: string): AppError {
  return new AppError('input', `${STORE_URL_ENV} is not usable: ${message}`,
    'Write it as postgres://user@host:5432/database or mysql://user@host:3306/database, optionally with ?tls=1 or ?ca=/path/to/ca.pem; the password goes in $JIRA2FA_AUDIT_STORE_PASSWORD or the keychain.');
}

/** Parses the store URL. Throws AppError("input"), never quoting a password it found. */
export function parseStoreUrl(text: string): StoreConfig {
  const url = parseDestinationUrl(text, bad);
  const driver = SCHEMES[url.protocol];
  if (!driver) throw bad(`the scheme "${url.protocol.replace(/:$/, '')}" is not postgres, postgresql, mysql or mariadb`);
  if (url.password) throw bad('it holds a password; passwords are never taken from a URL (they would end up in shell history and process lists)');
  if (!url.hostname) throw bad('the host is missing');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw bad('the database name is missing (…/database at the end)');
  let ssl: StoreConfig['ssl'] = false;
  for (const [key, value] of url.searchParams) {
    if (key === 'tls') {
      if (!/^(1|true|on|0|false|off)$/i.test(value)) throw bad('tls must be 1 or 0');
      if (typeof ssl !== 'object') ssl = /^(1|true|on)$/i.test(value);
    } else if (key === 'ca') {
      if (!value) throw bad('ca must name a PEM file');
      ssl = { caFile: value };
    } else throw bad(`unknown option "${key}" (known: tls, ca)`);
  }
  const cfg: StoreConfig = { driver, host: hostOfUrl(url), database, ssl };
  if (url.port) cfg.port = Number(url.port);
  if (url.username) cfg.user = decodeURIComponent(url.username);
  return cfg;
}

/** The store as a database config for connectDatabase (the instance databases' own code). */
export function storeDatabaseConfig(cfg: StoreConfig): DatabaseConfig {
  return {
    driver: cfg.driver,
    host: cfg.host,
    ...(cfg.port ? { port: cfg.port } : {}),
    database: cfg.database,
    ...(cfg.user ? { user: cfg.user } : {}),
    ssl: cfg.ssl === false ? false : cfg.ssl === true ? true : { caFile: cfg.ssl.caFile, allowSelfSigned: false },
    readOnly: false,
  } as DatabaseConfig;
}

/** The store as a URL without password: its id in position files and messages. */
export function storeId(cfg: StoreConfig): string {
  const port = cfg.port ?? (cfg.driver === 'postgres' ? 5432 : 3306);
  const user = cfg.user ? `${encodeURIComponent(cfg.user)}@` : '';
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return `${cfg.driver}://${user}${host}:${port}/${encodeURIComponent(cfg.database)}`;
}

function settingError(message: string): AppError {
  return new AppError('input', `The setting jira2fa.audit.store is not usable: ${message}`, 'See README, "Audit for a team".');
}

/** The store from the editor setting jira2fa.audit.store (an object); undefined when unset. */
export function storeConfigFromSetting(value: unknown): StoreConfig | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw settingError('it is not an object');
  const v = value as Record<string, unknown>;
  if (v.driver !== 'postgres' && v.driver !== 'mysql') throw settingError('driver must be "postgres" or "mysql"');
  if (typeof v.host !== 'string' || !v.host.trim()) throw settingError('host is required');
  if (typeof v.database !== 'string' || !v.database.trim()) throw settingError('database is required');
  if (v.port !== undefined && !(Number.isInteger(v.port) && (v.port as number) >= 1 && (v.port as number) <= 65535)) throw settingError('port must be 1-65535');
  if (v.user !== undefined && typeof v.user !== 'string') throw settingError('user must be a text');
  if ('password' in v) throw settingError('it holds a password; run "Set Team Audit Store Password…" instead (the keychain)');
  let ssl: StoreConfig['ssl'] = false;
  if (v.ssl === true) ssl = true;
  else if (v.ssl && typeof v.ssl === 'object' && typeof (v.ssl as { caFile?: unknown }).caFile === 'string') ssl = { caFile: (v.ssl as { caFile: string }).caFile };
  else if (v.ssl !== undefined && v.ssl !== false) throw settingError('ssl must be true, false or { "caFile": "/path/ca.pem" }');
  const cfg: StoreConfig = { driver: v.driver, host: v.host.trim(), database: v.database, ssl };
  if (v.port !== undefined) cfg.port = v.port as number;
  if (v.user) cfg.user = v.user as string;
  return cfg;
}
