/**
 * The one time format of the UI: local time with its UTC offset ("2026-12-05 23:55:24
 * UTC+01:00"), the same in forms, the tree, the audit panel and the CLI's tables. Exports and
 * the log itself keep ISO 8601 UTC (entry.time). Free of Intl so the text does not depend on
 * the locale an editor or terminal happens to run in.
 */
export function localTime(when: Date | string | number): string {
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return String(when);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`;
}
