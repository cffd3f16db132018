/**
 * The bulk flow as one lazily loaded bundle (dist/lazy/bulk.js, see ../lazy.ts): used only when
 * an admin starts "Bulk disable 2SV…", so its code stays out of the bundle activation reads.
 */
export { runBulkFlow } from './flow';
export { VscodeBulkUi } from './vscodeUi';
