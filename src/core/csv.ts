/**
 * CSV as spreadsheets read it (RFC 4180): comma-separated, a field quoted when it holds a comma,
 * a quote, CR or LF, quotes doubled inside; records end with LF. One writer for every export
 * (audit log, snippet results, bulk reports), small enough to live in the main bundle.
 *
 * Exports open in spreadsheets, so cells that a spreadsheet would run as a formula are defused
 * by the callers with csvSafeCell (audit and recovery rows come from places users can write to).
 */

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** The UTF-8 byte order mark Excel needs to read non-ASCII text. */
export const BOM = '\uFEFF';

/** The cell as a spreadsheet will show it, never as a formula (a leading apostrophe). */
export function csvSafeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One field, quoted only when it must be. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record with its line end. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/** A whole CSV text: the header line (if given) and the rows. */
export function toCsv(header: readonly string[] | undefined, rows: ReadonlyArray<readonly string[]>, options: { bom?: boolean } = {}): string {
  const lines = header ? [csvLine(header)] : [];
  for (const row of rows) lines.push(csvLine(row));
  return (options.bom ? BOM : '') + lines.join('');
}
