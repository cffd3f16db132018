/** How long a user has been in a temporary policy, in words short enough for a tree row. */
export function ageText(movedAt: string, nowMs: number): string {
  const ms = nowMs - Date.parse(movedAt);
  if (Number.isNaN(ms)) return 'unknown age';
  if (ms < 60_000) return 'just now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}

/** The reminder setting, read defensively: a bad value falls back to the default. */
export const REMINDER_SETTING = 'jira2fa.cloud.moveBackReminderHours';
export const DEFAULT_REMINDER_HOURS = 24;

export function reminderHours(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : DEFAULT_REMINDER_HOURS;
}
