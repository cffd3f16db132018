// Import Database from dbconfig.xml…: a hostile file (DOCTYPE with an entity) is refused with a
// message naming the problem and changes nothing; then a real dbconfig.xml whose JDBC URL
// points at a fresh PostgreSQL database, whose Jira tables live in the schema "jiraschema"
// (public holds same-named decoys), is previewed (each changed field listed) and imported; the
// password in the file is not imported (settings hold none), the keychain input box is
// offered instead; Test Database Connection on the imported section finds the schema's table.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const name = 'import the database of an instance from dbconfig.xml (hostile file refused; schema, no password; test connection)';
export const timeoutMs = 240000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DB = `j2fa_e2e_dbc_${process.pid}_${randomBytes(3).toString('hex')}`;
const INSTANCE = 'E2E dbconfig Jira';
const PG_HOST = process.env.J2FA_TEST_PG_HOST ?? '127.0.0.1';
const FILE_PASSWORD = `never-imported-${randomBytes(4).toString('hex')}`;

export const settings = {
  'jira2fa.instances': [{ id: 'e2e-dbconfig-jira', name: INSTANCE, product: 'jira', baseUrl: 'https://jira-dbconfig.e2e.example.com', environment: 'staging' }],
};

function fixture(command) {
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'test', 'support', 'dbFixtureCli.ts'), command, DB], { cwd: ROOT, stdio: 'inherit' });
}

async function moveToSchema() {
  const c = new pg.Client({ host: PG_HOST, port: 5432, user: 'postgres', database: DB });
  await c.connect();
  try {
    await c.query('CREATE SCHEMA jiraschema');
    for (const t of ['app_user', 'cwd_user', 'user_mapping', 'AO_ED669C_TOTP_USER_ENROLLMENT', 'AO_ED669C_TOTP_CODES']) {
      await c.query(`ALTER TABLE public."${t}" SET SCHEMA jiraschema`);
      await c.query(`CREATE TABLE public."${t}" AS TABLE jiraschema."${t}" WITH NO DATA`);
    }
  } finally {
    await c.end();
  }
}

const dbconfig = () => `<?xml version="1.0" encoding="UTF-8"?>
<jira-database-config>
  <name>defaultDS</name>
  <delegator-name>default</delegator-name>
  <database-type>postgres72</database-type>
  <schema-name>jiraschema</schema-name>
  <jdbc-datasource>
    <url>jdbc:postgresql://${PG_HOST}:5432/${DB}</url>
    <driver-class>org.postgresql.Driver</driver-class>
    <username>postgres</username>
    <password>${FILE_PASSWORD}</password>
    <pool-min-size>20</pool-min-size>
  </jdbc-datasource>
</jira-database-config>
`;

export async function run({ pages, shot, log, assert, waitUntil, readUserSettings, server }) {
  const { tree, instanceForm, commands, dialogs, notifications, quick } = pages;
  fixture('create');
  await moveToSchema();
  log(`fixture database ${DB} created, tables moved to jiraschema, empty decoys in public`);
  const dir = path.join(server.workspace, 'jira-home');
  fs.mkdirSync(dir, { recursive: true });
  const hostile = path.join(dir, 'hostile-dbconfig.xml');
  fs.writeFileSync(hostile, `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n<jira-database-config><database-type>&lol2;</database-type></jira-database-config>\n`);
  const good = path.join(dir, 'dbconfig.xml');
  fs.writeFileSync(good, dbconfig());
  try {
    await tree.open();
    await tree.waitForRow(INSTANCE);
    await shot('instance-without-database');

    // 1. a hostile file: refused, named, nothing changed
    const refusal = await commands.importDbConfig(INSTANCE, hostile);
    assert.match(refusal, /DOCTYPE or other declaration is not allowed/);
    await shot('hostile-file-refused');
    await dialogs.dismiss();
    assert.equal(readUserSettings()['jira2fa.instances'][0].database, undefined, 'a refused file changes nothing');

    // 2. the real dbconfig.xml: preview of each changed field, then import
    const preview = await commands.importDbConfig(INSTANCE, good);
    for (const line of [/database\.driver: \(unset\) → postgres/, /database\.host: \(unset\) → /, /database\.database: \(unset\) → j2fa_e2e_dbc_/, /database\.schema: \(unset\) → jiraschema/, /password in the file was not imported/, /asked for the database password next/]) {
      assert.match(preview, line);
    }
    assert.ok(!preview.includes(FILE_PASSWORD), 'the preview never shows the password in the file');
    await shot('import-preview');
    await dialogs.answer('Import');

    // 3. offered: the keychain input for the database password (PostgreSQL here trusts, any value works)
    await notifications.answer('Imported the database settings', 'Set Database Password…');
    await quick.type('typed-into-the-keychain');
    await notifications.waitFor('Stored the database password');
    await shot('password-stored-in-keychain');

    const saved = await waitUntil(() => readUserSettings()['jira2fa.instances'].find((p) => p.database), { message: 'the database section in settings.json' });
    assert.deepEqual(saved.database, { driver: 'postgres', host: PG_HOST, port: 5432, database: DB, user: 'postgres', readOnly: true, schema: 'jiraschema' });
    assert.ok(!JSON.stringify(readUserSettings()).includes(FILE_PASSWORD), 'the password in the file never reaches settings.json');

    // 4. Test Database Connection on the imported section: the schema's table and its 8 rows (the decoys are empty)
    await tree.click(INSTANCE);
    await tree.waitForRow('Database');
    await tree.click('Database');
    await tree.waitForRowText('Database', /PostgreSQL .*· 8 enrolled/, { message: 'Database node shows "PostgreSQL … · 8 enrolled"', timeout: 30000 });
    await shot('imported-database-tested');

    // 5. the Edit form shows the imported schema; on MySQL it says the database is the schema
    await instanceForm.openEdit(INSTANCE);
    await instanceForm.waitFor('dbSchema');
    assert.equal(await instanceForm.value('dbSchema'), 'jiraschema');
    await instanceForm.scrollTo('dbSchema');
    await shot('form-schema-field');
    await instanceForm.set('dbDriver', 'mysql');
    await instanceForm.waitFor('dbSchema-mysql');
    assert.equal(await instanceForm.shows('dbSchema-group'), false, 'no schema field on MySQL');
    await instanceForm.scrollTo('dbSchema-mysql');
    await shot('form-mysql-note');
    await instanceForm.cancel();
  } finally {
    try {
      fixture('drop');
    } catch (e) {
      log(`could not drop ${DB}: ${e.message}`);
    }
  }
}
