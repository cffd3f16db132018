/**
 * The extension ships several bundles (dist/extension.js and each dist/lazy/*.js), each with
 * its own copy of the error classes. An AppError thrown in a lazy bundle must still be an
 * AppError where the main bundle catches it, or its kind and hint are lost. These tests build
 * two real copies with esbuild, as the release build does, and cross them.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildSync } from 'esbuild';

type Copy = typeof import('../support/errorClasses');

function bundleCopy(): Copy {
  const out = buildSync({
    entryPoints: [path.join(__dirname, '../support/errorClasses.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    external: ['zod', 'zod/*'],
  });
  const module = { exports: {} as Copy };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, require);
  return module.exports;
}

describe('error classes across bundles', () => {
  const a = bundleCopy();
  const b = bundleCopy();

  it('the two copies really are different classes (what a plain instanceof would miss)', () => {
    assert.notEqual(a.AppError, b.AppError);
    assert.equal(Function.prototype[Symbol.hasInstance].call(b.AppError, new a.AppError('input', 'x')), false);
  });

  it('an AppError from one bundle is an AppError in the other, and keeps its hint in describeError', () => {
    const e = new a.AppError('unreachable', 'The server did not answer.', 'Check the VPN.');
    assert.ok(e instanceof b.AppError);
    assert.equal(b.describeError(e), 'The server did not answer. Check the VPN.');
  });

  it('subclasses are recognised as themselves and as AppError, never as a sibling', () => {
    const db = new a.DbError('unreachable', 'gone', undefined, 'connection-lost', 'commit');
    const audit = new a.AuditWriteError('ENOSPC', '/x/audit.jsonl', 'disk full');
    const tracker = new a.TrackerError('bad file', 'delete it');
    assert.ok(db instanceof b.DbError && db instanceof b.AppError);
    assert.ok(audit instanceof b.AuditWriteError && audit instanceof b.AppError);
    assert.ok(tracker instanceof b.TrackerError && tracker instanceof b.AppError);
    assert.ok(!(db instanceof b.AuditWriteError) && !(audit instanceof b.DbError) && !(tracker instanceof b.DbError));
    assert.ok(!(new b.AppError('input', 'x') instanceof a.DbError), 'a plain AppError is not a DbError');
  });

  it('plain errors and look-alikes are not AppErrors', () => {
    assert.ok(!(new Error('x') instanceof b.AppError));
    assert.ok(!({ kind: 'input', message: 'x', hint: 'y', name: 'AppError' } instanceof b.AppError));
    assert.ok(!((null as unknown) instanceof b.AppError) && !(('AppError' as unknown) instanceof b.AppError));
    assert.equal(b.describeError(new Error('plain')), 'plain');
  });

  it('within one bundle nothing changes: a subclass without its own brand keeps the plain check', () => {
    class Local extends a.AppError {}
    assert.ok(new Local('input', 'x') instanceof a.AppError);
    assert.ok(new Local('input', 'x') instanceof Local);
    assert.ok(!(new a.AppError('input', 'x') instanceof Local));
  });
});
