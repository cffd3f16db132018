import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InstanceProfile } from '../../src/core/profiles/schema';
import { consumeSandboxSecrets, SANDBOX_SECRETS_ENV } from '../../src/core/sandboxSecrets';
import { MemorySecretStore } from '../support/fakes';

const profile = (id: string, over: Partial<InstanceProfile> = {}): InstanceProfile => ({
  id,
  name: id,
  product: 'jira',
  baseUrl: 'http://127.0.0.1:41234',
  environment: 'test',
  auth: { type: 'pat' },
  tsvApiVersion: '1.0',
  tls: { allowSelfSigned: false },
  ...over,
});

describe('sandbox secrets import', () => {
  let dir: string;
  let file: string;
  let secrets: MemorySecretStore;
  const profiles = new Map<string, InstanceProfile>([
    ['sandbox', profile('sandbox')],
    ['prod', profile('prod', { environment: 'production' })],
    ['remote', profile('remote', { baseUrl: 'https://jira.example.com' })],
  ]);
  const byId = (id: string) => profiles.get(id);
  const env = () => ({ [SANDBOX_SECRETS_ENV]: file });
  const write = async (content: unknown, mode = 0o600) => {
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content), { mode });
    await chmod(file, mode);
  };
  const gone = async () => assert.equal(await stat(file).then(() => true, () => false), false, 'the import file must be deleted');

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'j2fa-sbx-'));
    file = path.join(dir, 'secrets.json');
    secrets = new MemorySecretStore();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('does nothing without the environment variable', async () => {
    assert.equal(await consumeSandboxSecrets({}, secrets, byId), undefined);
  });

  it('stores the secrets of a local test instance and deletes the file', async () => {
    await write({ version: 1, instances: [{ id: 'sandbox', secrets: { token: 'tok-123', totpSeed: 'JBSWY3DPEHPK3PXP' } }] });
    const r = await consumeSandboxSecrets(env(), secrets, byId);
    assert.deepEqual(r, { imported: ['sandbox'], skipped: [] });
    assert.equal(await secrets.get('sandbox', 'token'), 'tok-123');
    assert.equal(await secrets.get('sandbox', 'totpSeed'), 'JBSWY3DPEHPK3PXP');
    await gone();
    // a second activation finds nothing and changes nothing
    assert.deepEqual(await consumeSandboxSecrets(env(), secrets, byId), { imported: [], skipped: [] });
  });

  it('never stores secrets for a production, remote or unknown instance', async () => {
    await write({ version: 1, instances: ['prod', 'remote', 'ghost'].map((id) => ({ id, secrets: { token: `tok-${id}` } })) });
    const r = await consumeSandboxSecrets(env(), secrets, byId);
    assert.deepEqual(r?.imported, []);
    assert.equal(r?.skipped.length, 3);
    assert.match(r!.skipped.join('\n'), /not a test instance[\s\S]*not on this machine[\s\S]*no instance "ghost"/);
    for (const id of ['prod', 'remote', 'ghost']) assert.equal(await secrets.get(id, 'token'), undefined);
    assert.ok(!r!.skipped.join('').includes('tok-'), 'messages hold no secret');
    await gone();
  });

  it('refuses (and deletes unread) a file other users can read', async function () {
    if (process.platform === 'win32') this.skip();
    await write({ version: 1, instances: [{ id: 'sandbox', secrets: { token: 'tok' } }] }, 0o644);
    const r = await consumeSandboxSecrets(env(), secrets, byId);
    assert.match(r!.skipped[0], /readable by other users/);
    assert.equal(await secrets.get('sandbox', 'token'), undefined);
    await gone();
  });

  it('refuses a malformed file, an unknown secret kind, and deletes it', async () => {
    await write('{ not json');
    assert.match((await consumeSandboxSecrets(env(), secrets, byId))!.skipped[0], /not JSON/);
    await gone();
    await write({ version: 1, instances: [{ id: 'sandbox', secrets: { sshKey: 'x' } }] });
    assert.match((await consumeSandboxSecrets(env(), secrets, byId))!.skipped[0], /not a sandbox secrets file/);
    assert.equal(await secrets.get('sandbox', 'token'), undefined);
    await gone();
  });
});
