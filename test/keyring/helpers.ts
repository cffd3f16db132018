/**
 * Helpers of the keyring suite: run dist/cli.js (built by esbuild.config.mjs; run.mjs builds
 * it when stale) as a separate process, with a profiles file and an environment of our own.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST_CLI = path.join(ROOT, 'dist', 'cli.js');

export interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** True when run.mjs started a throwaway keyring for this run (and only then). */
export function keyringReady(): boolean {
  const dir = process.env.JIRA2FA_TEST_KEYRING_DIR;
  return process.env.JIRA2FA_TEST_KEYRING === '1' && !!dir && fs.existsSync(dir) && process.env.HOME?.startsWith(dir) === true;
}

/** Variables that could lead a child to the developer's real keyring or config. */
const SESSION_VARS = ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'GNOME_KEYRING_CONTROL', 'XDG_RUNTIME_DIR', 'HOME',
  'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'NODE_PATH', 'NODE_OPTIONS'];

/**
 * An environment with no D-Bus session and a throwaway HOME / XDG_RUNTIME_DIR under `dir`: a
 * keychain call in it fails (or, from a copy of the CLI with no keytar, is never made).
 */
export function isolatedEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SESSION_VARS.includes(k) && !k.startsWith('JIRA2FA_')) env[k] = v;
  for (const sub of ['home', 'runtime']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  env.HOME = path.join(dir, 'home');
  env.XDG_RUNTIME_DIR = path.join(dir, 'runtime');
  return env;
}

/** process.env without JIRA2FA_* (the keyring session's own variables are kept). */
export function keyringEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (!k.startsWith('JIRA2FA_') || k.startsWith('JIRA2FA_TEST_'))) env[k] = v;
  return env;
}

export interface RunOptions {
  env: Record<string, string>;
  /** Written to the CLI's stdin, then closed; without it stdin is /dev/null. */
  input?: string;
  cli?: string;
  cwd?: string;
}

/** Every output of every run, so a suite can check afterwards that no secret was ever printed. */
export const allOutput: string[] = [];

export function runCli(args: string[], opts: RunOptions): Promise<Done> {
  const child = spawn(process.execPath, [opts.cli ?? DIST_CLI, ...args], {
    cwd: opts.cwd ?? os.tmpdir(),
    env: opts.env,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      allOutput.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

/** stdout must be exactly one JSON object. */
export function oneJson(r: Done): Record<string, unknown> {
  const value: unknown = JSON.parse(r.stdout);
  assert.ok(value && typeof value === 'object' && !Array.isArray(value), `one JSON object, got: ${r.stdout}`);
  return value as Record<string, unknown>;
}

export function writeProfiles(file: string, instances: object[]): void {
  fs.writeFileSync(file, JSON.stringify({ version: 1, instances }));
}

export function assertNeverPrinted(secrets: string[]): void {
  const text = allOutput.join('\n');
  for (const s of secrets) assert.ok(!text.includes(s), `a secret value (${s.length} chars) appeared in the CLI's output`);
}
