import assert from 'node:assert/strict';
import { Redactor } from '../../src/core/redact';

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
