import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CSV_COLUMNS, csvSafeCell, entriesToCsv, exportCsv } from '../../src/core/audit/csv';
import { AuditLog } from '../../src/core/audit/log';
import type { AuditEntry, AuditEntryInput } from '../../src/core/audit/types';
import { AppError } from '../../src/core/errors';
import { Redactor } from '../../src/core/redact';

const HEADER = 'time,admin,osUser,instance,action,actionLabel,target,outcome,status,message,runId,backupId,id';

function entry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 'e1', time: '2030-01-01T00:00:00.000Z', admin: 'alice', instance: { id: 'prod', name: 'Prod', baseUrl: 'https://j.example.com' },
    action: 'unenroll', target: 'bob', outcome: 'ok', status: 204, message: 'done', prevHash: '0'.repeat(64), hash: '1'.repeat(64), ...over,
  };
}

describe('audit log: CSV export', () => {
  it('prefixes cells that a spreadsheet would run as formulas', () => {
    for (const bad of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://evil","x")']) {
      assert.equal(csvSafeCell(bad), `'${bad}`, JSON.stringify(bad));
    }
    for (const fine of ['bob', '1-2', 'a=b', ' =1', '', "'=1"]) assert.equal(csvSafeCell(fine), fine, JSON.stringify(fine));
  });

  it('writes the columns in order, quotes separators and neutralises formulas in every text column', () => {
    const csv = entriesToCsv([
      entry(),
      entry({ id: 'e2', admin: '@admin', target: '=cmd|" /C calc"!A0', message: 'line1\nline2, "quoted"', runId: '-r', backupId: '+b', status: undefined }),
    ]);
    const lines = csv.split('\n');
    assert.equal(lines[0], HEADER);
    assert.deepEqual(CSV_COLUMNS.join(','), HEADER);
    assert.equal(lines[1], '2030-01-01T00:00:00.000Z,alice,,prod,unenroll,Recovery unenroll (REST),bob,ok,204,done,,,e1');
    assert.equal(csv.slice(csv.indexOf('\n', HEADER.length + 1) + 1),
      `2030-01-01T00:00:00.000Z,'@admin,,prod,unenroll,Recovery unenroll (REST),"'=cmd|"" /C calc""!A0",ok,,"line1\nline2, ""quoted""",'-r,'+b,e2\n`);
  });

  it('can start with a byte order mark for Excel', () => {
    assert.ok(entriesToCsv([entry()], { bom: true }).startsWith('\ufefftime,'));
    assert.ok(entriesToCsv([entry()]).startsWith('time,'));
  });

  describe('exportCsv', () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-csv-'));
      file = path.join(dir, 'audit.jsonl');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function fill(n: number) {
      const log = new AuditLog(file, { redactor: new Redactor() });
      for (let i = 0; i < n; i++) {
        const input: AuditEntryInput = { admin: 'a', instance: { id: i % 2 ? 'odd' : 'even', name: 'n', baseUrl: 'https://x.example' }, action: 'unenroll', target: `=u${i}`, outcome: 'ok', message: 'm' };
        await log.append(input);
      }
    }

    it('streams the log to a file, skipping damaged lines, with no temporary file left', async () => {
      await fill(5);
      fs.appendFileSync(file, 'garbage\n');
      const out = path.join(dir, 'out.csv');
      const r = await exportCsv(file, out);
      assert.equal(r.rows, 5);
      assert.equal(r.exists, true);
      assert.deepEqual(r.malformed.map((m) => m.line), [6]);
      const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 6);
      assert.equal(lines[0], HEADER);
      assert.ok(lines.slice(1).every((l) => l.split(',')[6].startsWith("'=u")), 'targets are neutralised');
      assert.ok(lines.slice(1).every((l) => l.split(',')[2] === os.userInfo().username), 'the OS user is recorded beside the admin');
      assert.deepEqual(fs.readdirSync(dir).sort(), ['audit.jsonl', 'out.csv']);
    });

    it('filters, and replaces an existing CSV', async () => {
      await fill(5);
      const out = path.join(dir, 'out.csv');
      fs.writeFileSync(out, 'old');
      assert.equal((await exportCsv(file, out, { filter: { instanceId: 'odd' } })).rows, 2);
      assert.equal(fs.readFileSync(out, 'utf8').trimEnd().split('\n').length, 3);
    });

    it('a missing log gives a header-only CSV', async () => {
      const out = path.join(dir, 'out.csv');
      assert.deepEqual(await exportCsv(file, out), { rows: 0, malformed: [], exists: false });
      assert.equal(fs.readFileSync(out, 'utf8'), `${HEADER}\n`);
    });

    it('refuses to overwrite the log itself and reports an unwritable target as bad input', async () => {
      await fill(1);
      await assert.rejects(exportCsv(file, file), (e: unknown) => e instanceof AppError && e.kind === 'input' && /onto itself/.test(e.message));
      await assert.rejects(exportCsv(file, path.join(dir, 'no', 'such', 'dir', 'x.csv')),
        (e: unknown) => e instanceof AppError && e.kind === 'input' && /Could not write the CSV file .*ENOENT/.test(e.message));
      assert.equal(fs.readFileSync(file, 'utf8').split('\n').length, 2, 'the log is untouched');
    });

    it('reports an unreadable log as such', async () => {
      fs.mkdirSync(file);
      await assert.rejects(exportCsv(file, path.join(dir, 'out.csv')), (e: unknown) => e instanceof AppError && /Could not read the audit log/.test(e.message));
      assert.deepEqual(fs.readdirSync(dir), ['audit.jsonl']);
    });
  });
});
