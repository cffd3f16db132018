/**
 * Readable names of the audit log's actions, one table for the tree, the audit panel, the CLI
 * and exports (the log itself keeps the stable internal names). An action without a label
 * (a newer version wrote it) is shown as recorded.
 */
const ACTION_LABELS: Record<string, string> = {
  unenroll: 'Unenroll (REST)',
  'sql.run': 'Run snippet',
  'sql.preview': 'Preview change',
  'sql.change': 'Change by snippet',
  'sql.disable': 'Disable 2SV by SQL',
  'sql.reveal': 'Reveal recovery codes',
  'backup.restore': 'Restore backup',
  'bulk.preview': 'Bulk preview',
  'bulk.run': 'Bulk disable 2SV',
  'bulk.sql.disable': 'Bulk disable 2SV by SQL',
  'cloud.move': 'Move to recovery policy (Cloud)',
  'cloud.moveBack': 'Move back to usual policy (Cloud)',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/**
 * Who acted, the same way everywhere: the product identity used (Jira user, database user)
 * and the operating-system account that ran the tool when it differs, e.g.
 * "admin (OS user root)". Older entries have no osUser: the admin alone.
 */
export function actorLabel(entry: { admin: string; osUser?: string }): string {
  return entry.osUser && entry.osUser !== entry.admin ? `${entry.admin} (OS user ${entry.osUser})` : entry.admin;
}
