import assert from 'node:assert/strict';
import { AppError } from '../../src/core/errors';
import { checkConfirmation } from '../../src/core/actions/snippet';
import type { Column } from '../../src/core/db/types';
import type { DestructivePreview, ReadRunResult } from '../../src/core/recovery/runSnippet';
import { builtinSnippet } from '../../src/core/snippets/catalogue';
import { cellText, resultToCsv, resultToJson } from '../../src/core/snippets/results';
import type { Snippet } from '../../src/core/snippets/types';
import { SnippetRunController, snippetInfo, type SnippetRunBackend } from '../../src/extension/snippets/controller';
import { confirmationWord } from '../../src/core/snippets/confirmation';
import { ToRunSchema, type ToRun } from '../../src/webview/snippetRun/protocol';

const COLUMNS: Column[] = [
  { name: 'note', type: 'text', nativeType: 'varchar' },
  { name: 'n', type: 'integer', nativeType: 'int4' },
  { name: 'created', type: 'timestamp', nativeType: 'timestamp' },
];

function preview(over: Partial<DestructivePreview> = {}): DestructivePreview {
  return {
    snippet: 'jira.disable-2sv',
    table: 'AO_ED669C_TOTP_USER_ENROLLMENT',
    key: ['USER_KEY'],
    columns: [{ name: 'USER_KEY', type: 'text', nativeType: 'varchar' }],
    rows: [['JIRAUSER10100']],
    expected: 1,
    matchesExpectation: true,
    allowed: true,
    message: '1 row of AO_ED669C_TOTP_USER_ENROLLMENT will be changed; they are backed up first.',
    statementSql: 'DELETE …',
    backupSql: 'SELECT …',
    fingerprint: 'fp-1',
    ...over,
  };
}

function fake(snippet: Snippet, environment: 'production' | 'test' = 'test', over: Partial<SnippetRunBackend> = {}) {
  const calls: string[] = [];
  const saved: Array<{ name: string; format: string; content: string }> = [];
  const notices: string[] = [];
  const backend: SnippetRunBackend = {
    instance: { id: 'prod', name: 'Prod', environment, product: 'jira', baseUrl: 'https://jira.example.com' },
    snippet,
    readOnly: false,
    runRead: async (params, rowLimit): Promise<ReadRunResult> => {
      calls.push(`read:${params.username}:${rowLimit}`);
      return {
        snippet: snippet.name,
        columns: COLUMNS,
        rows: [['=HYPERLINK("x")', 7, new Date('2024-01-02T03:04:05.000Z')], [null, 8, null]],
        rowCount: 2,
        truncated: false,
        rowLimit,
        sql: 'SELECT …',
        auditEntryId: 'audit-1',
      };
    },
    preview: async (params) => {
      calls.push(`preview:${params.username}`);
      return preview();
    },
    requests: {
      setup: { require: 'none', methods: [], ticketInstance: 'Prod', comment: true, projects: [] },
      checkTicket: async () => {
        throw new Error('no tickets in this test');
      },
      retryComment: async () => {
        throw new Error('no tickets in this test');
      },
    },
    execute: async ({ params, expectFingerprint: fp, confirmation }) => {
      // The core's own confirmation rule (core/actions/snippet.ts), refused before any change.
      checkConfirmation({ name: 'Prod', environment }, snippet, params, confirmation);
      calls.push(`execute:${params.username}:${fp}`);
      return { snippet: snippet.name, backupId: 'backup-1', affected: 1, message: 'Disable two-step verification for a user: 1 row changed; backup backup-1.', auditEntryId: 'audit-2' };
    },
    saveExport: async (name, format, content) => {
      saved.push({ name, format, content });
      return `/tmp/${name}`;
    },
    auditReveal: async (request) => {
      calls.push(`reveal:${request.snippet}:${String(request.params.username)}`);
      return `reveal-${calls.length}`;
    },
    copy: async (text) => void calls.push(`copy:${text}`),
    showBackups: () => calls.push('backups'),
    notify: (m) => void notices.push(m),
    confirmChange: async (change) => (calls.push(`confirm:${change.rows}:${change.table}:${change.environment}`), true),
    ...over,
  };
  return { backend, calls, saved, notices };
}

/** Every message the controller sends must pass the panel's own schema. */
function collector() {
  const sent: ToRun[] = [];
  const post = (m: ToRun) => {
    const parsed = ToRunSchema.safeParse(m);
    assert.ok(parsed.success, `message does not match the protocol: ${JSON.stringify(m)}`);
    sent.push(m);
  };
  return { sent, post, last: <T extends ToRun['type']>(type: T) => sent.filter((m) => m.type === type).pop() as Extract<ToRun, { type: T }> | undefined };
}

describe('snippet run panel controller', () => {
  let read: Snippet;
  let disable: Snippet;
  before(async () => {
    read = await builtinSnippet('jira.recovery-code');
    disable = await builtinSnippet('jira.disable-2sv');
  });

  it('describes the snippet for the form, with the default row limit and the expectation', async () => {
    const { backend } = fake(disable);
    const c = collector();
    await new SnippetRunController(backend, c.post, { username: 'alice' }).handle({ type: 'ready' });
    const init = c.last('init');
    assert.ok(init);
    assert.equal(init.rowLimit, 1000);
    assert.equal(init.snippet.kind, 'destructive');
    assert.equal(init.snippet.expectation, 'exactly 1 row');
    assert.deepEqual(init.snippet.params.map((p) => p.name), ['username']);
    assert.deepEqual(init.prefill, { username: 'alice' });
    assert.equal(snippetInfo(read).expectation, undefined);
  });

  it('runs a read with the row limit and sends the cells as text (NULL stays null)', async () => {
    const { backend, calls } = fake(read);
    const c = collector();
    await new SnippetRunController(backend, c.post).handle({ type: 'run', params: { username: 'alice' }, rowLimit: 50 });
    assert.deepEqual(calls, ['read:alice:50']);
    assert.deepEqual(c.sent.map((m) => m.type), ['busy', 'rows']);
    const rows = c.last('rows')!;
    assert.deepEqual(rows.columns, [{ name: 'note', numeric: false }, { name: 'n', numeric: true }, { name: 'created', numeric: false }]);
    assert.deepEqual(rows.cells, [['=HYPERLINK("x")', '7', '2024-01-02T03:04:05.000Z'], [null, '8', null]]);
    assert.equal(rows.auditId, 'audit-1');
  });

  it('a padded user name is run without its spaces, and the page is told (field value and note)', async () => {
    const { backend, calls } = fake(read);
    const c = collector();
    await new SnippetRunController(backend, c.post).handle({ type: 'run', params: { username: '  dave\t' }, rowLimit: 50 });
    assert.deepEqual(calls, ['read:dave:50']);
    assert.deepEqual(c.last('rows')!.tidied, { params: { username: 'dave' }, notes: ['Used "dave" without the spaces around it.'] });
    // nothing to say for a name typed without spaces
    await new SnippetRunController(backend, c.post).handle({ type: 'run', params: { username: 'dave' }, rowLimit: 50 });
    assert.equal(c.last('rows')!.tidied, undefined);
  });

  it('a padded user name: previewed and applied as the trimmed name; production confirms with the trimmed name', async () => {
    const { backend, calls } = fake(disable, 'production');
    const c = collector();
    const ctl = new SnippetRunController(backend, c.post);
    await ctl.handle({ type: 'preview', params: { username: ' dave ' } });
    assert.deepEqual(c.last('preview')!.tidied?.notes, ['Used "dave" without the spaces around it.']);
    // the page now holds "dave"; a commit with the padded value is the same preview
    await ctl.handle({ type: 'commit', params: { username: ' dave ' }, confirmation: 'dave' });
    assert.equal(c.last('done')!.ok, true, c.last('done')!.message);
    assert.deepEqual(calls, ['preview:dave', 'confirm:1:AO_ED669C_TOTP_USER_ENROLLMENT:production', 'execute:dave:fp-1', 'preview:dave']);
    assert.equal(confirmationWord(disable, { username: ' dave ' }), 'dave');
  });

  it('exports the shown rows as CSV (formula guarded) and JSON through the save dialog', async () => {
    const { backend, saved, notices } = fake(read);
    const c = collector();
    const ctl = new SnippetRunController(backend, c.post);
    await ctl.handle({ type: 'export', format: 'csv' });
    assert.equal(saved.length, 0, 'nothing to export before a run');
    assert.match(notices[0], /run the snippet first/);
    await ctl.handle({ type: 'run', params: { username: 'alice' }, rowLimit: 1000 });
    await ctl.handle({ type: 'export', format: 'csv' });
    await ctl.handle({ type: 'export', format: 'json' });
    assert.equal(saved[0].name, 'jira.recovery-code.csv');
    assert.equal(saved[0].content, 'note,n,created\n"\'=HYPERLINK(""x"")",7,2024-01-02T03:04:05.000Z\n,8,\n');
    assert.deepEqual(JSON.parse(saved[1].content), [
      { note: '=HYPERLINK("x")', n: 7, created: '2024-01-02T03:04:05.000Z' },
      { note: null, n: 8, created: null },
    ]);
    assert.match(notices.at(-1)!, /Exported 2 rows to \/tmp\/jira\.recovery-code\.json/);
  });

  describe('TOTP secrets and recovery codes (issue 13, finding 7)', () => {
    // Every spelling a snippet or a driver can give these columns.
    const SECRET_COLUMNS: Column[] = ['SECRET', 'secret', '"SECRET"', 'totp."SECRET"', '[SECRET]', '`Secret`', 'totp_secret'].map((name) => ({ name, type: 'text', nativeType: 'text' }));
    const RECOVERY_COLUMNS: Column[] = ['RECOVERY_CODE', 'recovery_code', '"Recovery Code"', 't.RECOVERY_CODE'].map((name) => ({ name, type: 'text', nativeType: 'varchar' }));
    const columns: Column[] = [{ name: 'USER_KEY', type: 'text', nativeType: 'varchar' }, ...SECRET_COLUMNS, ...RECOVERY_COLUMNS];
    const row = (n: number) => [`JIRAUSER${n}`, ...SECRET_COLUMNS.map((_, i) => `SEED${n}X${i}JBSWY3DPEHPK3PXP`), ...RECOVERY_COLUMNS.map((_, i) => `RC-${n}-${i}`)];
    const rows = [row(1), row(2)];
    const secrets = rows.flatMap((r) => r.slice(1, 1 + SECRET_COLUMNS.length) as string[]);
    const codes = rows.flatMap((r) => r.slice(1 + SECRET_COLUMNS.length) as string[]);
    const mentions = (text: string, values: string[]) => values.filter((v) => text.includes(v));

    for (const kind of ['read', 'preview'] as const) {
      it(`${kind}: never shows or exports a TOTP secret; recovery codes only after Reveal, audited once per press`, async () => {
        const { backend, calls, saved } = fake(kind === 'read' ? read : disable, 'test', {
          runRead: async (_p, rowLimit) => ({ snippet: read.name, columns, rows, rowCount: 2, truncated: false, rowLimit, sql: 'SELECT …' }),
          preview: async () => preview({ columns, rows, key: ['USER_KEY'] }),
        });
        const c = collector();
        const ctl = new SnippetRunController(backend, c.post);
        await ctl.handle(kind === 'read' ? { type: 'run', params: { username: 'alice' }, rowLimit: 10 } : { type: 'preview', params: { username: 'alice' } });
        const shown = kind === 'read' ? c.last('rows')! : c.last('preview')!;
        assert.equal(shown.canReveal, true);
        const onScreen = JSON.stringify(shown.cells);
        assert.deepEqual(mentions(onScreen, [...secrets, ...codes]), [], 'hidden on screen');
        assert.equal(shown.cells[0][1], '[hidden: TOTP secret]');
        assert.equal(shown.cells[0][1 + SECRET_COLUMNS.length], '[hidden: recovery code]');
        await ctl.handle({ type: 'export', format: 'csv' });
        await ctl.handle({ type: 'export', format: 'json' });
        for (const f of saved) assert.deepEqual(mentions(f.content, [...secrets, ...codes]), [], `hidden in the ${f.format} export`);

        await ctl.handle({ type: 'reveal' });
        const revealed = c.last('revealed')!;
        assert.equal(calls.filter((x) => x.startsWith('reveal:')).length, 1, 'one audit entry for the press');
        assert.match(revealed.auditId, /^reveal-/);
        assert.deepEqual(mentions(JSON.stringify(revealed.cells), codes), codes, 'the codes are shown');
        assert.deepEqual(mentions(JSON.stringify(revealed.cells), secrets), [], 'secrets stay hidden after Reveal');
        await ctl.handle({ type: 'export', format: 'json' });
        assert.deepEqual(mentions(saved.at(-1)!.content, secrets), [], 'the export after Reveal holds no secret');
        await ctl.handle({ type: 'reveal' });
        assert.equal(calls.filter((x) => x.startsWith('reveal:')).length, 2, 'every press is audited');
      });
    }

    it('when the reveal cannot be audited the codes stay hidden and the panel says why', async () => {
      const { backend } = fake(read, 'test', {
        runRead: async (_p, rowLimit) => ({ snippet: read.name, columns, rows, rowCount: 2, truncated: false, rowLimit, sql: 'SELECT …' }),
        auditReveal: async () => {
          throw new AppError('refused', 'The recovery codes stay hidden: the audit log is not writable.');
        },
      });
      const c = collector();
      const ctl = new SnippetRunController(backend, c.post);
      await ctl.handle({ type: 'run', params: { username: 'alice' }, rowLimit: 10 });
      await ctl.handle({ type: 'reveal' });
      assert.equal(c.last('revealed'), undefined);
      assert.match(c.last('done')!.message, /stay hidden/);
    });

    it('a result without recovery codes offers no Reveal', async () => {
      const { backend } = fake(read);
      const c = collector();
      await new SnippetRunController(backend, c.post).handle({ type: 'run', params: { username: 'alice' }, rowLimit: 10 });
      assert.equal(c.last('rows')!.canReveal, false);
    });
  });

  it('a cancelled save dialog writes nothing and says nothing', async () => {
    const { backend, notices } = fake(read, 'test', { saveExport: async () => undefined });
    const ctl = new SnippetRunController(backend, collector().post);
    await ctl.handle({ type: 'run', params: { username: 'alice' }, rowLimit: 1000 });
    await ctl.handle({ type: 'export', format: 'json' });
    assert.deepEqual(notices, []);
  });

  it('shows a failure in the panel instead of throwing, and is usable again afterwards', async () => {
    let fail = true;
    const { backend } = fake(read, 'test', {
      runRead: async () => {
        if (fail) throw new AppError('unreachable', 'Cannot connect to PostgreSQL at db:5432: the connection was refused.', 'Check the host.');
        return { snippet: 'x', columns: [], rows: [], rowCount: 0, truncated: false, rowLimit: 1, sql: '' };
      },
    });
    const c = collector();
    const ctl = new SnippetRunController(backend, c.post);
    await ctl.handle({ type: 'run', params: { username: 'a' }, rowLimit: 1 });
    const done = c.last('done')!;
    assert.equal(done.ok, false);
    assert.equal(done.message, 'Cannot connect to PostgreSQL at db:5432: the connection was refused. Check the host.');
    fail = false;
    await ctl.handle({ type: 'run', params: { username: 'a' }, rowLimit: 1 });
    assert.ok(c.last('rows'));
  });

  it('refuses to apply a change without a preview, or with other parameters than the preview', async () => {
    const { backend, calls } = fake(disable);
    const c = collector();
    const ctl = new SnippetRunController(backend, c.post);
    await ctl.handle({ type: 'commit', params: { username: 'alice' } });
    assert.match(c.last('done')!.message, /Preview the affected rows/);
    await ctl.handle({ type: 'preview', params: { username: 'alice' } });
    await ctl.handle({ type: 'commit', params: { username: 'bob' } });
    assert.match(c.last('done')!.message, /Preview the affected rows/);
    assert.deepEqual(calls, ['preview:alice'], 'nothing executed');
  });

  it('previews, then applies with the preview fingerprint and shows the backup id; a second apply needs a new preview', async () => {
    const { backend, calls } = fake(disable);
    const c = collector();
    const ctl = new SnippetRunController(backend, c.post);
    await ctl.handle({ type: 'preview', params: { username: 'alice' } });
    const p = c.last('preview')!;
    assert.equal(p.matches, true);
    assert.deepEqual(p.cells, [['JIRAUSER10100']]);
    await ctl.handle({ type: 'commit', params: { username: 'alice' } });
    const done = c.last('done')!;
    assert.equal(done.ok, true);
    assert.equal(done.backupId, 'backup-1');
    assert.equal(done.auditId, 'audit-2');
    assert.equal(done.message, 'Disable two-step verification for a user: 1 row changed. 1 row now.');
    await ctl.handle({ type: 'commit', params: { username: 'alice' } });
    assert.equal(c.last('done')!.ok, false);
    assert.deepEqual(calls, ['preview:alice', 'confirm:1:AO_ED669C_TOTP_USER_ENROLLMENT:test', 'execute:alice:fp-1', 'preview:alice']);
  });

  it('asks before a change in a test environment too, and refreshes the preview after it', async () => {
    let executed = false;
    const declined = fake(disable, 'test', { confirmChange: async () => false });
    const c1 = collector();
    const ctl1 = new SnippetRunController(declined.backend, c1.post);
    await ctl1.handle({ type: 'preview', params: { username: 'alice' } });
    await ctl1.handle({ type: 'commit', params: { username: 'alice' } });
    assert.match(c1.last('done')!.message, /cancelled the confirmation\. Nothing was changed/);
    assert.deepEqual(declined.calls, ['preview:alice'], 'nothing executed');

    const accepted = fake(disable, 'test', {
      preview: async () => (executed ? preview({ rows: [], matchesExpectation: false }) : preview()),
      execute: async () => ((executed = true), { snippet: disable.name, backupId: 'backup-1', affected: 1, message: '', auditEntryId: 'audit-2' }),
    });
    const c2 = collector();
    const ctl2 = new SnippetRunController(accepted.backend, c2.post);
    await ctl2.handle({ type: 'preview', params: { username: 'alice' } });
    await ctl2.handle({ type: 'commit', params: { username: 'alice' } });
    const after = c2.last('preview')!;
    assert.deepEqual(after.cells, [], 'the deleted row is gone from the grid');
    assert.equal(after.message, '0 rows now: the change is done.');
    assert.match(c2.last('done')!.message, /1 row changed\. 0 rows now\./);
  });

  it('does not apply when the preview found the wrong number of rows or the profile is read-only', async () => {
    for (const over of [{ matchesExpectation: false, rows: [] }, { allowed: false }]) {
      const { backend, calls } = fake(disable, 'test', { preview: async () => preview(over) });
      const c = collector();
      const ctl = new SnippetRunController(backend, c.post);
      await ctl.handle({ type: 'preview', params: { username: 'nobody' } });
      await ctl.handle({ type: 'commit', params: { username: 'nobody' } });
      assert.equal(c.last('done')!.ok, false);
      assert.ok(!calls.some((x) => x.startsWith('execute')));
    }
  });

  it('production: applies only with the user name typed as confirmation', async () => {
    const { backend, calls } = fake(disable, 'production');
    const c = collector();
    const ctl = new SnippetRunController(backend, c.post);
    await ctl.handle({ type: 'preview', params: { username: 'alice' } });
    await ctl.handle({ type: 'commit', params: { username: 'alice' } });
    assert.match(c.last('done')!.message, /confirm the change by typing "alice"/);
    await ctl.handle({ type: 'commit', params: { username: 'alice' }, confirmation: 'Alice' });
    assert.equal(c.last('done')!.ok, false);
    await ctl.handle({ type: 'commit', params: { username: 'alice' }, confirmation: 'alice' });
    assert.equal(c.last('done')!.ok, true);
    assert.deepEqual(calls, ['preview:alice', 'confirm:1:AO_ED669C_TOTP_USER_ENROLLMENT:production', 'execute:alice:fp-1', 'preview:alice']);
  });

  it('production, a snippet over a list of users: applies only with the number of listed users typed', async () => {
    const many = await builtinSnippet('jira.disable-2sv-many');
    const { backend, calls } = fake(many, 'production', { preview: async (params) => (calls.push(`preview:${params.usernames}`), preview({ expected: 3 })) });
    const c = collector();
    const ctl = new SnippetRunController(backend, c.post);
    const params = { usernames: 'alice\nbob, carol\n\n' };
    await ctl.handle({ type: 'preview', params });
    for (const wrong of [undefined, 'jira.disable-2sv-many', '2', 'alice']) {
      await ctl.handle({ type: 'commit', params, confirmation: wrong });
      assert.equal(c.last('done')!.ok, false, `refused with ${wrong}`);
      assert.match(c.last('done')!.message, /confirm the change by typing "3"/);
    }
    await ctl.handle({ type: 'commit', params, confirmation: '3' });
    assert.equal(c.last('done')!.ok, true);
    assert.equal(calls.filter((x) => x.startsWith('execute')).length, 1);
  });

  it('the confirmation word: the user name, else the number of list items, else the snippet name', async () => {
    const many = await builtinSnippet('jira.disable-2sv-many');
    assert.equal(confirmationWord(disable, { username: 'Zoë' }), 'Zoë');
    assert.equal(confirmationWord(many, { usernames: 'a,b,,c\r\nd' }), '4');
    assert.equal(confirmationWord(many, { usernames: ' , ' }), '0');
    assert.equal(confirmationWord(many, {}), 'jira.disable-2sv-many');
    assert.equal(confirmationWord({ name: 'custom.reset', params: [{ name: 'userKey', type: 'string' }] }, { userKey: 'JIRAUSER1' }), 'custom.reset');
  });

  it('a double click applies once', async () => {
    const { backend, calls } = fake(disable);
    const ctl = new SnippetRunController(backend, collector().post);
    await ctl.handle({ type: 'preview', params: { username: 'alice' } });
    await Promise.all([ctl.handle({ type: 'commit', params: { username: 'alice' } }), ctl.handle({ type: 'commit', params: { username: 'alice' } })]);
    assert.equal(calls.filter((x) => x.startsWith('execute')).length, 1);
  });

  it('copies through the backend and opens the backups list', async () => {
    const { backend, calls, notices } = fake(read);
    const ctl = new SnippetRunController(backend, collector().post);
    await ctl.handle({ type: 'copy', text: 'RC-1' });
    await ctl.handle({ type: 'showBackups' });
    assert.deepEqual(calls, ['copy:RC-1', 'backups']);
    assert.deepEqual(notices, ['Copied to the clipboard.']);
  });
});

describe('result text for the grid and exports', () => {
  it('shows binary as hex, keeps duplicate column names apart in JSON, guards formulas (not plain negative numbers) in CSV', () => {
    assert.equal(cellText(new Uint8Array([0xde, 0xad])), '\\xdead');
    assert.equal(cellText(12n), '12');
    assert.equal(cellText(undefined), null);
    const cols = [{ name: 'id' }, { name: 'id' }, { name: '=cmd' }];
    assert.deepEqual(JSON.parse(resultToJson(cols, [[1, 2, Buffer.from('hi')]])), [{ id: 1, id_2: 2, '=cmd': { base64: 'aGk=' } }]);
    assert.equal(resultToCsv(cols, [[-1, '-2.5', '@x'], [null, '-1+cmd', '=1+1']]), "id,id,'=cmd\n-1,-2.5,'@x\n,'-1+cmd,'=1+1\n");
  });
});
