/**
 * Where the CLI keeps its files when not told otherwise: XDG on Linux, Application Support on
 * macOS, %APPDATA% / %LOCALAPPDATA% on Windows.
 */
import os from 'node:os';
import path from 'node:path';

type Env = Record<string, string | undefined>;

export function configDir(env: Env = process.env, platform = process.platform, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'jira2fa');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'jira2fa');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'jira2fa');
}

export function stateDir(env: Env = process.env, platform = process.platform, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'jira2fa');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'jira2fa', 'state');
  return path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'jira2fa');
}

/** The profiles file: --profiles, else $JIRA2FA_PROFILES, else the platform config dir. */
export function profilesFilePath(flag: string | undefined, env: Env = process.env): string {
  return flag || env.JIRA2FA_PROFILES || path.join(configDir(env), 'profiles.json');
}

/** "~/x" → "<home>/x" (profile paths such as CA files may start with ~/). */
export function expandHome(p: string, home = os.homedir()): string {
  return p.startsWith('~/') ? `${home}${p.slice(1)}` : p;
}
