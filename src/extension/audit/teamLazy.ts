/**
 * What the extension needs of the team audit store and syslog, in one lazily loaded bundle
 * (dist/lazy/teamAudit.js): activation loads none of it, nor any database driver or TLS code.
 */
export { computerId, computerIdPath } from '../../core/audit/ship/computerId';
export { shipTeamAudit, teamBacklog, type DestinationStatus, type TeamAuditTargets } from '../../core/audit/ship/team';
export { openStore } from '../../core/audit/store/open';
export { readStore, storeFilterFrom, type StoreFilterInput, type StoreRow } from '../../core/audit/store/read';
export { storeId } from '../../core/audit/store/config';
export { auditPositionFilePath } from '../../core/audit/paths';
