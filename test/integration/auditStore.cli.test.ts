/**
 * The CLI on the team audit store (PostgreSQL and MariaDB): a URL with a password refused,
 * `audit store init` and its GRANTs applied for a real insert-and-select-only role that can
 * ship but not change or delete, shipping at the end of a command that appended, `audit show
 * --store` with filters, `audit verify --store`, and `audit store status` while the store is down.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { EnvSecretStore } from '../../src/cli/secrets';
import { grantSql, STORE_TABLE } from '../../src/core/audit/store/schema';
import { openStore, storeCounts } from '../../src/core/audit/store/open';
import { runCliInProcess, type InProcessRun } from '../support/cliInProcess';
import { createTestStore, type StoreEngine, type TestStore } from '../support/auditStoreKit';
import { MY, PG } from '../support/dbFixtures';
import { freePort } from '../support/rsyslog';

type Run = InProcessRun;

for (const engine of ['postgres', 'mysql'] as StoreEngine[]) {
  describe(`jira2fa audit store on ${engine === 'postgres' ? 'PostgreSQL' : 'MariaDB'}`, function () {
    this.timeout(120_000);
    let store: TestStore;
    let dir: string;
    let env: Record<string, string>;
    let url: string;

    before(async () => {
      store = await createTestStore(engine);
      url = `${engine}://${store.cfg.user}@${store.cfg.host}:${store.cfg.port}/${store.cfg.database}`;
    });
    after(async () => store?.db.drop());
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-storecli-'));
      const db = store.db.profile(false).database!;
      fs.writeFileSync(path.join(dir, 'profiles.json'), JSON.stringify({
        version: 1,
        instances: [{ id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, readOnly: true } }],
      }));
      env = {
        JIRA2FA_PROFILES: path.join(dir, 'profiles.json'),
        JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'),
        JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'),
        XDG_STATE_HOME: path.join(dir, 'state'),
        JIRA2FA_ADMIN: 'cli-admin',
        JIRA2FA_AUDIT_STORE: url,
      };
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const run = (...args: string[]): Promise<Run> => runCliInProcess(args, dir, new EnvSecretStore(env), env);

    it('refuses a store URL that holds a password, without repeating it', async () => {
      env.JIRA2FA_AUDIT_STORE = `${engine}://writer:Sup3rSecretPw@127.0.0.1:5432/audit`;
      const r = await run('audit', 'store', 'status');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /JIRA2FA_AUDIT_STORE is not usable: it holds a password/);
      assert.doesNotMatch(r.stderr + r.stdout, /Sup3rSecretPw/);
    });

    it('init creates the table and prints GRANTs that give a role insert and select only', async () => {
      const r = await run('audit', 'store', 'init');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /GRANT SELECT, INSERT ON .*jira2fa_audit TO/);
      // Apply the printed statements for a role of this run (the role name is cluster-wide).
      const role = `j2fa_w_${randomBytes(4).toString('hex')}`;
      const stmts = grantSql(store.cfg.driver, store.cfg.database, role).map((s) => s.replace('<password>', 'writer-pw').replace(/;$/, ''));
      if (engine === 'postgres') {
        const c = new Client({ ...PG, database: store.cfg.database });
        await c.connect();
        for (const s of stmts) await c.query(s);
        await c.end();
      } else {
        const c = await mysql.createConnection({ ...MY });
        for (const s of stmts) await c.query(s);
        await c.end();
      }
      try {
        env.JIRA2FA_AUDIT_STORE = `${engine}://${role}@${store.cfg.host}:${store.cfg.port}/${store.cfg.database}`;
        env.JIRA2FA_AUDIT_STORE_PASSWORD = 'writer-pw';
        const read = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.count-enrolled');
        assert.equal(read.code, 0, read.stderr);
        assert.doesNotMatch(read.stderr, /wait/, 'shipped at the end of the command');
        const writer = await openStore({ ...store.cfg, user: role }, 'writer-pw');
        try {
          assert.equal((await storeCounts(writer)).rows, 1);
          await assert.rejects(writer.query(`UPDATE ${STORE_TABLE} SET outcome = 'ok'`), /(permission denied|command denied)/i);
          await assert.rejects(writer.query(`DELETE FROM ${STORE_TABLE}`), /(permission denied|command denied)/i);
        } finally {
          await writer.close();
        }
      } finally {
        if (engine === 'postgres') {
          const c = new Client({ ...PG, database: store.cfg.database });
          await c.connect();
          await c.query(`DROP OWNED BY ${role}`);
          await c.query(`DROP ROLE ${role}`);
          await c.end();
        } else {
          const c = await mysql.createConnection({ ...MY });
          await c.query(`DROP USER '${role}'@'%'`);
          await c.end();
        }
        const d = await openStore(store.cfg, store.password);
        await d.query(`DELETE FROM ${STORE_TABLE}`);
        await d.close();
      }
    });

    it('a command that appended ships at its end; show --store filters; verify --store agrees with the local log', async () => {
      assert.equal((await run('audit', 'store', 'init')).code, 0);
      for (const user of ['alice', 'bob']) {
        const r = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.is-enrolled', '--param', `username=${user}`);
        assert.equal(r.code, 0, r.stderr);
      }
      const status = await run('audit', 'store', 'status', '--json');
      assert.equal(status.code, 0, status.stderr);
      assert.equal(JSON.parse(status.stdout).destinations[0].backlog, 0);
      const shown = await run('audit', 'show', '--store', '--admin', 'cli-admin', '--target', 'bob', '--json');
      assert.equal(shown.code, 0, shown.stderr);
      const rows = JSON.parse(shown.stdout).rows as Array<{ entry: { target: string; admin: string }; writer: string }>;
      assert.ok(rows.length >= 1);
      assert.ok(rows.every((x) => x.entry.target === 'bob' && x.entry.admin === 'cli-admin'));
      const table = await run('audit', 'show', '--store');
      assert.match(table.stdout, /^TIME\s+ADMIN\s+COMPUTER/m);
      const v = await run('audit', 'verify', '--store');
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /^OK +cli-admin@[0-9a-f]{16}: \d+ entries/m);
      assert.match(v.stdout, /the local log agrees/);
      // A row removed in the store is named by the cross-check.
      const d = await openStore(store.cfg, store.password);
      await d.query(`DELETE FROM ${STORE_TABLE} WHERE seq = 1`);
      await d.close();
      const broken = await run('audit', 'verify', '--store');
      assert.equal(broken.code, 1);
      assert.match(broken.stdout, /missing number 1/);
      assert.match(broken.stdout, /^MISSING FROM STORE {2}[0-9a-f]{16}/m);
    });

    it('store down: the action still succeeds, a warning says how many wait and why, status exits 3', async () => {
      env.JIRA2FA_AUDIT_STORE = `${engine}://${store.cfg.user}@127.0.0.1:${await freePort()}/${store.cfg.database}`;
      const r = await run('sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.count-enrolled');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: 1 audit entry waits for the team audit store .*refused/);
      const s = await run('audit', 'store', 'status');
      assert.equal(s.code, 3);
      assert.match(s.stdout, /backlog 1 {2}\(Cannot connect/);
    });
  });
}
