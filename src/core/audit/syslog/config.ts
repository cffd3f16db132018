/**
 * Where audit entries are forwarded by syslog: a TCP or TLS receiver (a SIEM's collector, an
 * rsyslog relay). Given to the CLI as $JIRA2FA_AUDIT_SYSLOG, tcp://host:port or
 * tls://host:port?ca=/path/to/ca.pem (without ca: the system's CAs).
 */
import { AppError } from '../../errors';
import { hostOfUrl, parseDestinationUrl } from '../destinationUrl';

export interface SyslogConfig {
  host: string;
  port: number;
  transport: 'tcp' | 'tls';
  /** PEM file of the CA that signed the receiver's certificate (TLS only). */
  caFile?: string;
}

export const SYSLOG_URL_ENV = 'JIRA2FA_AUDIT_SYSLOG';

function bad(message: string): AppError {
  return new AppError('input', `${SYSLOG_URL_ENV} is not usable: ${message}`, 'Write it as tcp://host:514 or tls://host:6514?ca=/path/to/ca.pem.');
}

export function parseSyslogUrl(text: string): SyslogConfig {
  const url = parseDestinationUrl(text, bad);
  const transport = url.protocol === 'tcp:' ? 'tcp' : url.protocol === 'tls:' ? 'tls' : undefined;
  if (!transport) throw bad(`the scheme "${url.protocol.replace(/:$/, '')}" is not tcp or tls`);
  if (url.username || url.password) throw bad('it holds a user or password; syslog takes none');
  if (!url.hostname) throw bad('the host is missing');
  if (!url.port) throw bad('the port is missing (514 for TCP, 6514 for TLS are usual)');
  const cfg: SyslogConfig = { host: hostOfUrl(url), port: Number(url.port), transport };
  for (const [key, value] of url.searchParams) {
    if (key === 'ca' && transport === 'tls' && value) cfg.caFile = value;
    else throw bad(`unknown option "${key}"${key === 'ca' ? ' (ca is for tls:// only, and names a PEM file)' : ''}`);
  }
  return cfg;
}

/** The receiver as an id without secrets, for position files and messages. */
export function syslogId(cfg: SyslogConfig): string {
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return `${cfg.transport}://${host}:${cfg.port}`;
}

/** The receiver from the editor setting jira2fa.audit.syslog (an object); undefined when unset. */
export function syslogConfigFromSetting(value: unknown): SyslogConfig | undefined {
  if (value === null || value === undefined) return undefined;
  const fail = (m: string) => new AppError('input', `The setting jira2fa.audit.syslog is not usable: ${m}`);
  if (typeof value !== 'object' || Array.isArray(value)) throw fail('it is not an object');
  const v = value as Record<string, unknown>;
  if (typeof v.host !== 'string' || !v.host.trim()) throw fail('host is required');
  if (!(Number.isInteger(v.port) && (v.port as number) >= 1 && (v.port as number) <= 65535)) throw fail('port must be 1-65535');
  const transport = v.transport ?? 'tls';
  if (transport !== 'tcp' && transport !== 'tls') throw fail('transport must be "tcp" or "tls"');
  if (v.caFile !== undefined && (typeof v.caFile !== 'string' || transport !== 'tls')) throw fail('caFile is a PEM file path, for tls only');
  const cfg: SyslogConfig = { host: v.host.trim(), port: v.port as number, transport };
  if (v.caFile) cfg.caFile = v.caFile as string;
  return cfg;
}
