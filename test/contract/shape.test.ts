import assert from 'node:assert/strict';
import { shapeProblems } from './shape';

describe('contract shape comparison', () => {
  it('accepts the same shape with other values', () => {
    assert.deepEqual(shapeProblems({ a: 1, b: [{ c: 'x' }], d: null }, { a: 7, b: [{ c: 'y' }, { c: 'z' }], d: 'any' }), []);
  });
  it('reports a missing key, a wrong type, an item that differs and an undocumented key', () => {
    assert.deepEqual(shapeProblems({ a: 1, b: [{ c: 'x' }] }, { b: [{ c: 1 }], e: true }), [
      '$.a: missing',
      '$.b[0].c: expected string, got number',
      '$.e: not in the documented example',
    ]);
  });
  it('lets through only the extra keys it is told of', () => {
    assert.deepEqual(shapeProblems([{ email: 'x' }], [{ email: 'y', policyId: 'p' }], new Set(['policyId'])), []);
    assert.deepEqual(shapeProblems([{ email: 'x' }], [{ email: 'y', policyId: 'p' }]), ['$[0].policyId: not in the documented example']);
  });
  it('refuses an object where the example has an array (the guessed bulk-fetch envelope)', () => {
    assert.deepEqual(shapeProblems([{ email: 'x' }], { data: [] }), ['$: expected array, got object']);
  });
});
