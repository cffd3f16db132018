/**
 * The database's TLS trust, from database.ssl. Every connection that carries the password is
 * verified (rejectUnauthorized: true, host name checked); nothing turns verification off:
 *  - true: the system's public CAs;
 *  - caFile: that CA file, always verified, whatever allowSelfSigned says;
 *  - allowSelfSigned without caFile (PostgreSQL, MySQL/MariaDB): the server's certificate is
 *    read first without logging in (tlsProbe.ts) and judged by the same rule as the HTTP side
 *    (tlsPolicy.checkSocket: it signs itself, names the configured host, is within its dates);
 *    then the driver connects trusting exactly that certificate, so the connection that sends
 *    the password fails on any other one. SQL Server and Oracle have no such probe here:
 *    there allowSelfSigned needs caFile set to the server's certificate.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors';
import { expandHome } from '../platformPaths';
import type { InstanceProfile } from '../profiles/schema';
import { driverFacts } from './dialect';
// The probe opens a TLS socket (node:net, node:tls): loaded only for a self-signed certificate.
import type { probeServerCertificate, ProbedCertificate } from './tlsProbe';
import type { NativeTls } from './types';

type DatabaseConfig = NonNullable<InstanceProfile['database']>;

export interface TlsDeps {
  /** Reads the CA file (tests). */
  read?: (path: string) => Promise<string>;
  /** Reads the server's certificate (tests). */
  probe?: typeof probeServerCertificate;
  timeoutMs?: number;
}

/** The driver TLS options for a profile's database: the CA file read, a self-signed certificate probed and checked. */
export async function resolveTls(db: Pick<DatabaseConfig, 'driver' | 'host' | 'port' | 'ssl'>, deps: TlsDeps = {}): Promise<NativeTls | false> {
  const ssl = db.ssl;
  if (!ssl || db.driver === 'pglite') return false;
  if (ssl === true) return { rejectUnauthorized: true };
  if (ssl.caFile) return { ca: await readCaFile(ssl.caFile, deps.read), rejectUnauthorized: true };
  if (!ssl.allowSelfSigned) return { rejectUnauthorized: true };
  if (db.driver !== 'postgres' && db.driver !== 'mysql') {
    throw new AppError('input', `database.ssl.allowSelfSigned is not supported for ${driverFacts(db.driver).label} without a CA file.`,
      "Set database.ssl.caFile to the server's self-signed certificate (PEM): it is then verified like any CA.");
  }
  const host = db.host ?? '';
  const port = db.port ?? driverFacts(db.driver).defaultPort ?? 0;
  let probed: ProbedCertificate;
  try {
    probed = await (deps.probe ?? (await import('./tlsProbe.js')).probeServerCertificate)(db.driver, host, port, deps.timeoutMs ?? 15_000);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError(code === 'J2FA-NO-TLS' ? 'input' : 'unreachable', `The database's TLS certificate could not be read at ${host}:${port}: ${(e as Error).message}.`,
      code === 'J2FA-NO-TLS' ? 'The server does not offer TLS: turn it on there, or remove database.ssl.' : 'Check database.host and database.port.', { cause: e });
  }
  if (probed.problem) {
    throw new AppError('refused', `The database's certificate at ${host}:${port} is refused (${probed.problem.message}); allowSelfSigned accepts only an in-date self-signed certificate naming ${host}. Nothing was sent.`,
      'If the server uses a private CA, set database.ssl.caFile to that CA (PEM); otherwise check that database.host is the name in its certificate.');
  }
  return { ca: probed.pem, rejectUnauthorized: true };
}

async function readCaFile(caFile: string, read: (p: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<string> {
  let ca: string;
  try {
    ca = await read(expandHome(caFile));
  } catch (e) {
    throw new AppError('input', `database.ssl.caFile cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ${caFile}`, 'Point it at a PEM file with the CA certificate.');
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(ca)) {
    throw new AppError('input', `database.ssl.caFile is not a PEM certificate file: ${caFile}`, 'Export the CA certificate as PEM (text starting with -----BEGIN CERTIFICATE-----).');
  }
  return ca;
}
