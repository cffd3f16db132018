/**
 * Readable names of the audit log's actions, one table for the tree, the audit panel, the CLI
 * and exports (the log itself keeps the stable internal names). An action without a label
 * (a newer version wrote it) is shown as recorded.
 */
export const ACTION_LABELS: Record<string, string> = {
  unenroll: 'Recovery unenroll (REST)',
  'sql.run': 'Recovery SQL (read)',
  'sql.preview': 'Recovery SQL preview',
  'sql.change': 'Recovery SQL change',
  'sql.disable': 'Recovery SQL disable',
  'sql.reveal': 'Recovery codes revealed',
  'backup.restore': 'Restore from backup',
  'bulk.preview': 'Bulk preview',
  'bulk.run': 'Bulk disable (REST)',
  'bulk.sql.disable': 'Bulk disable (database)',
  'cloud.move': 'Cloud policy move',
  'cloud.moveBack': 'Cloud policy move back',
  'audit.gap': 'Audit log gap recorded',
  'ticket.comment': 'Ticket comment',
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
