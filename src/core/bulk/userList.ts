/**
 * The user list of a bulk run: names pasted one per line, or a CSV file with a `username`
 * column (other columns are ignored). Each name is checked as the unenroll checks one; blank
 * lines, duplicates (compared as the products compare names: case-insensitive, NFC) and
 * invalid names are reported by line and left out, so a list with mistakes says what it
 * dropped instead of failing on user 731.
 */
import { AppError } from '../errors';
import { usernameProblem } from '../jira/paths';
import { printable } from '../printable';
import { userKeyOf } from '../userKey';

export type ListFormat = 'lines' | 'csv';

export interface ListedUser {
  username: string;
  /** 1-based line (CSV: the record's first line) in the source. */
  line: number;
}

export type ListProblemKind = 'blank' | 'duplicate' | 'invalid';

export interface ListProblem {
  line: number;
  kind: ListProblemKind;
  /** The raw text (printable; never a secret: it is a user name). */
  text: string;
  message: string;
}

export interface UserList {
  format: ListFormat;
  users: ListedUser[];
  problems: ListProblem[];
}

/** "csv" for a .csv file name, else plain lines. */
export function formatForFile(fileName: string): ListFormat {
  return /\.csv$/i.test(fileName) ? 'csv' : 'lines';
}

/** Parses a pasted list or a CSV text. Throws AppError('input') when nothing usable is in it. */
export function parseUserList(text: string, format: ListFormat): UserList {
  const body = text.replace(/^\uFEFF/, '');
  const entries = format === 'csv' ? csvUsernames(body) : body.split(/\r\n|\n|\r/).map((raw, i) => ({ raw, line: i + 1 }));
  // A trailing newline is not a blank entry.
  while (entries.length && entries[entries.length - 1].raw === '' && format === 'lines') entries.pop();
  const users: ListedUser[] = [];
  const problems: ListProblem[] = [];
  const seen = new Map<string, number>();
  for (const { raw, line } of entries) {
    const username = raw.trim();
    if (!username) {
      problems.push({ line, kind: 'blank', text: '', message: 'blank line' });
      continue;
    }
    // "." and ".." are real (old) accounts: only a URL path cannot carry them. The database
    // route can, and a REST run reports them per user, so they stay in the list.
    const problem = username === '.' || username === '..' ? undefined : usernameProblem(username);
    if (problem) {
      problems.push({ line, kind: 'invalid', text: printable(raw), message: problem });
      continue;
    }
    const key = userKeyOf(username);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ line, kind: 'duplicate', text: username, message: `same user as line ${first}` });
      continue;
    }
    seen.set(key, line);
    users.push({ username, line });
  }
  if (!users.length) {
    throw new AppError('input', `The list holds no user name${problems.length ? ` (${summarizeProblems(problems)})` : ''}.`, format === 'csv' ? 'Give a CSV with a "username" column and one user per row.' : 'Put one user name (login) per line.');
  }
  return { format, users, problems };
}

/** "2 blank, 1 duplicate, 1 invalid" */
export function summarizeProblems(problems: ListProblem[]): string {
  const count = (k: ListProblemKind) => problems.filter((p) => p.kind === k).length;
  return (['blank', 'duplicate', 'invalid'] as const)
    .map((k) => [k, count(k)] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

/** The `username` cells of a CSV text (RFC 4180: quoted fields, "" escapes, CRLF or LF). */
function csvUsernames(text: string): Array<{ raw: string; line: number }> {
  const records = readCsv(text);
  if (!records.length) throw new AppError('input', 'The CSV file is empty.', 'Give a CSV with a "username" column.');
  const header = records[0].cells.map((c) => c.trim().toLowerCase());
  const col = header.indexOf('username');
  if (col < 0) {
    throw new AppError('input', `The CSV file has no "username" column (its columns: ${records[0].cells.map((c) => JSON.stringify(c)).join(', ') || 'none'}).`, 'Name the column with the user names "username" in the first row.');
  }
  return records.slice(1).map((r) => ({ raw: r.cells[col] ?? '', line: r.line }));
}

interface CsvRecord {
  cells: string[];
  line: number;
}

function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quotedCell = false;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    records.push({ cells, line: recordLine });
    cells = [];
    cell = '';
    quotedCell = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        inQuotes = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      inQuotes = true;
      quotedCell = true;
      i++;
      continue;
    }
    if (c === ',') {
      cells.push(cell);
      cell = '';
      quotedCell = false;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    cell += c;
    i++;
  }
  if (inQuotes) throw new AppError('input', `The CSV file has a quoted field that is never closed (from line ${recordLine}).`);
  if (cell !== '' || cells.length || quotedCell) endRecord();
  return records;
}
