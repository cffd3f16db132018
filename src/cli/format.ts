/** Plain-text output helpers: terminal-safe cells and aligned tables. */
import { printable } from '../core/printable';

/** A value from a server, a database or a file, as one terminal-safe cell (core/printable.ts), cut to `max`. */
export function cell(value: unknown, max = 80): string {
  if (value === undefined || value === null) return '';
  return printable(String(value), max);
}

/** Columns padded to their widest cell, two spaces apart, headers first; no trailing spaces. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** The host of a URL, or the text itself when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
