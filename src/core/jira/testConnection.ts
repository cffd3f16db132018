/**
 * "Test connection": one pass over the read-only endpoints that tells the user, before any
 * unenroll, whether it can work: reachable and trusted (server info), credentials accepted
 * (who am I), system administrator (permissions), own 2SV on (tsv status). The first two
 * are fatal when they fail; the last two only produce warnings and unknown fields.
 */
import type { JiraClient } from './client';
import type { FailedOutcome } from './outcomes';

export interface ConnectionReport {
  ok: boolean;
  /** "Jira 10.3.2 · signed in as jdoe · system admin · your 2SV on", or the failure. */
  summary: string;
  productName: string;
  version?: string;
  /** The version call answered 404 (e.g. Confluence before 9.1). */
  versionUnknown?: boolean;
  signedInAs?: string;
  displayName?: string;
  /** undefined when the product cannot tell. */
  isSysAdmin?: boolean;
  /** undefined when the status could not be read. */
  own2svActive?: boolean;
  /** Things that will make an unenroll fail, said up front. */
  warnings: string[];
  /** The fatal failure, when ok is false. */
  failure?: FailedOutcome;
}

const AUTH_FAILURES = new Set<FailedOutcome['kind']>(['authFailed', 'loginRedirect', 'loginPage']);

export type ConnectionClient = Pick<JiraClient, 'serverInfo' | 'myself' | 'isSystemAdmin' | 'tsvStatus' | 'productName'>;

export async function testConnection(_profile: { id: string }, client: ConnectionClient, signal?: AbortSignal): Promise<ConnectionReport> {
  const report: ConnectionReport = { ok: false, summary: '', productName: client.productName, warnings: [] };
  const failed = (outcome: FailedOutcome): ConnectionReport => ({ ...report, ok: false, summary: outcome.summary, failure: outcome });

  const info = await client.serverInfo(signal);
  // A version call answering 404 is "version unknown", not a failure: Confluence before 9.1
  // has no server-information, and Bitbucket's and Bamboo's paths are not documented.
  const versionMissing = !info.ok && info.outcome.kind === 'notFound';
  if (info.ok) report.version = info.value.version;
  else if (versionMissing) report.versionUnknown = true;
  else if (info.outcome.kind !== 'unavailable') return failed(info.outcome);

  const me = await client.myself(signal);
  if (me.ok) {
    report.signedInAs = me.value.username;
    if (me.value.displayName) report.displayName = me.value.displayName;
  } else if (me.outcome.kind !== 'unavailable') {
    return failed(me.outcome);
  }

  const [admin, tsv] = await Promise.all([client.isSystemAdmin(signal), client.tsvStatus(signal)]);
  if (!me.ok && !tsv.ok) {
    // Bitbucket and Bamboo have no documented "who am I" call: the tsv status is the first
    // call that proves the credentials, and with no version either it is the only one left.
    if (AUTH_FAILURES.has(tsv.outcome.kind)) return failed(tsv.outcome);
    if (versionMissing && tsv.outcome.kind === 'notFound') return failed(tsv.outcome);
  }
  if (admin.ok) {
    report.isSysAdmin = admin.value;
    if (!admin.value) report.warnings.push('You are not a system administrator: the server will refuse to unenroll anyone.');
  } else if (admin.outcome.kind !== 'unavailable') {
    report.warnings.push(`Could not check system administrator rights: ${admin.outcome.summary}`);
  }
  if (tsv.ok) {
    report.own2svActive = tsv.value.twoSVActive;
    if (!tsv.value.twoSVActive) report.warnings.push('Your own two-step verification is off: unenroll needs your own TOTP code, so set up 2SV on your account first.');
  } else if (tsv.outcome.kind === 'notFound') {
    report.warnings.push('The two-step verification REST API was not found: this version may lack native 2SV, or the base URL misses its context path.');
  } else {
    report.warnings.push(`Could not read your two-step verification status: ${tsv.outcome.summary}`);
  }

  const parts = [report.version ? `${report.productName} ${report.version}` : report.versionUnknown ? `${report.productName} (version unknown)` : report.productName];
  if (report.signedInAs) parts.push(`signed in as ${report.signedInAs}`);
  if (report.isSysAdmin !== undefined) parts.push(report.isSysAdmin ? 'system admin' : 'NOT system admin');
  if (report.own2svActive !== undefined) parts.push(report.own2svActive ? 'your 2SV on' : 'your 2SV off');
  return { ...report, ok: true, summary: parts.join(' · ') };
}
