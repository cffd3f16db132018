#!/usr/bin/env node
// `npm run test:prepare`, the step of `npm test` before the suites: makes sure the machine has
// the real parts the suites use, installing what is missing (as root, from Debian and npm):
// Debian's chromium (the integration suite's webview-security tests and the e2e run), Node 24
// and code-server (the e2e run), all cached in ~/.cache/jira2fa. On a fresh machine this is
// where the first run spends its extra minutes. Cannot install (not root, not Linux): says so
// loudly and fails, unless E2E_ALLOW_SKIP=1 outside CI (then the suites that need them fail or
// skip on their own, each with its own message). Also Debian's rsyslog with its GnuTLS
// netstream driver: the real syslog receiver of the audit forwarding tests.
import fs from 'node:fs';
import { aptInstall, E2EDepsError, ensureDeps, isRoot, reportDepsFailure, withCacheLock } from './e2e/lib/codeServer.mjs';

const log = (line) => console.log(`[prepare] ${line}`);
try {
  const t0 = Date.now();
  const { installed } = await ensureDeps({ log });
  installed.push(...(await ensureRsyslog()));
  log(installed.length ? `installed ${installed.join('; ')} in ${((Date.now() - t0) / 1000).toFixed(0)} s` : 'everything present');
} catch (e) {
  if (!(e instanceof E2EDepsError)) throw e;
  process.exitCode = reportDepsFailure(e, { what: 'tests that need chromium and code-server' });
}

/** rsyslogd and its gtls driver (test/support/rsyslog.ts); installed from Debian when missing. */
async function ensureRsyslog() {
  const gtls = ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/rsyslog/lmnsd_gtls.so'];
  if (fs.existsSync('/usr/sbin/rsyslogd') && gtls.some((f) => fs.existsSync(f))) {
    log('rsyslog: /usr/sbin/rsyslogd with gtls (present)');
    return [];
  }
  const pkgs = ['rsyslog', 'rsyslog-gnutls'];
  if (!isRoot() || !fs.existsSync('/usr/bin/apt-get')) {
    throw new E2EDepsError('rsyslog (with rsyslog-gnutls) is missing: the syslog forwarding tests need it', `install it as root: apt-get update && apt-get install -y ${pkgs.join(' ')}`);
  }
  await withCacheLock(log, () => aptInstall(pkgs, log));
  return [`apt: ${pkgs.join(' ')}`];
}
