/**
 * No secret in any output. Unique values are planted (a token, a token the server rejects, a
 * password, the admin's TOTP seed, a database password: fresh random per run, so a hit can only
 * be a leak), real flows run with them, including failing ones and servers that echo the
 * credentials back in their error text, and then ONE sweep searches every output for the planted
 * values and for every TOTP code that was sent:
 *  - the CLI (dist/cli.js, secrets from JIRA2FA_* variables, JIRA2FA_DEBUG on for stack traces)
 *    against the Jira simulator: stdout, stderr, and every file under the run's folder (its
 *    working directory, HOME and XDG dirs: audit file, CSV export, profiles file, state);
 *  - the unenroll panel controller on the real core: every message posted to the webview, every
 *    log line, the audit file;
 *  - the database recovery flows on the real PostgreSQL, in-process (core) and through the CLI
 *    (`sql run`, `backups restore`, an unreachable database): messages, audit, backup files;
 *  - the VSIX: the real packaging (scripts/package.mjs, the real .vscodeignore) of a copy of the
 *    repository's packaging inputs with planted secrets in .sandbox/, .e2e/, test-results/ and
 *    other local files; every entry of the .vsix is inflated and searched.
 * Each search is checked to see what it should (positive controls), so it cannot pass empty.
 * (The extension's settings and webview state in the real editor are covered by the e2e suite.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import { restoreBackup } from '../../src/core/recovery/restore';
import { BackupStore } from '../../src/core/backup/store';
import { createJiraClient } from '../../src/core/jira/client';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { executeDestructiveSnippet, runReadSnippet } from '../../src/core/recovery/runSnippet';
import { redactor } from '../../src/core/redact';
import { redactInstanceSecrets, type SecretKind, type SecretStore } from '../../src/core/secrets';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { codeAt, decodeSeed, ReplayGuard } from '../../src/core/totp';
import { testConnection, type ConnectionReport } from '../../src/core/jira/testConnection';
import { unenrollUser } from '../../src/core/unenroll';
import { UnenrollController, type UnenrollBackend } from '../../src/extension/unenroll/controller';
import type { ToUnenroll } from '../../src/webview/unenroll/protocol';
import { assertCliBuilt, cliEnv, runCli, type CliRun } from '../support/cliRunner';
import { createTestDatabase } from '../support/dbFixtures';
import { standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { plantedSecrets, randomSeed, wrongCode } from '../support/simulatorMain';

type Planted = ReturnType<typeof plantedSecrets>;
type Texts = Record<string, string>;

const REPO = path.resolve(__dirname, '..', '..');

/** Every file under a folder, read as bytes-as-text (latin1: binary files too, ASCII secrets match). */
function filesUnder(root: string): Texts {
  const out: Texts = {};
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    else if (st.isFile()) out[path.relative(root, p)] = fs.readFileSync(p, 'latin1');
  };
  walk(root);
  return out;
}

/**
 * The one sweep: "where: label" for each secret found in each text, whole or any of its words of
 * 8+ characters (a pattern that masks only up to a space must not count as masked), and
 * "where: TOTP code c" for each sent code standing alone (as a JSON value or a word: not inside
 * a longer run of digits or letters, such as a hex hash).
 */
function sweep(texts: Texts, secrets: Record<string, string>, codes: string[] = []): string[] {
  const hits: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const [label, value] of Object.entries(secrets)) {
      const pieces = [value, ...value.split(/\s+/).filter((w) => w.length >= 8)];
      if (pieces.some((p) => text.includes(p))) hits.push(`${where}: ${label}`);
    }
    for (const code of codes) if (new RegExp(`(^|[^0-9A-Za-z])${code}([^0-9A-Za-z]|$)`).test(text)) hits.push(`${where}: TOTP code ${code}`);
  }
  return hits;
}

/** A server whose error text repeats every credential the client holds: the worst case for our outputs. */
function echoingFault(p: Planted) {
  return { type: 'status' as const, status: 500, json: { message: `Boom for Bearer ${p.token} password=${p.password} seed ${p.seed} db ${p.dbPassword}` } };
}

/** stdout and stderr of each run, labelled. */
function runTexts(runs: Record<string, CliRun>): Texts {
  const texts: Texts = {};
  for (const [label, r] of Object.entries(runs)) {
    texts[`${label} stdout`] = r.stdout;
    texts[`${label} stderr`] = r.stderr;
  }
  return texts;
}

describe('planted secrets never reach an output', function () {
  this.timeout(120_000);
  let dir: string;
  let planted: Planted;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-leak-'));
    planted = plantedSecrets();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the sweep finds a planted value whole or by a word of it, and a sent code standing alone only', () => {
    const texts = {
      whole: `x${planted.token}y`,
      word: `password=${planted.password.split(' ').find((w) => w.length >= 8)} ***`,
      json: '{"totpCode":"246810"}',
      inside: 'id 12468102 hash ab246810cd',
      clean: 'nothing here',
    };
    assert.deepEqual(sweep(texts, planted, ['246810']), ['whole: token', 'word: password', 'json: TOTP code 246810']);
  });

  describe('against the Jira simulator', () => {
    let sim: JiraSimulator;

    beforeEach(async () => {
      const fixtures = standardFixtures([{ username: 'ann', seed: randomSeed() }, { username: 'ben', seed: randomSeed() }]);
      fixtures.tokens[planted.token] = 'admin';
      fixtures.passwords.admin = planted.password;
      fixtures.enrollments.admin = planted.seed;
      sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(fixtures) });
    });
    afterEach(async () => {
      await sim.stop();
    });

    it('the CLI: unenroll and test, succeeding, refused and failing, servers echoing credentials, with debug output on', async () => {
      assertCliBuilt();
      const home = path.join(dir, 'home');
      fs.mkdirSync(home);
      const base = { product: 'jira', baseUrl: sim.baseUrl };
      const profiles = path.join(home, 'profiles.json');
      fs.writeFileSync(profiles, JSON.stringify({
        version: 1,
        instances: [
          { id: 'pat', name: 'PAT', environment: 'test', ...base },
          { id: 'basic', name: 'Basic', environment: 'staging', auth: { type: 'basic', username: 'admin' }, ...base },
          { id: 'prod', name: 'Prod', environment: 'production', database: { driver: 'postgres', host: '127.0.0.1', port: 5432, database: 'jira', user: 'jira' }, ...base },
        ],
      }));
      const auditFile = path.join(home, 'state', 'jira2fa', 'audit.jsonl');
      const env = cliEnv(home, {
        JIRA2FA_PROFILES: profiles,
        JIRA2FA_TOKEN: planted.token,
        JIRA2FA_PASSWORD: planted.password,
        JIRA2FA_DB_PASSWORD: planted.dbPassword,
        JIRA2FA_TOTP_SECRET: planted.seed,
        JIRA2FA_DEBUG: '1',
      });
      const runs: Record<string, CliRun> = {};
      const run = async (label: string, args: string[], setup?: () => void, extraEnv: Record<string, string> = {}) => {
        sim.clearFaults();
        setup?.();
        // the working directory is the run's folder too: anything written there is swept.
        // Each run keeps its own ledger of used code windows (swept as well), so seed runs in one
        // window do not wait for the next: waiting is tested in cli.unenroll.test.ts.
        const ledger = path.join(home, 'state', 'jira2fa', `totp-windows-${Object.keys(runs).length}.json`);
        runs[label] = await runCli(args, { ...env, JIRA2FA_TOTP_LEDGER_FILE: ledger, ...extraEnv }, { cwd: dir });
        return runs[label];
      };
      const typed: string[] = [];
      const type = (code: string) => (typed.push(code), code);

      await run('test pat', ['test', '--instance', 'pat']);
      await run('test basic --json', ['--json', 'test', '--instance', 'basic']);
      await run('test, server echoes', ['test', '--instance', 'pat'], () => sim.setFault(echoingFault(planted)));
      await run('test basic, server echoes', ['test', '--instance', 'basic'], () => sim.setFault(echoingFault(planted)));
      await run('test, login page', ['test', '--instance', 'pat'], () => sim.setFault({ type: 'loginPage' }));
      await run('test, reset', ['--json', 'test', '--instance', 'pat'], () => sim.setFault({ type: 'reset' }));
      // a code generated from the seed, on production with the confirmation
      await run('unenroll prod seed ok', ['unenroll', '--instance', 'prod', '--user', 'ann', '--confirm', 'ann', '--json', '--reason', 'lost phone']);
      // a second success in the same 30 s window needs another code: the next window's, typed
      await run('unenroll typed ok', ['unenroll', '--instance', 'basic', '--user', 'ben', '--totp', type(codeAt(decodeSeed(planted.seed), Date.now() + 30_000)), '--json']);
      await run('unenroll wrong code', ['unenroll', '--instance', 'basic', '--user', 'helpdesk', '--totp', type(wrongCode(planted.seed, Date.now(), typed))]);
      await run('unenroll unknown user', ['unenroll', '--instance', 'pat', '--user', 'nosuchuser']);
      await run('unenroll rejected token', ['unenroll', '--instance', 'pat', '--user', 'jdoe'], undefined, { JIRA2FA_TOKEN: planted.rejectedToken });
      await run('unenroll rejected token, server echoes it', ['--json', 'unenroll', '--instance', 'pat', '--user', 'jdoe'], () =>
        sim.setFault({ type: 'status', status: 401, json: { message: `Token ${planted.rejectedToken} has expired` } }), { JIRA2FA_TOKEN: planted.rejectedToken });
      await run('unenroll wrong password', ['unenroll', '--instance', 'basic', '--user', 'jdoe', '--totp', type(wrongCode(planted.seed, Date.now(), typed))], undefined, { JIRA2FA_PASSWORD: `${planted.password}-wrong` });
      // the server echoes everything it knows, also secrets this run never reads (seed, password)
      await run('unenroll server echoes', ['--json', 'unenroll', '--instance', 'pat', '--user', 'nosv', '--totp', type(wrongCode(planted.seed, Date.now(), typed))], () =>
        sim.setFault(echoingFault(planted), { path: /unenroll/ }));
      await run('unenroll, every call echoes (json)', ['unenroll', '--instance', 'pat', '--user', 'jdoe', '--json'], () => sim.setFault(echoingFault(planted)));
      await run('unenroll basic, every call echoes', ['unenroll', '--instance', 'basic', '--user', 'jdoe'], () => sim.setFault(echoingFault(planted)));
      await run('unenroll, plain-text 400 echoes', ['unenroll', '--instance', 'pat', '--user', 'jdoe', '--totp', type(wrongCode(planted.seed, Date.now(), typed))], () =>
        sim.setFault({ type: 'status', status: 400, text: `seed ${planted.seed} token ${planted.token}` }, { path: /unenroll/ }));
      await run('unenroll self', ['unenroll', '--instance', 'pat', '--user', 'Admin']);
      await run('unenroll prod unconfirmed', ['unenroll', '--instance', 'prod', '--user', 'jdoe', '--reason', 'lost phone']);
      await run('unenroll unknown instance', ['unenroll', '--instance', 'nope', '--user', 'jdoe']);
      await run('instances list', ['--json', 'instances', 'list']);
      await run('audit show', ['audit', 'show']);
      await run('audit show --json', ['--json', 'audit', 'show']);
      await run('audit verify', ['audit', 'verify']);
      await run('audit export', ['audit', 'export', '--csv', path.join(home, 'export.csv')]);

      // positive controls: the flows did what they say, so the outputs have something in them
      assert.match(runs['test pat'].stdout, /signed in as admin · system admin · your 2SV on/);
      assert.equal(JSON.parse(runs['test basic --json'].stdout).signedInAs, 'admin');
      assert.equal(runs['test, server echoes'].code, 3);
      assert.equal(runs['test basic, server echoes'].code, 3);
      assert.equal(JSON.parse(runs['unenroll prod seed ok'].stdout).outcome, 'unenrolled', runs['unenroll prod seed ok'].stderr);
      assert.equal(JSON.parse(runs['unenroll typed ok'].stdout).outcome, 'unenrolled', runs['unenroll typed ok'].stderr);
      assert.match(runs['unenroll wrong code'].stdout, /HTTP 401/);
      for (const label of ['unenroll unknown user', 'unenroll rejected token', 'unenroll rejected token, server echoes it', 'unenroll wrong password', 'unenroll basic, every call echoes', 'unenroll, plain-text 400 echoes', 'unenroll prod unconfirmed']) {
        assert.notEqual(runs[label].code, 0, label);
      }
      assert.match(JSON.parse(runs['unenroll server echoes'].stdout).serverMessage, /^Boom for/);
      assert.match(runs['unenroll self'].stdout, /your own two-step verification/);
      assert.equal(runs['unenroll unknown instance'].code, 2);
      for (const label of ['instances list', 'audit show', 'audit show --json', 'audit verify', 'audit export']) assert.equal(runs[label].code, 0, `${label}: ${runs[label].stderr}`);
      const auditEntries = JSON.parse(runs['audit show --json'].stdout).entries as unknown[];
      assert.ok(auditEntries.length >= 5, `the unenroll attempts were audited (${auditEntries.length})`);

      // every code that was sent: the ones typed here and at least one generated from the seed
      const codes = [...new Set(sim.requestsOf('DELETE').map((d) => (JSON.parse(d.body) as { totpCode: string }).totpCode))];
      for (const c of typed.slice(0, 3)) assert.ok(codes.includes(c), `typed code ${c} was sent`);
      assert.ok(codes.some((c) => !typed.includes(c)), 'a code generated from the seed was sent');

      const files = filesUnder(dir);
      for (const f of [auditFile, profiles, path.join(home, 'export.csv')]) assert.ok(path.relative(dir, f) in files, `${f} was swept`);
      assert.deepEqual(sweep({ ...runTexts(runs), ...files }, planted, codes), []);
    });

    it('the unenroll panel controller on the real core: messages to the webview, log lines, audit', async () => {
      const profile: InstanceProfile = { id: 'leak', name: 'Leak test', product: 'jira', baseUrl: sim.baseUrl, environment: 'staging', auth: { type: 'pat' }, tsvApiVersion: '1.0', tls: { allowSelfSigned: false } };
      // a plain store: registering with the redactor is left to the code under test
      const stored = new Map<SecretKind, string>([['token', planted.token], ['totpSeed', planted.seed], ['dbPassword', planted.dbPassword], ['password', planted.password]]);
      const secrets: SecretStore = {
        get: async (_id, kind) => stored.get(kind),
        getWithOrigin: async (_id, kind) => (stored.has(kind) ? { value: stored.get(kind)! } : undefined),
        set: async () => undefined,
        setOrigin: async () => undefined,
        delete: async () => undefined,
      };
      const auditFile = path.join(dir, 'audit.jsonl');
      const audit = new AuditLog(auditFile);
      const logLines: string[] = [];
      const log = (m: string) => logLines.push(redactor.redact(m)); // what the extension's log does
      const dispatchers = new DispatcherCache();
      const guard = new ReplayGuard(profile.id);
      let last: ConnectionReport | undefined;
      // as JiraSessions.client(): all stored secrets of the instance are registered first
      const client = async () => {
        await redactInstanceSecrets(secrets, profile.id);
        return createJiraClient(profile, secrets, { dispatchers });
      };
      // the same wiring as unenrollPanel.ts backendFor(), without VS Code
      const backend: UnenrollBackend = {
        instance: { id: profile.id, name: profile.name, environment: profile.environment, product: profile.product, baseUrl: profile.baseUrl },
        lookupAvailable: true,
        requests: {
          setup: { require: 'none', methods: [], ticketInstance: profile.id, comment: false, projects: [] },
          checkTicket: async () => {
            throw new Error('no tickets in this test');
          },
          retryComment: async () => {
            throw new Error('no tickets in this test');
          },
        },
        seedStored: async () => !!(await secrets.get(profile.id, 'totpSeed')),
        connection: async () => (last = await testConnection(profile, await client())),
        lookup: async (username) => {
          const answer = await (await client()).findUser(username);
          return answer.ok ? { username, found: answer.value.found, enrolled: 'unknown', message: 'User found.' } : { username, found: false, enrolled: 'unknown', message: answer.outcome.summary };
        },
        unenroll: async (req) => {
          const result = await unenrollUser({
            profile, client: await client(), audit, username: req.username,
            ...(req.code !== undefined ? { code: req.code } : {}),
            useStoredSeed: req.useStoredSeed, secrets, replayGuard: guard,
            ...(last?.signedInAs ? { signedInAs: last.signedInAs } : {}),
            onWaitForFreshCode: req.onWait,
          });
          log(`Unenroll ${req.username} on ${profile.id}: ${result.outcome.kind} ${result.outcome.summary} ${result.outcome.serverMessage ?? ''}`);
          return result;
        },
        openAuditLog: () => undefined,
        setSeed: async () => undefined,
      };
      const posted: ToUnenroll[] = [];
      const controller = new UnenrollController(backend, (m) => void posted.push(m));
      try {
        await controller.handle({ type: 'ready' });
        await controller.handle({ type: 'lookup', username: 'jdoe' });
        await controller.handle({ type: 'send', username: 'jdoe', codeSource: 'seed' });
        const firstWrong = wrongCode(planted.seed);
        await controller.handle({ type: 'send', username: 'helpdesk', codeSource: 'typed', code: firstWrong });
        await controller.handle({ type: 'send', username: 'ADMIN', codeSource: 'seed' });
        sim.setFault(echoingFault(planted), { path: /unenroll/ });
        await controller.handle({ type: 'send', username: 'nosv', codeSource: 'typed', code: wrongCode(planted.seed, Date.now(), [firstWrong]) });
        sim.clearFaults();
        sim.setFault(echoingFault(planted));
        await controller.handle({ type: 'ready' }); // the connection check fails with the echo
      } finally {
        await dispatchers.closeAll();
      }

      const results = posted.flatMap((m) => (m.type === 'result' ? [m.result] : []));
      assert.deepEqual(results.map((r) => [r.ok, r.status ?? null]), [[true, 204], [false, 401], [false, null], [false, 500]]);
      assert.match(results[3].serverMessage ?? '', /^Boom for Bearer \*\*\*/, 'the echo reached the panel, masked');
      const connections = posted.flatMap((m) => (m.type === 'connection' ? [m.connection] : []));
      assert.equal(connections[0].summary, 'Jira 10.3.2 · signed in as admin · system admin · your 2SV on');
      assert.equal(connections.length, 2);
      assert.equal(logLines.length, 4);
      const codes = sim.requestsOf('DELETE').map((d) => (JSON.parse(d.body) as { totpCode: string }).totpCode);
      assert.equal(codes.length, 3, 'the seed code and the two typed ones were sent');
      const texts = { posted: JSON.stringify(posted), log: logLines.join('\n'), audit: fs.readFileSync(auditFile, 'utf8') };
      assert.deepEqual(sweep(texts, planted, codes), []);
    });
  });

  it('database recovery on PostgreSQL, in-process and through the CLI: read, change with backup, restore, unreachable database', async () => {
    assertCliBuilt();
    // a database of its own (not a schema): a profile alone must find the tables, for the CLI
    const tdb = await createTestDatabase('postgres', { pgDatabase: true });
    redactor.add(planted.dbPassword); // what the CLI and the extension do with every secret they load
    const texts: Texts = {};
    let cliBackupId = '';
    try {
      // in-process, the core the extension calls
      const driver = await tdb.connect();
      try {
        const ctx = { profile: tdb.profile(false), driver, audit: new AuditLog(path.join(dir, 'audit-core.jsonl')), admin: 'admin', backups: new BackupStore(path.join(dir, 'backups-core')) };
        const read = await runReadSnippet(ctx, await builtinSnippet('jira.recovery-code'), { username: 'alice' });
        const refused = await executeDestructiveSnippet(ctx, await builtinSnippet('jira.disable-2sv'), { username: 'carol' }).catch((e: Error) => e);
        assert.ok(refused instanceof Error, 'not enrolled: refused');
        const ok = await executeDestructiveSnippet(ctx, await builtinSnippet('jira.disable-2sv'), { username: 'bob' });
        const restored = await restoreBackup(ctx, ok.backupId);
        Object.assign(texts, { 'core read': JSON.stringify(read), 'core refused': refused.message, 'core change': ok.message, 'core restore': restored.message });
      } finally {
        await driver.close();
      }

      // through the CLI, with the database password in its variable
      const home = path.join(dir, 'home');
      fs.mkdirSync(home);
      const db = tdb.profile(false).database!;
      fs.writeFileSync(path.join(home, 'profiles.json'), JSON.stringify({
        version: 1,
        instances: [
          { id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'production', database: { ...db, readOnly: false } },
          { id: 'down-jira', name: 'Down Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'test', database: { ...db, port: 1 } },
        ],
      }));
      const env = cliEnv(home, { JIRA2FA_PROFILES: path.join(home, 'profiles.json'), JIRA2FA_DB_PASSWORD: planted.dbPassword, JIRA2FA_ADMIN: 'leak-test', JIRA2FA_DEBUG: '1' });
      const runs: Record<string, CliRun> = {};
      const cli = async (label: string, args: string[]) => (runs[label] = await runCli(args, env, { cwd: dir }));
      await cli('read', ['sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.recovery-code', '--param', 'username=alice', '--json']);
      await cli('change', ['sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.disable-2sv', '--param', 'username=alice', '--commit', '--confirm', 'alice', '--json', '--reason', 'lost phone']);
      cliBackupId = (JSON.parse(runs.change.stdout) as { backupId: string }).backupId;
      await cli('backups list', ['backups', 'list']);
      await cli('restore', ['backups', 'restore', cliBackupId, '--reason', 'lost phone']);
      await cli('restore again', ['backups', 'restore', cliBackupId, '--json', '--reason', 'lost phone']);
      await cli('unreachable', ['sql', 'run', '--instance', 'down-jira', '--snippet', 'jira.recovery-code', '--param', 'username=alice']);
      for (const label of ['read', 'change', 'backups list', 'restore']) assert.equal(runs[label].code, 0, `${label}: ${runs[label].stderr}`);
      assert.match(runs.restore.stdout, /Restored 1 row/);
      assert.equal(runs['restore again'].code, 1);
      assert.equal(runs.unreachable.code, 3);
      Object.assign(texts, runTexts(runs));
    } finally {
      await tdb.drop();
    }

    const files = filesUnder(dir);
    const names = Object.keys(files);
    // what must be swept is there: both audit files and both backups (which hold the changed rows)
    assert.ok(names.includes('audit-core.jsonl') && names.some((f) => f.endsWith(path.join('jira2fa', 'audit.jsonl'))), names.join('\n'));
    assert.ok(names.some((f) => f.startsWith('backups-core')) && names.some((f) => f.startsWith('home') && f.includes(cliBackupId)), names.join('\n'));
    assert.deepEqual(sweep({ ...texts, ...files }, planted), []);
  });

  it('the VSIX: local files with secrets (.sandbox/, .e2e/, test-results/, …) are not packaged', async function () {
    // the real packaging (vsce through scripts/package.mjs, about 1-2 s) of a copy of what it reads:
    // the manifest, the real .vscodeignore, the docs, media/ and a small stand-in dist/
    const { packageVsix, readZip, checkVsixEntries } = await import('../../scripts/package.mjs');
    const root = path.join(dir, 'repo');
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
      fs.mkdirSync(root, { recursive: true });
      fs.copyFileSync(path.join(REPO, f), path.join(root, f));
    }
    fs.cpSync(path.join(REPO, 'media'), path.join(root, 'media'), { recursive: true });
    // positive control: a marker in a file that IS shipped must be found inside the .vsix
    const shippedMarker = `ShippedMarker${randomBytes(12).toString('hex')}`;
    const plant = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    plant('dist/extension.js', `exports.marker = '${shippedMarker}';\n`);
    const all = JSON.stringify(planted);
    const local = [
      '.sandbox/secrets-import.json', '.sandbox/profiles.json', '.sandbox/state/jira2fa/audit.jsonl', '.sandbox/state/jira2fa/backups/b1.json', '.sandbox/pglite/base/1/1259',
      '.e2e/run-1/user-data/User/settings.json', '.e2e/run-1/code-server.log',
      'test-results/02-unenroll/log.txt', 'test-results/02-unenroll/01-form.png',
      'dist/extension.js.map', '.env', 'profiles.json', 'audit.jsonl', 'bench/results.json', 'src/secret.ts', 'node_modules/x/index.js',
    ];
    for (const rel of local) plant(rel, all);

    const out = path.join(dir, 'out', 'test.vsix');
    await packageVsix({ root, out, build: false, log: () => undefined });
    const entries = readZip(out);
    const texts: Texts = {};
    for (const e of entries) texts[e.name] = e.data().toString('latin1');
    assert.ok(entries.length >= 10 && 'extension/package.json' in texts && 'extension/media/icon.png' in texts, Object.keys(texts).join('\n'));
    assert.deepEqual(sweep(texts, { shippedMarker }), ['extension/dist/extension.js: shippedMarker'], 'the search reads inside the compressed entries');
    assert.deepEqual(sweep(texts, planted), []);
    assert.deepEqual(Object.keys(texts).filter((n) => /\.sandbox|\.e2e|test-results|\.map$|\.env|profiles\.json|audit\.jsonl|bench|src\/|node_modules/.test(n)), []);
    // and the allow-list packageVsix applies would refuse such entries if .vscodeignore let them in
    const leaked = local.map((rel) => `extension/${rel}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string; icon?: string };
    const problems = checkVsixEntries([...entries.map((e) => e.name), ...leaked], manifest);
    for (const rel of local) assert.ok(problems.some((p) => p.endsWith(rel)), `${rel} would be refused:\n${problems.join('\n')}`);
  });
});
