/**
 * Modules loaded on first use rather than at activation. From source (tests) they are
 * imported directly; in the bundle, esbuild replaces JIRA2FA_BUNDLED with "1", the source
 * branch is dropped, and the module is required from dist/lazy/<name>.js at run time
 * (createRequire keeps esbuild from following it into the main bundle).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

type JiraApi = typeof import('../core/jira/api');

let jira: Promise<JiraApi> | undefined;

export function loadJiraApi(): Promise<JiraApi> {
  jira ??=
    process.env.JIRA2FA_BUNDLED === '1'
      ? Promise.resolve(createRequire(__filename)(path.join(__dirname, 'lazy', 'jira.js')) as JiraApi)
      : import('../core/jira/api.js');
  return jira;
}
