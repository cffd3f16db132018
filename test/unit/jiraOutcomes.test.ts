import assert from 'node:assert/strict';
import { classifyFailedAnswer, classifyUnenrollAnswer, classifyUnexpectedBody, retryAfter, type HttpAnswer } from '../../src/core/jira/classifyResponse';
import { classifyTransportError } from '../../src/core/jira/classifyTransport';
import { describeOutcome, type Outcome } from '../../src/core/jira/outcomes';
import { clean, MAX_SERVER_MESSAGE, serverMessageFrom } from '../../src/core/jira/serverMessage';
import { redactor } from '../../src/core/redact';

const ctx = { action: 'remove two-step verification of "jdoe"', host: 'jira.example.com', path: '/rest/tsv/1.0/totp/unenroll/user/jdoe', nowMs: Date.parse('2025-01-01T00:00:00Z') };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({ status, headers: { 'content-type': 'application/json', ...headers }, bodyText: JSON.stringify(body) });
const html = (status: number, title: string, headers: Record<string, string> = {}): HttpAnswer => ({ status, headers: { 'content-type': 'text/html', ...headers }, bodyText: `<html><head><title>${title}</title></head><body>x</body></html>` });
const unenroll = (a: HttpAnswer): Outcome => classifyUnenrollAnswer(a, ctx, 'jdoe');

describe('jira outcomes: unenroll answers (documented table)', () => {
  const table: Array<[string, HttpAnswer, string, string | undefined]> = [
    ['204', { status: 204, headers: {}, bodyText: '' }, 'unenrolled', undefined],
    ['400 no enrollment', json(400, { message: 'No enrollment found for the specified user.' }), 'noEnrollment', 'refused'],
    ['401 invalid code', json(401, { message: 'The user has entered an invalid TOTP code.' }), 'invalidCode', 'refused'],
    ['403 self', json(403, { message: 'The user cannot unenroll themselves.' }), 'selfUnenroll', 'refused'],
    ['404 no user', json(404, { message: 'No user matches the supplied username.' }), 'noSuchUser', 'refused'],
  ];
  for (const [label, answer, kind, failure] of table) {
    it(`${label} → ${kind}`, () => {
      const o = unenroll(answer);
      assert.equal(o.kind, kind);
      assert.equal(o.failure, failure);
      assert.equal(o.status, answer.status);
      assert.ok(o.summary && o.next, 'summary and next step are always filled');
      if (answer.status !== 204) assert.equal(o.serverMessage, JSON.parse(answer.bodyText).message, 'the server message is kept verbatim');
    });
  }

  it('a 204 is the only ok outcome', () => {
    assert.equal(unenroll({ status: 204, headers: {}, bodyText: '' }).ok, true);
    assert.equal(unenroll(json(200, {})).ok, false);
    assert.equal(unenroll(json(200, {})).kind, 'unexpectedStatus');
  });

  it('same status, other words: falls back to the generic kind and keeps the words', () => {
    const o401 = unenroll({ status: 401, headers: { 'www-authenticate': 'OAuth' }, bodyText: '' });
    assert.equal(o401.kind, 'authFailed');
    assert.match(o401.summary, /did not accept the credentials/);
    const o403 = unenroll(json(403, { message: 'You must be a system administrator.' }));
    assert.equal(o403.kind, 'forbidden');
    assert.match(o403.next, /system administrator/);
    assert.equal(o403.serverMessage, 'You must be a system administrator.');
    const o404 = unenroll(html(404, 'HTTP Status 404 – Not Found'));
    assert.equal(o404.kind, 'notFound');
    assert.equal(o404.failure, 'input');
    assert.match(o404.next, /context path/);
    const o400 = unenroll(json(400, { errorMessages: ['Bad thing'], errors: { username: 'missing' } }));
    assert.equal(o400.kind, 'badRequest');
    assert.equal(o400.serverMessage, 'Bad thing; username: missing');
  });

  it('CAPTCHA-blocked basic auth is explained', () => {
    const o = unenroll({ status: 401, headers: { 'x-seraph-loginreason': 'AUTHENTICATION_DENIED' }, bodyText: '' });
    assert.equal(o.kind, 'authFailed');
    assert.match(o.summary, /CAPTCHA/);
  });
});

describe('jira outcomes: generic answers', () => {
  it('redirect to a login page vs. another redirect', () => {
    const login = classifyFailedAnswer({ status: 302, headers: { location: 'https://jira.example.com/login.jsp?os_destination=x' }, bodyText: '' }, ctx);
    assert.equal(login.kind, 'loginRedirect');
    assert.ok(login.kind === 'loginRedirect' && login.location.includes('login.jsp'));
    assert.equal(login.failure, 'refused');
    const saml = classifyFailedAnswer({ status: 303, headers: { location: 'https://idp.example.com/saml2/sso' }, bodyText: '' }, ctx);
    assert.equal(saml.kind, 'loginRedirect');
    const moved = classifyFailedAnswer({ status: 301, headers: { location: 'https://jira.example.com/jira/rest/x' }, bodyText: '' }, ctx);
    assert.equal(moved.kind, 'redirect');
    assert.equal(moved.failure, 'input');
    assert.match(moved.summary, /jira\.example\.com\/jira\/rest\/x/);
  });

  it('429 with seconds or an HTTP date', () => {
    const secs = classifyFailedAnswer(json(429, { message: 'slow down' }, { 'retry-after': '7' }), ctx);
    assert.ok(secs.kind === 'rateLimited');
    assert.equal(secs.kind === 'rateLimited' && secs.retryAfterSeconds, 7);
    assert.match(secs.next, /Wait 7 s/);
    assert.equal(secs.failure, 'unreachable');
    const date = classifyFailedAnswer(json(429, {}, { 'retry-after': 'Wed, 01 Jan 2025 00:01:30 GMT' }), ctx);
    assert.equal(date.kind === 'rateLimited' && date.retryAfterSeconds, 90);
    const none = classifyFailedAnswer(json(429, {}), ctx);
    assert.equal(none.kind === 'rateLimited' && none.retryAfterSeconds, undefined);
    assert.equal(retryAfter('garbage', 0), undefined);
  });

  it('5xx: gateway errors and internal errors are told apart', () => {
    const gateway = classifyFailedAnswer(html(503, 'Service Unavailable'), ctx);
    assert.equal(gateway.kind, 'serverError');
    assert.match(gateway.summary, /unavailable \(503\)/);
    assert.equal(gateway.serverMessage, 'Service Unavailable');
    const internal = classifyFailedAnswer(json(500, { message: 'NullPointerException' }), ctx);
    assert.match(internal.summary, /internal error \(500\)/);
    assert.equal(internal.failure, 'unreachable');
  });

  it('a web page where JSON was expected is a login page; other non-JSON is nonJson', () => {
    const page = classifyUnexpectedBody(html(200, 'Log in - Jira'), ctx);
    assert.equal(page.kind, 'loginPage');
    assert.equal(page.serverMessage, 'Log in - Jira');
    const text = classifyUnexpectedBody({ status: 200, headers: { 'content-type': 'text/plain' }, bodyText: 'OK' }, ctx);
    assert.equal(text.kind, 'nonJson');
    // Content sniffing: an HTML body labelled as JSON is still HTML.
    assert.equal(classifyUnexpectedBody({ status: 200, headers: { 'content-type': 'application/json' }, bodyText: '<!DOCTYPE html><html>' }, ctx).kind, 'loginPage');
  });

  it('407 is a proxy problem, other statuses are unexpected', () => {
    assert.equal(classifyFailedAnswer({ status: 407, headers: {}, bodyText: '' }, ctx).kind, 'proxyError');
    const teapot = classifyFailedAnswer(json(418, { message: 'short and stout' }), ctx);
    assert.equal(teapot.kind, 'unexpectedStatus');
    assert.match(teapot.summary, /418/);
  });
});

describe('jira outcomes: server message hygiene', () => {
  it('one line, no control or bidi characters', () => {
    assert.equal(clean('line one\r\nline\u0000two\u202e\tend'), 'line one line two end');
  });

  it('is bounded in code points and never splits an emoji', () => {
    const long = '😀'.repeat(MAX_SERVER_MESSAGE + 50);
    const out = clean(long)!;
    assert.equal([...out].length, MAX_SERVER_MESSAGE);
    assert.ok(out.endsWith('…'));
    assert.ok(!/[\ud800-\udbff]$|[\ud800-\udbff](?![\udc00-\udfff])/.test(out.slice(0, -1)), 'no half emoji');
  });

  it('masks registered secrets before truncating, so a cut secret cannot leak', () => {
    const secret = 'SuperSecretTokenValue-1234567890';
    redactor.add(secret);
    const text = 'x'.repeat(MAX_SERVER_MESSAGE - 10) + secret;
    const out = clean(text)!;
    assert.ok(!out.includes('SuperSecret'), out);
    assert.equal(serverMessageFrom(JSON.stringify({ message: `token ${secret} refused` }), 'application/json'), 'token *** refused');
  });

  it('reads tsv, Jira and HTML error shapes', () => {
    assert.equal(serverMessageFrom('{"message":"m"}', 'application/json'), 'm');
    assert.equal(serverMessageFrom('{"errorMessages":["a","b"],"errors":{}}', 'application/json'), 'a; b');
    assert.equal(serverMessageFrom('<html><title>A &amp; B</title></html>', 'text/html'), 'A & B');
    assert.equal(serverMessageFrom('\n\nplain first line\nsecond', 'text/plain'), 'plain first line');
    assert.equal(serverMessageFrom('', 'text/plain'), undefined);
  });

  it('describeOutcome puts status and server words on one line', () => {
    const o = unenroll(json(401, { message: 'The user has entered an invalid TOTP code.' }));
    assert.equal(describeOutcome(o).includes('\n'), false);
    assert.match(describeOutcome(o), /\[HTTP 401\] Server said: "The user has entered an invalid TOTP code\."/);
  });
});

describe('jira outcomes: transport failures', () => {
  const tctx = { host: 'jira.example.com', mayHaveArrived: false, aborted: false };
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });

  const table: Array<[string, unknown, string, string?]> = [
    ['ENOTFOUND', err('ENOTFOUND', 'getaddrinfo ENOTFOUND jira.example.com'), 'dnsFailure'],
    ['EAI_AGAIN', err('EAI_AGAIN'), 'dnsFailure'],
    ['ECONNREFUSED in an AggregateError (happy eyeballs)', Object.assign(new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')], 'x'), { code: 'ECONNREFUSED' }), 'connectionRefused'],
    ['ECONNRESET', err('ECONNRESET'), 'connectionReset'],
    ['undici other side closed', err('UND_ERR_SOCKET', 'other side closed'), 'connectionReset'],
    ['headers timeout', err('UND_ERR_HEADERS_TIMEOUT'), 'timeout'],
    ['connect timeout', err('UND_ERR_CONNECT_TIMEOUT'), 'timeout'],
    ['self-signed', err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'tlsError', 'selfSigned'],
    ['private CA chain', err('SELF_SIGNED_CERT_IN_CHAIN'), 'tlsError', 'unknownCa'],
    ['unknown CA', err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tlsError', 'unknownCa'],
    ['host name mismatch', err('ERR_TLS_CERT_ALTNAME_INVALID'), 'tlsError', 'hostnameMismatch'],
    ['expired', err('CERT_HAS_EXPIRED'), 'tlsError', 'expired'],
    ['not yet valid', err('CERT_NOT_YET_VALID'), 'tlsError', 'notYetValid'],
    ['TLS to a plain port', new Error('write EPROTO 40:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'), 'tlsError', 'notTls'],
    ['TLS cause under an undici wrapper', Object.assign(new Error('wrapped'), { code: 'UND_ERR_PRX_TLS', cause: err('CERT_HAS_EXPIRED') }), 'tlsError', 'expired'],
    ['proxy refused the tunnel', Object.assign(new Error('Proxy response (403) !== 200 when HTTP Tunneling'), { code: 'UND_ERR_ABORTED' }), 'proxyError'],
    ['unknown', new Error('something odd'), 'networkError'],
  ];
  for (const [label, error, kind, tls] of table) {
    it(`${label} → ${kind}${tls ? `/${tls}` : ''}`, () => {
      const o = classifyTransportError(error, tctx);
      assert.equal(o.kind, kind);
      assert.equal(o.failure, 'unreachable');
      if (tls) assert.equal(o.kind === 'tlsError' && o.tlsProblem, tls);
      assert.ok(o.summary.includes('jira.example.com') || kind === 'proxyError');
    });
  }

  it('an aborted request is "cancelled", whatever the error says', () => {
    assert.equal(classifyTransportError(err('UND_ERR_ABORTED'), { ...tctx, aborted: true }).kind, 'cancelled');
  });

  it('after a DELETE was sent, a reset or timeout warns that it may have arrived', () => {
    const o = classifyTransportError(err('ECONNRESET'), { ...tctx, mayHaveArrived: true });
    assert.match(o.next, /may have reached the server/);
    assert.doesNotMatch(classifyTransportError(err('ECONNREFUSED'), { ...tctx, mayHaveArrived: true }).next, /may have reached/);
  });

  it('never shows proxy credentials', () => {
    const o = classifyTransportError(err('ECONNREFUSED'), { ...tctx, proxy: 'http://bob:pr0xyPassw0rd@proxy:3128' });
    assert.ok(!o.summary.includes('pr0xyPassw0rd'), o.summary);
  });
});
