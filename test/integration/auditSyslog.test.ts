/**
 * Syslog forwarding to Debian's rsyslog, started by the test (TCP, and TLS with a CA the test
 * generates): every entry arrives once, as an RFC 5424 message whose structured data gives
 * back the entry's fields (hostile characters included) and whose MSG is the entry's line;
 * rsyslog stopped and restarted loses and duplicates nothing.
 */
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import { ship } from '../../src/core/audit/ship/shipper';
import { SyslogDestination } from '../../src/core/audit/syslog/destination';
import type { SyslogConfig } from '../../src/core/audit/syslog/config';
import { appendEntries, input, localIds, tempDir } from '../support/auditStoreKit';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../support/certs';
import { createRsyslog, gtlsAvailable, rsyslogAvailable, type Rsyslog } from '../support/rsyslog';
import { readEntries } from '../../src/core/audit/read';

interface Received {
  pri: number;
  version: string;
  time: string;
  app: string;
  msgid: string;
  sdId: string;
  params: Record<string, string>;
  msg: string;
}

/** An independent reader of what rsyslog wrote: header, one SD element with escapes, MSG after the BOM. */
function parse(line: string): Received {
  const m = /^<(\d+)>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) \[/.exec(line);
  assert.ok(m, `not an RFC 5424 message: ${line.slice(0, 120)}`);
  let i = m[0].length;
  const idEnd = line.indexOf(' ', i);
  const sdId = line.slice(i, idEnd);
  i = idEnd;
  const params: Record<string, string> = {};
  while (line[i] === ' ') {
    const eq = line.indexOf('="', i);
    const name = line.slice(i + 1, eq);
    i = eq + 2;
    let value = '';
    while (line[i] !== '"') {
      if (line[i] === '\\' && ['"', '\\', ']'].includes(line[i + 1])) {
        value += line[i + 1];
        i += 2;
      } else value += line[i++];
    }
    params[name] = value;
    i++;
  }
  assert.equal(line[i], ']');
  assert.equal(line.slice(i + 1, i + 3), ' \ufeff', 'MSG starts with a BOM');
  return { pri: Number(m[1]), version: m[2], time: m[3], app: m[5], msgid: m[7], sdId, params, msg: line.slice(i + 3) };
}

describe('syslog forwarding to a real rsyslog', function () {
  this.timeout(60_000);
  let dir: string;
  let log: string;
  let rs: Rsyslog;
  const computer = 'feedface00000001';

  before(function () {
    if (!rsyslogAvailable()) throw new Error('rsyslogd is missing: run `npm run test:prepare` (apt-get install rsyslog rsyslog-gnutls)');
  });
  beforeEach(async () => {
    dir = await tempDir('j2fa-syslog-');
    log = path.join(dir, 'audit.jsonl');
  });
  afterEach(async () => {
    await rs?.cleanup();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  const shipTo = (cfg: SyslogConfig) => ship(new SyslogDestination(cfg, { timeoutMs: 5000 }), { log, positionFile: path.join(dir, 'syslog.pos'), computer });

  async function assertReceivedExactly(): Promise<Received[]> {
    const got = (await rs.lines()).map(parse);
    const ids = got.map((g) => g.params.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate');
    assert.deepEqual([...ids].sort(), (await localIds(log)).sort(), 'nothing lost');
    const { entries } = await readEntries(log);
    const lines = (await fsp.readFile(log, 'utf8')).split('\n');
    for (const g of got) {
      const e = entries.find((x) => x.id === g.params.id);
      assert.ok(e);
      assert.ok(lines.includes(g.msg), 'MSG is the entry line, byte for byte');
      assert.equal(g.params.target, e.target);
      assert.equal(g.params.message, undefined);
      assert.equal(g.params.entryHash, e.hash);
      assert.equal(g.app, 'jira2fa');
      assert.equal(g.sdId, 'jira2fa@32473');
    }
    return got;
  }

  it('TCP: every entry once, structured data with hostile values given back exactly', async () => {
    rs = await createRsyslog();
    await rs.start();
    await appendEntries(log, 10);
    const l = new AuditLog(log);
    const hostile = 'x"] [evil@1 a="b"] \\ end ]"\\"ß 名前 😀';
    await l.append(input(99, 'bob', { target: hostile, outcome: 'refused', action: 'sql run', details: { ticket: 'T-"1"]' } }));
    const r = await shipTo({ host: '127.0.0.1', port: rs.port, transport: 'tcp' });
    assert.deepEqual(r, { shipped: 11, backlog: 0 });
    const got = await assertReceivedExactly();
    const h = got.find((g) => g.params.admin === 'bob');
    assert.ok(h);
    assert.equal(h.params.target, hostile);
    assert.equal(h.params.ticket, 'T-"1"]');
    assert.equal(h.params.writer, `bob@${computer}`);
    assert.equal(h.params.seq, '1');
    assert.equal(h.pri, 13 * 8 + 4, 'facility log audit, severity warning for a refusal');
    assert.equal(h.msgid, 'sql_run');
    assert.equal(got.filter((g) => g.params.admin === 'alice').map((g) => g.params.seq).join(','), '1,2,3,4,5,6,7,8,9,10');
  });

  it('rsyslog stopped and restarted: the backlog waits with the reason, then arrives, nothing duplicated', async () => {
    rs = await createRsyslog();
    await rs.start();
    const cfg: SyslogConfig = { host: '127.0.0.1', port: rs.port, transport: 'tcp' };
    await appendEntries(log, 10);
    assert.equal((await shipTo(cfg)).shipped, 10);
    await rs.stop();
    await appendEntries(log, 7, 10);
    const down = await shipTo(cfg);
    assert.equal(down.shipped, 0);
    assert.equal(down.backlog, 7);
    assert.match(down.waiting ?? '', /ECONNREFUSED/);
    await rs.start();
    assert.deepEqual(await shipTo(cfg), { shipped: 7, backlog: 0 });
    await assertReceivedExactly();
  });

  describe('TLS (rsyslog gtls netstream driver)', () => {
    let certs: TestCerts;
    before(function () {
      if (!opensslAvailable()) throw new Error('openssl is missing');
      if (!gtlsAvailable()) throw new Error("rsyslog's gtls driver is missing: apt-get install rsyslog-gnutls (npm run test:prepare)");
      certs = makeTestCerts();
    });
    after(() => certs?.cleanup());

    it('delivers over TLS to a receiver whose certificate the CA file vouches for', async () => {
      rs = await createRsyslog({ tls: { caFile: certs.ca.certFile, certFile: certs.leaf.certFile, key: certs.leaf.key } });
      await rs.start();
      await appendEntries(log, 5);
      assert.deepEqual(await shipTo({ host: '127.0.0.1', port: rs.port, transport: 'tls', caFile: certs.ca.certFile }), { shipped: 5, backlog: 0 });
      await assertReceivedExactly();
    });

    it('refuses a receiver whose certificate the CA file does not vouch for: nothing sent, the backlog waits', async () => {
      rs = await createRsyslog({ tls: { caFile: certs.selfSigned.certFile, certFile: certs.selfSigned.certFile, key: certs.selfSigned.key } });
      await rs.start();
      await appendEntries(log, 3);
      const r = await shipTo({ host: '127.0.0.1', port: rs.port, transport: 'tls', caFile: certs.ca.certFile });
      assert.equal(r.shipped, 0);
      assert.equal(r.backlog, 3);
      assert.match(r.waiting ?? '', /certificate/i);
      await new Promise((res) => setTimeout(res, 300));
      assert.deepEqual(await rs.lines(), []);
    });
  });
});
