import assert from 'node:assert/strict';
import { Redactor, SHORT_LIVED_MS } from '../../src/core/redact';

describe('redactor', () => {
  it('masks registered secrets wherever they appear', () => {
    const r = new Redactor();
    r.add('s3cr3t-token-value');
    assert.equal(r.redact('failed with s3cr3t-token-value in it'), 'failed with *** in it');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const r = new Redactor();
    r.add('abcd');
    r.add('abcdefgh');
    assert.equal(r.redact('x abcdefgh y'), 'x *** y');
  });

  const shapes: Array<[string, string, string]> = [
    ['Authorization header', 'Authorization: Bearer eyJhbGciOi.J9.xyz', 'eyJhbGciOi'],
    ['basic header in JSON', '{"authorization":"Basic YWRtaW46aHVudGVyMg=="}', 'YWRtaW46aHVudGVyMg'],
    ['bearer in prose', 'sent bearer NzY4MzQ1Njc4OTAxOkxx to host', 'NzY4MzQ1Njc4OTAxOkxx'],
    ['password in a URL', 'connect postgres://jira:hunter2@db:5432/jira', 'hunter2'],
    ['TOTP code in a body', 'body {"totpCode":"123456"}', '123456'],
    ['password field', 'password=pa55word&user=x', 'pa55word'],
  ];
  for (const [label, input, secret] of shapes) {
    it(`masks a ${label} it was never told about`, () => {
      const out = new Redactor().redact(input);
      assert.ok(!out.includes(secret), out);
      assert.match(out, /\*\*\*/);
    });
  }

  it('leaves ordinary text alone', () => {
    assert.equal(new Redactor().redact('Unenrolled jdoe on Prod Jira (204)'), 'Unenrolled jdoe on Prod Jira (204)');
  });

  it('ignores very short values that would mask ordinary words', () => {
    const r = new Redactor();
    r.add('ab');
    assert.equal(r.redact('about'), 'about');
  });
});

describe('redactor: numeric and short-lived secrets', () => {
  it('masks a secret of digits where it stands alone, not inside a longer number such as an id', () => {
    const r = new Redactor();
    r.add('123308');
    assert.equal(r.redact('code 123308 sent'), 'code *** sent');
    assert.equal(r.redact('{"code":123308}'), '{"code":***}');
    const id = 'backup 20261203T123308515Z-prod-jira-7130c184';
    assert.equal(r.redact(id), id, 'a backup id the user has to copy stays whole');
    assert.equal(r.mentionsSecret(id), false);
    assert.equal(r.mentionsSecret('was 123308.'), true);
  });

  it('masks other secrets anywhere, also inside words', () => {
    const r = new Redactor();
    r.add('pa55word');
    assert.equal(r.redact('xpa55wordx'), 'x***x');
  });

  it('forgets a short-lived secret (a TOTP code) once it cannot be used any more', () => {
    let now = 1_000_000;
    const r = new Redactor(() => now);
    r.addShortLived('654321');
    assert.equal(r.redact('code 654321'), 'code ***');
    now += SHORT_LIVED_MS - 1;
    assert.equal(r.redact('code 654321'), 'code ***');
    now += 2;
    assert.equal(r.redact('code 654321'), 'code 654321');
    assert.equal(r.mentionsSecret('code 654321'), false);
  });

  it('a value registered for good stays masked, whichever way it was registered first', () => {
    let now = 0;
    const r = new Redactor(() => now);
    r.addShortLived('111222');
    r.add('111222');
    r.add('333444');
    r.addShortLived('333444');
    now += 10 * SHORT_LIVED_MS;
    assert.equal(r.redact('111222 333444'), '*** ***');
  });
});
