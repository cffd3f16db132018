#!/usr/bin/env node
// `npm run sandbox`: the extension in a real VS Code (code-server, in your browser) against a
// simulated Jira Data Center and an embedded database, with nothing to set up.
//   1. checks what is needed; installs code-server once into ~/.cache/jira2fa (first run only)
//   2. builds and packages the extension (scripts/package.mjs)
//   3. starts the back end (scripts/sandbox/backend.ts via tsx): PGlite with the Jira tables and
//      20 users, served over the PostgreSQL wire protocol on 127.0.0.1, and the Jira simulator
//      that keeps its 2SV enrollments in that same database
//   4. writes the "Sandbox Jira" instance into code-server's user settings and hands its
//      credentials to the extension through a one-time 0600 import file (never settings.json)
//   5. starts code-server on 127.0.0.1 with a welcome README, prints the URL and the admin seed
// Ctrl-C stops every process it started. A second run starts fresh; --keep keeps the data.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CACHE, CODE_SERVER_ENTRY, E2EDepsError, ensureDeps, startCodeServer } from '../test/e2e/lib/codeServer.mjs';
import { packageVsix } from './package.mjs';
import { startTokenProxy } from './sandbox/tokenProxy.mjs';
import { welcomeReadme } from './sandbox/welcome.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INSTANCE_ID = 'sandbox';

const HELP = `Usage: npm run sandbox -- [options]

  --keep              keep the database, settings and audit log of the last run
  --postgres URL      use a PostgreSQL server instead of the embedded database,
                      e.g. postgres://postgres@127.0.0.1:5432/sandbox (an EMPTY database)
  --mysql URL         use a MySQL/MariaDB server, e.g. mysql://root@127.0.0.1:3306/sandbox
  --port N            port of the editor's URL (default: a free one)
  --dir DIR           where the sandbox keeps its files (default: .sandbox)
  --no-package        reuse the last packaged VSIX instead of building again
  --vsix FILE         install this VSIX
  -h, --help          this text`;

function parseArgs(argv) {
  const opts = { keep: false, package: true, dir: path.join(ROOT, '.sandbox') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') opts.help = true;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--no-package') opts.package = false;
    else if (a === '--postgres') opts.postgres = next();
    else if (a === '--mysql') opts.mysql = next();
    else if (a === '--vsix') opts.vsix = path.resolve(next());
    else if (a === '--dir') opts.dir = path.resolve(next());
    else if (a === '--port') {
      opts.port = Number(next());
      if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new Error('--port needs a port number');
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (opts.postgres && opts.mysql) throw new Error('--postgres and --mysql cannot be combined');
  return opts;
}

const T0 = Date.now();
const say = (msg) => console.log(`[sandbox ${((Date.now() - T0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

/** Refuses to start when something needed is missing, naming it. */
function checkPrerequisites() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) throw new Error(`Node.js 20.19 or newer is needed (this is ${process.versions.node})`);
  for (const [pkg, what] of [
    ['tsx', 'tsx (runs the simulator)'],
    ['@electric-sql/pglite', 'PGlite (the embedded database)'],
    ['@vscode/vsce', 'vsce (packages the extension)'],
    ['pg', 'pg (the PostgreSQL client)'],
  ]) {
    if (!fs.existsSync(path.join(ROOT, 'node_modules', pkg, 'package.json'))) throw new Error(`${what} is not installed: run \`npm install\` first`);
  }
}

/** The pid of a sandbox still running from this folder, if any. */
function runningSandbox(dir) {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'sandbox.pid'), 'utf8'));
    if (!pid || pid === process.pid) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Starts the back end and waits for its SANDBOX_READY line. */
function startBackend(opts) {
  const args = ['--import', 'tsx', path.join(ROOT, 'scripts', 'sandbox', 'backend.ts'), '--data', opts.dir];
  if (opts.keep) args.push('--keep');
  if (opts.postgres) args.push('--postgres', opts.postgres);
  if (opts.mysql) args.push('--mysql', opts.mysql);
  // stdin stays open: when this process dies, the pipe closes and the back end exits too.
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let errText = '';
  child.stderr.on('data', (d) => {
    errText += d;
    for (const line of String(d).split('\n')) if (line.trim() && !line.startsWith('SANDBOX_FAILED')) console.error(`[sandbox backend] ${line}`);
  });
  const ready = new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (line.startsWith('SANDBOX_READY ')) resolve(JSON.parse(line.slice('SANDBOX_READY '.length)));
      else if (line.trim()) console.log(`[sandbox backend] ${line}`);
    });
    exited.then(({ code, signal }) => {
      const failed = /SANDBOX_FAILED (.*)/.exec(errText);
      reject(new Error(failed ? failed[1] : `the back end exited (${signal || `exit ${code}`}) before it was ready${errText ? `:\n${errText.trim()}` : ''}`));
    });
  });
  return {
    ready,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** True when nothing listens on 127.0.0.1:port any more. */
function portClosed(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

function writePrivate(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`sandbox: ${e.message}`);
    return 2;
  }
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  const stops = [];
  /** Ports the sandbox listens on: all must be closed after stopping. */
  const ports = [];
  let stopping;
  const stopAll = (why) =>
    (stopping ??= (async () => {
      say(`${why}: stopping…`);
      for (const stop of stops.reverse()) await stop().catch((e) => console.error(`[sandbox] while stopping: ${e.message}`));
    })());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      void stopAll(sig === 'SIGINT' ? 'Ctrl-C' : sig).then(async () => {
        const open = [];
        for (const port of ports) if (!(await portClosed(port))) open.push(port);
        if (open.length) {
          console.error(`[sandbox] still listening after stopping: 127.0.0.1:${open.join(', 127.0.0.1:')}`);
          process.exit(1);
        }
        say(`stopped; nothing of the sandbox is running any more (ports ${ports.join(', ')} closed).`);
        process.exit(0);
      });
    });
  }

  try {
    checkPrerequisites();
    const other = runningSandbox(opts.dir);
    if (other) throw new Error(`another sandbox (pid ${other}) is running from ${path.relative(ROOT, opts.dir) || opts.dir}: stop it first (Ctrl-C in its terminal)`);
    if (!opts.keep) fs.rmSync(opts.dir, { recursive: true, force: true });
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(opts.dir, 'sandbox.pid'), String(process.pid));
    stops.push(async () => fs.rmSync(path.join(opts.dir, 'sandbox.pid'), { force: true }));

    // 1. code-server (VS Code in the browser), cached outside the repository
    if (!fs.existsSync(CODE_SERVER_ENTRY)) {
      say(`first run: downloading code-server (VS Code for the browser, ~600 MB, about 3 minutes) into ${CACHE}; later runs reuse it`);
    }
    try {
      await ensureDeps({ log: (m) => say(m), needChromium: false });
    } catch (e) {
      if (e instanceof E2EDepsError) throw new Error(`${e.message}${e.fix ? `\n  fix: ${e.fix}` : ''}`);
      throw e;
    }

    // 2. the extension
    let vsix = opts.vsix;
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const lastVsix = path.join(ROOT, `${manifest.name}-${manifest.version}.vsix`); // where `npm run package` puts it
    if (!vsix && !opts.package && fs.existsSync(lastVsix)) vsix = lastVsix;
    if (!vsix) {
      say('building and packaging the extension…');
      vsix = (await packageVsix({ root: ROOT, out: lastVsix, log: (m) => say(m) })).vsix;
    }
    if (!fs.existsSync(vsix)) throw new Error(`the VSIX ${vsix} does not exist`);

    // 3. database + simulated Jira
    say(opts.postgres ? 'preparing the PostgreSQL database…' : opts.mysql ? 'preparing the MySQL database…' : 'creating the embedded PGlite database with the Jira tables and 20 users…');
    const backend = startBackend(opts);
    stops.push(() => backend.stop());
    const info = await backend.ready;
    backend.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(`[sandbox] the back end stopped unexpectedly (${signal || `exit ${code}`})`);
      void stopAll('back end gone').then(() => process.exit(1));
    });
    ports.push(Number(new URL(info.jiraUrl).port));
    if (!opts.postgres && !opts.mysql) ports.push(info.database.port); // the PGlite wire server is ours
    say(`Jira simulator at ${info.jiraUrl}; database ${info.database.driver}://${info.database.host}:${info.database.port}/${info.database.database}${info.reused ? ' (kept from the last run)' : ''}`);

    // 4. the instance (settings) and its credentials (one-time import file, read and deleted by the extension)
    const profile = {
      id: INSTANCE_ID,
      name: 'Sandbox Jira',
      product: 'jira',
      baseUrl: info.jiraUrl,
      environment: 'test',
      auth: { type: 'pat' },
      database: info.database,
    };
    const secretsFile = path.join(opts.dir, 'secrets-import.json');
    const secrets = { token: info.token, totpSeed: info.adminSeed, ...(info.dbPassword ? { dbPassword: info.dbPassword } : {}) };
    writePrivate(secretsFile, JSON.stringify({ version: 1, instances: [{ id: INSTANCE_ID, secrets }] }));
    stops.push(async () => fs.rmSync(secretsFile, { force: true }));
    // The same instance for the jira2fa CLI.
    writePrivate(path.join(opts.dir, 'profiles.json'), JSON.stringify({ version: 1, instances: [profile] }, null, 2));

    const workspace = path.join(opts.dir, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'README.md'), welcomeReadme(info, profile));

    // 5. code-server
    say('starting code-server…');
    const stateHome = path.join(opts.dir, 'state');
    // code-server has no login here: it listens on a Unix socket in a private folder, and only
    // the token proxy on 127.0.0.1 reaches it (scripts/sandbox/tokenProxy.mjs). Otherwise any
    // local user, or a web page through DNS rebinding, would get this editor and its terminal.
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-sandbox-'));
    stops.push(async () => fs.rmSync(socketDir, { recursive: true, force: true }));
    const socket = path.join(socketDir, 'code-server.sock');
    const server = await startCodeServer({
      socket,
      vsix,
      runDir: path.join(opts.dir, 'code-server'),
      workspace,
      settings: { 'jira2fa.instances': [profile], 'workbench.startupEditor': 'readme' },
      // The audit log and backups of the sandbox stay in .sandbox/state, away from your own.
      env: { JIRA2FA_SANDBOX_SECRETS: secretsFile, XDG_STATE_HOME: stateHome, JIRA2FA_AUDIT_FILE: path.join(stateHome, 'jira2fa', 'audit.jsonl') },
      log: (m) => say(m),
    });
    stops.push(() => server.stop());
    const front = await startTokenProxy({ socket, port: opts.port });
    stops.push(() => front.close());
    ports.push(front.port);

    const shown = (p) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);
    const cli = `JIRA2FA_PROFILES=${shown(path.join(opts.dir, 'profiles.json'))} XDG_STATE_HOME=${shown(stateHome)} JIRA2FA_TOKEN=${info.token} JIRA2FA_TOTP_SECRET=${info.adminSeed} node dist/cli.js`;
    console.log(`
──────────────────────────────────────────────────────────────────────────────
  Jira 2FA Admin sandbox is running

  Open:        ${front.url}
               (the random token in it is the key: anyone with this URL has your editor)
  Admin seed:  ${info.adminSeed}
               (user "admin"; add it to an authenticator app to type real codes,
               or let the extension generate them: it already has this seed)
  Simulated Jira ${info.jiraUrl}   database ${info.database.driver} ${info.database.host}:${info.database.port ?? (info.database.driver === 'mysql' ? 3306 : 5432)}

  The welcome README in the editor lists the users and their recovery codes.
  CLI:  ${cli} test --instance ${INSTANCE_ID}
  These credentials are the sandbox's own, random per run; nothing here is real.
  Press Ctrl-C to stop everything.
──────────────────────────────────────────────────────────────────────────────`);
    // The e2e test and scripts read this line.
    console.log(`SANDBOX_URL ${front.url}`);
    return undefined; // keep running until a signal
  } catch (e) {
    console.error(`\nsandbox: cannot start: ${e.message}`);
    await stopAll('start-up failed');
    return 1;
  }
}

main().then((code) => {
  if (code !== undefined) process.exit(code);
});
