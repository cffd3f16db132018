/**
 * CSV export of the audit log, for spreadsheets and ticket attachments. Text that a
 * spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return
 * that some of them skip) gets a leading apostrophe: a target or message comes from users
 * and servers, and must not be able to run anything in the admin's spreadsheet.
 */
import { actionLabel } from './actionLabels';
import { randomBytes } from '../lazyCrypto';
import { createWriteStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { csvLine, csvSafeCell, toCsv, BOM } from '../csv';
import { AppError } from '../errors';
import { errnoCode } from './lock';
import { forEachEntry, matchesFilter, type AuditFilter, type LineProblem } from './read';
import type { AuditEntry } from './types';
import { printable } from '../printable';

export const CSV_COLUMNS = ['time', 'admin', 'osUser', 'instance', 'action', 'actionLabel', 'target', 'outcome', 'status', 'message', 'runId', 'backupId', 'id'] as const;

export { csvSafeCell };

/** One CSV record; `instance` is the instance id. */
export function csvRecord(entry: AuditEntry): string[] {
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    time: entry.time,
    admin: entry.admin,
    osUser: entry.osUser ?? '',
    instance: entry.instance.id,
    action: entry.action,
    actionLabel: actionLabel(entry.action),
    target: entry.target ?? '',
    outcome: entry.outcome,
    status: entry.status === undefined ? '' : String(entry.status),
    message: entry.message,
    runId: entry.runId ?? '',
    backupId: entry.backupId ?? '',
    id: entry.id,
  };
  return CSV_COLUMNS.map((c) => csvSafeCell(cells[c]));
}

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark, which Excel needs to read non-ASCII text. */
  bom?: boolean;
}

/** The entries as CSV text with a header line (for small lists, e.g. a selection in a view). */
export function entriesToCsv(entries: AuditEntry[], options: CsvOptions = {}): string {
  return toCsv(CSV_COLUMNS, entries.map(csvRecord), options);
}

export interface ExportCsvResult {
  rows: number;
  malformed: LineProblem[];
  /** false when the audit log does not exist (the CSV then has only its header). */
  exists: boolean;
}

/**
 * Writes the log (optionally filtered) to `csvFile`, streaming, through a temporary file
 * renamed into place, so an interrupted export never leaves half a file. Damaged lines of
 * the log are skipped and returned. Throws AppError("input") when the CSV cannot be written.
 */
export async function exportCsv(auditFile: string, csvFile: string, options: CsvOptions & { filter?: AuditFilter } = {}): Promise<ExportCsvResult> {
  const target = path.resolve(csvFile);
  if (target === path.resolve(auditFile)) {
    throw new AppError('input', `Refused to export the audit log onto itself (${target}).`, 'Give the CSV file another name.');
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const malformed: LineProblem[] = [];
  let rows = 0;
  let exists = false;
  let reading = false;
  try {
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    const failed = new Promise<never>((_, reject) => out.on('error', reject));
    failed.catch(() => undefined);
    const write = async (text: string) => {
      if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
    };
    await write((options.bom ? BOM : '') + csvLine(CSV_COLUMNS));
    reading = true;
    exists = await forEachEntry(auditFile, async (entry) => {
      if (!matchesFilter(entry, options.filter)) return;
      reading = false;
      await write(csvLine(csvRecord(entry)));
      reading = true;
      rows++;
    }, (p) => malformed.push(p));
    reading = false;
    out.end();
    await Promise.race([once(out, 'close'), failed]);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    if (e instanceof AppError) throw e;
    const code = errnoCode(e);
    if (reading) {
      throw new AppError('input', `Could not read the audit log ${path.resolve(auditFile)}${code ? ` (${code})` : ''}: ${(e as Error).message}`,
        'Check that the file is readable.', { cause: e });
    }
    throw new AppError('input', `Could not write the CSV file ${printable(target, 300)}${code ? ` (${code})` : ''}: ${printable((e as Error).message, 300)}`,
      'Check that its folder exists and is writable.', { cause: e });
  }
  return { rows, malformed, exists };
}
