import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/core/errors';
import { BackupStore, type BackupFs, type NewBackup } from '../../src/core/backup/store';
import { decodeValue, encodeValue } from '../../src/core/backup/codec';

const input = (instanceId = 'prod'): NewBackup => ({
  admin: 'me',
  instance: { id: instanceId, name: 'Prod', product: 'jira' },
  database: { driver: 'postgres', dialect: 'postgres', serverVersion: 'PostgreSQL 15', host: 'db', database: 'jira' },
  snippet: { name: 'jira.disable-2sv', title: 'Disable', source: 'builtin:jira/disable-2sv.sql' },
  params: { username: 'alice' },
  table: { name: 'AO_ED669C_TOTP_USER_ENROLLMENT', key: ['USER_KEY'] },
  columns: [{ name: 'USER_KEY', type: 'text', nativeType: 'varchar' }],
  rows: [['JIRAUSER10100']],
});

describe('db: backup store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('saves atomically, owner-only, and lists newest first per instance', async () => {
    const a = await new BackupStore(dir).save(input(), new Date('2024-01-01T00:00:00Z'));
    const b = await new BackupStore(dir).save(input(), new Date('2024-02-01T00:00:00Z'));
    await new BackupStore(dir).save(input('other'));
    assert.equal(a.state, 'pending');
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp')), []);
    if (process.platform !== 'win32') assert.equal((await stat(path.join(dir, `${a.id}.json`))).mode & 0o777, 0o600);
    const store = new BackupStore(dir);
    const list = await store.list({ instanceId: 'prod' });
    assert.deepEqual(list.backups.map((x) => x.id), [b.id, a.id]);
    await store.setState(a.id, 'committed');
    assert.equal((await store.load(a.id)).state, 'committed');
    await store.recordRestore(a.id, 'me', 1);
    assert.ok((await store.list()).backups.find((x) => x.id === a.id)!.restoredAt);
  });

  it('leaves nothing behind when the disk is full', async () => {
    const fullFs: BackupFs = {
      ...nodeFs,
      open: (async (...args: Parameters<typeof nodeFs.open>) => {
        const h = await nodeFs.open(...args);
        return Object.assign(Object.create(h), {
          writeFile: async () => {
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          },
          close: () => h.close(),
        });
      }) as typeof nodeFs.open,
    };
    await assert.rejects(new BackupStore(dir, { fs: fullFs }).save(input()), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
    assert.deepEqual(await readdir(dir), []);
  });

  it('refuses ids that are not backup ids and reports damaged files', async () => {
    const store = new BackupStore(dir);
    await assert.rejects(store.load('../../etc/passwd'), (e: AppError) => e.kind === 'input');
    await assert.rejects(store.load('20240101T000000000Z-prod-00000000'), (e: AppError) => e.kind === 'input' && /No backup/.test(e.message));
    await writeFile(path.join(dir, '20240101T000000000Z-prod-0000abcd.json'), '{not json');
    const list = await store.list();
    assert.equal(list.backups.length, 0);
    assert.match(list.problems[0].message, /damaged/);
  });

  it('encodes values for JSON and decodes them typed per dialect', () => {
    assert.equal(encodeValue(new Date('2024-01-02T03:04:05.123Z')), '2024-01-02T03:04:05.123Z');
    assert.deepEqual(encodeValue(Buffer.from('hi')), { base64: 'aGk=' });
    assert.equal(encodeValue(12n), '12');
    const ts = { name: 'T', type: 'timestamp' as const, nativeType: 'datetime2' };
    assert.ok(decodeValue('2024-01-02T03:04:05.123Z', ts, 'mssql').value instanceof Date);
    assert.equal(decodeValue('2024-01-02 03:04:05.123456', ts, 'postgres').value, '2024-01-02 03:04:05.123456');
    assert.ok(Buffer.isBuffer(decodeValue({ base64: 'aGk=' }, { name: 'B', type: 'binary', nativeType: 'bytea' }, 'postgres').value));
  });
});
