import assert from 'node:assert/strict';
import { newReport, parseUserList, reportToCsv, reportToMarkdown, loadReport, saveReport, formatForFile } from '../../src/core/bulk';
import { AppError } from '../../src/core/errors';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const PROFILE = { id: 'p', name: 'Prod', baseUrl: 'https://j.example.com', environment: 'production' as const };

describe('bulk user list', () => {
  it('pasted names: trims, drops blank lines, duplicates (case-insensitive, NFC) and invalid names, by line; keeps ".." (a database run can reach it)', () => {
    const list = parseUserList('alice\n  bob  \n\nALICE\nzoe\u0308\nzoë\nbad\u0007name\n..\r\ncarol\n', 'lines');
    assert.deepEqual(list.users, [
      { username: 'alice', line: 1 },
      { username: 'bob', line: 2 },
      { username: 'zoe\u0308', line: 5 },
      { username: '..', line: 8 },
      { username: 'carol', line: 9 },
    ]);
    assert.deepEqual(
      list.problems.map((p) => [p.line, p.kind]),
      [[3, 'blank'], [4, 'duplicate'], [6, 'duplicate'], [7, 'invalid']],
    );
    assert.equal(list.problems[1].message, 'same user as line 1');
    assert.equal(list.problems[3].text, 'badU+0007name', 'control characters are shown escaped');
  });

  it('CSV: the username column by header (any case, BOM), quoted fields with commas, quotes and newlines', () => {
    const csv = '\uFEFFid,"UserName",note\r\n1,alice,"hi, there"\r\n2,"o""brien","multi\nline"\n3,,empty\n4,"bob",x';
    const list = parseUserList(csv, 'csv');
    assert.deepEqual(list.users, [
      { username: 'alice', line: 2 },
      { username: 'o"brien', line: 3 },
      { username: 'bob', line: 6 },
    ]);
    assert.deepEqual(list.problems.map((p) => [p.line, p.kind]), [[5, 'blank']]);
  });

  it('clear errors: no username column, unclosed quote, nothing usable', () => {
    assert.throws(() => parseUserList('id,login\n1,alice\n', 'csv'), (e: AppError) => e.kind === 'input' && /no "username" column \(its columns: "id", "login"\)/.test(e.message));
    assert.throws(() => parseUserList('username\n"alice\n', 'csv'), (e: AppError) => e.kind === 'input' && /never closed/.test(e.message));
    assert.throws(() => parseUserList('\n \n', 'lines'), (e: AppError) => e.kind === 'input' && /no user name \(2 blank\)/.test(e.message));
    assert.equal(formatForFile('/x/Users.CSV'), 'csv');
    assert.equal(formatForFile('/x/users.txt'), 'lines');
  });
});

describe('bulk report', () => {
  it('CSV export defuses formulas in user names and messages', () => {
    const report = newReport(PROFILE, parseUserList('=HYPERLINK("x")\n+1\nalice', 'lines'), 'rest', 'admin');
    report.users[2].message = '@SUM(A1)';
    const lines = reportToCsv(report).trim().split('\n');
    assert.equal(lines.length, 4);
    assert.ok(lines[1].startsWith(`"'=HYPERLINK(""x"")"`), lines[1]);
    assert.ok(lines[2].startsWith("'+1,pending"), lines[2]);
    assert.ok(lines[3].includes(",'@SUM(A1),"), lines[3]);
  });

  it('Markdown escapes table syntax in names', () => {
    const md = reportToMarkdown(newReport(PROFILE, parseUserList('a|b\n<script>', 'lines'), 'db', 'admin'));
    assert.match(md, /\| a\\\|b \| pending/);
    assert.match(md, /\\<script\\>/);
  });

  it('saves and loads (resume); refuses a file that is not a report', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-report-'));
    try {
      const report = newReport(PROFILE, parseUserList('alice\nbob', 'lines'), 'rest', 'admin');
      const file = path.join(dir, 'r.json');
      await saveReport(file, report);
      assert.deepEqual((await loadReport(file)).users, report.users);
      await writeFile(path.join(dir, 'x.json'), '{"users": []}');
      await assert.rejects(loadReport(path.join(dir, 'x.json')), (e: AppError) => e.kind === 'input' && /not a bulk report/.test(e.message));
      await writeFile(path.join(dir, 'x.csv'), 'username,status\n');
      await assert.rejects(loadReport(path.join(dir, 'x.csv')), /not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
