import assert from 'node:assert/strict';
import { UnenrollController, type UnenrollBackend } from '../../src/extension/unenroll/controller';
import type { ToUnenroll } from '../../src/webview/unenroll/protocol';

function fakeBackend(overrides: Partial<UnenrollBackend> = {}) {
  const calls: string[] = [];
  const backend: UnenrollBackend = {
    instance: { id: 'prod', name: 'Prod', environment: 'production', product: 'jira', baseUrl: 'https://jira.example.com' },
    lookupAvailable: true,
    seedStored: async () => true,
    connection: async () => ({ ok: true, summary: 'Jira 10.3 · signed in as admin', productName: 'Jira', warnings: ['you are not a system administrator'] }),
    lookup: async (username) => ({ username, found: true, enrolled: 'unknown', message: 'User found.' }),
    unenroll: async (req) => {
      calls.push(`unenroll:${req.username}:${req.code ?? 'seed'}:${req.confirmation ?? ''}`);
      return {
        ok: true,
        outcome: { kind: 'unenrolled', ok: true, summary: `Unenrolled ${req.username}.`, next: 'Tell the user.', status: 204 },
        auditEntry: { id: 'a1b2', time: '', admin: 'me', instance: { id: 'prod', name: 'Prod', baseUrl: '' }, action: 'unenroll', outcome: 'ok', message: '', prevHash: '', hash: '' },
      };
    },
    openAuditLog: (id) => calls.push(`audit:${id}`),
    setSeed: async () => void calls.push('setSeed'),
    ...overrides,
  };
  return { backend, calls };
}

describe('unenroll panel controller', () => {
  it('initialises the form, then reports the connection and its warnings', async () => {
    const sent: ToUnenroll[] = [];
    const { backend } = fakeBackend();
    await new UnenrollController(backend, (m) => void sent.push(m), 'jdoe').handle({ type: 'ready' });
    assert.deepEqual(sent.map((m) => m.type), ['init', 'connection']);
    assert.equal(sent[0].type === 'init' && sent[0].prefillUsername, 'jdoe');
    assert.deepEqual(sent[1].type === 'connection' && sent[1].connection.warnings, ['you are not a system administrator']);
  });

  it('sends once, passes the typed code through, and shows the audit id', async () => {
    const sent: ToUnenroll[] = [];
    const { backend, calls } = fakeBackend();
    const c = new UnenrollController(backend, (m) => void sent.push(m));
    const msg = { type: 'send' as const, username: 'jdoe', confirmation: 'jdoe', codeSource: 'typed' as const, code: '123456' };
    await Promise.all([c.handle(msg), c.handle(msg)]);
    assert.deepEqual(calls, ['unenroll:jdoe:123456:jdoe'], 'a double click must not send twice');
    const result = sent.find((m) => m.type === 'result');
    assert.ok(result && result.type === 'result');
    assert.equal(result.result.ok, true);
    assert.equal(result.result.auditId, 'a1b2');
    await c.handle({ type: 'openAuditLog' });
    assert.deepEqual(calls.slice(-1), ['audit:a1b2']);
  });

  it('asks the backend to generate the code when the seed is chosen, and never echoes a code', async () => {
    const sent: ToUnenroll[] = [];
    const { backend, calls } = fakeBackend();
    await new UnenrollController(backend, (m) => void sent.push(m)).handle({ type: 'send', username: 'jdoe', codeSource: 'seed' });
    assert.deepEqual(calls, ['unenroll:jdoe:seed:']);
    assert.ok(!JSON.stringify(sent).includes('123456'));
  });

  it('explains a rejected code', async () => {
    const sent: ToUnenroll[] = [];
    const { backend } = fakeBackend({
      unenroll: async () => ({ ok: false, outcome: { kind: 'invalidCode', ok: false, failure: 'refused', summary: 'The TOTP code was rejected.', next: 'Wait for your next code.', status: 401, serverMessage: 'The user has entered an invalid TOTP code.' } }),
    });
    await new UnenrollController(backend, (m) => void sent.push(m)).handle({ type: 'send', username: 'jdoe', codeSource: 'typed', code: '000000' });
    const result = sent.find((m) => m.type === 'result');
    assert.ok(result && result.type === 'result');
    assert.equal(result.result.ok, false);
    assert.equal(result.result.status, 401);
    assert.match(result.result.explanation, /YOUR current code/);
    assert.equal(result.result.serverMessage, 'The user has entered an invalid TOTP code.');
  });
});
