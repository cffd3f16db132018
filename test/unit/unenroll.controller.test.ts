import assert from 'node:assert/strict';
import { AppError } from '../../src/core/errors';
import { UnenrollController, type UnenrollBackend } from '../../src/extension/unenroll/controller';
import { FromUnenrollSchema, ToUnenrollSchema, type ToUnenroll } from '../../src/webview/unenroll/protocol';
import type { TicketCheck } from '../../src/core/requests/ticketCheck';
import type { AuditEntry } from '../../src/core/audit/types';
import type { RequestBackend } from '../../src/extension/requestDesk';

const HELP3: TicketCheck = {
  ticket: { key: 'HELP-3', summary: 'Reset <b>jdoe</b> please', status: 'Open', resolved: false, reporter: { username: 'helpdesk', displayName: 'Help Desk' }, created: '2026-12-05T10:00:00.000+0000' },
  ticketUrl: 'https://jira.example.com/browse/HELP-3',
  identityMatch: 'mismatch',
  warnings: ['The reporter of HELP-3 is Help Desk (helpdesk), not jdoe: someone asked on the user\'s behalf.'],
};
const ENTRY: AuditEntry = { id: 'a1b2', time: '', admin: 'me', instance: { id: 'prod', name: 'Prod', baseUrl: '' }, action: 'unenroll', outcome: 'ok', message: '', prevHash: '', hash: '', request: { ticket: 'HELP-1' } };

function fakeBackend(overrides: Partial<UnenrollBackend> = {}, requests: Partial<RequestBackend> = {}) {
  const calls: string[] = [];
  const backend: UnenrollBackend = {
    instance: { id: 'prod', name: 'Prod', environment: 'production', product: 'jira', baseUrl: 'https://jira.example.com' },
    lookupAvailable: true,
    requests: {
      setup: { require: 'ticket', methods: ['In person'], ticketInstance: 'Prod', comment: true, projects: ['HELP'] },
      checkTicket: async (key, username) => {
        calls.push(`check:${key}:${username}`);
        return HELP3;
      },
      retryComment: async (entry) => {
        calls.push(`retry:${entry.id}`);
        return { posted: true, id: 'c9', ticket: 'HELP-1' };
      },
      ...requests,
    },
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

  it('asks the backend to generate the code when the seed is chosen (no code is passed)', async () => {
    const { backend, calls } = fakeBackend();
    await new UnenrollController(backend, () => undefined).handle({ type: 'send', username: 'jdoe', codeSource: 'seed' });
    assert.deepEqual(calls, ['unenroll:jdoe:seed:']);
  });

  it('never sends a typed code back to the page: busy, wait and result messages hold no trace of it', async () => {
    const typed = '135790';
    const sent: ToUnenroll[] = [];
    const { backend, calls } = fakeBackend({
      unenroll: async (req) => {
        calls.push(`unenroll:${req.username}:${req.code}`);
        req.onWait?.(30_000);
        return { ok: false, outcome: { kind: 'invalidCode', ok: false, failure: 'refused', summary: 'The TOTP code was rejected.', next: 'Wait for your next code.', status: 401 } };
      },
    });
    await new UnenrollController(backend, (m) => void sent.push(m)).handle({ type: 'send', username: 'jdoe', codeSource: 'typed', code: typed });
    assert.deepEqual(calls, [`unenroll:jdoe:${typed}`], 'the typed code reached the backend');
    assert.deepEqual(sent.map((m) => m.type), ['busy', 'busy', 'result']);
    assert.ok(!JSON.stringify(sent).includes(typed), JSON.stringify(sent));
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

  describe('recovery requests', () => {
    it('sends the policy and methods with init', async () => {
      const sent: ToUnenroll[] = [];
      await new UnenrollController(fakeBackend().backend, (m) => void sent.push(m)).handle({ type: 'ready' });
      const init = sent[0];
      assert.ok(init.type === 'init');
      assert.equal(init.request.require, 'ticket');
      assert.deepEqual(init.request.methods, ['In person']);
      assert.ok(ToUnenrollSchema.safeParse(init).success);
    });

    it('answers a ticket check with a card that validates, the server text unchanged (the page escapes it)', async () => {
      const sent: ToUnenroll[] = [];
      const { backend, calls } = fakeBackend();
      await new UnenrollController(backend, (m) => void sent.push(m)).handle({ type: 'checkTicket', key: 'HELP-3', username: 'jdoe' });
      assert.deepEqual(calls, ['check:HELP-3:jdoe']);
      const m = sent[0];
      assert.ok(m.type === 'ticket' && m.card);
      assert.equal(m.card.summary, 'Reset <b>jdoe</b> please');
      assert.equal(m.card.reporter, 'Help Desk (helpdesk)');
      assert.equal(m.card.identityMatch, 'mismatch');
      assert.equal(m.card.warnings.length, 1);
      assert.ok(ToUnenrollSchema.safeParse(m).success);
    });

    it('shows why a ticket is refused instead of a card', async () => {
      const sent: ToUnenroll[] = [];
      const { backend } = fakeBackend({}, { checkTicket: async () => { throw new AppError('refused', 'HELP-2 is already resolved (Done): a closed request does not authorise a change.'); } });
      await new UnenrollController(backend, (m) => void sent.push(m)).handle({ type: 'checkTicket', key: 'HELP-2', username: 'jdoe' });
      const m = sent[0];
      assert.ok(m.type === 'ticket' && !m.card);
      assert.match(m.error ?? '', /already resolved/);
    });

    it('rejects a malformed key or an oversized line at the message boundary, before any request', () => {
      assert.equal(FromUnenrollSchema.safeParse({ type: 'checkTicket', key: 'help-1', username: 'jdoe' }).success, false);
      assert.equal(FromUnenrollSchema.safeParse({ type: 'checkTicket', key: 'HELP-1/../x', username: 'jdoe' }).success, false);
      assert.equal(FromUnenrollSchema.safeParse({ type: 'send', username: 'jdoe', codeSource: 'seed', request: { reason: 'x'.repeat(501) } }).success, false);
      assert.equal(FromUnenrollSchema.safeParse({ type: 'send', username: 'jdoe', codeSource: 'seed', request: { ticket: 'HELP-1', verification: 'In person' } }).success, true);
    });

    it('passes the request to the action and shows a posted comment', async () => {
      const sent: ToUnenroll[] = [];
      let got: unknown;
      const { backend } = fakeBackend({
        unenroll: async (req) => {
          got = req.request;
          req.onComment({ posted: true, id: 'c1', ticket: 'HELP-1' }, ENTRY);
          return { ok: true, outcome: { kind: 'unenrolled', ok: true, summary: 'Unenrolled jdoe.', next: 'Tell the user.', status: 204 }, auditEntry: ENTRY };
        },
      });
      const request = { ticket: 'HELP-1', verification: 'In person', verificationNote: 'badge 42' };
      await new UnenrollController(backend, (m) => void sent.push(m)).handle({ type: 'send', username: 'jdoe', codeSource: 'seed', request });
      assert.deepEqual(got, request);
      const r = sent.find((m) => m.type === 'result');
      assert.ok(r && r.type === 'result');
      assert.deepEqual(r.result.comment, { ok: true, message: 'Internal comment added to HELP-1.', retry: false });
    });

    it('offers Retry after a failed comment, retries on that entry once it is asked, then stops offering it', async () => {
      const sent: ToUnenroll[] = [];
      const { backend, calls } = fakeBackend({
        unenroll: async (req) => {
          req.onComment({ posted: false, why: 'failed', ticket: 'HELP-1', error: 'HTTP 500' }, ENTRY);
          return { ok: true, outcome: { kind: 'unenrolled', ok: true, summary: 'Unenrolled jdoe.', next: 'Tell the user.', status: 204 }, auditEntry: ENTRY };
        },
      });
      const c = new UnenrollController(backend, (m) => void sent.push(m));
      await c.handle({ type: 'retryComment' });
      assert.deepEqual(calls, [], 'nothing to retry before a failed comment');
      await c.handle({ type: 'send', username: 'jdoe', codeSource: 'seed', request: { ticket: 'HELP-1', verification: 'In person' } });
      const r = sent.find((m) => m.type === 'result');
      assert.ok(r && r.type === 'result');
      assert.equal(r.result.comment?.retry, true);
      assert.match(r.result.comment?.message ?? '', /HTTP 500/);
      await c.handle({ type: 'retryComment' });
      assert.deepEqual(calls, ['retry:a1b2']);
      const last = sent.at(-1);
      assert.ok(last && last.type === 'comment');
      assert.deepEqual(last.comment, { ok: true, message: 'Internal comment added to HELP-1.', retry: false });
      await c.handle({ type: 'retryComment' });
      assert.deepEqual(calls, ['retry:a1b2'], 'a comment added is not added twice');
    });

    it('keeps Retry offered when the retry fails too', async () => {
      const sent: ToUnenroll[] = [];
      const { backend } = fakeBackend({
        unenroll: async (req) => {
          req.onComment({ posted: false, why: 'failed', ticket: 'HELP-1', error: 'HTTP 500' }, ENTRY);
          return { ok: true, outcome: { kind: 'unenrolled', ok: true, summary: 'Unenrolled jdoe.', next: 'Tell the user.', status: 204 }, auditEntry: ENTRY };
        },
      }, { retryComment: async () => ({ posted: false, why: 'failed', ticket: 'HELP-1', error: 'HTTP 503' }) });
      const c = new UnenrollController(backend, (m) => void sent.push(m));
      await c.handle({ type: 'send', username: 'jdoe', codeSource: 'seed' });
      await c.handle({ type: 'retryComment' });
      const last = sent.at(-1);
      assert.ok(last && last.type === 'comment');
      assert.equal(last.comment.retry, true);
      assert.match(last.comment.message, /HTTP 503/);
    });
  });
});
