/**
 * The pure parts of team audit shipping: store and syslog URLs (a password refused), the
 * RFC 5424 formatter and RFC 6587 framing, per-writer numbering, the computer id.
 */
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GENESIS_HASH } from '../../src/core/audit/canonical';
import { computerId } from '../../src/core/audit/ship/computerId';
import { chainRecords, recordHash, writerName } from '../../src/core/audit/ship/records';
import { parseStoreUrl, storeId } from '../../src/core/audit/store/config';
import { storeFilterFrom } from '../../src/core/audit/store/read';
import { parseSyslogUrl } from '../../src/core/audit/syslog/config';
import { escapeParamValue, formatMessage, frame, headerField } from '../../src/core/audit/syslog/format';
import type { AuditEntry } from '../../src/core/audit/types';

function entry(i: number, admin: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `e${i}`, time: '2026-01-02T03:04:05.678Z', admin, instance: { baseUrl: 'https://j', id: 'prod', name: 'Prod' }, action: 'unenroll',
    outcome: 'ok', message: 'm', prevHash: GENESIS_HASH, hash: String(i).padStart(64, 'a'), ...extra,
  };
}

describe('team audit: store URL', () => {
  it('reads postgres and mysql URLs with user, port, database and TLS options', () => {
    assert.deepEqual(parseStoreUrl('postgres://writer@db.example.com:5433/audit?ca=/etc/ca.pem'),
      { driver: 'postgres', host: 'db.example.com', port: 5433, database: 'audit', user: 'writer', ssl: { caFile: '/etc/ca.pem' } });
    assert.deepEqual(parseStoreUrl('mariadb://w%40x@h/a%20b?tls=1'), { driver: 'mysql', host: 'h', database: 'a b', user: 'w@x', ssl: true });
    assert.equal(storeId(parseStoreUrl('postgresql://u@h/d')), 'postgres://u@h:5432/d');
  });
  it('refuses a password in the URL without quoting it, and other mistakes with a specific message', () => {
    assert.throws(() => parseStoreUrl('postgres://u:hunter2@h/d'), (e: Error) => /holds a password/.test(e.message) && !e.message.includes('hunter2'));
    assert.throws(() => parseStoreUrl('postgres://u@h/'), /database name is missing/);
    assert.throws(() => parseStoreUrl('mssql://u@h/d'), /scheme "mssql"/);
    assert.throws(() => parseStoreUrl('postgres://u@h/d?sslmode=disable'), /unknown option "sslmode"/);
    assert.throws(() => parseStoreUrl('not a url'), /not a URL/);
  });
});

describe('team audit: syslog URL', () => {
  it('reads tcp and tls URLs; refuses credentials, a missing port and ca on tcp', () => {
    assert.deepEqual(parseSyslogUrl('tls://siem.example.com:6514?ca=/ca.pem'), { host: 'siem.example.com', port: 6514, transport: 'tls', caFile: '/ca.pem' });
    assert.deepEqual(parseSyslogUrl('tcp://127.0.0.1:514'), { host: '127.0.0.1', port: 514, transport: 'tcp' });
    assert.throws(() => parseSyslogUrl('tcp://u:p@h:514'), /user or password/);
    assert.throws(() => parseSyslogUrl('tcp://h'), /port is missing/);
    assert.throws(() => parseSyslogUrl('tcp://h:514?ca=/x'), /ca is for tls/);
    assert.throws(() => parseSyslogUrl('udp://h:514'), /not tcp or tls/);
  });
});

describe('team audit: RFC 5424 formatting', () => {
  it('escapes exactly ", \\ and ] in parameter values (RFC 5424 6.3.3)', () => {
    assert.equal(escapeParamValue('a"b\\c]d[e=f'), 'a\\"b\\\\c\\]d[e=f');
  });
  it('keeps header fields to printable US-ASCII, "-" when empty', () => {
    assert.equal(headerField('sql run\u00e9', 32), 'sql_run_');
    assert.equal(headerField('', 32), '-');
    assert.equal(headerField('x'.repeat(40), 32).length, 32);
  });
  it('writes PRI, version, header, one SD element and the BOM-prefixed entry line; frames by byte count', () => {
    const [r] = chainRecords([{ entry: entry(1, 'al"ice', { outcome: 'error', target: 'x]y' }), line: '{"id":"e1","t":"ß"}' }], 'c1', {});
    const m = formatMessage(r, { hostname: 'jump host', procId: '42' });
    assert.match(m, /^<107>1 2026-01-02T03:04:05\.678Z jump_host jira2fa 42 unenroll \[jira2fa@32473 id="e1" /);
    assert.ok(m.includes(' admin="al\\"ice" '));
    assert.ok(m.includes(' target="x\\]y"'));
    assert.ok(m.endsWith('] \ufeff{"id":"e1","t":"ß"}'));
    const f = frame(m).toString('utf8');
    const n = Number(f.slice(0, f.indexOf(' ')));
    assert.equal(n, Buffer.byteLength(m, 'utf8'));
    assert.ok(n > m.length, 'the count is in bytes, not characters');
  });
});

describe('team audit: writer records', () => {
  it('numbers and chains each writer on its own, deterministically, going on from the heads', () => {
    const items = [entry(1, 'a'), entry(2, 'b'), entry(3, 'a')].map((e) => ({ entry: e, line: JSON.stringify(e) }));
    const heads = {};
    const recs = chainRecords(items, 'c', heads);
    assert.deepEqual(recs.map((r) => [r.writer, r.seq]), [['a@c', 1], ['b@c', 1], ['a@c', 2]]);
    assert.equal(recs[2].prevHash, recs[0].hash);
    assert.equal(recs[0].prevHash, GENESIS_HASH);
    assert.equal(recs[2].hash, recordHash('a@c', 2, recs[0].hash, items[2].entry.hash));
    assert.deepEqual(chainRecords(items, 'c', {}), recs, 'the same log gives the same records');
    const more = chainRecords([{ entry: entry(4, 'b'), line: 'x' }], 'c', heads);
    assert.deepEqual([more[0].seq, more[0].prevHash], [2, recs[1].hash]);
  });
  it('cuts a very long admin name and keeps it unique by a digest', () => {
    const w1 = writerName('x'.repeat(900) + '1', 'c');
    const w2 = writerName('x'.repeat(900) + '2', 'c');
    assert.ok(w1.length <= 600 && w2.length <= 600);
    assert.notEqual(w1, w2);
  });
});

describe('team audit: computer id', () => {
  it('is made once, kept, shared by concurrent callers, and a damaged file is an error', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'j2fa-cid-'));
    try {
      const file = path.join(dir, 'sub', 'computer-id');
      const ids = await Promise.all(Array.from({ length: 5 }, () => computerId(file)));
      assert.equal(new Set(ids).size, 1);
      assert.match(ids[0], /^[0-9a-f]{16}$/);
      assert.equal(await computerId(file), ids[0]);
      await fsp.writeFile(file, 'garbage');
      await assert.rejects(computerId(file), /does not hold a computer id/);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('team audit: store filters as typed', () => {
  it('maps the fields, takes a day as its start (since) or end (until), refuses what is not a date', () => {
    assert.deepEqual(storeFilterFrom({ admin: 'a', computer: '', instance: 'prod', ticket: 'T-1', since: '2026-01-02', until: '2026-01-03' }),
      { admin: 'a', instanceId: 'prod', ticket: 'T-1', since: '2026-01-02T00:00:00.000Z', until: '2026-01-03T23:59:59.999Z' });
    assert.equal(storeFilterFrom({ until: '2026-01-03T10:00:00Z' }).until, '2026-01-03T10:00:00.000Z');
    assert.throws(() => storeFilterFrom({ since: 'yesterday' }), /Not a date or time: "yesterday"/);
    assert.throws(() => storeFilterFrom({ since: '2026-13-45' }), /Not a date/);
  });
});
