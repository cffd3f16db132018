/**
 * What "Test connection" tells the admin once both checks are back: the instance's REST
 * answer and, when the profile has one, its database. One notification (not a status-bar
 * message that is gone in five seconds), its level from the worse of the two, and the fix
 * when something failed. Free of `vscode` so the wording is unit-tested.
 */
import type { DatabaseStatus } from '../snippets/databaseSessions';

export interface ConnectionNotice {
  level: 'info' | 'warning' | 'error';
  message: string;
}

export function connectionNotice(
  name: string,
  report: { ok: boolean; summary: string; warnings: string[] },
  database: DatabaseStatus | undefined,
): ConnectionNotice {
  const parts = [`${report.ok ? '✓' : '✗'} ${name}: ${report.summary}`];
  if (report.warnings.length) parts.push(...report.warnings.map((w) => `⚠ ${w}`));
  let dbLevel: ConnectionNotice['level'] = 'info';
  if (database?.state === 'ok') {
    const c = database.check;
    parts.push(`✓ Database: ${c.enrolledUsers ?? 0} user${c.enrolledUsers === 1 ? '' : 's'} enrolled in two-step verification.`);
    if (c.warnings.length) {
      parts.push(...c.warnings.map((w) => `⚠ ${w}`));
      dbLevel = 'warning';
    }
  } else if (database?.state === 'error') {
    parts.push(`✗ Database: ${database.message}`);
    dbLevel = 'error';
  }
  const level = !report.ok || dbLevel === 'error' ? 'error' : report.warnings.length || dbLevel === 'warning' ? 'warning' : 'info';
  return { level, message: parts.join(' ') };
}

/** The short text after the host in the tree row: readable at the default sidebar width. */
export function statusMark(state: 'unchecked' | 'ok' | 'error'): string {
  return state === 'ok' ? '✓' : state === 'error' ? '✗' : '';
}
