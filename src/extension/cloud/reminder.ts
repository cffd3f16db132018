/**
 * At start-up (after activation): a warning about Cloud users left in a temporary policy for
 * longer than jira2fa.cloud.moveBackReminderHours, with a way to the list and to Move Back.
 */
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { Command, INSTANCES_VIEW } from '../commandTable';
import type { MoveTracker } from '../../core/cloud/tracker';
import type { Log } from '../log';
import { ageText, REMINDER_SETTING, reminderHours } from './age';

/** At start-up: warn about users left in a temporary policy for longer than the setting. */
export async function remindOverdue(tracker: MoveTracker, log: Log): Promise<void> {
  const hours = reminderHours(vscode.workspace.getConfiguration().get(REMINDER_SETTING));
  let overdue;
  try {
    overdue = await tracker.overdue(Date.now(), hours);
  } catch (e) {
    log.error('The list of users waiting to be moved back cannot be read', e);
    void vscode.window.showErrorMessage(`The list of users waiting to be moved back cannot be read: ${describeError(e)}`);
    return;
  }
  if (!overdue.length) return;
  const names = overdue.slice(0, 3).map((e) => `${e.email} (${ageText(e.movedAt, Date.now())})`).join(', ') + (overdue.length > 3 ? `, and ${overdue.length - 3} more` : '');
  const choice = await vscode.window.showWarningMessage(
    `${overdue.length} user${overdue.length === 1 ? ' has' : 's have'} been in a temporary authentication policy (2SV not enforced) ${hours > 0 ? `for more than ${hours} h` : 'and not been moved back'}: ${names}.`,
    'Show',
    'Move back…',
  );
  if (choice === 'Show') await vscode.commands.executeCommand(`${INSTANCES_VIEW}.focus`);
  else if (choice === 'Move back…') await vscode.commands.executeCommand(Command.moveBack);
}
