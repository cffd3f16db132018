import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { containsRegisteredSecret, ENTRY_LIMITS } from '../../src/core/audit/entry';
import { AuditWriteError } from '../../src/core/audit/errors';
import { AuditLog } from '../../src/core/audit/log';
import { verify } from '../../src/core/audit/read';
import type { AuditEntryInput } from '../../src/core/audit/types';
import { AppError } from '../../src/core/errors';
import { Redactor, redactor as sharedRedactor } from '../../src/core/redact';

const TOKEN = 'NjE2OTk1ODU3ODc0OkxvY2tlZE91dA';

function input(over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return { admin: 'alice', instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: 'bob', outcome: 'ok', message: 'done', ...over };
}

describe('audit log: secrets never reach the file', () => {
  let dir: string;
  let file: string;
  let red: Redactor;
  let log: AuditLog;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-audit-redact-'));
    file = path.join(dir, 'audit.jsonl');
    red = new Redactor();
    red.add(TOKEN);
    red.add('123456');
    log = new AuditLog(file, { redactor: red });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('redacts every string field, detail names included', async () => {
    const e = await log.append(input({
      admin: `alice ${TOKEN}`,
      instance: { id: `prod-${TOKEN}`, name: `Prod ${TOKEN}`, baseUrl: 'https://admin:hunter2@jira.example.com' },
      action: `unenroll ${TOKEN}`,
      target: `bob ${TOKEN}`,
      message: `server said: Authorization: Bearer abcdefghijkl and ${TOKEN}`,
      details: { [`k-${TOKEN}`]: 'v', body: '{"totpCode":"654321"}', other: `x${TOKEN}y` },
      runId: TOKEN,
      backupId: `b-${TOKEN}`,
    }));
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [TOKEN, 'hunter2', 'abcdefghijkl', '654321']) assert.equal(text.includes(secret), false, `${secret} leaked`);
    assert.equal(e.admin, 'alice ***');
    assert.equal(e.instance.baseUrl, 'https://admin:***@jira.example.com');
    assert.deepEqual(Object.keys(e.details ?? {}).sort(), ['body', 'k-***', 'other']);
    assert.equal(e.details?.other, 'x***y');
    assert.equal((await verify(file)).ok, true, 'the hash covers the redacted text that was written');
  });

  it('refuses an entry holding a registered secret that redaction cannot mask (a number), without quoting it', async () => {
    await assert.rejects(log.append(input({ details: { code: 123456 } })), (e: unknown) => {
      assert.ok(e instanceof AuditWriteError);
      assert.equal(e.code, 'ESECRET');
      assert.equal(e.kind, 'refused');
      assert.match(e.message, /details\.code/);
      assert.equal(e.message.includes('123456'), false);
      return true;
    });
    assert.equal(fs.existsSync(file), false, 'nothing was written');
    await log.append(input({ details: { code: 12345 } }));
    assert.equal((await verify(file)).entries, 1);
  });

  it('containsRegisteredSecret tells registered secrets from credential-shaped text', () => {
    assert.equal(containsRegisteredSecret(red, `a ${TOKEN} b`), true);
    assert.equal(containsRegisteredSecret(red, 'code 123456'), true);
    assert.equal(containsRegisteredSecret(red, 'Authorization: Bearer abcdefghijkl'), false, 'patterns alone are not registered secrets');
    assert.equal(containsRegisteredSecret(red, 'nothing here'), false);
    assert.equal(containsRegisteredSecret(new Redactor(), `a ${TOKEN} b`), false);
  });

  it('uses the shared redactor by default', async () => {
    const secret = `shared-${randomBytes(8).toString('hex')}`;
    sharedRedactor.add(secret);
    const e = await new AuditLog(file).append(input({ message: `leaked ${secret}` }));
    assert.equal(e.message, 'leaked ***');
    assert.equal(fs.readFileSync(file, 'utf8').includes(secret), false);
  });

  it('cuts long text after redacting, so no part of a secret is left', async () => {
    const e = await log.append(input({ message: `${'x'.repeat(ENTRY_LIMITS.message - 10)}${TOKEN}${'y'.repeat(100)}` }));
    assert.equal(e.message.length, ENTRY_LIMITS.message);
    assert.ok(e.message.endsWith('…'));
    assert.equal(fs.readFileSync(file, 'utf8').includes(TOKEN.slice(0, 6)), false);
  });

  const malformed: Array<[string, Partial<AuditEntryInput> | Record<string, unknown>, RegExp]> = [
    ['an unknown outcome', { outcome: 'fine' }, /outcome must be one of/],
    ['no action', { action: ' ' }, /action is required/],
    ['a non-string target', { target: 42 }, /target must be a string/],
    ['a nested detail', { details: { a: { b: 1 } } }, /details\.a must be/],
    ['an infinite detail', { details: { a: Infinity } }, /details\.a must be/],
    ['too many details', { details: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, /more than 50/],
    ['a fractional status', { status: 200.5 }, /status must be/],
    ['no instance', { instance: undefined }, /instance is required/],
  ];
  for (const [label, over, re] of malformed) {
    it(`rejects ${label} as a caller bug (AppError "input")`, async () => {
      await assert.rejects(log.append({ ...input(), ...over } as AuditEntryInput), (e: unknown) => e instanceof AppError && e.kind === 'input' && re.test(e.message));
      assert.equal(fs.existsSync(file), false);
    });
  }
});
