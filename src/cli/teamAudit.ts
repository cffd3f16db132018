/**
 * The CLI's side of the team audit: the store from $JIRA2FA_AUDIT_STORE (password from
 * $JIRA2FA_AUDIT_STORE_PASSWORD or the keychain, never the URL), syslog from
 * $JIRA2FA_AUDIT_SYSLOG, and shipping at the end of every command that appended to the log.
 */
import { auditPositionFilePath } from '../core/audit/paths';
import { computerId, computerIdPath } from '../core/audit/ship/computerId';
import { shipTeamAudit, type DestinationStatus, type TeamAuditPaths, type TeamAuditTargets } from '../core/audit/ship/team';
import { parseStoreUrl, STORE_PASSWORD_ENV, STORE_SECRET_ID, STORE_URL_ENV, type StoreConfig } from '../core/audit/store/config';
import { parseSyslogUrl, SYSLOG_URL_ENV, type SyslogConfig } from '../core/audit/syslog/config';
import { redactor } from '../core/redact';
import type { CliContext } from './context';
import { CliSecretStore } from './keychain';

/** The store configured by $JIRA2FA_AUDIT_STORE; undefined when unset. Throws AppError("input") for a bad URL. */
export function storeConfig(ctx: CliContext): StoreConfig | undefined {
  const url = ctx.io.env[STORE_URL_ENV];
  return url ? parseStoreUrl(url) : undefined;
}

export function syslogConfig(ctx: CliContext): SyslogConfig | undefined {
  const url = ctx.io.env[SYSLOG_URL_ENV];
  return url ? parseSyslogUrl(url) : undefined;
}

/** $JIRA2FA_AUDIT_STORE_PASSWORD, else the keychain entry of "jira2fa audit store login" (never another variable). */
export async function storePassword(ctx: CliContext): Promise<string | undefined> {
  const fromEnv = ctx.io.env[STORE_PASSWORD_ENV];
  if (fromEnv) {
    redactor.add(fromEnv);
    return fromEnv;
  }
  const secrets = ctx.secrets();
  let value: string | undefined;
  if (secrets instanceof CliSecretStore) {
    const state = secrets.keychainState();
    if ('store' in state) value = await state.store.get(STORE_SECRET_ID, 'dbPassword').catch(() => undefined);
  } else value = await secrets.get(STORE_SECRET_ID, 'dbPassword');
  redactor.add(value);
  return value;
}

export async function teamTargets(ctx: CliContext): Promise<TeamAuditTargets> {
  const store = storeConfig(ctx);
  const syslog = syslogConfig(ctx);
  return { ...(store ? { store: { cfg: store, password: await storePassword(ctx) } } : {}), ...(syslog ? { syslog } : {}) };
}

export async function teamPaths(ctx: CliContext): Promise<TeamAuditPaths> {
  return {
    log: ctx.auditFile(),
    computer: await computerId(ctx.resolvePath(computerIdPath(ctx.io.env))),
    positionFile: (d) => ctx.resolvePath(auditPositionFilePath(d, ctx.io.env)),
  };
}

/** One line per destination whose backlog is not empty: how many wait and why. */
export function waitingLines(status: readonly DestinationStatus[]): string[] {
  return status.filter((s) => s.backlog > 0).map((s) => `${s.backlog} audit ${s.backlog === 1 ? 'entry waits' : 'entries wait'} for ${s.label}${s.waiting ? `: ${s.waiting}` : ''}`);
}

/**
 * After a command that appended: ship to the configured destinations. Problems are warnings
 * (the action is done and its entry is in the local log); the exit code is not changed.
 */
export async function shipAfterCommand(ctx: CliContext): Promise<void> {
  if (!ctx.appendedToAuditLog) return;
  if (!ctx.io.env[STORE_URL_ENV] && !ctx.io.env[SYSLOG_URL_ENV]) return;
  try {
    const status = await shipTeamAudit(await teamTargets(ctx), await teamPaths(ctx));
    for (const line of waitingLines(status)) ctx.warn(line);
  } catch (e) {
    ctx.warn(`audit entries were not shipped to the team store or syslog: ${(e as Error).message}`);
  }
}
