/**
 * `jira2fa instances db-import` against the real PostgreSQL and MariaDB: a dbconfig.xml whose
 * JDBC URL points at a fixture database is imported, then `jira2fa sql run` uses the imported
 * section to read a recovery code. That the right rows come back is the check of the JDBC URL
 * parser (host, port, database, %-escapes, default port) and of <schema-name> against the real
 * servers. On PostgreSQL the tables live in a schema of their own and public holds decoys
 * with other recovery codes, so a wrong schema would answer with a decoy's code.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EnvSecretStore } from '../../src/cli/secrets';
import { runCliInProcess } from '../support/cliInProcess';
import { ENROLLMENT, ENROLLMENTS, MY, PG, createTestDatabase, type TestDatabase } from '../support/dbFixtures';

const dbconfig = (type: string, url: string, user: string, schema?: string) => `<?xml version="1.0" encoding="UTF-8"?>
<jira-database-config>
  <name>defaultDS</name>
  <delegator-name>default</delegator-name>
  <database-type>${type}</database-type>
  ${schema ? `<schema-name>${schema}</schema-name>` : ''}
  <jdbc-datasource>
    <url>${url}</url>
    <driver-class>org.postgresql.Driver</driver-class>
    <username>${user}</username>
    <password>not-the-real-password</password>
    <pool-min-size>20</pool-min-size>
  </jdbc-datasource>
</jira-database-config>
`;

const alice = ENROLLMENTS.find((e) => e.USER_KEY === 'JIRAUSER10100')!;

describe('jira2fa instances db-import on the real databases', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;
  let profilesFile: string;

  const run = (...args: string[]) => runCliInProcess(args, dir, new EnvSecretStore(env), env);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-dbimport-'));
    profilesFile = path.join(dir, 'profiles.json');
    const other = { id: 'other', name: 'Other', product: 'confluence', baseUrl: 'https://c.example.com', environment: 'test', someFutureField: 1 };
    fs.writeFileSync(profilesFile, JSON.stringify({ version: 1, instances: [{ id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'production' }, other] }), { mode: 0o600 });
    env = {
      JIRA2FA_PROFILES: profilesFile,
      JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'),
      JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'),
      JIRA2FA_BACKUP_DIR: path.join(dir, 'backups'),
      JIRA2FA_ADMIN: 'cli-test',
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const profileOf = (id: string) => (JSON.parse(fs.readFileSync(profilesFile, 'utf8')).instances as Array<Record<string, any>>).find((p) => p.id === id)!; // eslint-disable-line @typescript-eslint/no-explicit-any

  async function importAndRead(xml: string) {
    fs.writeFileSync(path.join(dir, 'dbconfig.xml'), xml);
    const imp = await run('instances', 'db-import', '--instance', 'prod-jira', '--file', 'dbconfig.xml');
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /jira2fa login --instance prod-jira --kind db/);
    assert.match(imp.stderr, /database password in the file was not imported/);
    assert.ok(!fs.readFileSync(profilesFile, 'utf8').includes('not-the-real-password'));
    const read = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.recovery-code', '--param', 'username=alice', '--reveal-recovery-codes', '--json');
    assert.equal(read.code, 0, read.stderr);
    return { imp, rows: JSON.parse(read.stdout).rows as Array<Record<string, unknown>> };
  }

  describe('PostgreSQL, tables in a schema of their own, decoys in public', () => {
    let tdb: TestDatabase;
    let dbName: string;
    before(async () => {
      tdb = await createTestDatabase('postgres', { pgDatabase: true });
      dbName = tdb.profile(false).database!.database;
      const c = new Client({ ...PG, database: dbName });
      await c.connect();
      await c.query('CREATE SCHEMA jiraschema');
      for (const t of ['app_user', 'cwd_user', 'user_mapping', ENROLLMENT, 'AO_ED669C_TOTP_CODES']) {
        await c.query(`ALTER TABLE public."${t}" SET SCHEMA jiraschema`);
        await c.query(`CREATE TABLE public."${t}" AS TABLE jiraschema."${t}"`);
      }
      await c.query(`UPDATE public."${ENROLLMENT}" SET "RECOVERY_CODE" = 'DECOY-' || "RECOVERY_CODE"`);
      await c.end();
    });
    after(async () => tdb?.drop());

    it('imports host, port, %-escaped database name and <schema-name>; the CLI then reads the schema\'s rows', async () => {
      const escaped = dbName.replace(/_/g, '%5F');
      const { imp, rows } = await importAndRead(dbconfig('postgres72', `jdbc:postgresql://${PG.host}:${PG.port}/${escaped}?sslmode=disable&amp;tcpKeepAlive=true`, PG.user, 'jiraschema'));
      assert.match(imp.stdout, /database\.schema\s+\(unset\)\s+jiraschema/);
      assert.deepEqual(profileOf('prod-jira').database, { driver: 'postgres', host: PG.host, port: PG.port, database: dbName, user: PG.user, readOnly: true, schema: 'jiraschema' });
      assert.deepEqual(rows, [{ recovery_code: alice.RECOVERY_CODE, username: 'alice', user_key: 'JIRAUSER10100' }]);
      // The other entry, unknown field and all, is written back as it was.
      assert.equal(profileOf('other').someFutureField, 1);
      assert.equal(fs.statSync(profilesFile).mode & 0o777, 0o600);
    });

    it('without <schema-name> the login\'s default schema answers: the decoy (what the schema protects from)', async () => {
      const { rows } = await importAndRead(dbconfig('postgres72', `jdbc:postgresql://${PG.host}:${PG.port}/${dbName}`, PG.user));
      assert.equal(rows[0].recovery_code, `DECOY-${alice.RECOVERY_CODE}`);
    });

    it('--dry-run shows the changes and writes nothing; a broken file changes nothing', async () => {
      const before = fs.readFileSync(profilesFile, 'utf8');
      fs.writeFileSync(path.join(dir, 'dbconfig.xml'), dbconfig('postgres72', `jdbc:postgresql://${PG.host}/${dbName}`, PG.user, 'jiraschema'));
      const dry = await run('instances', 'db-import', '--instance', 'prod-jira', '--file', 'dbconfig.xml', '--dry-run', '--json');
      assert.equal(dry.code, 0, dry.stderr);
      const out = JSON.parse(dry.stdout);
      assert.equal(out.written, false);
      assert.deepEqual(out.changes.map((c: { field: string }) => c.field), ['database.driver', 'database.host', 'database.database', 'database.user', 'database.schema']);
      assert.equal(fs.readFileSync(profilesFile, 'utf8'), before);
      fs.writeFileSync(path.join(dir, 'bad.xml'), '<!DOCTYPE x [<!ENTITY a "b">]><jira-database-config/>');
      const bad = await run('instances', 'db-import', '--instance', 'prod-jira', '--file', 'bad.xml');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /DOCTYPE or other declaration is not allowed/);
      assert.equal(fs.readFileSync(profilesFile, 'utf8'), before);
    });
  });

  describe('MariaDB', () => {
    let tdb: TestDatabase;
    let dbName: string;
    before(async () => {
      tdb = await createTestDatabase('mysql');
      dbName = tdb.profile(false).database!.database;
    });
    after(async () => tdb?.drop());

    it('imports a mysql URL with its query string (and the default port of a mariadb URL); the CLI reads the rows', async () => {
      const { rows } = await importAndRead(dbconfig('mysql8', `jdbc:mysql://${MY.host}:${MY.port}/${dbName}?useUnicode=true&amp;characterEncoding=UTF8&amp;sessionVariables=default_storage_engine=InnoDB`, MY.user, 'public'));
      assert.deepEqual(profileOf('prod-jira').database, { driver: 'mysql', host: MY.host, port: MY.port, database: dbName, user: MY.user, readOnly: true });
      assert.equal(rows[0].recovery_code, alice.RECOVERY_CODE);
      if (MY.port === 3306) {
        const second = await importAndRead(dbconfig('mysql8', `jdbc:mariadb://${MY.host}/${dbName}`, MY.user));
        assert.equal(profileOf('prod-jira').database.port, undefined);
        assert.equal(second.rows[0].recovery_code, alice.RECOVERY_CODE);
      }
    });
  });
});
