/**
 * Test Connection per Data Center product against the simulator speaking that product's own
 * endpoints (reference section 4; the version answers are the documented examples in
 * test/contract/atlassian/datacenter/): Confluence server-information (9.1+) and
 * user/current, Bitbucket application-properties, Bamboo info with the tsv status by POST
 * after a 405 on GET, and Bamboo's os_authType=basic for Basic authentication.
 */
import assert from 'node:assert/strict';
import { testConnection } from '../../src/core/jira/testConnection';
import { ADMIN2_TOKEN, ADMIN_PASSWORD, ADMIN_TOKEN, EXPIRED_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator, type SimulatorOptions } from '../support/jiraSimulator';
import { DispatcherCache, testClient, testProfile } from '../support/jiraTestKit';
import type { Credentials } from '../../src/core/jira/credentials';

describe('Test Connection per Data Center product (simulator speaking each product)', () => {
  let sim: JiraSimulator | undefined;
  let dispatchers: DispatcherCache;
  beforeEach(() => {
    dispatchers = new DispatcherCache();
  });
  afterEach(async () => {
    await dispatchers.closeAll();
    await sim?.stop();
    sim = undefined;
  });

  async function run(options: SimulatorOptions, credentials: Credentials = { type: 'pat', token: ADMIN_TOKEN }) {
    sim = await JiraSimulator.start(options);
    const profile = testProfile(sim.baseUrl, { product: options.product ?? 'jira', ...(credentials.type === 'basic' ? { auth: { type: 'basic', username: credentials.username } } : {}) });
    return testConnection(profile, testClient(profile, dispatchers, { credentials }));
  }
  const paths = () => sim!.requests.map((r) => `${r.method} ${r.rawPath}`);

  describe('Confluence', () => {
    it('9.1+: version from /rest/api/server-information, user from /rest/api/user/current', async () => {
      const r = await run({ product: 'confluence', version: '9.2.3' });
      assert.equal(r.ok, true, r.summary);
      assert.equal(r.summary, 'Confluence 9.2.3 · signed in as admin · your 2SV on');
      assert.equal(r.displayName, 'Ada Admin');
      assert.ok(paths().includes('GET /rest/api/server-information'));
      assert.ok(paths().includes('GET /rest/api/user/current'));
    });

    it('before 9.1 the version call answers 404: "version unknown", not a failure', async () => {
      const r = await run({ product: 'confluence', version: '8.5.4' });
      assert.equal(r.ok, true, r.summary);
      assert.equal(r.versionUnknown, true);
      assert.equal(r.summary, 'Confluence (version unknown) · signed in as admin · your 2SV on');
    });

    it('a token Confluence ignores (anonymous answer) fails the test', async () => {
      const r = await run({ product: 'confluence', version: '9.2.3' }, { type: 'pat', token: EXPIRED_TOKEN });
      assert.equal(r.ok, false);
      assert.equal(r.failure?.kind, 'authFailed');
    });
  });

  describe('Bitbucket', () => {
    for (const tsvFlag of ['twoSVActive', 'isTwoSVActive'] as const) {
      it(`version from /rest/api/1.0/application-properties; 2SV state spelled ${tsvFlag}`, async () => {
        const r = await run({ product: 'bitbucket', version: '9.6.0', tsvFlag });
        assert.equal(r.ok, true, r.summary);
        assert.equal(r.summary, 'Bitbucket 9.6.0 · your 2SV on');
        assert.equal(r.own2svActive, true);
        assert.deepEqual(paths().filter((p) => !p.includes('/tsv/')), ['GET /rest/api/1.0/application-properties']);
        assert.ok(paths().includes('GET /rest/tsv/latest/status'));
      });
    }

    it('an admin without 2SV of their own is warned (isTwoSVActive false)', async () => {
      const r = await run({ product: 'bitbucket', tsvFlag: 'isTwoSVActive' }, { type: 'pat', token: ADMIN2_TOKEN });
      assert.equal(r.own2svActive, false);
      assert.match(r.warnings.join(' '), /set up 2SV on your account first/);
    });

    it('without a "who am I" call, a refused token on the 2SV status fails the test', async () => {
      const r = await run({ product: 'bitbucket' }, { type: 'pat', token: EXPIRED_TOKEN });
      assert.equal(r.ok, false);
      assert.equal(r.failure?.kind, 'authFailed');
    });

    it('nothing at the base URL (version and 2SV status both 404) fails instead of passing empty', async () => {
      sim = await JiraSimulator.start({ product: 'bitbucket' });
      sim.setFault({ type: 'status', status: 404, html: '<html><title>Not Found</title></html>' });
      const profile = testProfile(sim.baseUrl, { product: 'bitbucket' });
      const r = await testConnection(profile, testClient(profile, dispatchers));
      assert.equal(r.ok, false);
      assert.equal(r.failure?.kind, 'notFound');
    });
  });

  describe('Bamboo', () => {
    it('version from /rest/api/latest/info; the 2SV status by POST after GET answers 405', async () => {
      const r = await run({ product: 'bamboo', version: '10.2.1' });
      assert.equal(r.ok, true, r.summary);
      assert.equal(r.summary, 'Bamboo 10.2.1 · your 2SV on');
      assert.deepEqual(paths().filter((p) => p.includes('/tsv/')), ['GET /rest/tsv/latest/status', 'POST /rest/tsv/latest/status']);
    });

    it('Basic authentication adds os_authType=basic to every call (Bamboo refuses Basic without it)', async () => {
      const r = await run({ product: 'bamboo', version: '10.2.1' }, { type: 'basic', username: 'admin', password: ADMIN_PASSWORD });
      assert.equal(r.ok, true, r.summary);
      assert.equal(r.own2svActive, true);
      for (const p of paths()) assert.match(p, /[?&]os_authType=basic$/, p);
    });

    it('a bearer token is sent without os_authType', async () => {
      await run({ product: 'bamboo' });
      for (const p of paths()) assert.doesNotMatch(p, /os_authType/);
    });
  });
});
