/**
 * Where the files shipped beside the bundles are (dist/drivers/, media/). Each bundle finds them
 * from its own folder: dist/extension.js and dist/cli.js live in dist/, the lazily loaded
 * bundles one level down in dist/lazy/ (esbuild.config.mjs defines JIRA2FA_BUNDLE_DEPTH "1" for
 * those). Only meaningful when bundled (JIRA2FA_BUNDLED "1"); from source, callers use paths
 * relative to their own file.
 */
import path from 'node:path';

export function distDir(): string {
  return process.env.JIRA2FA_BUNDLE_DEPTH === '1' ? path.dirname(__dirname) : __dirname;
}
