/**
 * `npm run sandbox -- --postgres URL | --mysql URL` on real servers: the Jira tables are created
 * in an empty database, a database with Jira tables the sandbox did not create is refused and
 * left untouched, --keep keeps the data and a fresh run empties it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { connectDatabase } from '../../src/core/db/connect';
import type { Driver } from '../../src/core/db/types';
import { configFromUrl, prepareServerDatabase } from '../../scripts/sandbox/serverDatabase';
import { createTestDatabase, MY, PG } from '../support/dbFixtures';

describe('sandbox on a database server: URLs', () => {
  it('turns a URL into a database section and keeps the password apart', () => {
    const { config, password } = configFromUrl('postgres', 'postgresql://jira%40ops:s3cr%2Ft@db.local:6543/sand%20box');
    assert.deepEqual(config, { driver: 'postgres', host: 'db.local', port: 6543, database: 'sand box', user: 'jira@ops', readOnly: false });
    assert.equal(password, 's3cr/t');
    assert.ok(!JSON.stringify(config).includes('s3cr'));
    assert.deepEqual(configFromUrl('mysql', 'mariadb://127.0.0.1/sbx').config, { driver: 'mysql', host: '127.0.0.1', database: 'sbx', user: 'root', readOnly: false });
  });

  it('says what is wrong with a bad URL', () => {
    assert.throws(() => configFromUrl('postgres', 'not a url'), /--postgres needs a URL like postgres:\/\//);
    assert.throws(() => configFromUrl('postgres', 'mysql://h/db'), /must start with postgres:\/\//);
    assert.throws(() => configFromUrl('mysql', 'mysql://127.0.0.1/'), /must name a database/);
  });
});

for (const engine of ['postgres', 'mysql'] as const) {
  describe(`sandbox on a database server: ${engine}`, function () {
    this.timeout(60_000);
    const name = `j2fa_sbx_${process.pid}_${randomBytes(3).toString('hex')}`;
    let driver: Driver;
    let drop: () => Promise<void>;

    before(async () => {
      if (engine === 'postgres') {
        const admin = new Client({ ...PG });
        await admin.connect();
        await admin.query(`CREATE SCHEMA "${name}"`);
        await admin.end();
        driver = await connectDatabase({ driver: 'postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, readOnly: false }, undefined, { schema: name });
        drop = async () => {
          const c = new Client({ ...PG });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
          await c.end();
        };
      } else {
        const admin = await mysql.createConnection({ ...MY });
        await admin.query(`CREATE DATABASE \`${name}\``);
        await admin.end();
        driver = await connectDatabase({ driver: 'mysql', host: MY.host, port: MY.port, database: name, user: MY.user, readOnly: false }, MY.password);
        drop = async () => {
          const c = await mysql.createConnection({ ...MY });
          await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await c.end();
        };
      }
    });

    after(async () => {
      await driver?.close();
      await drop?.();
    });

    const users = async () => Number((await driver.query('SELECT count(*) FROM app_user')).rows[0][0]);

    it('creates the tables in an empty database, keeps them with --keep, empties them on a fresh run', async () => {
      assert.equal(await prepareServerDatabase(driver, engine, false), false);
      await driver.query("INSERT INTO app_user (id, user_key, lower_user_name) VALUES (1, 'K1', 'one')");
      assert.equal(await prepareServerDatabase(driver, engine, true), true, '--keep reuses the data');
      assert.equal(await users(), 1);
      assert.equal(await prepareServerDatabase(driver, engine, false), false);
      assert.equal(await users(), 0, 'a fresh run starts empty');
      const q = driver.facts.quoteIdent;
      assert.equal(Number((await driver.query(`SELECT count(*) FROM ${q('AO_ED669C_TOTP_USER_ENROLLMENT')}`)).rows[0][0]), 0);
    });
  });
}

describe('sandbox on a database server: refuses a real Jira database', function () {
  this.timeout(60_000);

  it('leaves Jira tables it did not create alone', async () => {
    const tdb = await createTestDatabase('postgres');
    const driver = await tdb.connect();
    try {
      const before = await tdb.snapshot();
      await assert.rejects(prepareServerDatabase(driver, 'postgres', false), /already has Jira tables \(app_user, cwd_user, AO_ED669C_TOTP_USER_ENROLLMENT\) that the sandbox did not create/);
      await assert.rejects(prepareServerDatabase(driver, 'postgres', true), /did not create/);
      assert.deepEqual(await tdb.snapshot(), before, 'nothing changed');
    } finally {
      await driver.close();
      await tdb.drop();
    }
  });
});
