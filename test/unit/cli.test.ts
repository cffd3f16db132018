import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { AuditHead } from '../../src/core/audit/head';
import { AuditLog } from '../../src/core/audit/log';
import { auditHeadFilePath } from '../../src/core/audit/paths';
import { AppError } from '../../src/core/errors';
import { Redactor } from '../../src/core/redact';
import type { CliCommand } from '../../src/cli/commands/types';
import { COMMANDS } from '../../src/cli/commands';
import { exitCodeForError, type CliContext, type CliIo } from '../../src/cli/context';
import { createProgram, main } from '../../src/cli/main';
import pkg from '../../package.json';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const PROFILES = {
  version: 1,
  instances: [
    { id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com/jira', environment: 'production' },
    { id: 'test-conf', name: 'Test Confluence', product: 'confluence', baseUrl: 'https://wiki.test.example.com', environment: 'test' },
  ],
};

describe('cli: main(argv, io)', () => {
  let dir: string;
  let profiles: string;
  let auditFile: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-cli-'));
    profiles = path.join(dir, 'profiles.json');
    auditFile = path.join(dir, 'audit.jsonl');
    fs.writeFileSync(profiles, JSON.stringify(PROFILES));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function io(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    // A home-less environment: every test names its files, nothing reads the real config.
    const headFile = path.join(dir, 'audit-head.json');
    return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: { JIRA2FA_PROFILES: profiles, JIRA2FA_AUDIT_FILE: auditFile, JIRA2FA_AUDIT_HEAD_FILE: headFile, ...env }, cwd: dir };
  }

  async function run(args: string[], env?: Record<string, string>, commands?: CliCommand[]): Promise<Run> {
    const captured = io(env);
    const code = await main(['node', 'jira2fa', ...args], captured, commands);
    return { code, stdout: captured.out.join(''), stderr: captured.err.join('') };
  }

  /** stdout must be exactly one JSON object. */
  function json(r: Run): Record<string, unknown> {
    const value: unknown = JSON.parse(r.stdout);
    assert.ok(value && typeof value === 'object' && !Array.isArray(value), 'one JSON object');
    return value as Record<string, unknown>;
  }

  async function fillAudit(n: number, head?: AuditHead) {
    const log = new AuditLog(auditFile, { redactor: new Redactor(), head });
    for (let i = 1; i <= n; i++) {
      await log.append({ admin: 'alice', instance: { id: i % 2 ? 'prod-jira' : 'test-conf', name: 'x', baseUrl: 'https://x.example.com' }, action: 'unenroll', target: `user${i}`, outcome: 'ok', status: 204, message: `message ${i}` });
    }
  }

  describe('basics', () => {
    it('--version prints the version from package.json', async () => {
      const r = await run(['--version']);
      assert.deepEqual(r, { code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    });

    it('--help lists the commands and exits 0', async () => {
      const r = await run(['--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /instances/);
      assert.match(r.stdout, /audit/);
      assert.match(r.stdout, /--audit-file/);
    });

    const usage: Array<[string, string[], RegExp]> = [
      ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
      ['an unknown option', ['instances', 'list', '--bogus'], /unknown option '--bogus'/],
      ['an extra argument', ['instances', 'list', 'extra'], /too many arguments/],
      ['no command', [], /Usage: jira2fa/],
      ['a group without its subcommand', ['audit'], /Usage: jira2fa audit/],
      ['a bad --limit', ['audit', 'show', '--limit', 'ten'], /--limit.*whole number/],
      ['a zero --limit', ['audit', 'show', '--limit', '0'], /whole number from 1/],
      ['a missing required option', ['audit', 'export'], /required option '--csv <file>'/],
      ['an option without its value', ['instances', 'list', '--profiles'], /argument missing/],
    ];
    for (const [label, args, re] of usage) {
      it(`${label} is a usage error: exit 2, message on stderr, nothing on stdout`, async () => {
        const r = await run(args);
        assert.equal(r.code, 2);
        assert.match(r.stderr, re);
        assert.equal(r.stdout, '');
      });
    }

    it('a usage error with --json also prints one JSON error object', async () => {
      const r = await run(['audit', 'show', '--limit', 'x', '--json']);
      assert.equal(r.code, 2);
      assert.deepEqual(json(r).ok, false);
      assert.equal((json(r).error as { kind: string }).kind, 'input');
    });
  });

  describe('instances list', () => {
    it('prints a table of id, name, product, environment and host', async () => {
      const r = await run(['instances', 'list']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const lines = r.stdout.trimEnd().split('\n');
      assert.deepEqual(lines.map((l) => l.split(/\s{2,}/)), [
        ['ID', 'NAME', 'PRODUCT', 'ENVIRONMENT', 'HOST'],
        ['prod-jira', 'Prod Jira', 'jira', 'production', 'jira.example.com'],
        ['test-conf', 'Test Confluence', 'confluence', 'test', 'wiki.test.example.com'],
      ]);
    });

    it('--json prints exactly one JSON object, before or after the command name', async () => {
      for (const args of [['instances', 'list', '--json'], ['--json', 'instances', 'list']]) {
        const r = await run(args);
        assert.equal(r.code, 0);
        const obj = json(r);
        assert.equal(obj.ok, true);
        assert.equal(obj.file, profiles);
        assert.deepEqual((obj.instances as Array<{ id: string }>).map((p) => p.id), ['prod-jira', 'test-conf']);
        assert.deepEqual(obj.invalid, []);
      }
    });

    it('--profiles wins over JIRA2FA_PROFILES, and relative paths resolve against the working folder', async () => {
      fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ version: 1, instances: [PROFILES.instances[1]] }));
      const r = await run(['instances', 'list', '--profiles', 'other.json', '--json']);
      assert.deepEqual((json(r).instances as Array<{ id: string }>).map((p) => p.id), ['test-conf']);
      assert.equal(json(r).file, path.join(dir, 'other.json'));
    });

    it('lists invalid entries on stderr with their field messages, shows the valid ones, exits 2', async () => {
      fs.writeFileSync(profiles, JSON.stringify({ version: 1, instances: [
        PROFILES.instances[0],
        { id: 'broken', name: 'B', product: 'jira', baseUrl: 'ftp://b.example.com', environment: 'prod' },
        { name: '', product: 'jira' },
        { ...PROFILES.instances[1], baseUrl: 'http://wiki.test.example.com' },
      ] }));
      const r = await run(['instances', 'list']);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /prod-jira/);
      assert.match(r.stdout, /test-conf/);
      assert.match(r.stderr, /entry 2 \(broken\) is invalid:\n {2}- baseUrl must start with https:\/\/ \(got ftp:\)\n {2}- environment must be one of production, staging, test/);
      assert.match(r.stderr, /entry 3 is invalid:\n {2}- id must be text\n {2}- name is required\n/);
      assert.match(r.stderr, /warning: test-conf: baseUrl uses http:\/\//);

      const j = await run(['instances', 'list', '--json']);
      assert.equal(j.code, 2);
      const obj = json(j);
      assert.equal(obj.ok, false);
      assert.deepEqual((obj.invalid as Array<{ index: number }>).map((e) => e.index), [1, 2]);
      assert.equal((obj.warnings as unknown[]).length, 1);
    });

    it('a missing profiles file names the path and how to create it (exit 2)', async () => {
      const missing = path.join(dir, 'nope', 'profiles.json');
      const r = await run(['instances', 'list'], { JIRA2FA_PROFILES: missing });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.includes(`No profiles file at ${missing}.`), r.stderr);
      assert.match(r.stderr, /hint: Create it with \{"version": 1, "instances": \[/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });

    for (const [label, text, re] of [
      ['invalid JSON', '{"version":1,', /not valid JSON/],
      ['a wrong version', '{"version":2,"instances":[]}', /Unsupported profiles file version 2/],
      ['no instances array', '{"version":1}', /no "instances" array/],
    ] as const) {
      it(`a profiles file with ${label} is bad input (exit 2), also with --json`, async () => {
        fs.writeFileSync(profiles, text);
        const r = await run(['instances', 'list']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, re);
        const j = await run(['instances', 'list', '--json']);
        assert.equal(j.code, 2);
        const obj = json(j);
        assert.equal(obj.ok, false);
        assert.match((obj.error as { message: string }).message, re);
      });
    }

    it('an unreadable profiles path (a folder) is bad input', async () => {
      const r = await run(['instances', 'list', '--profiles', dir]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Cannot read the profiles file .*EISDIR/);
    });

    it('an empty instances list says so', async () => {
      fs.writeFileSync(profiles, '{"version":1,"instances":[]}');
      const r = await run(['instances', 'list']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /No instances in /);
    });
  });

  describe('audit show / verify / export', () => {
    it('show prints the most recent entries as a table, oldest first', async () => {
      await fillAudit(5);
      const r = await run(['audit', 'show', '--limit', '2']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^TIME\s+OUTCOME\s+STATUS\s+ACTION\s+INSTANCE\s+TARGET\s+ADMIN\s+MESSAGE$/);
      assert.equal(lines.length, 3);
      // Local time with its zone, the readable action name, the admin with the OS user beside it.
      assert.match(lines[1], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC[+-]\d{2}:\d{2}\s+ok\s+204\s+Recovery unenroll \(REST\)\s+test-conf\s+user4\s+alice( \(OS user [^)]+\))?\s+message 4$/);
      assert.match(lines[2], /user5/);
    });

    it('show --instance filters and --json prints one object with the entries', async () => {
      await fillAudit(5);
      const r = await run(['audit', 'show', '--instance', 'prod-jira', '--json', '--audit-file', auditFile]);
      assert.equal(r.code, 0);
      const obj = json(r);
      assert.deepEqual((obj.entries as Array<{ target: string }>).map((e) => e.target), ['user1', 'user3', 'user5']);
      assert.equal(obj.exists, true);
      assert.deepEqual(obj.malformed, []);
    });

    it('show warns about damaged lines on stderr and still lists the others', async () => {
      await fillAudit(2);
      fs.appendFileSync(auditFile, 'oops\n');
      const r = await run(['audit', 'show']);
      assert.equal(r.code, 0);
      assert.match(r.stderr, /line 3 skipped: not valid JSON/);
      assert.match(r.stderr, /audit verify/);
      assert.equal(r.stdout.trimEnd().split('\n').length, 3);
    });

    it('show and verify on a missing log say so and exit 0', async () => {
      const show = await run(['audit', 'show']);
      assert.equal(show.code, 0);
      assert.match(show.stdout, /does not exist yet/);
      const v = await run(['audit', 'verify', '--json']);
      assert.equal(v.code, 0);
      assert.equal(json(v).exists, false);
    });

    it('control characters from the log cannot reach the terminal', async () => {
      await new AuditLog(auditFile, { redactor: new Redactor() }).append({ admin: 'a', instance: { id: 'i', name: 'n', baseUrl: 'https://x.example' }, action: 'unenroll', target: 'evil\u001b[2J\u202e', outcome: 'error', message: 'multi\nline' });
      const r = await run(['audit', 'show']);
      assert.equal(/[\u0000-\u0009\u000b-\u001f\u202e]/.test(r.stdout), false, JSON.stringify(r.stdout));
      assert.match(r.stdout, /evilU\+001B\[2JU\+202E/);
      assert.match(r.stdout, /multiU\+000Aline/);
    });

    it('verify exits 0 on an intact log and 1 naming the first broken line', async () => {
      await fillAudit(4);
      const ok = await run(['audit', 'verify']);
      assert.equal(ok.code, 0);
      assert.match(ok.stdout, /^OK: 4 entries in .*hash chain intact/);

      const ls = fs.readFileSync(auditFile, 'utf8').split('\n');
      ls[2] = ls[2].replace('"user3"', '"mallory"');
      fs.writeFileSync(auditFile, ls.join('\n'));
      const bad = await run(['audit', 'verify']);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /^BROKEN: .*audit\.jsonl line 3: hash does not match/);

      const j = await run(['audit', 'verify', '--json']);
      assert.equal(j.code, 1);
      const obj = json(j);
      assert.equal(obj.ok, false);
      assert.deepEqual(obj.firstBroken, { line: 3, reason: 'hash does not match the content: the entry was edited' });
    });

    it('verify names the missing last entry of a truncated log (exit 1); after the next append the recorded gap is a warning (exit 0)', async () => {
      const head = new AuditHead(path.join(dir, 'audit-head.json'));
      await fillAudit(4, head);
      const last = (await head.read(auditFile)).record;
      assert.ok(last);
      assert.equal((await run(['audit', 'verify'])).code, 0);
      const ls = fs.readFileSync(auditFile, 'utf8').split('\n');
      fs.writeFileSync(auditFile, ls.slice(0, 2).map((l) => `${l}\n`).join(''));

      const bad = await run(['audit', 'verify']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout.split('\n')[0],
        `BROKEN: ${auditFile} line 3: the last entry written from this computer (id ${last.id}, time ${last.time}) is missing: lines at the end were removed or the log was replaced by an older copy`);
      const j = json(await run(['audit', 'verify', '--json']));
      assert.equal(j.ok, false);
      assert.deepEqual((j.head as { record: unknown; found: boolean }).record, last);
      assert.equal((j.head as { found: boolean }).found, false);

      await fillAudit(1, head);
      const after = await run(['audit', 'verify']);
      assert.equal(after.code, 0, after.stdout);
      assert.match(after.stdout, /^OK: 4 entries in .*hash chain intact; 1 recorded gap/);
      assert.match(after.stderr, new RegExp(`warning: recorded gap at line 3 \\(.*\\): The last entry written from this computer \\(id ${last.id},`));
    });

    it('verify uses the head file the extension writes by default (<state dir>/audit-head.json)', async function () {
      if (process.platform !== 'linux') this.skip();
      const env = { XDG_STATE_HOME: path.join(dir, 'state'), JIRA2FA_AUDIT_HEAD_FILE: '' };
      await fillAudit(3, new AuditHead(auditHeadFilePath(env)));
      assert.equal(fs.existsSync(path.join(dir, 'state', 'jira2fa', 'audit-head.json')), true);
      fs.writeFileSync(auditFile, fs.readFileSync(auditFile, 'utf8').split('\n').slice(0, 2).map((l) => `${l}\n`).join(''));
      const r = await run(['audit', 'verify'], env);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /line 3: the last entry written from this computer \(id [0-9a-f]{16}, /);
      assert.equal((await run(['audit', 'verify'])).code, 0, 'another head file knows nothing of this log');
    });

    it('verify with a corrupt head file warns and still checks the chain', async () => {
      await fillAudit(2);
      fs.writeFileSync(path.join(dir, 'audit-head.json'), 'not json');
      const r = await run(['audit', 'verify']);
      assert.equal(r.code, 0);
      assert.match(r.stderr, /warning: audit: the audit head file .*audit-head\.json is not valid JSON; the removal of the last lines cannot be checked/);
    });

    it('export --csv writes the CSV, relative to the working folder', async () => {
      await fillAudit(3);
      const r = await run(['audit', 'export', '--csv', 'out.csv']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Exported 3 entries to .*out\.csv/);
      const csv = fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').trimEnd().split('\n');
      assert.equal(csv[0], 'time,admin,osUser,instance,action,actionLabel,target,outcome,status,message,runId,backupId,id');
      assert.equal(csv.length, 4);

      const j = await run(['audit', 'export', '--csv', path.join(dir, 'p.csv'), '--instance', 'test-conf', '--json']);
      assert.equal(json(j).rows, 1);
    });

    it('a log path that cannot be read is bad input (exit 2), not an internal error', async () => {
      for (const args of [['audit', 'verify'], ['audit', 'show']]) {
        const r = await run([...args, '--audit-file', dir]);
        assert.equal(r.code, 2, args.join(' '));
        assert.match(r.stderr, /^error: EISDIR/);
      }
    });

    it('export to a folder that does not exist is bad input', async () => {
      await fillAudit(1);
      const r = await run(['audit', 'export', '--csv', path.join(dir, 'missing', 'x.csv')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /error: Could not write the CSV file/);
    });
  });

  describe('plumbing for other commands', () => {
    function probe(action: (ctx: CliContext) => Promise<void>): CliCommand {
      return { register: (program: Command, ctx: CliContext) => void program.command('probe').action(() => action(ctx)) };
    }

    it('getProfile returns a profile by id, or names the known ids', async () => {
      const { ctx } = createProgram(io());
      assert.equal((await ctx.getProfile('test-conf')).name, 'Test Confluence');
      await assert.rejects(ctx.getProfile('nope'), (e: unknown) => e instanceof AppError && e.kind === 'input' && e.message === 'No instance with id "nope"; known: prod-jira, test-conf.');
    });

    it('getProfile explains why an id exists but is invalid', async () => {
      fs.writeFileSync(profiles, JSON.stringify({ version: 1, instances: [{ ...PROFILES.instances[0], environment: 'prod' }] }));
      const { ctx } = createProgram(io());
      await assert.rejects(ctx.getProfile('prod-jira'), /Instance "prod-jira" in .* is invalid: environment must be one of/);
    });

    const kinds: Array<[string, unknown, number]> = [
      ['refused', new AppError('refused', 'the server refused'), 1],
      ['input', new AppError('input', 'bad input'), 2],
      ['unreachable', new AppError('unreachable', 'no route', 'Check the VPN.'), 3],
      ['a raw network error', Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }), 3],
      ['a raw file error', Object.assign(new Error('EACCES: permission denied, open /x'), { code: 'EACCES' }), 2],
      ['an unexpected error', new TypeError('x is undefined'), 1],
    ];
    for (const [label, error, code] of kinds) {
      it(`a command throwing ${label} exits ${code} with a message and no stack`, async () => {
        const r = await run(['probe'], {}, [probe(async () => {
          throw error;
        })]);
        assert.equal(r.code, code);
        assert.match(r.stderr, /^error: /);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
        assert.equal(r.stdout, '');
        assert.equal(exitCodeForError(error), code);
      });
    }

    it('prints the hint, the stack only with JIRA2FA_DEBUG, and redacts secrets in errors', async () => {
      const red = await run(['probe'], {}, [probe(async () => {
        throw new AppError('unreachable', 'GET failed with Authorization: Bearer abcdef123456', 'Check the VPN.');
      })]);
      assert.equal(red.stderr, 'error: GET failed with Authorization: Bearer ***\nhint: Check the VPN.\n');
      const debug = await run(['probe'], { JIRA2FA_DEBUG: '1' }, [probe(async () => {
        throw new TypeError('oops');
      })]);
      assert.match(debug.stderr, /unexpected failure: oops\n.*TypeError: oops\n\s+at /s);
    });

    it('with --json an error becomes the one JSON object, and text output moves to stderr', async () => {
      const r = await run(['probe', '--json'], {}, [probe(async (ctx) => {
        ctx.out('progress: step 1');
        throw new AppError('refused', 'refused by guard', 'Use --force.');
      })]);
      assert.equal(r.code, 1);
      assert.deepEqual(json(r), { ok: false, error: { kind: 'refused', message: 'refused by guard', hint: 'Use --force.', exitCode: 1 } });
      assert.match(r.stderr, /progress: step 1/);
    });

    it('a command cannot print two JSON objects', async () => {
      const r = await run(['probe', '--json'], {}, [probe(async (ctx) => {
        ctx.printJson({ a: 1 });
        ctx.printJson({ b: 2 });
      })]);
      assert.equal(r.code, 1);
      assert.deepEqual(json(r), { a: 1 });
    });

    it('auditLog() and adminName() follow the flags and the environment', async () => {
      const { program, ctx } = createProgram(io({ JIRA2FA_ADMIN: 'carol' }));
      program.command('noop').action(() => undefined);
      await program.parseAsync(['node', 'jira2fa', '--audit-file', 'x/a.jsonl', 'noop']);
      assert.equal(ctx.auditLog().file, path.join(dir, 'x', 'a.jsonl'));
      assert.equal(ctx.adminName(), 'carol');
    });

    it('auditLog() records its last entry in the head file, and warnings about it go to stderr', async () => {
      const captured = io({ JIRA2FA_AUDIT_HEAD_FILE: 'state/head.json' });
      const { program, ctx } = createProgram(captured);
      program.command('noop').action(() => undefined);
      await program.parseAsync(['node', 'jira2fa', 'noop']);
      assert.equal(ctx.auditHead().file, path.join(dir, 'state', 'head.json'));
      const e = await ctx.auditLog({ redactor: new Redactor() }).append({ admin: 'a', instance: { id: 'i', name: 'n', baseUrl: 'https://x.example' }, action: 'unenroll', outcome: 'ok', message: 'm' });
      assert.deepEqual((await ctx.auditHead().read(auditFile)).record, { hash: e.hash, id: e.id, time: e.time });
      fs.writeFileSync(path.join(dir, 'state', 'head.json'), '[');
      await ctx.auditLog({ redactor: new Redactor() }).append({ admin: 'a', instance: { id: 'i', name: 'n', baseUrl: 'https://x.example' }, action: 'unenroll', outcome: 'ok', message: 'm' });
      assert.match(captured.err.join(''), /warning: audit: the audit head file .*head\.json is not valid JSON; it was ignored/);
    });

    it('the command list registers instances and audit, with no name twice', () => {
      const { program } = createProgram(io());
      const names = program.commands.map((c) => c.name());
      assert.ok(names.includes('instances') && names.includes('audit'), names.join(', '));
      assert.equal(new Set(names).size, names.length);
      assert.ok(COMMANDS.length >= 2);
    });
  });
});
