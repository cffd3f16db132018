import assert from 'node:assert/strict';
import { bypassed, resolveProxy } from '../../src/core/jira/proxy';

describe('jira proxy resolution', () => {
  const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' };

  it('uses the profile proxy whatever the environment says', () => {
    assert.equal(resolveProxy('https://jira.corp', 'http://explicit:1', { ...env, NO_PROXY: '*' }), 'http://explicit:1');
  });

  it('picks HTTPS_PROXY for https and HTTP_PROXY for http targets', () => {
    assert.equal(resolveProxy('https://jira.corp', undefined, env), 'http://proxy.corp:3128');
    assert.equal(resolveProxy('http://jira.corp', undefined, env), 'http://plain.corp:8080');
    assert.equal(resolveProxy('https://jira.corp', undefined, {}), undefined);
  });

  it('prefers the lower-case spelling, as curl does', () => {
    assert.equal(resolveProxy('https://jira.corp', undefined, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }), 'http://lower:1');
  });

  it('honours NO_PROXY for hosts, subdomains, ports and wildcards', () => {
    assert.equal(resolveProxy('https://jira.corp', undefined, { ...env, NO_PROXY: 'other.example, .corp' }), undefined);
    assert.equal(resolveProxy('https://jira.corp', undefined, { ...env, no_proxy: 'jira.corp' }), undefined);
    assert.equal(resolveProxy('https://jira.corp', undefined, { ...env, NO_PROXY: 'notjira.corp' }), 'http://proxy.corp:3128');
    assert.equal(resolveProxy('https://jira.corp:8443', undefined, { ...env, NO_PROXY: 'jira.corp:443' }), 'http://proxy.corp:3128');
    assert.equal(resolveProxy('https://jira.corp:8443', undefined, { ...env, NO_PROXY: 'jira.corp:8443' }), undefined);
    assert.equal(resolveProxy('https://jira.corp', undefined, { ...env, NO_PROXY: '*' }), undefined);
  });

  it('matches IP literals, IPv6 with and without brackets, and ignores a trailing dot', () => {
    assert.ok(bypassed('127.0.0.1', 443, 'localhost,127.0.0.1'));
    assert.ok(bypassed('[::1]', 443, '::1'));
    assert.ok(bypassed('[::1]', 8443, '[::1]:8443'));
    assert.ok(!bypassed('[::1]', 443, '[::1]:8443'));
    assert.ok(bypassed('jira.corp.', 443, '*.corp'));
    assert.ok(!bypassed('evilcorp', 443, 'corp'), 'a suffix must start at a dot');
  });
});
