/**
 * The CLI keychain without a keyring: keytar loading and its failure messages, the keychain
 * store on a fake keytar, the combined keychain-then-environment store, secret checks, the
 * no-echo terminal reader, and login / logout / credentials list through main() in-process.
 * The real keyring runs are in test/keyring (node test/keyring/run.mjs).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { redactor } from '../../src/core/redact';
import type { SecretKind } from '../../src/core/secrets';
import { COMMANDS } from '../../src/cli/commands';
import { KIND_NAMES, normalizeSecret, parseInstanceId, parseKind, readAll, readHidden, secretProblem } from '../../src/cli/commands/login';
import type { CliCommand } from '../../src/cli/commands/types';
import { exitCodeForError, type CliContext, type CliIo } from '../../src/cli/context';
import {
  callProblem,
  CliSecretStore,
  DEFAULT_KEYCHAIN_TIMEOUT_MS,
  keychainDisabled,
  KeychainSecretStore,
  keychainTimeout,
  KeychainUnavailableError,
  loadKeytar,
  loadProblem,
  type Keytar,
  type KeytarLoad,
} from '../../src/cli/keychain';
import { main } from '../../src/cli/main';

class FakeKeytar implements Keytar {
  readonly items = new Map<string, string>();
  readonly calls: string[] = [];
  failWith?: Error;
  hang = false;

  private async op<T>(name: string, fn: () => T): Promise<T> {
    this.calls.push(name);
    if (this.hang) return new Promise<T>(() => {});
    if (this.failWith) throw this.failWith;
    return fn();
  }

  getPassword(service: string, account: string) {
    return this.op('get', () => this.items.get(`${service}/${account}`) ?? null);
  }

  setPassword(service: string, account: string, password: string) {
    return this.op('set', () => void this.items.set(`${service}/${account}`, password));
  }

  deletePassword(service: string, account: string) {
    return this.op('delete', () => this.items.delete(`${service}/${account}`));
  }
}

function moduleNotFound(what: string): Error {
  return Object.assign(new Error(`Cannot find module '${what}'\nRequire stack:\n- /opt/jira2fa/dist/cli.js`), { code: 'MODULE_NOT_FOUND' });
}

describe('cli keychain: loading keytar', () => {
  it('loads keytar lazily through the given loader and checks its shape', () => {
    const fake = new FakeKeytar();
    const ok = loadKeytar({}, () => fake);
    assert.ok(ok.ok && ok.keytar === fake);
    const esm = loadKeytar({}, () => ({ default: fake }));
    assert.ok(esm.ok && esm.keytar === fake);
    const wrong = loadKeytar({}, () => ({ getPassword() {} }));
    assert.ok(!wrong.ok && /not keytar 7/.test(wrong.problem.reason));
  });

  it('not installed: says so and how to build it (libsecret-1-dev on Linux), and names the environment variables', () => {
    const r = loadKeytar({}, () => {
      throw moduleNotFound('keytar');
    }, 'linux');
    assert.ok(!r.ok);
    assert.match(r.problem.reason, /optional keytar module is not installed/);
    assert.match(r.problem.fix, /sudo apt-get install libsecret-1-dev/);
    assert.match(r.problem.fix, /npm rebuild keytar/);
    assert.match(r.problem.fix, /JIRA2FA_TOKEN, JIRA2FA_PASSWORD, JIRA2FA_DB_PASSWORD, JIRA2FA_TOTP_SECRET, JIRA2FA_ORG_API_KEY/);
    assert.doesNotMatch(r.problem.reason, /Require stack|\/opt\//, 'only the first line of the error');
    const mac = loadProblem(moduleNotFound('keytar'), 'darwin');
    assert.doesNotMatch(mac.fix, /apt-get/);
  });

  it('installed but not built, or libsecret missing at run time: the matching fix', () => {
    const unbuilt = loadProblem(moduleNotFound('../build/Release/keytar.node'), 'linux');
    assert.match(unbuilt.reason, /native part cannot be loaded/);
    assert.match(unbuilt.fix, /npm rebuild keytar/);
    const noLib = loadProblem(new Error('libsecret-1.so.0: cannot open shared object file: No such file or directory'), 'linux');
    assert.match(noLib.reason, /cannot load the libsecret library/);
    assert.match(noLib.fix, /apt-get install libsecret-1-0/);
  });

  it('JIRA2FA_KEYCHAIN=off turns it off without loading keytar', () => {
    for (const v of ['off', 'OFF', '0', 'false', 'no']) assert.equal(keychainDisabled({ JIRA2FA_KEYCHAIN: v }), true, v);
    for (const v of [undefined, '', 'on', '1']) assert.equal(keychainDisabled({ JIRA2FA_KEYCHAIN: v }), false, String(v));
    let loaded = false;
    const r = loadKeytar({ JIRA2FA_KEYCHAIN: 'off' }, () => (loaded = true));
    assert.ok(!r.ok && /turned off by JIRA2FA_KEYCHAIN=off/.test(r.problem.reason));
    assert.equal(loaded, false);
  });

  it('run-time failures: no D-Bus session, locked keyring, timeout', () => {
    const noBus = callProblem(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'), 'linux');
    assert.match(noBus.reason, /Cannot autolaunch D-Bus/);
    assert.match(noBus.fix, /gnome-keyring-daemon --unlock --components=secrets/);
    const locked = callProblem(new Error('Object does not exist at path “/org/freedesktop/secrets/collection/login”'), 'linux');
    assert.match(locked.fix, /Unlock your keyring/);
    assert.match(callProblem(new Error('User interaction is not allowed.'), 'darwin').fix, /Unlock the keychain/);
  });

  it('the call timeout comes from JIRA2FA_KEYCHAIN_TIMEOUT_MS', () => {
    assert.equal(keychainTimeout({}), DEFAULT_KEYCHAIN_TIMEOUT_MS);
    assert.equal(keychainTimeout({ JIRA2FA_KEYCHAIN_TIMEOUT_MS: '1500' }), 1500);
    assert.equal(keychainTimeout({ JIRA2FA_KEYCHAIN_TIMEOUT_MS: 'soon' }), DEFAULT_KEYCHAIN_TIMEOUT_MS);
  });
});

describe('cli keychain: KeychainSecretStore', () => {
  it('uses service "jira2fa" and account "<instanceId>:<kind>", and registers values with the redactor', async () => {
    const k = new FakeKeytar();
    const store = new KeychainSecretStore(k);
    await store.set('prod-jira', 'token', 'tok-1234-stored');
    assert.deepEqual([...k.items.keys()], ['jira2fa/prod-jira:token']);
    k.items.set('jira2fa/prod-jira:totpSeed', 'READBACKSEEDVALUE');
    assert.equal(await store.get('prod-jira', 'totpSeed'), 'READBACKSEEDVALUE');
    assert.equal(redactor.redact('seed READBACKSEEDVALUE here'), 'seed *** here');
    assert.equal(redactor.redact('tok-1234-stored'), '***');
    assert.equal(await store.get('prod-jira', 'password'), undefined);
    k.items.set('jira2fa/prod-jira:password', '');
    assert.equal(await store.get('prod-jira', 'password'), undefined, 'an empty value is no value');
    assert.deepEqual(await store.storedKinds('prod-jira'), ['token', 'totpSeed']);
    assert.equal(await store.remove('prod-jira', 'token'), true);
    assert.equal(await store.remove('prod-jira', 'token'), false);
  });

  it('a failing keytar becomes KeychainUnavailableError: refused, exit code 1, with the fix', async () => {
    const k = new FakeKeytar();
    k.failWith = new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
    const store = new KeychainSecretStore(k, { platform: 'linux' });
    const e = await store.get('a', 'token').then(() => undefined, (err: unknown) => err);
    assert.ok(e instanceof KeychainUnavailableError);
    assert.equal(e.kind, 'refused');
    assert.equal(exitCodeForError(e), 1);
    assert.match(e.message, /^The OS keychain is not available: the keychain call failed: Cannot autolaunch D-Bus/);
    assert.match(e.hint ?? '', /dbus-run-session/);
  });

  it('a keychain that never answers times out', async () => {
    const k = new FakeKeytar();
    k.hang = true;
    const started = Date.now();
    const e = await new KeychainSecretStore(k, { timeoutMs: 30, platform: 'linux' }).get('a', 'token').then(() => undefined, (err: unknown) => err);
    assert.ok(e instanceof KeychainUnavailableError);
    assert.match(e.message, /did not answer within 30 ms/);
    assert.match(e.hint ?? '', /JIRA2FA_KEYCHAIN_TIMEOUT_MS/);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('cli keychain: CliSecretStore (keychain, then environment)', () => {
  function store(load: () => KeytarLoad, env: Record<string, string> = {}) {
    const warnings: string[] = [];
    let loads = 0;
    const s = new CliSecretStore({ env, warn: (m) => void warnings.push(m), platform: 'linux', loadKeytar: () => (loads++, load()) });
    return { s, warnings, loads: () => loads };
  }

  it('reads the keychain first, then the environment; loads keytar only when a secret is needed, once', async () => {
    const k = new FakeKeytar();
    k.items.set('jira2fa/i:token', 'from-keychain');
    const { s, warnings, loads } = store(() => ({ ok: true, keytar: k }), { JIRA2FA_TOKEN: 'from-env', JIRA2FA_PASSWORD: 'env-password' });
    assert.equal(loads(), 0);
    assert.equal(await s.get('i', 'token'), 'from-keychain');
    assert.equal(await s.get('i', 'password'), 'env-password');
    assert.equal(await s.get('i', 'dbPassword'), undefined);
    assert.equal(loads(), 1);
    assert.deepEqual(warnings, [], 'a working keychain that lacks a secret is not worth a warning');
    await s.set('i', 'orgApiKey', 'stored-key');
    assert.equal(k.items.get('jira2fa/i:orgApiKey'), 'stored-key');
  });

  it('keytar cannot load: the environment works, and ONE warning names the fix when a secret is missing', async () => {
    const { s, warnings } = store(() => loadKeytar({}, () => {
      throw moduleNotFound('keytar');
    }, 'linux'), { JIRA2FA_TOKEN: 'env-token' });
    assert.equal(await s.get('i', 'token'), 'env-token');
    assert.deepEqual(warnings, []);
    assert.equal(await s.get('i', 'totpSeed'), undefined);
    assert.equal(await s.get('i', 'password'), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /only environment variables are read, and JIRA2FA_TOTP_SECRET is not set/);
    assert.match(warnings[0], /Why: the optional keytar module is not installed/);
    assert.match(warnings[0], /Fix: Install libsecret and its headers/);
    await assert.rejects(s.set('i', 'token', 'x'), (e: unknown) => e instanceof KeychainUnavailableError && /libsecret-1-dev/.test(e.hint ?? ''));
    await assert.rejects(s.delete('i', 'token'), KeychainUnavailableError);
  });

  it('a keychain that fails at run time is asked once, then the environment only', async () => {
    const k = new FakeKeytar();
    k.failWith = new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
    const { s, warnings } = store(() => ({ ok: true, keytar: k }), { JIRA2FA_TOKEN: 'env-token' });
    assert.equal(await s.get('i', 'token'), 'env-token');
    assert.equal(await s.get('i', 'totpSeed'), undefined);
    assert.equal(await s.get('i', 'password'), undefined);
    assert.deepEqual(k.calls, ['get']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /Cannot autolaunch D-Bus.*Fix: .*gnome-keyring-daemon/);
  });

  it('an optional secret (the database password) found nowhere: no warning, unless the database then refuses the sign-in', async () => {
    const k = new FakeKeytar();
    k.failWith = new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
    const { s, warnings } = store(() => ({ ok: true, keytar: k }), { JIRA2FA_TOKEN: 'env-token', JIRA2FA_TOTP_SECRET: 'JBSWY3DPEHPK3PXP' });
    assert.equal(await s.get('i', 'token'), 'env-token');
    assert.equal(await s.get('i', 'totpSeed'), 'JBSWY3DPEHPK3PXP');
    assert.equal(await s.get('i', 'dbPassword'), undefined);
    assert.deepEqual(warnings, [], 'every secret the command needs is set: nothing to explain');
    s.explainMissing('token');
    assert.deepEqual(warnings, [], 'the token was found: nothing to explain');
    s.explainMissing('dbPassword');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /JIRA2FA_DB_PASSWORD is not set\. Why: .*D-Bus/);
    s.explainMissing('dbPassword');
    assert.equal(warnings.length, 1, 'said once');
  });
});

describe('cli keychain: checking what was typed', () => {
  it('--kind takes token|password|db|totp|orgkey (and the long names)', () => {
    const expected: Array<[string, SecretKind]> = [['token', 'token'], ['password', 'password'], ['db', 'dbPassword'], ['totp', 'totpSeed'], ['orgkey', 'orgApiKey'], ['TOTP', 'totpSeed'], ['dbPassword', 'dbPassword'], ['pat', 'token']];
    for (const [arg, kind] of expected) assert.equal(parseKind(arg), kind, arg);
    assert.throws(() => parseKind('secret'), /Expected one of token, password, db, totp, orgkey/);
    for (const [kind, name] of Object.entries(KIND_NAMES)) assert.equal(parseKind(name), kind);
    assert.equal(parseInstanceId('prod-jira.2'), 'prod-jira.2');
    assert.throws(() => parseInstanceId('Prod:jira'), /instance id/);
  });

  it('validates like the extension: no spaces in tokens, base32 seeds of 16+ characters, no control characters', () => {
    assert.equal(secretProblem('token', 'abc.DEF_123'), undefined);
    assert.equal(secretProblem('token', '  padded-token '), undefined);
    assert.match(secretProblem('token', 'two words') ?? '', /no spaces/);
    assert.match(secretProblem('orgApiKey', 'a b') ?? '', /no spaces/);
    assert.match(secretProblem('token', '   ') ?? '', /personal access token is empty/);
    assert.match(secretProblem('password', 'line\nbreak') ?? '', /control characters/);
    assert.equal(secretProblem('password', 'with spaces inside'), undefined);
    assert.equal(secretProblem('totpSeed', 'jbsw y3dp-ehpk 3pxp'), undefined);
    assert.match(secretProblem('totpSeed', 'JBSWY3DPEHPK3PX') ?? '', /too short/);
    assert.match(secretProblem('totpSeed', 'JBSWY3DPEHPK3PX1') ?? '', /not base32/);
    assert.equal(normalizeSecret('totpSeed', 'jbsw y3dp-ehpk 3pxp=='), 'JBSWY3DPEHPK3PXP');
    assert.equal(normalizeSecret('token', '  tok  '), 'tok');
    assert.equal(normalizeSecret('password', ' pw '), ' pw ');
  });
});

type FakeTty = PassThrough & { isTTY: boolean; isRaw: boolean; modes: boolean[]; setRawMode(raw: boolean): FakeTty };

function fakeTty(): FakeTty {
  const s = new PassThrough() as FakeTty;
  s.isTTY = true;
  s.isRaw = false;
  s.modes = [];
  s.setRawMode = (raw: boolean) => {
    s.isRaw = raw;
    s.modes.push(raw);
    return s;
  };
  return s;
}

describe('cli keychain: reading a secret without echo', () => {
  it('raw mode on before the prompt and off after; Backspace, Ctrl-U and escape sequences handled', async () => {
    const tty = fakeTty();
    let rawAtPrompt: boolean | undefined;
    const read = readHidden(tty, () => (rawAtPrompt = tty.isRaw));
    tty.write('wrong');
    tty.write('\u0015');
    tty.write('\u001b[200~se');
    tty.write('cretX\u007f\u001b[D\u001b[201~');
    tty.write('\rignored after Enter');
    assert.equal(await read, 'secret');
    assert.equal(rawAtPrompt, true);
    assert.deepEqual(tty.modes, [true, false]);
  });

  it('Ctrl-C cancels (exit code 2), Ctrl-D ends a line or cancels an empty one', async () => {
    const a = fakeTty();
    const cancelled = readHidden(a);
    a.write('abc\u0003');
    await assert.rejects(cancelled, (e: unknown) => exitCodeForError(e) === 2 && /Cancelled: nothing was stored/.test((e as Error).message));
    assert.equal(a.isRaw, false);
    const b = fakeTty();
    const eof = readHidden(b);
    b.write('abc\u0004');
    assert.equal(await eof, 'abc');
    const c = fakeTty();
    const empty = readHidden(c);
    c.write('\u0004');
    await assert.rejects(empty, /Cancelled/);
  });

  it('a pipe: all of it, less one trailing newline; too much is refused', async () => {
    const p = new PassThrough();
    const read = readAll(p);
    p.end('tok\r\n');
    assert.equal(await read, 'tok');
    const big = new PassThrough();
    const tooBig = readAll(big);
    big.end(Buffer.alloc(65 * 1024, 0x41));
    await assert.rejects(tooBig, /longer than 64 KiB/);
  });
});

describe('cli keychain: login, logout, credentials list through main()', () => {
  let dir: string;
  let profiles: string;
  let keytar: FakeKeytar;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-cli-keychain-'));
    profiles = path.join(dir, 'profiles.json');
    keytar = new FakeKeytar();
    fs.writeFileSync(profiles, JSON.stringify({
      version: 1,
      instances: [
        { id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'production' },
        { id: 'basic', name: 'Basic', product: 'jira', baseUrl: 'https://b.example.com', environment: 'test', auth: { type: 'basic', username: 'ada' } },
        { id: 'org', name: 'Org', product: 'cloud', baseUrl: 'https://admin.atlassian.com', environment: 'production', orgId: 'o-1' },
      ],
    }));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  interface Run { code: number; stdout: string; stderr: string }

  async function run(args: string[], opts: { input?: string; tty?: (t: FakeTty) => void; env?: Record<string, string>; load?: () => KeytarLoad; noSecrets?: boolean; commands?: CliCommand[] } = {}): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const env = { JIRA2FA_PROFILES: profiles, JIRA2FA_AUDIT_FILE: path.join(dir, 'audit.jsonl'), JIRA2FA_AUDIT_HEAD_FILE: path.join(dir, 'audit-head.json'), ...opts.env };
    let stdin: CliIo['stdin'];
    if (opts.tty) {
      const t = fakeTty();
      stdin = t;
      // Typed once the prompt is up.
      const type = opts.tty;
      setImmediate(() => type(t));
    } else {
      const p = new PassThrough();
      if (opts.input !== undefined) p.end(opts.input);
      stdin = p;
    }
    const io: CliIo = {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      env,
      cwd: dir,
      stdin,
      ...(opts.noSecrets ? {} : { secrets: new CliSecretStore({ env, warn: (m) => void err.push(`warning: ${m}\n`), loadKeytar: opts.load ?? (() => ({ ok: true, keytar })) }) }),
    };
    const code = await main(['node', 'jira2fa', ...args], io, opts.commands);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('login from a terminal stores the token without echoing it', async () => {
    const r = await run(['login', '--instance', 'prod-jira'], { tty: (t) => t.write('tty-typed-token-123\r') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(keytar.items.get('jira2fa/prod-jira:token'), 'tty-typed-token-123');
    assert.equal(r.stderr, 'Personal access token for prod-jira (input hidden): \n');
    assert.match(r.stdout, /^Stored the personal access token of prod-jira in the OS keychain/);
    assert.ok(!(r.stdout + r.stderr).includes('tty-typed-token-123'));
  });

  it('login --stdin --json: one JSON object; the default kind follows the profile', async () => {
    const r = await run(['login', '--instance', 'basic', '--stdin', '--json'], { input: 'basic pass word\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, instance: 'basic', kind: 'password', label: 'password', replaced: false, service: 'jira2fa', account: 'basic:password' });
    assert.equal(keytar.items.get('jira2fa/basic:password'), 'basic pass word');
    const org = await run(['login', '--instance', 'org', '--stdin', '--json'], { input: 'org-key-abcdef' });
    assert.equal(JSON.parse(org.stdout).account, 'org:orgApiKey');
  });

  it('bad input exits 2 and stores nothing: malformed secret, unknown instance, bad --kind, no terminal without --stdin', async () => {
    const spaced = await run(['login', '--instance', 'prod-jira', '--stdin'], { input: 'not a token' });
    assert.equal(spaced.code, 2);
    assert.match(spaced.stderr, /error: A token contains no spaces/);
    assert.match(spaced.stderr, /hint: Nothing was stored/);
    assert.equal((await run(['login', '--instance', 'nope', '--stdin'], { input: 'tok-1234' })).code, 2);
    assert.equal((await run(['login', '--instance', 'prod-jira', '--kind', 'ssh', '--stdin'], { input: 'tok-1234' })).code, 2);
    const noTty = await run(['login', '--instance', 'prod-jira'], { input: 'tok-1234' });
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /No terminal to read the secret from/);
    assert.equal(keytar.items.size, 0);
  });

  it('keychain unavailable: login is refused (exit 1) with the fix BEFORE asking for the secret', async () => {
    const r = await run(['login', '--instance', 'prod-jira'], {
      load: () => loadKeytar({}, () => {
        throw moduleNotFound('keytar');
      }, 'linux'),
      tty: (t) => t.write('x\r'),
    });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /input hidden/);
    assert.match(r.stderr, /error: The OS keychain is not available: the optional keytar module is not installed/);
    assert.match(r.stderr, /hint: .*libsecret-1-dev/);
  });

  it('logout removes every kind of one instance; credentials list --json shows kinds, never values', async () => {
    for (const kind of ['token', 'totpSeed', 'dbPassword']) keytar.items.set(`jira2fa/prod-jira:${kind}`, `value-of-${kind}`);
    keytar.items.set('jira2fa/basic:password', 'value-of-basic');
    const list = await run(['credentials', 'list', '--instance', 'prod-jira', '--json'], { env: { JIRA2FA_ORG_API_KEY: 'env-org-key' } });
    assert.equal(list.code, 0, list.stderr);
    const parsed = JSON.parse(list.stdout) as { credentials: Array<{ kind: string; stored: boolean; environment: boolean; usedByProfile: boolean | null }> };
    assert.deepEqual(parsed.credentials.filter((c) => c.stored).map((c) => c.kind), ['token', 'db', 'totp']);
    assert.deepEqual(parsed.credentials.filter((c) => c.environment).map((c) => c.kind), ['orgkey']);
    assert.deepEqual(parsed.credentials.map((c) => c.usedByProfile), [true, false, false, true, false]);
    assert.ok(!/value-of-|env-org-key/.test(list.stdout + list.stderr));

    const out = await run(['logout', '--instance', 'prod-jira'], { env: { JIRA2FA_TOKEN: 'env-token-xyz' } });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'Removed 3 credentials of prod-jira from the OS keychain: token, db, totp.\n');
    assert.match(out.stderr, /warning: JIRA2FA_TOKEN still set in this environment/);
    assert.deepEqual([...keytar.items.keys()], ['jira2fa/basic:password']);
    const text = await run(['credentials', 'list', '--instance', 'prod-jira']);
    assert.match(text.stdout, /^token\s+-\s+-\s+yes\s+personal access token$/m);
    // An instance no longer in the profiles file can still be cleaned up.
    keytar.items.set('jira2fa/gone:token', 'old');
    assert.equal((await run(['logout', '--instance', 'gone', '--json'])).stdout.includes('"removed": [\n    "token"\n  ]'), true);
  });

  describe('credentials bound to their host (profiles file edited after login)', () => {
    const repoint = (id: string, change: Record<string, unknown>) => {
      const file = JSON.parse(fs.readFileSync(profiles, 'utf8')) as { instances: Array<Record<string, unknown>> };
      const entry = file.instances.find((i) => i.id === id)!;
      Object.assign(entry, change);
      fs.writeFileSync(profiles, JSON.stringify(file));
    };

    it('login records the origin beside the secret in the keychain; logout removes both', async () => {
      assert.equal((await run(['login', '--instance', 'prod-jira', '--stdin'], { input: 'tok-origin-1' })).code, 0);
      assert.equal(keytar.items.get('jira2fa/prod-jira:token:origin'), 'https://jira.example.com:443');
      assert.equal((await run(['logout', '--instance', 'prod-jira'])).code, 0);
      assert.deepEqual([...keytar.items.keys()].filter((k) => k.startsWith('jira2fa/prod-jira')), []);
    });

    it('jira2fa test: the token is not sent to the new host (exit 1, the fix named); --accept-new-host sends it and rebinds', async () => {
      assert.equal((await run(['login', '--instance', 'prod-jira', '--stdin'], { input: 'tok-origin-2' })).code, 0);
      repoint('prod-jira', { baseUrl: 'http://127.0.0.1:1', environment: 'test', tls: { allowSelfSigned: true } });
      const refused = await run(['test', '--instance', 'prod-jira']);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /error: The personal access token of Prod Jira was stored for https:\/\/jira\.example\.com:443, but the instance now points at http:\/\/127\.0\.0\.1:1; it was not sent\./);
      assert.match(refused.stderr, /hint: .*jira2fa login --instance prod-jira.*--accept-new-host/);
      assert.equal(keytar.items.get('jira2fa/prod-jira:token:origin'), 'https://jira.example.com:443');
      const accepted = await run(['--accept-new-host', 'test', '--instance', 'prod-jira']);
      // Sent this time: the closed port answers "unreachable" (3), not the origin refusal.
      assert.equal(accepted.code, 3, accepted.stderr);
      assert.match(accepted.stderr, /--accept-new-host: the personal access token of prod-jira was stored for https:\/\/jira\.example\.com:443; it is now bound to http:\/\/127\.0\.0\.1:1/);
      assert.equal(keytar.items.get('jira2fa/prod-jira:token:origin'), 'http://127.0.0.1:1');
      assert.equal((await run(['test', '--instance', 'prod-jira'])).code, 3, 'bound now: no refusal');
    });

    it('jira2fa instances diff: a profiles file that re-points prod shows the new host and TLS change first, marked ⚠', async () => {
      const other = path.join(dir, 'incoming.json');
      fs.writeFileSync(other, JSON.stringify({ version: 1, instances: [{ id: 'prod-jira', name: 'Prod Jira', product: 'jira', baseUrl: 'https://jira.evil.example.net', environment: 'production', tls: { allowSelfSigned: true } }] }));
      const r = await run(['instances', 'diff', '--file', other]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.match(lines[0], /^⚠ NEW HOST for prod-jira/);
      assert.match(lines[1], /^⚠ prod-jira: baseUrl https:\/\/jira\.example\.com → https:\/\/jira\.evil\.example\.net/);
      assert.match(lines[2], /^⚠ prod-jira: tls\.allowSelfSigned false → true/);
      assert.equal(lines[3], 'Replaced (1): prod-jira');
      const json = JSON.parse((await run(['instances', 'diff', '--file', other, '--json'])).stdout);
      assert.deepEqual(json.newHost, ['prod-jira']);
      assert.deepEqual(json.changes.map((c: { field: string }) => c.field), ['baseUrl', 'tls.allowSelfSigned']);
    });

    it('jira2fa cloud find: the organization API key is not sent to a new API host', async () => {
      assert.equal((await run(['login', '--instance', 'org', '--stdin'], { input: 'org-key-origin' })).code, 0);
      repoint('org', { baseUrl: 'http://127.0.0.1:1' });
      const r = await run(['cloud', 'find', '--instance', 'org', '--query', 'ada', '--json']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(JSON.parse(r.stdout).error.kind, 'refused');
      assert.match(JSON.parse(r.stdout).error.message, /organization API key of Org was stored for https:\/\/admin\.atlassian\.com:443/);
    });

    it('jira2fa sql run: the database password is not sent to a new database host', async () => {
      repoint('prod-jira', { database: { driver: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' } });
      assert.equal((await run(['login', '--instance', 'prod-jira', '--kind', 'db', '--stdin'], { input: 'db-pass-origin' })).code, 0);
      assert.equal(keytar.items.get('jira2fa/prod-jira:dbPassword:origin'), 'postgres://127.0.0.1:5432/test');
      repoint('prod-jira', { database: { driver: 'postgres', host: '127.0.0.1', port: 1, database: 'test', user: 'postgres' } });
      const r = await run(['sql', 'run', '--instance', 'prod-jira', '--snippet', 'jira.list-enrolled', '--param', 'limit=5', '--param', 'offset=0']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /database password of Prod Jira was stored for postgres:\/\/127\.0\.0\.1:5432\/test, but the instance now points at postgres:\/\/127\.0\.0\.1:1\/test/);
    });

    it('jira2fa bulk --via db: the database password is not sent to a new database either', async () => {
      repoint('prod-jira', { database: { driver: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' } });
      assert.equal((await run(['login', '--instance', 'prod-jira', '--kind', 'db', '--stdin'], { input: 'db-pass-origin' })).code, 0);
      repoint('prod-jira', { database: { driver: 'postgres', host: 'db.evil.example.net', port: 5432, database: 'test', user: 'postgres' } });
      const users = path.join(dir, 'users.txt');
      fs.writeFileSync(users, 'jdoe\n');
      const r = await run(['bulk', '--instance', 'prod-jira', '--users', users, '--via', 'db']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout + r.stderr, /database password of Prod Jira was stored for postgres:\/\/127\.0\.0\.1:5432\/test, but the instance now points at postgres:\/\/db\.evil\.example\.net:5432\/test/);
    });
  });

  it('ctx.secrets() is the keychain-then-environment store; JIRA2FA_KEYCHAIN=off means environment only, with one warning', async () => {
    let seen: string[] = [];
    const probe: CliCommand = {
      register(program: Command, ctx: CliContext) {
        program.command('probe').action(async () => {
          const s = ctx.secrets();
          // secrets() wraps the store with the --accept-new-host decision; storage() is the store itself
          assert.ok(ctx.storage() instanceof CliSecretStore);
          assert.equal(ctx.secrets(), s);
          seen = [String(await s.get('prod-jira', 'token')), String(await s.get('prod-jira', 'totpSeed')), String(await s.get('prod-jira', 'password'))];
        });
      },
    };
    const r = await run(['probe'], { noSecrets: true, env: { JIRA2FA_KEYCHAIN: 'off', JIRA2FA_TOKEN: 'env-tok-9876' }, commands: [...COMMANDS, probe] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(seen, ['env-tok-9876', 'undefined', 'undefined']);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1);
    assert.match(r.stderr, /^warning: the OS keychain is not available, so only environment variables are read, and JIRA2FA_TOTP_SECRET is not set\. Why: it is turned off by JIRA2FA_KEYCHAIN=off\. Fix: Unset JIRA2FA_KEYCHAIN/);
  });
});
