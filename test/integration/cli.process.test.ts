/**
 * The CLI and the audit log across real processes: the entry point's exit codes and output
 * through pipes, and appends from several processes at once (as the extension and the CLI do).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditHead } from '../../src/core/audit/head';
import { AuditLog } from '../../src/core/audit/log';
import { readEntries, verify } from '../../src/core/audit/read';
import { Redactor } from '../../src/core/redact';
import pkg from '../../package.json';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'test', 'support', 'cliFromSource.ts');

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ReturnType<typeof spawn>): Promise<Done> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Done> {
  return collect(spawn(process.execPath, ['--require', 'tsx/cjs', '--import', 'tsx/esm', CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

// A writer process: says "ready", waits for a line on stdin, then appends N entries.
const WRITER = `
const { AuditLog } = require(${JSON.stringify(path.join(ROOT, 'src/core/audit/log.ts'))});
const { Redactor } = require(${JSON.stringify(path.join(ROOT, 'src/core/redact.ts'))});
const log = new AuditLog(process.env.AUDIT_FILE, { redactor: new Redactor(), lock: { retryMinMs: 1, retryMaxMs: 5 } });
const name = process.env.WRITER, n = Number(process.env.COUNT);
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  for (let i = 0; i < n; i++) {
    await log.append({ admin: name, instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' },
      action: 'unenroll', target: name + '-' + i, outcome: 'ok', message: 'from ' + name });
  }
  process.exit(0);
});
`;

describe('cli and audit log across processes', () => {
  let dir: string;
  let auditFile: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-cli-proc-'));
    auditFile = path.join(dir, 'audit.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the entry point prints the version and exits 0', async () => {
    const r = await cli(['--version']);
    assert.deepEqual(r, { code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('the entry point exits 2 on an unknown command, with the message on stderr', async () => {
    const r = await cli(['frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });

  it('two processes and this one appending at once keep one valid chain', async () => {
    const count = 25;
    const writers = ['p1', 'p2'].map((name) => {
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', WRITER], {
        cwd: ROOT,
        env: { ...process.env, AUDIT_FILE: auditFile, WRITER: name, COUNT: String(count) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      return { child, ready, done: collect(child) };
    });
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.child.stdin.end('go\n');

    const log = new AuditLog(auditFile, { redactor: new Redactor(), lock: { retryMinMs: 1, retryMaxMs: 5 } });
    for (let i = 0; i < count; i++) {
      await log.append({ admin: 'parent', instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: `parent-${i}`, outcome: 'ok', message: 'from parent' });
    }
    for (const w of writers) {
      const r = await w.done;
      assert.equal(r.code, 0, r.stderr);
    }

    const v = await verify(auditFile);
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
    assert.equal(v.entries, 3 * count);
    const { entries } = await readEntries(auditFile);
    for (const name of ['p1', 'p2', 'parent']) {
      assert.deepEqual(entries.filter((e) => e.admin === name).map((e) => e.target), Array.from({ length: count }, (_, i) => `${name}-${i}`));
    }
    assert.equal(fs.existsSync(`${auditFile}.lock`), false);

    // The whole log through a pipe: one complete JSON object, then verify's exit codes.
    const show = await cli(['audit', 'show', '--json', '--limit', '1000', '--audit-file', auditFile]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).entries.length, 3 * count);
    assert.equal((await cli(['audit', 'verify'], { JIRA2FA_AUDIT_FILE: auditFile, JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json') })).code, 0);
    const lines = fs.readFileSync(auditFile, 'utf8').split('\n');
    [lines[4], lines[5]] = [lines[5], lines[4]];
    fs.writeFileSync(auditFile, lines.join('\n'));
    const broken = await cli(['audit', 'verify'], { JIRA2FA_AUDIT_FILE: auditFile, JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json') });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /line 5: prevHash does not match/);
  });

  it('jira2fa audit verify on a log whose last lines were removed exits 1 and names the missing entry', async () => {
    const headFile = path.join(dir, 'state', 'audit-head.json');
    const env = { JIRA2FA_AUDIT_FILE: auditFile, JIRA2FA_AUDIT_HEAD_FILE: headFile };
    const log = new AuditLog(auditFile, { redactor: new Redactor(), head: new AuditHead(headFile) });
    const written = [];
    for (let i = 0; i < 4; i++) {
      written.push(await log.append({ admin: 'ada', instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: `u${i}`, outcome: 'ok', message: 'ok' }));
    }
    const intact = await cli(['audit', 'verify'], env);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);

    const lines = fs.readFileSync(auditFile, 'utf8').split('\n');
    fs.writeFileSync(auditFile, `${lines.slice(0, 2).join('\n')}\n`);
    const cut = await cli(['audit', 'verify'], env);
    assert.equal(cut.code, 1);
    assert.match(cut.stdout, new RegExp(`line 3: the last entry written from this computer \\(id ${written[3].id}, time ${written[3].time.replace(/\./g, '\\.')}\\) is missing`));
    const plain = await cli(['audit', 'verify'], { ...env, JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'no-head.json') });
    assert.equal(plain.code, 0, 'without the record the chain alone looks intact');
  });
});
