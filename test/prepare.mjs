#!/usr/bin/env node
// `npm run test:prepare`, the step of `npm test` before the suites: makes sure the machine has
// the real parts the suites use, installing what is missing (as root, from Debian and npm):
// Debian's chromium (the integration suite's webview-security tests and the e2e run), Node 24
// and code-server (the e2e run), all cached in ~/.cache/jira2fa. On a fresh machine this is
// where the first run spends its extra minutes. Cannot install (not root, not Linux): says so
// loudly and fails, unless E2E_ALLOW_SKIP=1 outside CI (then the suites that need them fail or
// skip on their own, each with its own message).
import { E2EDepsError, ensureDeps, reportDepsFailure } from './e2e/lib/codeServer.mjs';

const log = (line) => console.log(`[prepare] ${line}`);
try {
  const t0 = Date.now();
  const { installed } = await ensureDeps({ log });
  log(installed.length ? `installed ${installed.join('; ')} in ${((Date.now() - t0) / 1000).toFixed(0)} s` : 'everything present');
} catch (e) {
  if (!(e instanceof E2EDepsError)) throw e;
  process.exitCode = reportDepsFailure(e, { what: 'tests that need chromium and code-server' });
}
