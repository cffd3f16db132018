/**
 * Runs the CLI's main() in this process with captured output, the files of one test folder
 * (profiles, audit log, backups, state) and an in-memory secret store: the integration tests'
 * way to drive `jira2fa` against the simulators and the real databases without spawning it.
 */
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/context';
import type { CliCommand } from '../../src/cli/commands/types';
import { main } from '../../src/cli/main';
import type { SecretStore } from '../../src/core/secrets';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI's files in one test folder: profiles.json, audit.jsonl, its head record, backups/, the Cloud pending list, state/. */
export function cliFilesEnv(dir: string): Record<string, string> {
  return {
    JIRA2FA_PROFILES: path.join(dir, 'profiles.json'),
    JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'),
    JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'),
    JIRA2FA_BACKUP_DIR: path.join(dir, 'backups'),
    JIRA2FA_CLOUD_PENDING_FILE: path.join(dir, 'cloud-pending.json'),
    XDG_STATE_HOME: path.join(dir, 'state'),
  };
}

/**
 * `dir` holds profiles.json and receives audit.jsonl, backups/ and state/; `env` is added on
 * top. `stdin`: what standard input holds (a pipe, not a terminal); `commands` replaces the
 * CLI's command list.
 */
export async function runCliInProcess(
  args: string[],
  dir: string,
  secrets: SecretStore,
  env: Record<string, string | undefined> = {},
  opts: { stdin?: string; commands?: readonly CliCommand[] } = {},
): Promise<InProcessRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: { ...cliFilesEnv(dir), ...env },
    cwd: dir,
    secrets,
  };
  if (opts.stdin !== undefined) {
    const stdin = new PassThrough();
    stdin.end(opts.stdin);
    io.stdin = stdin;
  }
  const code = await main(['node', 'jira2fa', ...args], io, opts.commands);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
