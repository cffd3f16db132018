/**
 * Everything the extension needs from the HTTP side (undici, otplib), behind one module so
 * it can be a separate bundle (dist/lazy/jira.js) loaded on first use: activation stays
 * free of the 500 kB HTTP client. See src/extension/lazy.ts.
 */
export { createJiraClient, type JiraClient } from './client';
export { guardRefusal } from './outcomes';
export { replayGuardFor } from '../totp';
export { testConnection, unenrollUser } from '../unenroll';
export { runRestBulk, type RestBulkProgress } from '../bulk/rest';
export { runUnenroll } from '../actions/unenroll';
export { runBulkRest } from '../actions/bulkRest';
