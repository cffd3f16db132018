#!/usr/bin/env node
// Installs (once, cached in ${JIRA2FA_CACHE:-~/.cache/jira2fa}) what the real-editor tests and
// the sandbox need: Debian chromium (+ libkrb5-dev, as root), Node 24, code-server 4.139.1.
// `npm run test:e2e` calls the same ensureDeps(); run this alone to warm a machine or CI image.
import { E2EDepsError, ensureDeps, reportDepsFailure } from './lib/codeServer.mjs';

try {
  await ensureDeps();
} catch (e) {
  if (!(e instanceof E2EDepsError)) throw e;
  process.exit(reportDepsFailure(e, { what: 'editor dependencies' }));
}
