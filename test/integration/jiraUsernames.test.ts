/**
 * Hostile user names, end to end. Each accepted name exists on the simulated instance with
 * an enrollment, goes through the production flow (typed confirmation) with a fresh code,
 * and must arrive as exactly one correctly encoded path segment that decodes back to the
 * original, so that the server unenrolls exactly that user. Each refused name must be
 * refused with a clear message before any request.
 */
import assert from 'node:assert/strict';
import { ReplayGuard } from '../../src/core/totp';
import { unenrollUser } from '../../src/core/unenroll';
import { FakeAuditSink, FakeClock, MemorySecretStore } from '../support/fakes';
import { ADMIN_SEED, ADMIN_TOKEN, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { DispatcherCache, T0, testClient, testProfile } from '../support/jiraTestKit';

const ACCEPTED: string[] = [
  // path structure
  'a/b', '/', '//', '/leading', 'trailing/', 'a/../b', '../admin', 'a/..', '...', '.hidden', 'trailing.', '..a', 'a..',
  // percent and already-encoded look-alikes
  '%', '100%', '%2F', 'a%2Fb', '%2e%2e', '%00', '%zz',
  // query, fragment, path parameters
  '?', 'a?b=c', '#', 'a#b', 'semi;colon', 'x;jsessionid=1',
  // quotes, escapes, delimiters
  "o'brien", '"quoted"', 'back\\slash', 'back`tick', 'plus+sign', 'amp&er', 'eq=ual', 'colon:user', 'at@example.com',
  'comma,user', 'dollar$', 'star*', 'bang!', 'paren(s)', '[brackets]', '{braces}', '<script>alert(1)</script>', 'pipe|user', 'caret^', 'tilde~user',
  // spaces inside are kept exactly (surrounding ones are trimmed: see TRIMMED)
  'a b', 'two  spaces', 'inner\u00a0nbsp',
  // Unicode
  'ünïcödé', 'Ελληνικά', 'пользователь', '用户名', 'ユーザー', 'عربي', 'עברית', 'ＦＵＬＬ', 'e\u0301', 'null\u2400', 'zwnj\u200cpersian',
  // emoji, including ZWJ sequences and flags
  '😀emoji', '👩‍💻dev', '🏳️‍🌈', '🇫🇷',
  // lengths at the limit
  'x'.repeat(255), '😀'.repeat(255),
];

const REFUSED: Array<[string, RegExp]> = [
  ['', /empty/],
  [' ', /only spaces/],
  ['   ', /only spaces/],
  ['\t', /only spaces/],
  ['\n', /only spaces/],
  ['a\nb', /control characters/],
  ['a\rb', /control characters/],
  ['a\u0000b', /control characters/],
  ['bell\u0007', /control characters/],
  ['del\u007f', /control characters/],
  ['c1\u0085', /control characters/],
  ['.', /cannot be sent in a URL path/],
  ['..', /cannot be sent in a URL path/],
  ['evil\u202etxt.exe', /text-direction/],
  ['isolate\u2066x', /text-direction/],
  ['\ud800', /invalid Unicode/],
  ['lone\udc00', /invalid Unicode/],
  ['x'.repeat(256), /longer than 255/],
  ['😀'.repeat(256), /longer than 255/],
  ['zero\u200bwidth', /invisible character/],
  ['bom\ufeffinside', /invisible character/],
  ['word\u2060joiner', /invisible character/],
  ['soft\u00adhyphen', /invisible character/],
  ['mark\u200e', /invisible character/],
];

/** Pasted with whitespace around: the trimmed name is sent, shown and audited. */
const TRIMMED: Array<[string, string]> = [
  [' leading', 'leading'],
  ['trailing ', 'trailing'],
  ['\u00a0nbsp\u00a0', 'nbsp'],
  ['\ttabbed\n', 'tabbed'],
  ['\ufeffbom', 'bom'],
];

describe('hostile user names', () => {
  let sim: JiraSimulator;
  let clock: FakeClock;
  const dispatchers = new DispatcherCache();
  const audit = new FakeAuditSink();
  const secrets = new MemorySecretStore();

  before(async () => {
    assert.ok(ACCEPTED.length + REFUSED.length >= 50, 'the corpus has at least 50 names');
    const lower = ACCEPTED.map((n) => n.toLowerCase());
    assert.equal(new Set(lower).size, ACCEPTED.length, 'names are distinct (case-insensitively, as on the server)');
    clock = new FakeClock(T0);
    const fixtures = standardFixtures([...ACCEPTED, ...TRIMMED.map(([, t]) => t)].map((username) => ({ username, seed: USER_SEED })));
    sim = await JiraSimulator.start({ now: () => clock.now(), store: new InMemorySimulatorStore(fixtures) });
    await secrets.set('sim', 'totpSeed', ADMIN_SEED);
  });
  after(async () => {
    await dispatchers.closeAll();
    await sim.stop();
  });

  const profile = () => testProfile(sim.baseUrl, { environment: 'production' });
  const guard = new ReplayGuard('sim', { now: () => clock.now(), sleep: async (ms) => clock.advance(ms) });

  for (const name of ACCEPTED) {
    it(`arrives intact: ${label(name)}`, async () => {
      const before = sim.requests.length;
      const r = await unenrollUser({
        profile: profile(), client: testClient(profile(), dispatchers, { credentials: { type: 'pat', token: ADMIN_TOKEN } }),
        audit, secrets, replayGuard: guard, username: name, confirmation: name, useStoredSeed: true, signedInAs: 'admin',
      });
      const sent = sim.requests.slice(before);
      assert.equal(sent.length, 1, 'exactly one request');
      const { rawPath, unenrollTarget } = sent[0];
      const prefix = '/rest/tsv/1.0/totp/unenroll/user/';
      assert.ok(rawPath.startsWith(prefix), rawPath);
      const segment = rawPath.slice(prefix.length);
      assert.match(segment, /^[A-Za-z0-9\-._~%]+$/, 'one segment, only unreserved characters and escapes');
      assert.ok(segment !== '.' && segment !== '..');
      assert.equal(decodeURIComponent(segment), name, 'decodes back to the original');
      assert.equal(unenrollTarget, name, 'the server routed it as one segment');
      assert.equal(r.outcome.kind, 'unenrolled', `${r.outcome.summary} ${r.outcome.serverMessage ?? ''}`);
      assert.equal(await sim.store.enrollmentSeed(name), undefined, 'exactly that user lost the enrollment');
    });
  }

  for (const [name, message] of REFUSED) {
    it(`is refused before any request: ${label(name)}`, async () => {
      const before = sim.requests.length;
      const entries = audit.entries.length;
      const r = await unenrollUser({
        profile: profile(), client: testClient(profile(), dispatchers, { credentials: { type: 'pat', token: ADMIN_TOKEN } }),
        audit, secrets, replayGuard: guard, username: name, confirmation: name, useStoredSeed: true, signedInAs: 'admin',
      });
      assert.equal(r.outcome.kind === 'refusedByGuard' && r.outcome.guard, 'username');
      assert.match(r.outcome.summary, message);
      assert.equal(sim.requests.length, before);
      assert.equal(audit.entries.length, entries + 1, 'the refusal is audited');
    });
  }

  for (const [pasted, trimmed] of TRIMMED) {
    it(`is trimmed, said so, and the trimmed name sent and audited: ${label(pasted)}`, async () => {
      const before = sim.requests.length;
      const r = await unenrollUser({
        profile: profile(), client: testClient(profile(), dispatchers, { credentials: { type: 'pat', token: ADMIN_TOKEN } }),
        audit, secrets, replayGuard: guard, username: pasted, confirmation: pasted, useStoredSeed: true, signedInAs: 'admin',
      });
      const sent = sim.requests.slice(before);
      assert.deepEqual(sent.map((q) => q.unenrollTarget), [trimmed]);
      assert.equal(r.outcome.kind, 'unenrolled', r.outcome.summary);
      assert.ok(r.outcome.summary.includes(`Used "${trimmed}" without the spaces around it.`), r.outcome.summary);
      assert.equal(r.auditEntry?.target, trimmed);
    });
  }

  it('the other users were left alone', async () => {
    assert.equal(await sim.store.enrollmentSeed('jdoe'), USER_SEED);
    assert.equal(await sim.store.enrollmentSeed('admin'), ADMIN_SEED);
  });
});

function label(name: string): string {
  const shown = JSON.stringify(name);
  return shown.length > 40 ? `${shown.slice(0, 30)}… (${[...name].length} chars)` : shown;
}
