import assert from 'node:assert/strict';
import { AppError } from '../../src/core/errors';
import { createJiraClient, JiraClient } from '../../src/core/jira/client';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import { redactor } from '../../src/core/redact';
import { MemorySecretStore } from '../support/fakes';

const profile = { id: 'u1', name: 'Unit Jira', product: 'jira' as const, baseUrl: 'https://jira.example.com/jira', tsvApiVersion: '1.0', tls: { allowSelfSigned: false } };

describe('jira client construction', () => {
  it('refuses an invalid base URL with an input error', () => {
    assert.throws(
      () => new JiraClient({ profile: { ...profile, baseUrl: 'not a url' }, credentials: { type: 'pat', token: 'abcdefgh' } }),
      (e: unknown) => e instanceof AppError && e.kind === 'input' && /base URL of Unit Jira/.test(e.message),
    );
  });

  it('refuses a token that cannot travel in a header, and a basic user name with a colon', () => {
    assert.throws(() => new JiraClient({ profile, credentials: { type: 'pat', token: 'has space' } }), /spaces or non-ASCII/);
    assert.throws(() => new JiraClient({ profile, credentials: { type: 'basic', username: 'a:b', password: 'pw' } }), /cannot contain ":"/);
  });

  it('reads credentials from the secret store, says which one is missing, and registers them with the redactor', async () => {
    const secrets = new MemorySecretStore();
    await assert.rejects(createJiraClient({ ...profile, auth: { type: 'pat' } }, secrets), (e: unknown) => e instanceof AppError && /No personal access token is stored for Unit Jira/.test(e.message));
    await assert.rejects(createJiraClient({ ...profile, auth: { type: 'basic', username: 'bob' } }, secrets), /No password is stored/);
    await secrets.set('u1', 'token', '  UnitTokenValue-0987654321  ');
    const client = await createJiraClient({ ...profile, auth: { type: 'pat' } }, secrets, { dispatchers: new DispatcherCache() });
    assert.equal(client.host, 'jira.example.com');
    assert.equal(redactor.redact('x UnitTokenValue-0987654321 y'), 'x *** y');
  });

  it('resolves the proxy once, from the profile or the given environment', () => {
    const viaEnv = new JiraClient({ profile, credentials: { type: 'pat', token: 'abcdefgh' }, env: { HTTPS_PROXY: 'http://p:3128' } });
    assert.equal(viaEnv.proxyUrl, 'http://p:3128');
    const none = new JiraClient({ profile, credentials: { type: 'pat', token: 'abcdefgh' }, env: { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.example.com' } });
    assert.equal(none.proxyUrl, undefined);
  });
});
