/**
 * Terminal escape injection (issue 13, finding 3): text from a server (the Cloud simulator),
 * a database (PostgreSQL), a file (profiles, audit log, snippets) or the command line goes
 * through the commands' plain and --json output, and no raw control, bidi or zero-width
 * character reaches stdout or stderr. The oracle (TERMINAL_UNSAFE) is written independently
 * of src/core/printable.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../../src/cli/context';
import type { CliCommand } from '../../src/cli/commands/types';
import { EnvSecretStore } from '../../src/cli/secrets';
import { AuditLog } from '../../src/core/audit/log';
import { AppError } from '../../src/core/errors';
import { sharedDispatchers } from '../../src/core/jira/dispatcher';
import { Redactor } from '../../src/core/redact';
import { standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { plantedSecrets } from '../support/simulatorMain';
import { CloudSimulator, ORG_ID, ORG_KEY, POLICY_OPTIONAL, standardCloudFixtures } from '../support/cloudSimulator';
import { createTestDatabase, type TestDatabase } from '../support/dbFixtures';
import { runCliInProcess, type InProcessRun } from '../support/cliInProcess';
import { HOSTILE_FOR_TERMINALS, TERMINAL_UNSAFE, label } from '../support/hostileCorpus';

type Run = InProcessRun;

const HOSTILE = HOSTILE_FOR_TERMINALS;
/** A snippet title holds one line of at most 100 characters. */
const TITLE_HOSTILE = ['\u001b[2J', '\u001b]0;t\u0007', '\u009b2J', 'u\u202egnp', '\u2066i\u2069', 'z\u200bw', 'b\ufeff', 'd\u007f'].join(' ');

/** Fails naming the first raw character and where it is. */
function assertSafe(r: Run, what: string, ownLines = false): void {
  for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const at = text.search(new RegExp(TERMINAL_UNSAFE.source, 'g'));
    if (at >= 0) {
      assert.fail(`${what}: raw U+${text.charCodeAt(at).toString(16).padStart(4, '0')} on ${stream} near ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 20))}`);
    }
    // A newline inside a value must not start a line of its own that looks like ours (ctx.out
    // itself prints several lines: values go through cell(), which escapes theirs).
    if (!ownLines) assert.doesNotMatch(text, /^forged: ok/m, `${what}: a value's newline forged a line on ${stream}`);
  }
}

function assertJson(r: Run, what: string, ownLines = false): unknown {
  assertSafe(r, what, ownLines);
  return JSON.parse(r.stdout);
}

describe('cli: no raw control character reaches the terminal (hostile corpus)', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-hostile-out-'));
    env = {
      JIRA2FA_PROFILES: path.join(dir, 'profiles.json'),
      JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'),
      JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'),
      JIRA2FA_BACKUP_DIR: path.join(dir, 'backups'),
      JIRA2FA_CLOUD_PENDING_FILE: path.join(dir, 'cloud-pending.json'),
      JIRA2FA_TOTP_LEDGER_FILE: path.join(dir, 'totp-windows.json'),
      JIRA2FA_ORG_API_KEY: ORG_KEY,
      JIRA2FA_ADMIN: 'ada',
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], commands?: readonly CliCommand[]): Promise<Run> => runCliInProcess(args, dir, new EnvSecretStore(env), env, { commands });

  function writeProfiles(instances: unknown[]): void {
    fs.writeFileSync(env.JIRA2FA_PROFILES, JSON.stringify({ version: 1, instances }));
  }

  it('every way a command prints (out, err, warn, a JSON result, an error and its hint) escapes what it is given', async () => {
    // The last guard: even a value a command forgot to pass through cell() cannot get out raw.
    const probe = {
      register(program: Command, ctx: CliContext) {
        program.command('probe').option('--fail').action((opts: { fail?: boolean }) => {
          for (const h of HOSTILE) {
            ctx.out(`out ${h}`);
            ctx.err(`err ${h}`);
            ctx.warn(`warn ${h}`);
          }
          if (opts.fail) throw new AppError('input', `bad ${HOSTILE.join(' ')}`, `hint ${HOSTILE.join(' ')}`);
          ctx.result({ ok: true, values: HOSTILE, nested: { [HOSTILE[0]]: HOSTILE } }, () => ctx.out(HOSTILE.join(' | ')));
        });
      },
    };
    assertSafe(await run(['probe'], [probe]), 'probe', true);
    const parsed = assertJson(await run(['probe', '--json'], [probe]), 'probe --json', true) as { values: string[] };
    assert.deepEqual(parsed.values, HOSTILE, 'the JSON escapes are only escapes: the values read back unchanged');
    const failed = await run(['probe', '--fail'], [probe]);
    assert.equal(failed.code, 2);
    assertSafe(failed, 'probe --fail', true);
    assertJson(await run(['probe', '--fail', '--json'], [probe]), 'probe --fail --json', true);
    // Commander's own messages quote the command line.
    assertSafe(await run([HOSTILE[0], '--json']), 'an unknown command');
    assertSafe(await run(['probe', `--${HOSTILE[1]}`], [probe]), 'an unknown option');
  });

  it('instances list, audit show/verify, credentials list: names and entries from files', async () => {
    writeProfiles(HOSTILE.map((h, i) => ({ id: `i${i}`, name: `n ${h}`, product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test' })));
    const log = new AuditLog(env.JIRA2FA_AUDIT_FILE, { redactor: new Redactor() });
    await log.appendMany(HOSTILE.map((h) => ({ admin: `a ${h}`, instance: { id: `i ${h}`, name: h, baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: `t ${h}`, outcome: 'ok', message: `m ${h}` })));
    for (const args of [['instances', 'list'], ['audit', 'show', '--limit', '1000'], ['audit', 'verify'], ['credentials', 'list'], ['audit', 'show', '--instance', HOSTILE[0]]]) {
      assertSafe(await run(args), args.join(' '));
      assertJson(await run([...args, '--json']), `${args.join(' ')} --json`);
    }
    // A damaged line: verify quotes what it found.
    fs.appendFileSync(env.JIRA2FA_AUDIT_FILE, `${HOSTILE.join(' ')}\n`);
    for (const args of [['audit', 'verify'], ['audit', 'show']]) {
      assertSafe(await run(args), `${args.join(' ')} (damaged)`);
      assertJson(await run([...args, '--json']), `${args.join(' ')} --json (damaged)`);
    }
  });

  describe('cloud find, move, move-back, pending: names from the Cloud API', () => {
    let sim: CloudSimulator;
    beforeEach(async () => {
      const f = standardCloudFixtures();
      f.policies = f.policies.map((p, i) => ({ ...p, name: `${p.name} ${HOSTILE[i % HOSTILE.length]}` }));
      f.users = HOSTILE.map((h, i) => ({ accountId: `712020:hostile-${i}`, email: `u${i}@example.com`, name: h, mfaEnabled: i % 2 === 0, managed: true }));
      f.membership = Object.fromEntries(f.users.map((u) => [u.accountId, f.policies[0].id]));
      sim = await CloudSimulator.start({ fixtures: f, pollsToFinish: 0 });
      writeProfiles([{ id: 'acme', name: 'Acme', product: 'cloud', baseUrl: sim.baseUrl, environment: 'test', orgId: ORG_ID }]);
    });
    afterEach(async () => {
      await sharedDispatchers.closeAll();
      await sim.stop();
    });

    it('prints every user and policy name escaped', async () => {
      for (const i of [0, 1, 5, HOSTILE.length - 1]) {
        const args = ['cloud', 'find', '--instance', 'acme', '--query', `u${i}@example.com`];
        const r = await run(args);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`<u${i}@example\\.com>`), 'the user was found and printed');
        assertSafe(r, `cloud find ${label(HOSTILE[i])}`);
        assertJson(await run([...args, '--json']), `cloud find --json ${label(HOSTILE[i])}`);
      }
      // A query no user matches is quoted back.
      assertSafe(await run(['cloud', 'find', '--instance', 'acme', '--query', HOSTILE[0]]), 'cloud find (hostile query)');
      const moved = await run(['cloud', 'move', '--instance', 'acme', '--user', 'u0@example.com', '--to', POLICY_OPTIONAL]);
      assertSafe(moved, 'cloud move');
      assertSafe(await run(['cloud', 'pending', '--instance', 'acme']), 'cloud pending');
      assertJson(await run(['cloud', 'pending', '--instance', 'acme', '--json']), 'cloud pending --json');
      assertJson(await run(['cloud', 'move-back', '--instance', 'acme', '--user', 'u0@example.com', '--json']), 'cloud move-back --json');
      // The server's own error text.
      sim.setFault({ type: 'status', status: 500, json: { message: HOSTILE.join(' ') } });
      const failed = await run(['cloud', 'find', '--instance', 'acme', '--query', 'u1@example.com']);
      assertSafe(failed, 'cloud find (server error)');
      assert.match(failed.stderr, /Server said: "zeroU\+200Bwidth U\+200D/, `the server's text was printed, escaped: ${failed.stderr}`);
      assertJson(await run(['cloud', 'find', '--instance', 'acme', '--query', 'u1@example.com', '--json']), 'cloud find --json (server error)');
    });
  });

  describe('unenroll, test: user names and server messages from Jira (simulator)', () => {
    let sim: JiraSimulator;
    beforeEach(async () => {
      const secrets = plantedSecrets();
      const fixtures = standardFixtures();
      fixtures.tokens[secrets.token] = 'admin';
      fixtures.enrollments.admin = secrets.seed;
      sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(fixtures) });
      Object.assign(env, { JIRA2FA_TOKEN: secrets.token, JIRA2FA_TOTP_SECRET: secrets.seed });
      writeProfiles([{ id: 'sim', name: 'Sim', product: 'jira', baseUrl: sim.baseUrl, environment: 'test' }]);
    });
    afterEach(async () => {
      await sharedDispatchers.closeAll();
      await sim.stop();
    });

    it('prints hostile user names and server error texts escaped', async () => {
      // Names the client refuses before any request, plain and --json (no code spent).
      for (const user of HOSTILE.filter((h) => /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(h)).slice(0, 6)) {
        const plain = await run(['unenroll', '--instance', 'sim', '--user', user]);
        assert.equal(plain.code, 2, plain.stderr);
        assertSafe(plain, `unenroll ${label(user)}`);
        assertJson(await run(['unenroll', '--instance', 'sim', '--user', user, '--json']), `unenroll --json ${label(user)}`);
      }
      // One that reaches the server, answered "no such user" by the lookup the CLI makes first
      // (invisible characters are refused now, so a visible look-alike: U+2400 and markup).
      const sent = await run(['unenroll', '--instance', 'sim', '--user', 'ghost\u2400<b>x</b>', '--json']);
      assert.equal(sent.code, 1, sent.stderr);
      assert.equal(sim.requestsOf('DELETE').length, 0, 'the unknown user was told before any code was sent');
      assert.ok(sim.requestsOf('GET').length > 0);
      assertJson(sent, 'unenroll --json (sent)');
      const message = HOSTILE.join(' ');
      for (const fault of [{ type: 'status' as const, status: 500, json: { errorMessages: [message], message } }, { type: 'status' as const, status: 400, text: message }]) {
        sim.setFault(fault, { times: 4 });
        const r = await run(['test', '--instance', 'sim']);
        assertSafe(r, `test (HTTP ${fault.status})`);
        assertJson(await run(['test', '--instance', 'sim', '--json']), `test --json (HTTP ${fault.status})`);
      }
    });
  });

  describe('sql list, sql run, backups list: text from a database and snippet files (PostgreSQL)', () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase('postgres', { pgDatabase: true });
      const d = await tdb.connect();
      try {
        await d.transaction(async (tx) => {
          // PostgreSQL text cannot hold NUL.
          for (const [i, h] of HOSTILE.filter((x) => !x.includes('\u0000')).entries()) {
            await tx.query('INSERT INTO app_user (id, user_key, lower_user_name) VALUES (:id, :k, :n)', { id: 90000 + i, k: `HOSTILE${i}`, n: h });
          }
        });
      } finally {
        await d.close();
      }
    });
    after(async () => {
      await tdb?.drop();
    });

    it('prints every row, snippet title and diagnostic escaped', async () => {
      writeProfiles([{ id: 'db', name: 'DB', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...tdb.profile(false).database!, readOnly: false } }]);
      const snippets = path.join(dir, 'snippets');
      fs.mkdirSync(snippets);
      fs.writeFileSync(path.join(snippets, 'names.sql'), [
        '-- @name my.names',
        `-- @title Names ${TITLE_HOSTILE}`,
        '-- @products jira',
        '-- @dialects all',
        '-- @kind read',
        'SELECT id AS "id", lower_user_name AS "name" FROM app_user ORDER BY id',
      ].join('\n'));
      fs.writeFileSync(path.join(snippets, 'broken.sql'), `-- @name ${HOSTILE[0]}\n-- @kind ${HOSTILE[1]}\nSELECT 1`);
      for (const args of [['sql', 'list', '--instance', 'db', '--snippets-dir', snippets], ['sql', 'run', '--instance', 'db', '--snippet', 'my.names', '--snippets-dir', snippets], ['backups', 'list']]) {
        const r = await run(args);
        assert.equal(r.code, 0, r.stderr);
        assertSafe(r, args.slice(0, 2).join(' '));
        assertJson(await run([...args, '--json']), `${args.slice(0, 2).join(' ')} --json`);
      }
      const rows = (JSON.parse((await run(['sql', 'run', '--instance', 'db', '--snippet', 'my.names', '--snippets-dir', snippets, '--json'])).stdout) as { rows: Array<{ name: string }> }).rows;
      assert.ok(rows.some((r) => r.name === HOSTILE[0]), 'the --json value reads back as stored');
    });
  });
});
