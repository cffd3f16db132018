/**
 * Runs the built CLI (dist/cli.js) as a real process with a clean environment: no inherited
 * JIRA2FA_* variable, the keychain off (secrets come from the variables the test passes), and
 * HOME / XDG dirs inside the test's folder so nothing lands in the real home.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DIST_CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function assertCliBuilt(): void {
  if (!existsSync(DIST_CLI)) throw new Error(`${DIST_CLI} is missing: run \`npm run build\` first`);
}

/** The environment of one run: `home` holds HOME and the XDG dirs; `env` is added on top. */
export function cliEnv(home: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_STATE_HOME: path.join(home, 'state'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    JIRA2FA_KEYCHAIN: 'off',
    ...env,
  };
}

/** `cwd`: where the CLI runs (default: this process's), so a test can sweep what it writes there. */
export function runCli(args: string[], env: Record<string, string>, opts: { cwd?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [DIST_CLI, ...args], { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
