/**
 * No secret in any output. Unique values are planted (a token, a password, the admin's TOTP
 * seed, a database password: fresh random per run, so a hit can only be a leak), real flows run
 * with them against the Jira simulator, including failing ones and a server that echoes the
 * credentials back in its error text, and then every output is searched:
 *  - the CLI (dist/cli.js, secrets from JIRA2FA_* variables, JIRA2FA_DEBUG on for stack traces):
 *    stdout, stderr, the audit file, the CSV export, the profiles file, every file under HOME;
 *  - the unenroll panel controller on the real core: every message posted to the webview, every
 *    log line, the audit file.
 * Each search is checked to see what it should (positive controls), so it cannot pass empty.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import { createJiraClient } from '../../src/core/jira/client';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { redactor } from '../../src/core/redact';
import { redactInstanceSecrets, type SecretKind, type SecretStore } from '../../src/core/secrets';
import { ReplayGuard } from '../../src/core/totp';
import { testConnection, unenrollUser, type ConnectionReport } from '../../src/core/unenroll';
import { UnenrollController, type UnenrollBackend } from '../../src/extension/unenroll/controller';
import type { ToUnenroll } from '../../src/webview/unenroll/protocol';
import { assertCliBuilt, cliEnv, runCli, type CliRun } from '../support/cliRunner';
import { standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { plantedSecrets, wrongCode } from '../support/simulatorMain';

type Planted = ReturnType<typeof plantedSecrets>;

/** Every file under a folder, read as text. */
function filesUnder(root: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    else if (st.isFile()) out.push({ file: p, text: fs.readFileSync(p, 'utf8') });
  };
  walk(root);
  return out;
}

/**
 * "where: label" for each planted value found in each text: whole, or any of its words of 8+
 * characters (a pattern that masks only up to a space must not count as masked).
 */
function leaks(texts: Record<string, string>, planted: Planted): string[] {
  const hits: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const [label, value] of Object.entries(planted)) {
      const pieces = [value, ...value.split(/\s+/).filter((w) => w.length >= 8)];
      if (pieces.some((p) => text.includes(p))) hits.push(`${where}: ${label}`);
    }
  }
  return hits;
}

/** A server whose error text repeats everything it knows: the worst case for our outputs. */
function echoingFault(p: Planted) {
  return { type: 'status' as const, status: 500, json: { message: `Boom for Bearer ${p.token} password=${p.password} seed ${p.seed} db ${p.dbPassword}` } };
}

describe('planted secrets never reach an output', function () {
  this.timeout(60_000);
  let dir: string;
  let sim: JiraSimulator;
  let planted: Planted;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-leak-'));
    planted = plantedSecrets();
    const fixtures = standardFixtures();
    fixtures.tokens[planted.token] = 'admin';
    fixtures.passwords.admin = planted.password;
    fixtures.enrollments.admin = planted.seed;
    sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(fixtures) });
  });

  afterEach(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI: unenroll and test, succeeding and failing, with debug output on', async () => {
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
    const run = async (label: string, args: string[], setup?: () => void) => {
      sim.clearFaults();
      setup?.();
      runs[label] = await runCli(args, env);
      return runs[label];
    };

    await run('test pat', ['test', '--instance', 'pat']);
    await run('test basic --json', ['--json', 'test', '--instance', 'basic']);
    await run('test, server echoes', ['test', '--instance', 'pat'], () => sim.setFault(echoingFault(planted)));
    await run('test, login page', ['test', '--instance', 'pat'], () => sim.setFault({ type: 'loginPage' }));
    await run('test, reset', ['--json', 'test', '--instance', 'pat'], () => sim.setFault({ type: 'reset' }));
    await run('unenroll seed ok', ['unenroll', '--instance', 'pat', '--user', 'jdoe', '--json']);
    await run('unenroll wrong code', ['unenroll', '--instance', 'basic', '--user', 'helpdesk', '--totp', wrongCode(planted.seed)]);
    // the server echoes everything it knows, also secrets this run never reads (seed, password)
    await run('unenroll server echoes', ['--json', 'unenroll', '--instance', 'pat', '--user', 'nosv', '--totp', wrongCode(planted.seed)], () =>
      sim.setFault(echoingFault(planted), { path: /unenroll/ }));
    await run('unenroll self', ['unenroll', '--instance', 'pat', '--user', 'Admin']);
    await run('unenroll prod unconfirmed', ['unenroll', '--instance', 'prod', '--user', 'jdoe']);
    await run('unenroll unknown instance', ['unenroll', '--instance', 'nope', '--user', 'jdoe']);
    await run('instances list', ['--json', 'instances', 'list']);
    await run('audit show', ['--json', 'audit', 'show']);
    await run('audit verify', ['audit', 'verify']);
    await run('audit export', ['audit', 'export', '--csv', path.join(home, 'export.csv')]);

    // positive controls: the flows did what they say, so the outputs have something in them
    assert.match(runs['test pat'].stdout, /signed in as admin · system admin · your 2SV on/);
    assert.equal(JSON.parse(runs['test basic --json'].stdout).signedInAs, 'admin');
    assert.equal(runs['test, server echoes'].code, 3);
    assert.equal(JSON.parse(runs['unenroll seed ok'].stdout).outcome, 'unenrolled');
    assert.match(runs['unenroll wrong code'].stdout, /HTTP 401/);
    assert.match(JSON.parse(runs['unenroll server echoes'].stdout).serverMessage, /^Boom for/);
    assert.match(runs['unenroll self'].stdout, /your own two-step verification/);
    assert.equal(runs['unenroll unknown instance'].code, 2);
    assert.equal(JSON.parse(runs['audit show'].stdout).entries.length, 5, 'one audit entry per unenroll attempt');
    assert.equal(runs['audit verify'].code, 0);

    const texts: Record<string, string> = {};
    for (const [label, r] of Object.entries(runs)) {
      texts[`${label} stdout`] = r.stdout;
      texts[`${label} stderr`] = r.stderr;
    }
    const files = filesUnder(home);
    for (const f of files) texts[path.relative(dir, f.file)] = f.text;
    assert.ok(files.some((f) => f.file === auditFile) && files.some((f) => f.file.endsWith('export.csv')) && files.some((f) => f.file === profiles));
    assert.deepEqual(leaks(texts, planted), []);
    // and the codes that were sent are in no output either (the 401 one and the generated one)
    const codes = sim.requestsOf('DELETE').map((d) => (JSON.parse(d.body) as { totpCode: string }).totpCode);
    assert.equal(codes.length, 3);
    const audit = fs.readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const { hash: _h, prevHash: _p, id: _i, time: _t, ...entry } of audit) {
      for (const c of codes) assert.ok(!JSON.stringify(entry).includes(c), `code ${c} in an audit entry`);
    }
    for (const [label, r] of Object.entries(runs)) for (const c of codes) assert.ok(!`${r.stdout}${r.stderr}`.includes(`"${c}"`), `code ${c} printed by ${label}`);
  });

  it('the unenroll panel controller on the real core: messages to the webview, log lines, audit', async () => {
    const profile: InstanceProfile = { id: 'leak', name: 'Leak test', product: 'jira', baseUrl: sim.baseUrl, environment: 'staging', auth: { type: 'pat' }, tsvApiVersion: '1.0', tls: { allowSelfSigned: false } };
    // a plain store: registering with the redactor is left to the code under test
    const stored = new Map<SecretKind, string>([['token', planted.token], ['totpSeed', planted.seed], ['dbPassword', planted.dbPassword], ['password', planted.password]]);
    const secrets: SecretStore = {
      get: async (_id, kind) => stored.get(kind),
      set: async () => undefined,
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
    const texts = { posted: JSON.stringify(posted), log: logLines.join('\n'), audit: fs.readFileSync(auditFile, 'utf8') };
    assert.deepEqual(leaks(texts, planted), []);
  });
});
