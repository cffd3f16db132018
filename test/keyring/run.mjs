#!/usr/bin/env node
// The CLI keychain tests against a REAL Secret Service keyring that is thrown away afterwards:
//   node test/keyring/run.mjs            (what `npm test` runs)
//   node test/keyring/run.mjs --no-fix   leave a keytar whose build was skipped alone (by default it is repaired when root,
//                                        as the e2e runner installs Chromium: `npm install && npm test` must work on a fresh machine)
//
//  1. Linux only. As root, apt-get installs what is missing: libsecret-1-0, gnome-keyring, dbus
//     (dbus-daemon, dbus-send). No dbus-x11: the bus address is passed explicitly.
//  2. Checks that keytar loads. Unless --no-fix, as root, a missing or unbuilt keytar
//     is repaired: apt-get install libsecret-1-dev, then `npm rebuild keytar` (or `npm install`
//     when npm had skipped the optional dependency).
//  3. Builds dist/cli.js when it is missing or older than src/ (node esbuild.config.mjs).
//  4. Starts a private D-Bus session bus (dbus-daemon --session --address=unix:path=<tmp>/bus)
//     and gnome-keyring-daemon --foreground --unlock --components=secrets with a test password,
//     under a throwaway HOME / XDG_* in a temp folder (no DISPLAY), so the developer's own
//     keyring is never touched, and checks a store/read/delete round trip.
//  5. Runs mocha on test/keyring/*.test.ts in that environment (JIRA2FA_TEST_KEYRING=1).
//  6. Stops both daemons (by their pids) and removes the temp folder.
//
// When no keyring can be started the keyring tests are skipped with a LOUD message: exit code 1
// under CI=true, else the exit code of the tests that could run (keytar-unavailable fallback).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const CI = /^(true|1)$/i.test(process.env.CI ?? '');
const FIX = !process.argv.includes('--no-fix');
const RUNTIME_PACKAGES = ['libsecret-1-0', 'gnome-keyring', 'dbus'];
const BUILD_PACKAGES = ['libsecret-1-dev'];
const PASSWORD = 'jira2fa-test-keyring';
const started = Date.now();
const timings = {};

const log = (msg) => console.log(`[keyring] ${msg}`);
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const ms = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

function loud(lines) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n${lines.map((l) => `!!! ${l}`).join('\n')}\n${bar}\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function debInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

let aptUpdated = false;
function aptInstall(packages) {
  const missing = packages.filter((p) => !debInstalled(p));
  if (!missing.length) return true;
  if (!isRoot() || !has('apt-get')) {
    log(`missing Debian packages: ${missing.join(' ')} (not root, or no apt-get: install them yourself)`);
    return false;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const t = Date.now();
  try {
    if (!aptUpdated) {
      log('apt-get update');
      execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      aptUpdated = true;
    }
    log(`apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (e) {
    log(`apt-get failed: ${e.message}`);
    return false;
  }
  timings.apt = (timings.apt ?? 0) + (Date.now() - t);
  return missing.every(debInstalled);
}

/** Whether keytar loads in a fresh Node process, and the first line of the error when not. */
function keytarLoads() {
  const r = spawnSync(process.execPath, ['-e', "require('keytar')"], { cwd: ROOT, encoding: 'utf8' });
  return { ok: r.status === 0, why: (r.stderr || '').split('\n').find((l) => /Error|Cannot/.test(l))?.trim() ?? `exit ${r.status}` };
}

function npm(args) {
  log(`npm ${args.join(' ')}`);
  const r = spawnSync('npm', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0;
}

function ensureKeytar() {
  let load = keytarLoads();
  if (load.ok) return { ok: true };
  log(`keytar does not load: ${load.why}`);
  if (!FIX) return { ok: false, why: `keytar does not load (${load.why})`, fix: 'apt-get install libsecret-1-dev, then npm rebuild keytar (or rerun as root without --no-fix)' };
  const t = Date.now();
  if (process.platform === 'linux') aptInstall(BUILD_PACKAGES);
  if (fs.existsSync(path.join(ROOT, 'node_modules', 'keytar', 'package.json'))) npm(['rebuild', 'keytar', '--foreground-scripts']);
  else npm(['install', '--no-audit', '--no-fund']);
  timings.keytarRepair = Date.now() - t;
  load = keytarLoads();
  return load.ok ? { ok: true } : { ok: false, why: `keytar still does not load after the repair (${load.why})`, fix: 'see the npm output above' };
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuild() {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const stale = !fs.existsSync(cli) || ['src/cli', 'src/core'].some((d) => newestMtime(path.join(ROOT, d)) > fs.statSync(cli).mtimeMs);
  if (!stale) return;
  const t = Date.now();
  log('dist/cli.js is missing or older than src/: node esbuild.config.mjs');
  execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
  timings.build = Date.now() - t;
}

/** Resolves with the first line a child prints on stdout, or rejects after `timeoutMs`. */
function firstLine(child, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what} printed nothing within ${timeoutMs} ms`)), timeoutMs);
    child.stdout.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buf.slice(0, nl).trim());
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready`));
    });
  });
}

const sleep = (n) => new Promise((r) => setTimeout(r, n));

/** The throwaway keyring: { env, dir, stop() }. Throws when it cannot be started. */
async function startKeyring(children) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-keyring-'));
  const env = { ...process.env };
  // Nothing may reach the developer's session: no display, no inherited bus, own HOME and XDG dirs.
  for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'GNOME_KEYRING_CONTROL', 'SSH_AUTH_SOCK']) delete env[k];
  for (const [k, sub] of [['HOME', 'home'], ['XDG_DATA_HOME', 'data'], ['XDG_CONFIG_HOME', 'config'], ['XDG_CACHE_HOME', 'cache'], ['XDG_RUNTIME_DIR', 'runtime']]) {
    env[k] = path.join(dir, sub);
    fs.mkdirSync(env[k], { recursive: true, mode: 0o700 });
  }
  const t = Date.now();
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1', `--address=unix:path=${path.join(dir, 'bus')}`], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(bus);
  // Its stderr (e.g. "Failed to set fd limit" when not allowed to) is shown only when it fails.
  let busErr = '';
  bus.stderr.on('data', (d) => (busErr += d.toString()));
  try {
    env.DBUS_SESSION_BUS_ADDRESS = await firstLine(bus, 10_000, 'dbus-daemon');
  } catch (e) {
    throw new Error(`${e.message}: ${busErr.trim()}`);
  }

  const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--components=secrets', '--unlock'], { env, stdio: ['pipe', 'ignore', 'pipe'] });
  children.push(keyring);
  let keyringErr = '';
  keyring.stderr.on('data', (d) => (keyringErr += d.toString()));
  keyring.stdin.end(PASSWORD);

  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { env, encoding: 'utf8' });
    if (r.status === 0 && /boolean true/.test(r.stdout)) break;
    if (keyring.exitCode !== null) throw new Error(`gnome-keyring-daemon exited (${keyring.exitCode}): ${keyringErr.trim()}`);
    if (Date.now() > deadline) throw new Error(`gnome-keyring-daemon did not take org.freedesktop.secrets within 10 s: ${keyringErr.trim()}`);
    await sleep(50);
  }
  // A round trip proves the default collection exists and is unlocked.
  const probe = spawnSync(process.execPath, ['-e', `
    const k = require('keytar');
    (async () => {
      await k.setPassword('jira2fa-probe', 'probe', 'probe-value');
      if (await k.getPassword('jira2fa-probe', 'probe') !== 'probe-value') throw new Error('read back a different value');
      if (!(await k.deletePassword('jira2fa-probe', 'probe'))) throw new Error('delete said nothing was there');
    })().catch((e) => { console.error(e.message); process.exit(1); });`], { cwd: ROOT, env, encoding: 'utf8', timeout: 20_000 });
  if (probe.status !== 0) throw new Error(`keyring round trip failed: ${(probe.stderr || probe.error?.message || '').trim()}`);
  timings.keyringStart = Date.now() - t;
  return { env, dir };
}

async function stopAll(children, dir) {
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

function runMocha(env) {
  const t = Date.now();
  const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mocha, '--config', 'test/keyring/.mocharc.json'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => {
      timings.suite = Date.now() - t;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main() {
  const children = [];
  let keyringDir;
  const cleanup = () => stopAll(children, keyringDir);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      void cleanup().then(() => process.exit(130));
    });
  }

  let unavailable; // { why, fix } when the keyring tests cannot run
  if (process.platform !== 'linux') {
    unavailable = { why: `${process.platform}: only Linux gets a throwaway keyring (elsewhere the tests would use your real keychain)`, fix: 'run on Linux / in CI' };
  } else {
    if (!RUNTIME_PACKAGES.every(debInstalled)) aptInstall(RUNTIME_PACKAGES);
    const tools = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'].filter((c) => !has(c));
    if (tools.length) unavailable = { why: `not installed: ${tools.join(', ')}`, fix: `as root: apt-get install ${RUNTIME_PACKAGES.join(' ')}` };
  }
  if (!unavailable && process.platform === 'linux') {
    const k = ensureKeytar();
    if (!k.ok) unavailable = { why: k.why, fix: k.fix };
  }
  ensureBuild();

  let env = { ...process.env };
  if (!unavailable) {
    try {
      const keyring = await startKeyring(children);
      keyringDir = keyring.dir;
      env = { ...keyring.env, JIRA2FA_TEST_KEYRING: '1', JIRA2FA_TEST_KEYRING_DIR: keyring.dir };
      log(`throwaway keyring up in ${timings.keyringStart} ms (${keyring.dir})`);
    } catch (e) {
      unavailable = { why: e.message, fix: 'see above; the keyring needs dbus-daemon and gnome-keyring-daemon' };
    }
  }
  if (unavailable) {
    loud([
      'NO KEYRING: the CLI keychain tests against a real keyring are SKIPPED.',
      `why: ${unavailable.why}`,
      `fix: ${unavailable.fix}`,
      CI ? 'CI=true: this is a FAILURE.' : 'Only the tests that need no keyring run.',
    ]);
    env = { ...env, JIRA2FA_TEST_KEYRING: '0', JIRA2FA_TEST_KEYRING_WHY: unavailable.why };
  }

  let code;
  try {
    code = await runMocha(env);
  } finally {
    await cleanup();
  }
  const parts = Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`);
  log(`done in ${ms(started)} (${parts.join(', ')})`);
  if (unavailable && CI) code = code || 1;
  return code;
}

process.exitCode = await main();
