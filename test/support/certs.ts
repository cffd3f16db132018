/**
 * TLS material generated at test time with the openssl CLI (nothing secret is checked in):
 * a self-signed certificate, a CA with leaves it signed (good, wrong host name, expired),
 * and a self-signed certificate for the wrong host. All leaves name 127.0.0.1 and
 * localhost except the wrong-host ones.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
  certFile: string;
}

export interface TestCerts {
  dir: string;
  ca: KeyPair;
  /** Signed by ca, SAN 127.0.0.1 + localhost. */
  leaf: KeyPair;
  /** Signed by ca, SAN wrong.example only. */
  wrongHost: KeyPair;
  /** Signed by ca, already expired. */
  expired: KeyPair;
  /** Self-signed, SAN 127.0.0.1 + localhost. */
  selfSigned: KeyPair;
  /** Self-signed, SAN wrong.example only. */
  selfSignedWrongHost: KeyPair;
  /** Self-signed, SAN 127.0.0.1 + localhost, already expired. */
  selfSignedExpired: KeyPair;
  cleanup(): void;
}

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const GOOD_SAN = 'subjectAltName=DNS:localhost,IP:127.0.0.1';
const WRONG_SAN = 'subjectAltName=DNS:wrong.example';

export function makeTestCerts(): TestCerts {
  if (!opensslAvailable()) throw new Error('the openssl CLI is required for the TLS tests (apt-get install openssl)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-certs-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const read = (name: string): KeyPair => ({
    key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'),
    cert: fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8'),
    certFile: path.join(dir, `${name}.pem`),
  });

  const selfSigned = (name: string, san: string) =>
    run(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`, '-addext', san]);
  const signed = (name: string, san: string, days: string) => {
    run(['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    // A negative -days makes notAfter lie in the past: an expired certificate.
    run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', days, '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  };

  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Jira2FA Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  signed('leaf', GOOD_SAN, '2');
  signed('wrongHost', WRONG_SAN, '2');
  signed('expired', GOOD_SAN, '-1');
  selfSigned('selfSigned', GOOD_SAN);
  selfSigned('selfSignedWrongHost', WRONG_SAN);
  // Self-signed by its own key, with notAfter in the past.
  run(['req', '-new', ...ec, '-keyout', 'selfSignedExpired.key', '-out', 'selfSignedExpired.csr', '-subj', '/CN=selfSignedExpired']);
  fs.writeFileSync(path.join(dir, 'selfSignedExpired.ext'), `${GOOD_SAN}\n`);
  run(['x509', '-req', '-in', 'selfSignedExpired.csr', '-signkey', 'selfSignedExpired.key', '-days', '-1', '-extfile', 'selfSignedExpired.ext', '-out', 'selfSignedExpired.pem']);

  return {
    dir,
    ca: read('ca'),
    leaf: read('leaf'),
    wrongHost: read('wrongHost'),
    expired: read('expired'),
    selfSigned: read('selfSigned'),
    selfSignedWrongHost: read('selfSignedWrongHost'),
    selfSignedExpired: read('selfSignedExpired'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
