/**
 * Modules loaded on first use rather than at activation. From source (tests) they are
 * imported directly; in the bundle, esbuild replaces JIRA2FA_BUNDLED with "1", the source
 * branch is dropped, and the module is required from dist/lazy/<name>.js at run time
 * (createRequire keeps esbuild from following it into the main bundle).
 *
 * Each lazy bundle carries its own copy of the core code it uses. That is safe because the
 * state that must be shared (audit log, backups, sessions, secrets, the replay guard) is
 * passed in as objects, and the error classes recognise their copies (src/core/errors.ts).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { distDir } from '../core/bundlePaths';

// The test `process.env.JIRA2FA_BUNDLED === '1' ? undefined : () => import(…)` is written out at
// each call site: esbuild folds it there and drops the import; behind a function parameter or a
// constant it would follow the import and put the module into the main bundle.

function lazyModule<T>(name: string, fromSource: (() => Promise<T>) | undefined): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  // distDir(): the lazy bundles load each other too (the Cloud panel loads the Cloud API), and
  // a lazy bundle sits in dist/lazy itself. Node's require cache makes each one a single module.
  return () => (loaded ??= fromSource ? fromSource() : Promise.resolve(createRequire(__filename)(path.join(distDir(), 'lazy', `${name}.js`)) as T));
}

/** The Jira client, unenroll and bulk by REST (undici): dist/lazy/jira.js in the bundle. */
export const loadJiraApi = lazyModule<typeof import('../core/jira/api')>('jira', process.env.JIRA2FA_BUNDLED === '1' ? undefined : () => import('../core/jira/api.js'));

/** The Cloud admin API client and recovery (undici): dist/lazy/cloud.js in the bundle. */
export const loadCloudApi = lazyModule<typeof import('../core/cloud/index')>('cloud', process.env.JIRA2FA_BUNDLED === '1' ? undefined : () => import('../core/cloud/index.js'));

/** The "Bulk disable 2SV…" flow and its editor UI: dist/lazy/bulk.js in the bundle. */
export const loadBulkFlow = lazyModule<typeof import('./bulk/lazyEntry')>('bulk', process.env.JIRA2FA_BUNDLED === '1' ? undefined : () => import('./bulk/lazyEntry.js'));

/** The "Recover a Cloud user" panel and its controller: dist/lazy/cloudPanel.js in the bundle. */
export const loadCloudPanel = lazyModule<typeof import('./cloud/panel')>('cloudPanel', process.env.JIRA2FA_BUNDLED === '1' ? undefined : () => import('./cloud/panel.js'));

/** Team audit: shipping to the store and syslog, and reading the store: dist/lazy/teamAudit.js in the bundle. */
export const loadTeamAudit = lazyModule<typeof import('./audit/teamLazy')>('teamAudit', process.env.JIRA2FA_BUNDLED === '1' ? undefined : () => import('./audit/teamLazy.js'));
