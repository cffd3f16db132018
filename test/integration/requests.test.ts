// Recovery requests against the simulated Jira: the policy per instance, the ticket check
// (unknown key, another project, resolved: refused; reporter is someone else, older than a week:
// warnings that need a typed reason), the service desk requester, the audit entry's request
// block in a real log with a valid chain, the internal comment on a service desk request, a
// failed comment and its retry, and the evidence report as JSON, CSV and HTML (opened in
// headless Chromium, screenshot kept).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { buildEvidence, evidenceToCsv, evidenceToHtml, evidenceToJson } from '../../src/core/audit/evidence';
import { AuditLog } from '../../src/core/audit/log';
import { verify } from '../../src/core/audit/read';
import { AppError } from '../../src/core/errors';
import type { JiraClient } from '../../src/core/jira/client';
import { checkTicket, type TicketCheck } from '../../src/core/requests/ticketCheck';
import { previewTicket } from '../../src/core/requests/gate';
import { normalizeRequest, requestPolicyOf, requestProblem, type RequestPolicy } from '../../src/core/requests/policy';
import { auditRequestOf, checkOverride, commentText, postTicketComment } from '../../src/core/requests/record';
import { ADMIN_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import { DispatcherCache, testClient, testProfile } from '../support/jiraTestKit';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const RESULTS = path.resolve(__dirname, '..', '..', 'test-results', 'requests');

const policy = (over: Partial<RequestPolicy> = {}): RequestPolicy => ({ require: 'ticket', ticketInstance: 'sim', projects: ['HELP'], comment: true, ...over });
const JDOE = { username: 'jdoe', email: 'jdoe@example.com' };

describe('recovery requests: policy', () => {
  it('defaults: a reason (or a ticket) on production, nothing elsewhere; the profile may ask for a ticket', () => {
    assert.equal(requestPolicyOf({ id: 'p', environment: 'production' }).require, 'reason');
    assert.equal(requestPolicyOf({ id: 's', environment: 'staging' }).require, 'none');
    assert.equal(requestPolicyOf({ id: 't', environment: 'test' }).require, 'none');
    assert.equal(requestPolicyOf({ id: 'p', environment: 'production', recoveryRequests: { require: 'none', comment: true } }).require, 'none', 'a production profile may opt out explicitly');
    const p = requestPolicyOf({ id: 'p', environment: 'test', recoveryRequests: { require: 'ticket', projects: ['HELP'], comment: false } });
    assert.deepEqual(p, { require: 'ticket', ticketInstance: 'p', projects: ['HELP'], comment: false });
  });

  it('names the missing piece before anything is sent', () => {
    assert.match(requestProblem(policy(), {}) ?? '', /requires a ticket.*--ticket KEY/);
    assert.match(requestProblem(policy(), { ticket: 'HELP-1' }) ?? '', /identity was verified \(--verified METHOD\)/);
    assert.match(requestProblem(policy(), { ticket: 'help 1', verification: 'x' }) ?? '', /is not a ticket key/);
    assert.match(requestProblem(policy(), { ticket: 'OPS-7', verification: 'x' }) ?? '', /must be in HELP; OPS-7 is not/);
    assert.match(requestProblem(policy({ require: 'reason', projects: [] }), {}) ?? '', /--reason TEXT or --ticket KEY/);
    assert.equal(requestProblem(policy({ require: 'reason', projects: [] }), { reason: 'lost phone' }), undefined);
    assert.equal(requestProblem(policy({ require: 'none' }), {}), undefined);
    assert.match(requestProblem(policy({ require: 'none' }), { reason: 'a\nb' }) ?? '', /one line/);
    assert.deepEqual(normalizeRequest({ ticket: ' help-1 ', reason: '  ' }), { ticket: 'HELP-1' });
  });
});

describe('recovery requests: the ticket check (simulator)', function () {
  this.timeout(30_000);
  let sim: JiraSimulator;
  let client: JiraClient;
  const dispatchers = new DispatcherCache();
  before(async () => {
    sim = await JiraSimulator.start();
    client = testClient(testProfile(sim.baseUrl), dispatchers);
  });
  after(async () => {
    await client.close();
    await sim.stop();
    await dispatchers.closeAll();
  });

  const refused = (re: RegExp) => (e: unknown) => e instanceof AppError && e.kind === 'refused' && re.test(e.message);

  it('refuses an unknown key, another project, a resolved ticket', async () => {
    await assert.rejects(checkTicket(client, 'HELP-999', policy(), JDOE), refused(/There is no ticket HELP-999/));
    await assert.rejects(checkTicket(client, 'OPS-7', policy(), JDOE), refused(/in project OPS; requests for this instance must be in HELP/));
    await assert.rejects(checkTicket(client, 'HELP-2', policy(), JDOE), refused(/already resolved \(Resolved\)/));
    await assert.rejects(checkTicket(client, 'not-a-key', policy(), JDOE), (e: unknown) => e instanceof AppError && e.kind === 'input');
    // the malformed key never reached the server
    assert.ok(!sim.requests.some((r) => r.rawPath.includes('not-a-key')));
  });

  it('a ticket from the user: no warning, identity "reporter"', async () => {
    const c = await checkTicket(client, 'HELP-1', policy(), JDOE);
    assert.deepEqual(c.warnings, []);
    assert.equal(c.identityMatch, 'reporter');
    assert.equal(c.ticketUrl, `${sim.baseUrl}/browse/HELP-1`);
    assert.equal(c.serviceDesk, undefined);
  });

  it('a ticket from someone else, or older than a week, warns and needs a typed reason', async () => {
    const other = await checkTicket(client, 'HELP-3', policy(), JDOE);
    assert.equal(other.identityMatch, 'mismatch');
    assert.match(other.warnings[0], /The reporter of HELP-3 is Help Desk \(not sysadmin\) \(helpdesk\), not jdoe/);
    assert.throws(() => checkOverride(other, {}), refused(/needs your confirmation/));
    assert.doesNotThrow(() => checkOverride(other, { override: 'called jdoe back on his HR number' }));
    const old = await checkTicket(client, 'HELP-4', policy(), JDOE);
    assert.equal(old.identityMatch, 'reporter');
    assert.match(old.warnings[0], /HELP-4 was created 10 days ago \(more than 7\)/);
  });

  it('previewTicket (a panel\'s live card) checks on the policy\'s ticket instance, with the policy\'s projects', async () => {
    const ops = testProfile(sim.baseUrl, { id: 'ops', name: 'Ops', recoveryRequests: { require: 'ticket', ticketInstance: 'sim', projects: ['HELP'], comment: true } });
    const profiles: Record<string, ReturnType<typeof testProfile>> = { sim: testProfile(sim.baseUrl) };
    const used: string[] = [];
    const deps = { profileOf: (id: string) => profiles[id], withClient: async <T>(p: ReturnType<typeof testProfile>, fn: (c: JiraClient) => Promise<T>) => (used.push(p.id), fn(client)) };
    const card = await previewTicket(ops, 'HELP-3', { username: 'jdoe' }, deps);
    assert.equal(card.identityMatch, 'mismatch');
    assert.deepEqual(used, ['sim'], 'read on the ticket instance');
    await assert.rejects(previewTicket(ops, 'OPS-7', { username: 'jdoe' }, deps), refused(/must be in HELP/));
    await assert.rejects(previewTicket({ ...ops, recoveryRequests: { require: 'ticket', ticketInstance: 'gone', comment: true } }, 'HELP-1', undefined, deps), refused(/ticket instance "gone" of Ops is not in your instances/));
    profiles.conf = testProfile(sim.baseUrl, { id: 'conf', name: 'Wiki', product: 'confluence' });
    await assert.rejects(previewTicket({ ...ops, recoveryRequests: { require: 'ticket', ticketInstance: 'conf', comment: true } }, 'HELP-1', undefined, deps), refused(/"Wiki" is not a Jira instance/));
  });

  it('a service desk request: the requester decides the identity match; the comment is internal', async () => {
    const c = await checkTicket(client, 'HELP-5', policy(), { username: 'JDOE' });
    assert.ok(c.serviceDesk);
    assert.equal(c.identityMatch, 'requester');
    const id = await postTicketComment(client, c, 'Jira 2FA Admin: test comment');
    const posted = sim.requests.filter((r) => r.method === 'POST');
    assert.equal(posted.at(-1)?.rawPath, '/rest/servicedeskapi/request/HELP-5/comment');
    assert.deepEqual(JSON.parse(posted.at(-1)!.body), { body: 'Jira 2FA Admin: test comment', public: false });
    assert.ok(id);
  });

  it('a failed comment is an error that says the action stands; the retry adds it once', async () => {
    const c = await checkTicket(client, 'HELP-6', policy(), JDOE);
    await assert.rejects(postTicketComment(client, c, 'first try'), (e: unknown) => e instanceof AppError && /The comment on HELP-6 was not added/.test(e.message) && /action itself is done/.test(e.hint ?? ''));
    await postTicketComment(client, c, 'second try');
    const comments = await (await fetch(`${sim.baseUrl}/rest/api/2/issue/HELP-6/comment`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as { comments: Array<{ body: string }> };
    assert.deepEqual(comments.comments.map((x) => x.body), ['second try']);
    assert.equal(sim.requests.filter((r) => r.method === 'POST' && r.rawPath === '/rest/api/2/issue/HELP-6/comment').length, 2);
  });
});

describe('recovery requests: audit entries and the evidence report', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-requests-'));
    fs.mkdirSync(RESULTS, { recursive: true });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the request block is in the chained entry; the report lists every action of the period with it, in three formats', async () => {
    const file = path.join(dir, 'audit.jsonl');
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const log = new AuditLog(file, { now: () => new Date((clock += 60_000)) });
    const instance = { id: 'prod', name: 'Prod <Jira>', baseUrl: 'https://jira.example.com' };
    const check = { ticket: { key: 'HELP-3', summary: 's', status: 'Open', resolved: false, created: '2026-11-30T10:00:00.000Z' }, ticketUrl: 'https://jira.example.com/browse/HELP-3', identityMatch: 'mismatch', warnings: ['The reporter of HELP-3 is helpdesk, not jdoe.'] } satisfies TicketCheck;
    const input = { ticket: 'HELP-3', verification: 'Call-back to the number in the HR record', verificationNote: 'spoke to jdoe', override: 'manager confirmed' };
    const request = auditRequestOf(input, check);
    const done = await log.append({ admin: 'ada', instance, action: 'unenroll', target: 'jdoe', outcome: 'ok', status: 204, message: 'Two-step verification of "jdoe" was removed.', request });
    await log.append({ admin: 'ada', instance, action: 'unenroll', target: '=cmd|x', outcome: 'refused', message: 'This instance requires a ticket.', request: { reason: '<script>alert(1)</script>' } });
    clock = Date.parse('2026-12-20T10:00:00Z');
    await log.append({ admin: 'ada', instance, action: 'cloud.move', target: 'late@example.com', outcome: 'ok', message: 'outside the period' });
    assert.ok((await verify(file)).ok, 'the chain holds with request blocks');
    assert.deepEqual(done.request, { ticket: 'HELP-3', ticketUrl: 'https://jira.example.com/browse/HELP-3', verification: 'Call-back to the number in the HR record', verificationNote: 'spoke to jdoe', identityMatch: 'mismatch', warnings: 'The reporter of HELP-3 is helpdesk, not jdoe.', override: 'manager confirmed' });
    const text = commentText(done, 'Recovery unenroll');
    assert.match(text, /Recovery unenroll for jdoe on Prod <Jira> \(https:\/\/jira.example.com\): done\./);
    assert.match(text, new RegExp(`Audit entry ${done.id}`));

    const report = await buildEvidence(file, { from: '2026-12-01', to: '2026-12-05', now: new Date('2026-12-06T00:00:00Z') });
    assert.equal(report.rows.length, 2);
    assert.deepEqual(report.counts, { total: 2, ok: 1, refused: 1, error: 0, cancelled: 0 });
    assert.equal(report.lastCovered?.id, report.rows[1].id);
    assert.ok(report.chain.ok);

    const json = JSON.parse(evidenceToJson(report));
    assert.equal(json.rows[0].ticket, 'HELP-3');
    assert.equal(json.rows[0].verification, 'Call-back to the number in the HR record: spoke to jdoe');
    const csv = evidenceToCsv(report).trim().split('\n');
    assert.equal(csv.length, 3);
    assert.match(csv[2], /,'=cmd\|x,/, 'formula cells are defused');
    const html = evidenceToHtml(report);
    assert.ok(!html.includes('<script>alert(1)'), 'server and user text is escaped');
    const htmlFile = path.join(dir, 'evidence.html');
    fs.writeFileSync(htmlFile, html);

    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${htmlFile}`);
      const rows = await page.locator('tbody tr').allTextContents();
      assert.equal(rows.length, 2);
      assert.match(rows[0], /jdoe.*Recovery unenroll \(REST\).*ok.*HELP-3.*Call-back to the number in the HR record: spoke to jdoe.*mismatch/);
      assert.equal(await page.locator('a[href="https://jira.example.com/browse/HELP-3"]').count(), 1);
      assert.match(await page.locator('dl').textContent() ?? '', /Intact: 3 entries verified/);
      assert.equal(await page.locator('script').count(), 0);
      assert.deepEqual(errors, []);
      await page.screenshot({ path: path.join(RESULTS, 'evidence-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('a broken chain is in the report', async () => {
    const file = path.join(dir, 'broken.jsonl');
    const log = new AuditLog(file);
    const instance = { id: 'i', name: 'I', baseUrl: 'https://i.example.com' };
    await log.append({ admin: 'a', instance, action: 'unenroll', target: 'x', outcome: 'ok', message: 'one' });
    await log.append({ admin: 'a', instance, action: 'unenroll', target: 'y', outcome: 'ok', message: 'two' });
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"one"', '"uno"'));
    const today = new Date().toISOString().slice(0, 10);
    const report = await buildEvidence(file, { from: today, to: today });
    assert.equal(report.chain.ok, false);
    assert.equal(report.chain.firstBroken?.line, 1);
    assert.match(evidenceToHtml(report), /BROKEN<\/span> from line 1/);
  });

  it('refuses a period that is not one', async () => {
    await assert.rejects(buildEvidence(path.join(dir, 'none.jsonl'), { from: '2026-12-05', to: '2026-12-01' }), /starts after it ends/);
    await assert.rejects(buildEvidence(path.join(dir, 'none.jsonl'), { from: 'last week', to: '2026-12-01' }), /is not a date/);
  });
});
