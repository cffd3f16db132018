import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeUsernameSegment, MAX_USERNAME_LENGTH, restPath, splitBaseUrl, tidyUsername, usernameProblem } from '../../src/core/jira/paths';

const SEGMENT = /^[A-Za-z0-9\-._~%]+$/;

describe('jira paths: user name segment', () => {
  it('encodes every reserved and sub-delimiter character, keeping only unreserved ones literal', () => {
    assert.equal(encodeUsernameSegment('a/b?c#d%e'), 'a%2Fb%3Fc%23d%25e');
    assert.equal(encodeUsernameSegment("o'brien (x)*!"), 'o%27brien%20%28x%29%2A%21');
    assert.equal(encodeUsernameSegment('semi;colon'), 'semi%3Bcolon');
    assert.equal(encodeUsernameSegment('back\\slash'), 'back%5Cslash');
    assert.equal(encodeUsernameSegment('j.doe-x_y~z'), 'j.doe-x_y~z');
    assert.equal(encodeUsernameSegment('ü'), '%C3%BC');
    assert.equal(encodeUsernameSegment('😀'), '%F0%9F%98%80');
  });

  it('property: any acceptable name becomes one segment that decodes back to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        if (usernameProblem(name)) return;
        const seg = encodeUsernameSegment(name);
        assert.match(seg, SEGMENT);
        assert.ok(seg !== '.' && seg !== '..');
        assert.equal(decodeURIComponent(seg), name);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: arbitrary UTF-16 either encodes round-trip or is refused with a reason (never throws unexplained)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (name) => {
        const problem = usernameProblem(name);
        if (problem) {
          assert.throws(() => encodeUsernameSegment(name), new RegExp(problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        } else {
          assert.equal(decodeURIComponent(encodeUsernameSegment(name)), name);
        }
      }),
      { numRuns: 2000 },
    );
  });

  const refused: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['spaces only', '   ', /only spaces/],
    ['tab only', '\t', /only spaces/],
    ['newline inside', 'a\nb', /control characters/],
    ['NUL', 'a\u0000', /control characters/],
    ['DEL', 'a\u007f', /control characters/],
    ['C1 control', 'a\u0085b', /control characters/],
    ['right-to-left override', 'admin\u202e', /text-direction/],
    ['lone high surrogate', 'a\ud800', /invalid Unicode/],
    ['lone low surrogate', '\udc00b', /invalid Unicode/],
    ['dot', '.', /cannot be sent in a URL path/],
    ['dot dot', '..', /cannot be sent in a URL path/],
    ['256 characters', 'x'.repeat(256), /longer than 255/],
    ['256 emoji', '😀'.repeat(256), /longer than 255/],
    ['leading space (tidyUsername removes it first)', ' dave', /spaces \(or other whitespace\) around it/],
    ['trailing no-break space', 'dave\u00a0', /around it/],
    ['zero-width space', 'da\u200bve', /invisible character/],
    ['byte-order mark inside', 'da\ufeffve', /invisible character/],
    ['left-to-right mark', 'dave\u200e', /invisible character/],
  ];
  for (const [label, name, message] of refused) {
    it(`refuses ${label}`, () => assert.match(usernameProblem(name) ?? '(accepted)', message));
  }

  it('tidyUsername trims surrounding whitespace with a note, and leaves everything else to usernameProblem', () => {
    assert.deepEqual(tidyUsername(' dave '), { username: 'dave', note: 'Used "dave" without the spaces around it.' });
    assert.deepEqual(tidyUsername('\tdave\r\n'), { username: 'dave', note: 'Used "dave" without the spaces around it.' });
    assert.deepEqual(tidyUsername('dave'), { username: 'dave' });
    assert.deepEqual(tidyUsername('   '), { username: '   ' }, 'only spaces: left for "is only spaces"');
    assert.equal(usernameProblem(tidyUsername(' da\u200bve ').username), usernameProblem('da\u200bve'));
    // Emoji sequences are built with the zero-width joiner and variation selectors: allowed.
    assert.equal(usernameProblem('👩‍💻dev'), undefined);
    assert.equal(usernameProblem('🏳️‍🌈'), undefined);
  });

  it('counts the length in characters, not UTF-16 units', () => {
    assert.equal(usernameProblem('😀'.repeat(MAX_USERNAME_LENGTH)), undefined);
    assert.equal(usernameProblem('x'.repeat(MAX_USERNAME_LENGTH)), undefined);
  });

  it('keeps names that merely contain dots', () => {
    for (const name of ['...', '.a', 'a.', '..a', 'a/..']) assert.equal(usernameProblem(name), undefined, name);
  });
});

describe('jira paths: base URL and REST path', () => {
  it('keeps the context path and drops trailing slashes', () => {
    for (const base of ['https://h.example/jira', 'https://h.example/jira/', 'https://h.example/jira//']) {
      const split = splitBaseUrl(base);
      assert.deepEqual(split, { origin: 'https://h.example', basePath: '/jira' });
      assert.equal(restPath(split, '/rest/api/2/myself'), '/jira/rest/api/2/myself');
    }
  });

  it('works without a context path and keeps a non-default port in the origin', () => {
    const split = splitBaseUrl('http://127.0.0.1:8080/');
    assert.deepEqual(split, { origin: 'http://127.0.0.1:8080', basePath: '' });
    assert.equal(restPath(split, 'rest/tsv/latest/status/'), '/rest/tsv/latest/status');
  });

  it('keeps an encoded context path encoded', () => {
    assert.equal(restPath(splitBaseUrl('https://h/my jira'), '/rest/x'), '/my%20jira/rest/x');
  });

  it('appends user segments encoded and queries with %20 (not +)', () => {
    const split = splitBaseUrl('https://h/jira');
    assert.equal(restPath(split, '/rest/tsv/1.0/totp/unenroll/user', { segments: ['a/b c'] }), '/jira/rest/tsv/1.0/totp/unenroll/user/a%2Fb%20c');
    assert.equal(restPath(split, '/rest/api/2/user', { query: { username: 'a b+c&d' } }), '/jira/rest/api/2/user?username=a%20b%2Bc%26d');
  });

  it('refuses non-http schemes', () => {
    assert.throws(() => splitBaseUrl('ftp://h/'), /unsupported URL scheme/);
  });
});
