import assert from 'node:assert/strict';
import { AppError } from '../../src/core/errors';
import type { Driver } from '../../src/core/db/types';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { parseSnippet } from '../../src/core/snippets/parser';
import { snippetNameFrom, snippetTemplate } from '../../src/core/snippets/template';
import { DatabaseSessions } from '../../src/extension/snippets/databaseSessions';
import { databaseEnrollmentLookup } from '../../src/extension/snippets/enrollmentLookup';

const profile = (database: Partial<NonNullable<InstanceProfile['database']>> = {}): InstanceProfile =>
  ({
    id: 'prod',
    name: 'Prod',
    product: 'jira',
    baseUrl: 'https://jira.example.com',
    environment: 'test',
    auth: { type: 'pat' },
    tsvApiVersion: '1.0',
    tls: { allowSelfSigned: false },
    database: { driver: 'postgres', host: 'db', database: 'jira', user: 'jira', readOnly: true, ...database },
  }) as InstanceProfile;

function fakeConnect() {
  const log: string[] = [];
  let n = 0;
  const connect = async (db: { database: string }, password: string | undefined): Promise<Driver> => {
    const id = ++n;
    log.push(`connect ${id} ${db.database} ${password ?? '-'}`);
    return { name: 'postgres', sessionId: String(id), close: async () => void log.push(`close ${id}`) } as unknown as Driver;
  };
  return { log, connect: connect as never };
}

describe('extension database sessions', () => {
  it('connects on first use with the stored password, reuses the session, and closes it when idle', async () => {
    const f = fakeConnect();
    const s = new DatabaseSessions({ getWithOrigin: async (_id, kind) => (kind === 'dbPassword' ? { value: 'pw' } : undefined), setOrigin: async () => undefined }, { connect: f.connect, idleMs: 20 });
    assert.equal(s.isOpen('prod'), false, 'nothing is opened before use');
    const ids = [await s.use(profile(), async (d) => d.sessionId), await s.use(profile(), async (d) => d.sessionId)];
    assert.deepEqual(ids, ['1', '1']);
    assert.deepEqual(f.log, ['connect 1 jira pw']);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(f.log, ['connect 1 jira pw', 'close 1']);
    assert.equal(s.isOpen('prod'), false);
  });

  it('two actions at once share one connection', async () => {
    const f = fakeConnect();
    const s = new DatabaseSessions({ getWithOrigin: async () => ({ value: 'pw' }), setOrigin: async () => undefined }, { connect: f.connect });
    const ids = await Promise.all([s.use(profile(), async (d) => d.sessionId), s.use(profile(), async (d) => d.sessionId)]);
    await s.dispose();
    assert.deepEqual(ids, ['1', '1']);
    assert.deepEqual(f.log, ['connect 1 jira pw', 'close 1']);
  });

  it('actions on one connection take turns, so nothing runs inside another action\'s transaction', async () => {
    const f = fakeConnect();
    const s = new DatabaseSessions({ getWithOrigin: async () => ({ value: 'pw' }), setOrigin: async () => undefined }, { connect: f.connect });
    const steps: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const change = s.use(profile(), async () => {
      steps.push('BEGIN change');
      await held; // a guarded change waiting on its backup, say
      steps.push('COMMIT change');
    });
    const lookup = s.use(profile(), async () => void steps.push('lookup'));
    const failing = s.use(profile(), async () => {
      throw new Error('boom');
    });
    const after = s.use(profile(), async () => void steps.push('after a failure'));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(steps, ['BEGIN change'], 'the lookup waits for the change to finish');
    release();
    await Promise.all([change, lookup, after]);
    await assert.rejects(failing, /boom/);
    await s.dispose();
    assert.deepEqual(steps, ['BEGIN change', 'COMMIT change', 'lookup', 'after a failure']);
    assert.deepEqual(f.log, ['connect 1 jira pw', 'close 1']);
  });

  it('reconnects after a lost connection and when the profile points elsewhere', async () => {
    const f = fakeConnect();
    const s = new DatabaseSessions({ getWithOrigin: async () => undefined, setOrigin: async () => undefined }, { connect: f.connect });
    await assert.rejects(s.use(profile(), async () => {
      throw new AppError('unreachable', 'The connection was lost.');
    }));
    assert.equal(s.isOpen('prod'), false);
    await s.use(profile(), async () => undefined);
    await s.use(profile({ database: 'jira2' }), async () => undefined);
    await s.dispose();
    assert.deepEqual(f.log, ['connect 1 jira -', 'close 1', 'connect 2 jira -', 'close 2', 'connect 3 jira2 -', 'close 3']);
  });

  it('keeps a failed test as an error status for the tree', async () => {
    const s = new DatabaseSessions({ getWithOrigin: async () => undefined, setOrigin: async () => undefined }, {
      connect: (async () => {
        throw new AppError('unreachable', 'Cannot connect to PostgreSQL at db:5432: the connection was refused.');
      }) as never,
    });
    const seen: string[] = [];
    s.onDidChange((id) => seen.push(id));
    const status = await s.test(profile());
    assert.equal(status.state, 'error');
    assert.match(status.state === 'error' ? status.message : '', /connection was refused/);
    assert.equal(s.status('prod').state, 'error');
    assert.deepEqual(seen, ['prod']);
    s.clearStatus('prod');
    assert.equal(s.status('prod').state, 'unchecked');
  });

  it('the enrollment lookup says unknown without a database or when it fails, and never throws', async () => {
    const warnings: string[] = [];
    const failing = { use: async () => { throw new AppError('unreachable', 'down'); } };
    const lookup = databaseEnrollmentLookup(failing, { warn: (m) => void warnings.push(m) });
    assert.equal(await lookup({ ...profile(), database: undefined }, 'alice'), 'unknown');
    assert.equal(await lookup(profile(), 'alice'), 'unknown');
    assert.match(warnings[0], /down/);
  });
});

describe('new snippet template', () => {
  it('is a valid read snippet without any diagnostic', () => {
    const name = snippetNameFrom('My Lookup.sql');
    assert.equal(name, 'my-lookup');
    const parsed = parseSnippet(snippetTemplate(name), 'new.sql');
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.snippet?.name, 'my-lookup');
    assert.equal(parsed.snippet?.kind, 'read');
  });
});
