import assert from 'node:assert/strict';
import { decodeSeed } from '../../src/core/totp';
import { randomSeed, sandboxFixtures } from '../../scripts/sandbox/fixtures';

describe('sandbox fixtures', () => {
  const s = sandboxFixtures();

  it('has 20 users, one system administrator, 14 enrolled', () => {
    assert.equal(s.fixtures.users.length, 20);
    assert.deepEqual(s.fixtures.users.filter((u) => u.sysadmin).map((u) => u.username), ['admin']);
    assert.equal(Object.keys(s.fixtures.enrollments).length, 14);
    assert.equal(s.fixtures.enrollments.admin, s.adminSeed);
    assert.deepEqual(s.fixtures.tokens, { [s.token]: 'admin' });
  });

  it('gives every user a distinct key and every enrolled user a distinct recovery code', () => {
    const keys = s.fixtures.users.map((u) => u.key);
    assert.equal(new Set(keys).size, keys.length, `duplicate user keys: ${keys.join(' ')}`);
    const codes = Object.values(s.recoveryCodes);
    assert.equal(new Set(codes).size, codes.length);
    for (const p of s.people) assert.equal(!!p.recoveryCode, !!s.fixtures.enrollments[p.username], p.username);
    assert.equal(s.fixtures.users.find((u) => u.username === 'dave')?.key, 'dave', 'an old-style account whose key is its user name');
  });

  it('makes random, valid 160-bit seeds and tokens per run; a --keep run can pass the seed back', () => {
    const seed = randomSeed();
    assert.match(seed, /^[A-Z2-7]{32}$/);
    assert.equal(decodeSeed(seed).length, 20);
    const other = sandboxFixtures();
    assert.notEqual(other.adminSeed, s.adminSeed);
    assert.notEqual(other.token, s.token);
    assert.equal(sandboxFixtures(seed).adminSeed, seed);
  });
});
