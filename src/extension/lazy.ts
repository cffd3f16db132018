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

type CloudApi = typeof import('../core/cloud/index');

let cloud: Promise<CloudApi> | undefined;

/** The Cloud admin API client and recovery (undici): dist/lazy/cloud.js in the bundle. */
export function loadCloudApi(): Promise<CloudApi> {
  cloud ??=
    process.env.JIRA2FA_BUNDLED === '1'
      ? Promise.resolve(createRequire(__filename)(path.join(__dirname, 'lazy', 'cloud.js')) as CloudApi)
      : import('../core/cloud/index.js');
  return cloud;
}
