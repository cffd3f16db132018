/**
 * The team audit store's one table, per dialect, and the GRANTs for the role writers use:
 * INSERT and SELECT only. Without UPDATE or DELETE a writer cannot change or remove what is
 * there; the unique keys on (writer, seq) and on the entry id make a second, different entry
 * for one place in a writer's chain impossible (a fork is refused and reported) and a re-sent
 * entry a no-op.
 */
import type { StoreDriver } from './config';

export const STORE_TABLE = 'jira2fa_audit';

/** The columns written by a writer, in insert order (db_time is the database's own clock). */
export const STORE_COLUMNS = [
  'writer', 'seq', 'entry_id', 'prev_hash', 'hash', 'admin', 'computer', 'instance_id',
  'action', 'target', 'ticket', 'outcome', 'client_time', 'entry',
] as const;

/** The columns' definitions: the same on both dialects but for the database's clock and the long text. */
function columnDdl(driver: StoreDriver): string {
  const mysql = driver === 'mysql';
  return [
    'writer VARCHAR(700) NOT NULL',
    'seq BIGINT NOT NULL',
    'entry_id VARCHAR(64) NOT NULL',
    'prev_hash CHAR(64) NOT NULL',
    'hash CHAR(64) NOT NULL',
    'admin VARCHAR(1000) NOT NULL',
    'computer VARCHAR(64) NOT NULL',
    'instance_id VARCHAR(1000) NOT NULL',
    'action VARCHAR(1000) NOT NULL',
    'target VARCHAR(1000) NULL',
    'ticket VARCHAR(1000) NULL',
    'outcome VARCHAR(16) NOT NULL',
    'client_time VARCHAR(40) NOT NULL',
    mysql ? 'db_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)' : 'db_time TIMESTAMPTZ NOT NULL DEFAULT now()',
    mysql ? 'entry LONGTEXT NOT NULL' : 'entry TEXT NOT NULL',
  ].map((c) => `  ${c},`).join('\n');
}

/** CREATE TABLE (and index) statements, each safe to run again. */
export function initSql(driver: StoreDriver): string[] {
  if (driver === 'mysql') {
    return [
      `CREATE TABLE IF NOT EXISTS ${STORE_TABLE} (
${columnDdl(driver)}
  PRIMARY KEY (writer, seq),
  UNIQUE KEY ${STORE_TABLE}_entry_id (entry_id),
  KEY ${STORE_TABLE}_time (client_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${STORE_TABLE} (
${columnDdl(driver)}
  CONSTRAINT ${STORE_TABLE}_pk PRIMARY KEY (writer, seq),
  CONSTRAINT ${STORE_TABLE}_entry_id UNIQUE (entry_id)
)`,
    `CREATE INDEX IF NOT EXISTS ${STORE_TABLE}_time ON ${STORE_TABLE} (client_time)`,
  ];
}

/** The statements an administrator runs (as the table's owner) for the writers' role. */
export function grantSql(driver: StoreDriver, database: string, role = 'jira2fa_writer'): string[] {
  if (driver === 'mysql') {
    return [
      `CREATE USER '${role}'@'%' IDENTIFIED BY '<password>';`,
      `GRANT SELECT, INSERT ON \`${database.replace(/`/g, '``')}\`.${STORE_TABLE} TO '${role}'@'%';`,
    ];
  }
  return [
    `CREATE ROLE ${role} LOGIN PASSWORD '<password>';`,
    `GRANT CONNECT ON DATABASE "${database.replace(/"/g, '""')}" TO ${role};`,
    `GRANT USAGE ON SCHEMA public TO ${role};`,
    `GRANT SELECT, INSERT ON ${STORE_TABLE} TO ${role};`,
  ];
}
