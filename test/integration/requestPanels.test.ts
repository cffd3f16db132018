// The Request section of the Run snippet and Recover a Cloud user panels, extension side: each
// panel's controller with a backend wired as its panel module wires it (the core actions, the
// extension's request gate src/extension/requestGate.ts, its RequestDesk), against a real
// database (PGlite), the Cloud simulator and the Jira simulator holding the tickets. For each:
// refused without the ticket the instance requires (one refused entry, nothing changed), the live
// card, refused on a warning without "I verified this", done with the ticket (the request block in
// the audit entry, the internal comment on the simulated ticket and its own entry), a failed comment
// offered again and added by Retry.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCloudMove } from '../../src/core/actions/cloud';
import type { DatabaseDeps } from '../../src/core/actions/database';
import { runSnippetChange, runSnippetPreview, runSnippetRead } from '../../src/core/actions/snippet';
import type { AuditSink } from '../../src/core/audit/types';
import { BackupStore } from '../../src/core/backup/store';
import { CloudAdminClient } from '../../src/core/cloud/client';
import { findAndDiagnose } from '../../src/core/cloud/diagnose';
import { MemoryTrackerStorage, MoveTracker } from '../../src/core/cloud/tracker';
import { createJiraClient, type JiraClient } from '../../src/core/jira/client';
import { DispatcherCache } from '../../src/core/jira/dispatcher';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { CloudRecoverController, type CloudRecoverBackend } from '../../src/extension/cloud/controller';
import { requestBackendFor, requestGateFor, type RequestServices } from '../../src/extension/requestGate';
import { SnippetRunController, type SnippetRunBackend } from '../../src/extension/snippets/controller';
import { ToCloudRecoverSchema, type ToCloudRecover } from '../../src/webview/cloudRecover/protocol';
import { ToRunSchema, type ToRun } from '../../src/webview/snippetRun/protocol';
import { CloudSimulator, ORG_ID, ORG_KEY, POLICY_ENFORCED, POLICY_OPTIONAL, USERS } from '../support/cloudSimulator';
import { createTestDatabase, MemoryAudit, type TestDatabase } from '../support/dbFixtures';
import { MemorySecretStore } from '../support/fakes';
import { ADMIN_TOKEN, standardFixtures } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { standardTickets, type SimTicket } from '../support/jiraSimulatorTickets';
import { InMemorySimulatorStore } from '../support/simulatorStore';

const METHODS = ['In person', 'Video call with photo ID'];
const POLICY = { require: 'ticket' as const, ticketInstance: 'desk', projects: ['HELP'], comment: true };

describe('Request section of the snippet and Cloud panels (extension side, simulators)', function () {
  this.timeout(60_000);
  let jira: JiraSimulator;
  let tickets: SimTicket[];
  let desk: InstanceProfile;
  const secrets = new MemorySecretStore();
  const dispatchers = new DispatcherCache();
  const clients: JiraClient[] = [];
  let audit: MemoryAudit;
  let profiles: Map<string, InstanceProfile>;

  before(async () => {
    // alice and bob exist on the ticket instance: their tickets match the database's and the Cloud's users
    tickets = [
      ...standardTickets(),
      { key: 'HELP-11', summary: 'Alice lost her phone', reporter: 'alice', created: new Date(Date.now() - 3_600_000).toISOString(), status: 'Open', comments: [] },
      { key: 'HELP-12', summary: 'Bob lost his phone', reporter: 'bob', created: new Date(Date.now() - 3_600_000).toISOString(), status: 'Open', commentFailures: 1, comments: [] },
    ];
    jira = await JiraSimulator.start({ store: new InMemorySimulatorStore(standardFixtures([{ username: 'alice' }, { username: 'bob' }])), tickets });
    desk = { id: 'desk', name: 'Service Desk', product: 'jira', baseUrl: jira.baseUrl, environment: 'test', auth: { type: 'pat' } } as InstanceProfile;
    await secrets.set('desk', 'token', ADMIN_TOKEN);
  });
  after(async () => {
    for (const c of clients) await c.close();
    await jira.stop();
    await dispatchers.closeAll();
  });
  beforeEach(() => {
    audit = new MemoryAudit();
    profiles = new Map([['desk', desk]]);
  });

  /** The services requestGate.ts reads: the profiles as they are now, pooled Jira clients, the log. */
  function services(): RequestServices {
    return {
      profiles: { get: (id: string) => profiles.get(id) },
      jira: {
        client: async (p: InstanceProfile) => {
          const c = await createJiraClient(p, secrets, { dispatchers });
          clients.push(c);
          return c;
        },
      },
      audit: audit as AuditSink,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    } as unknown as RequestServices;
  }

  const commentsOn = (key: string) => tickets.find((t) => t.key === key)!.comments;

  describe('Run snippet (destructive): jira.disable-2sv on a production database requiring a ticket', () => {
    let tdb: TestDatabase;
    let dir: string;
    before(async () => {
      tdb = await createTestDatabase('pglite');
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-reqpanel-'));
    });
    after(async () => {
      await tdb?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function panel() {
      const snippet = await builtinSnippet('jira.disable-2sv');
      const profile: InstanceProfile = { ...tdb.profile(false), id: 'prod-db', name: 'Prod DB', environment: 'production', recoveryRequests: POLICY };
      profiles.set(profile.id, profile);
      const s = services();
      // as snippetRunPanel.ts backendFor(): the core actions with the extension's gate
      const deps: DatabaseDeps = {
        audit,
        backups: new BackupStore(path.join(dir, 'backups')),
        withDatabase: async (_p, fn) => {
          const d = await tdb.connect();
          try {
            return await fn(d);
          } finally {
            await d.close();
          }
        },
        requests: requestGateFor(s),
      };
      const backend: SnippetRunBackend = {
        instance: { id: profile.id, name: profile.name, environment: profile.environment, product: profile.product, baseUrl: profile.baseUrl },
        snippet,
        readOnly: false,
        runRead: (params, rowLimit) => runSnippetRead(deps, { profile, snippet, params, rowLimit }),
        preview: (params) => runSnippetPreview(deps, { profile, snippet, params }),
        execute: ({ params, expectFingerprint, confirmation, request, onComment }) =>
          runSnippetChange(deps, { profile, snippet, params, expectFingerprint, ...(confirmation !== undefined ? { confirmation } : {}), ...(request ? { request } : {}), onComment }),
        requests: requestBackendFor(s, profile, () => METHODS),
        auditReveal: async () => 'unused',
        saveExport: async () => undefined,
        copy: async () => undefined,
        showBackups: () => undefined,
        notify: () => undefined,
        confirmChange: async () => true,
      };
      const sent: ToRun[] = [];
      const ctl = new SnippetRunController(backend, (m) => {
        assert.ok(ToRunSchema.safeParse(m).success, `a valid message: ${JSON.stringify(m)}`);
        sent.push(m);
      });
      return { ctl, sent, last: () => sent.at(-1)! };
    }

    it('refused without a ticket; the card; refused on a warning without "I verified this"; done with the request in the entry and the comment on the ticket', async () => {
      const { ctl, sent, last } = await panel();
      await ctl.handle({ type: 'ready' });
      const init = sent[0];
      assert.ok(init.type === 'init');
      assert.deepEqual(init.request, { require: 'ticket', methods: METHODS, ticketInstance: 'Service Desk', comment: true, projects: ['HELP'] });
      const before = await tdb.snapshot();
      const params = { username: 'alice' };

      await ctl.handle({ type: 'preview', params });
      await ctl.handle({ type: 'commit', params, confirmation: 'alice' });
      let m = last();
      assert.ok(m.type === 'done' && !m.ok);
      assert.match(m.message, /requires a ticket/);
      assert.deepEqual(audit.entries.filter((e) => e.action === 'sql.change').map((e) => e.outcome), ['refused']);
      assert.deepEqual(await tdb.snapshot(), before, 'nothing changed');

      // the live card: HELP-11 is from alice; HELP-3 from the help desk (a warning)
      await ctl.handle({ type: 'checkTicket', key: 'HELP-11', username: 'alice' });
      m = last();
      assert.ok(m.type === 'ticket' && m.card);
      assert.equal(m.card.identityMatch, 'reporter');
      assert.equal(m.card.summary, 'Alice lost her phone');
      await ctl.handle({ type: 'checkTicket', key: 'HELP-3', username: 'alice' });
      m = last();
      assert.ok(m.type === 'ticket' && m.card && m.card.warnings.length === 1);
      await ctl.handle({ type: 'checkTicket', key: 'HELP-2', username: 'alice' });
      m = last();
      assert.ok(m.type === 'ticket' && !m.card && /already resolved/.test(m.error ?? ''));

      // the refused request leaves the preview valid: no second preview needed
      await ctl.handle({ type: 'commit', params, confirmation: 'alice', request: { ticket: 'HELP-3', verification: 'In person' } });
      m = last();
      assert.ok(m.type === 'done' && !m.ok && /needs your confirmation/.test(m.message));
      assert.equal(m.previewKept, true, 'the page keeps the preview: nothing ran');
      assert.deepEqual(await tdb.snapshot(), before, 'nothing changed');

      await ctl.handle({ type: 'commit', params, confirmation: 'alice', request: { ticket: 'HELP-11', verification: 'In person', verificationNote: 'badge 7' } });
      m = last();
      assert.ok(m.type === 'done' && m.ok, JSON.stringify(m));
      assert.deepEqual(m.comment, { ok: true, message: 'Internal comment added to HELP-11.', retry: false });
      const change = audit.entries.filter((e) => e.action === 'sql.change');
      assert.deepEqual(change.map((e) => e.outcome), ['refused', 'refused', 'ok']);
      assert.deepEqual(change[1].request?.ticket, 'HELP-3', 'the refusal keeps what was said');
      assert.deepEqual(change[2].request, { ticket: 'HELP-11', ticketUrl: `${jira.baseUrl}/browse/HELP-11`, verification: 'In person', verificationNote: 'badge 7', identityMatch: 'reporter' });
      const comment = audit.entries.find((e) => e.action === 'ticket.comment');
      assert.equal(comment?.outcome, 'ok');
      assert.equal(comment?.instance.id, 'desk', 'recorded on the ticket instance');
      const said = commentsOn('HELP-11');
      assert.equal(said.length, 1);
      assert.match(said[0].body, new RegExp(`Recovery SQL change \\(jira.disable-2sv\\) for alice on Prod DB .*: done\\.[\\s\\S]*Audit entry ${change[2].id}`));
      assert.ok(!/RC-|SECRET-/.test(said[0].body), 'no recovery code or secret in the comment');
    });

    it('a failed comment: the change stands, Retry adds it (its own ticket.comment entries)', async () => {
      const { ctl, last } = await panel();
      await ctl.handle({ type: 'ready' });
      const params = { username: 'bob' };
      await ctl.handle({ type: 'preview', params });
      await ctl.handle({ type: 'commit', params, confirmation: 'bob', request: { ticket: 'HELP-12', verification: 'Video call with photo ID' } });
      let m = last();
      assert.ok(m.type === 'done' && m.ok);
      assert.equal(m.comment?.retry, true);
      assert.match(m.comment?.message ?? '', /The comment on HELP-12 was not added/);
      await ctl.handle({ type: 'retryComment' });
      m = last();
      assert.ok(m.type === 'comment');
      assert.deepEqual(m.comment, { ok: true, message: 'Internal comment added to HELP-12.', retry: false });
      assert.deepEqual(audit.entries.filter((e) => e.action === 'ticket.comment').map((e) => e.outcome), ['error', 'ok']);
      assert.equal(commentsOn('HELP-12').length, 1);
    });
  });

  describe('Recover a Cloud user: a production organization requiring a ticket', () => {
    let cloud: CloudSimulator;
    beforeEach(async () => {
      cloud = await CloudSimulator.start({ pollsToFinish: 0 });
    });
    afterEach(() => cloud.stop());

    function panel() {
      const profile = { id: 'org', name: 'Acme Org', product: 'cloud', baseUrl: cloud.baseUrl, environment: 'production', orgId: ORG_ID, cloud: { recoveryPolicyId: POLICY_OPTIONAL, defaultPolicyId: POLICY_ENFORCED }, recoveryRequests: POLICY } as InstanceProfile;
      profiles.set(profile.id, profile);
      const s = services();
      const tracker = new MoveTracker(new MemoryTrackerStorage());
      const client = () => new CloudAdminClient({ profile, apiKey: ORG_KEY, dispatchers, env: {} });
      // as cloud/panel.ts backendFor(): the core move with the extension's gate
      const backend: CloudRecoverBackend = {
        instance: { id: profile.id, name: profile.name, environment: profile.environment, product: profile.product, orgId: ORG_ID },
        keyStored: async () => true,
        connection: async () => ({ ok: true, summary: 'ok', warnings: [] }),
        find: async (query) => findAndDiagnose(client(), query, { pending: await tracker.list({ instanceId: profile.id }) }),
        requests: requestBackendFor(s, profile, () => METHODS),
        move: (req) => runCloudMove({ audit, secrets, tracker, admin: 'ada', withClient: async (_p, fn) => fn(client()), requests: requestGateFor(s) }, { profile, ...req, task: { intervalMs: 10, timeoutMs: 5000 } }),
        openLink: () => undefined,
        openAuditLog: () => undefined,
        setKey: async () => undefined,
      };
      const sent: ToCloudRecover[] = [];
      const ctl = new CloudRecoverController(backend, (m) => {
        assert.ok(ToCloudRecoverSchema.safeParse(m).success, `a valid message: ${JSON.stringify(m)}`);
        sent.push(m);
      });
      return { ctl, sent, last: () => sent.at(-1)! };
    }

    it('refused without a ticket (nothing asked of Atlassian); done with one whose reporter has the user\'s e-mail; the comment on the ticket', async () => {
      const { ctl, sent, last } = panel();
      await ctl.handle({ type: 'ready' });
      assert.ok(sent[0].type === 'init' && sent[0].request.require === 'ticket');
      const email = USERS.enrolled.email;
      await ctl.handle({ type: 'find', query: email });
      const accountId = USERS.enrolled.accountId;
      const move = { type: 'move' as const, accountId, toPolicyId: POLICY_OPTIONAL, confirmation: email };

      await ctl.handle(move);
      let m = last();
      assert.ok(m.type === 'moved' && !m.result.ok);
      assert.match(m.result.title, /requires a ticket/);
      assert.equal(cloud.requestsTo(/add-users/).length, 0, 'nothing asked of Atlassian');
      assert.deepEqual(audit.entries.map((e) => [e.action, e.outcome]), [['cloud.move', 'refused']]);

      // alice@example.com is the e-mail of HELP-11's reporter on the ticket instance
      await ctl.handle({ type: 'checkTicket', key: 'HELP-11', username: email });
      m = last();
      assert.ok(m.type === 'ticket' && m.card?.identityMatch === 'reporter');

      await ctl.handle({ ...move, request: { ticket: 'HELP-11', verification: 'Video call with photo ID', reason: 'new phone' } });
      m = last();
      assert.ok(m.type === 'moved' && m.result.ok, JSON.stringify(m));
      assert.match(m.result.comment?.message ?? '', /Internal comment added to HELP-11/);
      const moved = audit.entries.filter((e) => e.action === 'cloud.move');
      assert.deepEqual(moved.map((e) => e.outcome), ['refused', 'ok']);
      assert.deepEqual(moved[1].request, { ticket: 'HELP-11', ticketUrl: `${jira.baseUrl}/browse/HELP-11`, reason: 'new phone', verification: 'Video call with photo ID', identityMatch: 'reporter' });
      assert.equal(audit.entries.at(-1)?.action, 'ticket.comment');
      const said = commentsOn('HELP-11').at(-1)!;
      assert.match(said.body, new RegExp(`Moved to the recovery authentication policy for ${email} on Acme Org .*: done\\.`));
      assert.ok(!said.body.includes(ORG_KEY));
    });
  });
});
