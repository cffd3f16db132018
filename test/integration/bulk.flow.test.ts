// The editor command's flow (src/extension/bulk/flow.ts) with a scripted UI and real back
// ends: a PGlite database and the replay-protected simulator with a fake clock.
import type { CommentResult } from '../../src/core/requests/gate';
import type { RequestInput } from '../../src/core/requests/policy';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BackupStore } from '../../src/core/backup/store';
import { countStatuses } from '../../src/core/bulk';
import { runRestBulk } from '../../src/core/bulk/rest';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { ReplayGuard } from '../../src/core/totp';
import { runBulkFlow, type BulkDeps, type BulkUi, type Step } from '../../src/extension/bulk/flow';
import { addBulkUsers } from '../support/bulkFixtures';
import { createTestDatabase, MemoryAudit, type TestDatabase } from '../support/dbFixtures';
import { FakeClock, MemorySecretStore } from '../support/fakes';
import { ADMIN_SEED, standardFixtures, USER_SEED } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { InMemorySimulatorStore } from '../support/simulatorStore';
import { DispatcherCache, T0, testClient, testProfile } from '../support/jiraTestKit';

interface Script {
  source?: 'paste' | 'file' | 'groups' | 'all-enrolled';
  groups?: string[];
  text?: string;
  via?: 'db' | 'rest';
  proceed?: boolean;
  confirmation?: (count: number) => string | undefined;
  /** Abort the run when a progress message matches. */
  cancelAt?: RegExp;
  /** Press this action of the final message. */
  action?: string;
  /** The answer of the request step (default: nothing asked, {}); null: cancelled. */
  request?: { request?: RequestInput } | null;
}

function scriptedUi(script: Script) {
  const seen = { requests: [] as string[], comments: [] as CommentResult[], previews: [] as string[], confirms: [] as number[], progress: [] as string[], opened: [] as string[], infos: [] as string[], errors: [] as string[], titles: [] as string[], actionRun: undefined as unknown };
  const ui: BulkUi = {
    pickSource: async () => script.source ?? 'paste',
    askGroups: async () => script.groups,
    pasteNames: async () => script.text,
    pickFile: async () => ({ name: '/tmp/users.csv', text: script.text ?? '' }),
    pickVia: async () => script.via,
    showPreview: async (report) => {
      seen.previews.push(JSON.stringify(countStatuses(report)));
      return script.proceed ?? true;
    },
    askRequest: async (_p, what) => {
      seen.requests.push(what);
      return script.request === null ? undefined : (script.request ?? {});
    },
    commented: (_p, r) => void seen.comments.push(r),
    confirm: async (_p, count) => {
      seen.confirms.push(count);
      return script.confirmation ? script.confirmation(count) : '';
    },
    progress: async <T>(title: string, _c: boolean, task: (step: Step, signal: AbortSignal) => Promise<T>) => {
      seen.titles.push(title);
      const ac = new AbortController();
      return task((m) => {
        seen.progress.push(m);
        if (script.cancelAt?.test(m)) ac.abort();
      }, ac.signal);
    },
    openDocument: async (file) => void seen.opened.push(file),
    info: (message, ...actions) => {
      seen.infos.push(message);
      const a = actions.find((x) => x.title === script.action);
      if (a) {
        script.action = undefined;
        script.cancelAt = undefined;
        seen.actionRun = a.run();
      }
    },
    error: (m) => void seen.errors.push(m),
  };
  return { ui, seen };
}

describe('Bulk disable 2SV… flow (editor command, scripted UI)', function () {
  this.timeout(60_000);
  let dir: string;
  const dispatchers = new DispatcherCache();

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-flow-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  after(() => dispatchers.closeAll());

  describe('via database (PGlite)', () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase('pglite');
      await addBulkUsers(tdb, 30);
    });
    after(() => tdb?.drop());

    function deps(audit = new MemoryAudit()): BulkDeps {
      return {
        admin: () => 'editor-admin',
        audit,
        backups: new BackupStore(path.join(dir, 'backups')),
        reportDir: path.join(dir, 'reports'),
        withDatabase: async (_p, fn) => {
          const d = await tdb.connect();
          try {
            return await fn(d);
          } finally {
            await d.close();
          }
        },
        runRest: () => Promise.reject(new Error('not used')),
        jiraClient: () => Promise.reject(new Error('not used')),
        log: () => undefined,
      };
    }
    const prod = () => ({ ...tdb.profile(false), environment: 'production' }) as InstanceProfile;

    it('paste → preview → typed count → one transaction; the Markdown report is opened; Cancel before commit rolls back', async () => {
      const before = await tdb.snapshot();
      // Cancel while deleting (progress is per batch of users: 0/2 before the DELETE): the transaction is rolled back.
      const reason = { request: { reason: 'phones replaced after the office move' } };
      const cancelled = scriptedUi({ text: 'bulk0001\nbulk0002\nghost\n', via: 'db', confirmation: (n) => String(n), cancelAt: /^deleting 0\/2/, request: reason });
      const r1 = (await runBulkFlow(prod(), cancelled.ui, deps()))!;
      assert.equal(r1.state, 'failed');
      assert.match(cancelled.seen.errors[0], /Cancelled: the transaction was rolled back/);
      assert.deepEqual(await tdb.snapshot(), before);

      const audit = new MemoryAudit();
      const { ui, seen } = scriptedUi({ text: 'bulk0001\nbulk0002\n\nbulk0002\nghost\ncarol', via: 'db', confirmation: (n) => String(n), request: reason });
      const report = (await runBulkFlow(prod(), ui, deps(audit)))!;
      assert.deepEqual(seen.confirms, [2]);
      assert.equal(report.state, 'completed');
      assert.deepEqual(report.users.map((u) => u.status), ['disabled', 'disabled', 'not-found', 'not-enrolled']);
      assert.ok(seen.progress.some((m) => /^deleting 2\/2$/.test(m)));
      const md = seen.opened[0];
      assert.ok(md.endsWith(`${report.runId}.md`));
      const text = await readFile(md, 'utf8');
      assert.match(text, /\| 1 \| bulk0001 \| disabled \|/);
      assert.match(text, /Lines left out of the list/);
      assert.match(seen.infos[0], /2 disabled, 1 not found, 1 not enrolled\. Backup .* holds every deleted row/);
      assert.equal(audit.entries.filter((e) => e.action === 'bulk.sql.disable' && e.runId === report.runId).length, 4);
      // one request for the whole run, asked once, carried by every entry of the run
      assert.deepEqual(seen.requests, ['Bulk disable of 2SV for 2 users']);
      const changes = audit.entries.filter((e) => e.runId === report.runId && e.action === 'bulk.sql.disable');
      assert.ok(changes.every((e) => e.request?.reason === 'phones replaced after the office move'));
    });

    it('production without the request its policy asks for: refused before the transaction, one "bulk.run" entry; the step cancelled: nothing', async () => {
      const before = await tdb.snapshot();
      const audit = new MemoryAudit();
      const refused = scriptedUi({ text: 'bulk0020\nbulk0021', via: 'db', confirmation: (n) => String(n) });
      const report = (await runBulkFlow(prod(), refused.ui, deps(audit)))!;
      assert.match(refused.seen.errors[0], /requires a reason or a ticket/);
      const run = audit.entries.filter((e) => e.runId === report.runId && e.action !== 'bulk.preview');
      assert.deepEqual(run.map((e) => [e.action, e.outcome]), [['bulk.run', 'refused']]);
      const cancelled = scriptedUi({ text: 'bulk0020\nbulk0021', via: 'db', confirmation: (n) => String(n), request: null });
      assert.equal(await runBulkFlow(prod(), cancelled.ui, deps(audit)), undefined);
      assert.deepEqual(cancelled.seen.confirms, [], 'no confirmation asked after a cancelled request step');
      assert.deepEqual(await tdb.snapshot(), before);
    });

    it('a wrong typed count changes nothing; Escape at the preview changes nothing', async () => {
      const before = await tdb.snapshot();
      const wrong = scriptedUi({ text: 'bulk0010\nbulk0011', via: 'db', confirmation: () => undefined });
      assert.equal(await runBulkFlow(prod(), wrong.ui, deps()), undefined);
      const esc = scriptedUi({ text: 'bulk0010\nbulk0011', via: 'db', proceed: false });
      assert.equal(await runBulkFlow(prod(), esc.ui, deps()), undefined);
      assert.deepEqual(await tdb.snapshot(), before);
    });
  });

  describe('via REST (simulator, fake clock)', () => {
    it('progress with count and ETA; Cancel leaves pending users; Resume from the final message finishes them', async () => {
      const users = Array.from({ length: 8 }, (_, i) => `rest${i + 1}`);
      const clock = new FakeClock(T0);
      const sim = await JiraSimulator.start({ now: () => clock.now(), store: new InMemorySimulatorStore(standardFixtures(users.map((username) => ({ username, seed: USER_SEED })))) });
      try {
        const secrets = new MemorySecretStore();
        await secrets.set('sim', 'totpSeed', ADMIN_SEED);
        const profile = testProfile(sim.baseUrl);
        const guard = new ReplayGuard('sim', clock);
        const audit = new MemoryAudit();
        const d: BulkDeps = {
          admin: () => 'editor-admin',
          audit,
          backups: new BackupStore(path.join(dir, 'backups')),
          reportDir: path.join(dir, 'reports'),
          withDatabase: () => Promise.reject(new Error('not used')),
          runRest: (p, run) => runRestBulk({ profile: p, client: testClient(profile, dispatchers), audit, secrets, guard, clock, ...run }),
          jiraClient: async () => testClient(profile, dispatchers),
          log: () => undefined,
        };
        const { ui, seen } = scriptedUi({ text: users.join('\n'), via: 'rest', cancelAt: /^3\/8/, action: 'Resume' });
        const report = (await runBulkFlow(profile, ui, d))!;
        assert.match(seen.infos[0], /cancelled: 3 disabled, 5 pending\. The pending users can be resumed/);
        assert.ok(seen.progress.some((m) => /^1\/8 · rest2: waiting \d+ s for a fresh code · about 4 min left$/.test(m)), seen.progress.join('\n'));
        // the Resume action runs the rest
        await seen.actionRun;
        assert.equal(countStatuses(report).disabled, 8);
        assert.equal(report.state, 'completed');
        assert.equal(sim.requestsOf('DELETE').length, 8);
        assert.ok(audit.entries.every((e) => e.runId === report.runId));
      } finally {
        await sim.stop();
      }
    });

    it('members of groups: read from the instance, the admin left out, shown in the preview; nothing sent when the preview is declined', async () => {
      const sim = await JiraSimulator.start({ groups: { 'phones-replaced': ['admin', 'jdoe', 'nosv'], contractors: ['jdoe'] } });
      try {
        const profile = testProfile(sim.baseUrl);
        const d: BulkDeps = {
          admin: () => 'editor-admin',
          audit: new MemoryAudit(),
          backups: new BackupStore(path.join(dir, 'backups')),
          reportDir: path.join(dir, 'reports'),
          withDatabase: () => Promise.reject(new Error('not used')),
          runRest: () => Promise.reject(new Error('not used')),
          jiraClient: async () => testClient(profile, dispatchers),
          log: () => undefined,
        };
        const { ui, seen } = scriptedUi({ source: 'groups', groups: ['phones-replaced', 'contractors'], via: 'rest', proceed: false });
        assert.equal(await runBulkFlow(profile, ui, d), undefined);
        assert.deepEqual(seen.errors, []);
        assert.deepEqual(seen.titles, ['Reading the members of 2 groups on Simulated Jira']);
        assert.equal(seen.previews.length, 1);
        assert.deepEqual(JSON.parse(seen.previews[0]).total, 2);
        assert.equal(sim.requestsOf('DELETE').length, 0);

        const unknown = scriptedUi({ source: 'groups', groups: ['no-such-group'], via: 'rest' });
        assert.equal(await runBulkFlow(profile, unknown.ui, d), undefined);
        assert.match(unknown.seen.errors[0], /There is no group "no-such-group" on Simulated Jira/);
      } finally {
        await sim.stop();
      }
    });
  });
});
