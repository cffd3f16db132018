/**
 * Data Center contract: our parsers and classifiers (src/core/jira/*) on every documented
 * example in atlassian/datacenter/, then the Jira simulator asked the same requests: its
 * answers must pass the very same validators, and the unenroll answers must carry the same
 * body keys and end in the same outcome as the documented ones. A simulator that drifts
 * from the documentation, or a parser that no longer reads it, fails here.
 */
import assert from 'node:assert/strict';
import { classifyUnenrollAnswer, type HttpAnswer } from '../../src/core/jira/classifyResponse';
import { ENDPOINTS, TSV_STATUS_PATH } from '../../src/core/jira/client';
import { parseServerInfo, parseSignedInUser, parseSystemAdmin, parseTsvStatus } from '../../src/core/jira/parsers';
import { codeAt, decodeSeed } from '../../src/core/totp';
import { ADMIN_SEED, ADMIN_TOKEN } from '../support/jiraFixtures';
import { JiraSimulator } from '../support/jiraSimulator';
import type { SimProduct } from '../support/jiraSimulatorRoutes';
import { loadFixtures, type ContractFixture } from './fixtures';

type Json = Record<string, unknown>;

/** What each documented answer must give when our code reads it. */
interface Contract {
  product: SimProduct;
  check(status: number, body: unknown): void;
}

const UNENROLL_KINDS: Record<number, string> = { 204: 'unenrolled', 400: 'noEnrollment', 401: 'invalidCode', 403: 'selfUnenroll', 404: 'noSuchUser' };

function answer(status: number, body: unknown): HttpAnswer {
  return { status, headers: body === undefined ? {} : { 'content-type': 'application/json' }, bodyText: body === undefined ? '' : JSON.stringify(body) };
}

const obj = (body: unknown): Json => {
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), 'a JSON object');
  return body as Json;
};

function contractFor(f: ContractFixture): Contract {
  const path = f.request?.path ?? '';
  if (path.startsWith('/rest/tsv/1.0/totp/unenroll/user/')) {
    return {
      product: 'jira',
      check: (status, body) => {
        const outcome = classifyUnenrollAnswer(answer(status, body), { action: 'remove 2SV', host: 'h', path }, 'jsmith');
        assert.equal(outcome.kind, UNENROLL_KINDS[status], `status ${status} → ${outcome.kind}`);
      },
    };
  }
  if (path === TSV_STATUS_PATH) {
    return { product: f.request?.method === 'POST' ? 'bamboo' : 'bitbucket', check: (s, b) => assert.ok(s === 200 && parseTsvStatus(obj(b)), 'parseTsvStatus reads it') };
  }
  for (const product of ['jira', 'confluence', 'bitbucket', 'bamboo'] as const) {
    const e = ENDPOINTS[product];
    if (path === e.serverInfo) return { product, check: (s, b) => assert.ok(s === 200 && parseServerInfo(obj(b))?.version === obj(b).version && typeof obj(b).version === 'string', 'parseServerInfo reads the version') };
    if (path === e.myself) return { product, check: (s, b) => assert.ok(s === 200 && parseSignedInUser(obj(b))?.username, 'parseSignedInUser finds the user name') };
    if (path === e.permissions) return { product, check: (s, b) => assert.equal(s === 200 && typeof parseSystemAdmin(obj(b)), 'boolean') };
  }
  throw new Error(`${f.name}: no contract for ${f.request?.method} ${path}: add one here`);
}

/** Fixtures that have a suite of their own (groups.contract.test.ts, tickets.contract.test.ts). */
const OWN_SUITE = /^datacenter\/(group-members|ticket)-/;

describe('Data Center contract: documented answers, our parsers, the simulator', () => {
  const fixtures = loadFixtures('datacenter').filter((f) => !OWN_SUITE.test(f.name));

  it('holds every documented answer the issue names', () => {
    const names = fixtures.map((f) => f.name.replace('datacenter/', '')).sort();
    for (const n of ['unenroll-204', 'unenroll-400-no-enrollment', 'unenroll-401-invalid-code', 'unenroll-403-self', 'unenroll-404-no-user', 'tsv-status-twoSVActive', 'tsv-status-isTwoSVActive', 'tsv-status-bamboo-post',
      'jira-serverinfo', 'jira-myself', 'jira-mypermissions', 'confluence-server-information', 'confluence-user-current', 'bitbucket-application-properties', 'bamboo-info']) {
      assert.ok(names.includes(`${n}.json`), n);
    }
  });

  describe('our parsers read each documented answer', () => {
    for (const f of fixtures) it(f.name, () => contractFor(f).check(f.response.status, f.response.body));
  });

  describe('a drifted answer fails the same check (the checks can fail)', () => {
    /** The answer with the field our code reads renamed, or (unenroll) another status. */
    const drift = (f: ContractFixture): [number, unknown] => {
      if (f.request?.path.includes('/unenroll/')) return f.response.status === 204 ? [200, { message: 'done' }] : [f.response.status, { message: 'Something the documentation does not say.' }];
      const body = { ...obj(f.response.body) };
      for (const k of ['version', 'name', 'username', 'permissions', 'twoSVActive', 'isTwoSVActive']) {
        if (k in body) {
          body[`${k}_renamed`] = body[k];
          delete body[k];
        }
      }
      return [f.response.status, body];
    };
    for (const f of fixtures) {
      it(f.name, () => {
        const [status, body] = drift(f);
        assert.throws(() => contractFor(f).check(status, body));
      });
    }
  });

  describe('the simulator answers the same requests with shapes the same validators accept', () => {
    const sims: JiraSimulator[] = [];
    after(async () => {
      for (const s of sims) await s.stop();
    });
    let clock = 1_750_000_000_000 - (1_750_000_000_000 % 30_000) + 5_000;

    async function ask(product: SimProduct, method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; tsvFlag?: 'twoSVActive' | 'isTwoSVActive' } = {}) {
      const sim = await JiraSimulator.start({ product, version: '9.6.0', now: () => clock, ...(opts.tsvFlag ? { tsvFlag: opts.tsvFlag } : {}) });
      sims.push(sim);
      const q = opts.query ? `?${new URLSearchParams(opts.query)}` : '';
      const res = await fetch(`${sim.baseUrl}${path}${q}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json', ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    }

    /** The request that puts the simulator in the state a documented unenroll answer describes. */
    function unenrollCase(status: number): { target: string; code: () => string } {
      const good = () => {
        clock += 30_000;
        return codeAt(decodeSeed(ADMIN_SEED), clock);
      };
      switch (status) {
        case 204: return { target: 'jdoe', code: good };
        case 400: return { target: 'nosv', code: good };
        case 401: return { target: 'jdoe', code: () => '000000' };
        case 403: return { target: 'admin', code: good };
        case 404: return { target: 'no-such-user', code: good };
        default: throw new Error(`no simulator case for ${status}`);
      }
    }

    for (const f of fixtures) {
      const c = contractFor(f);
      const req = f.request!;
      if (req.path.includes('/unenroll/')) {
        it(`${f.name}: the simulator's answer ends in the same outcome, with the same body keys`, async () => {
          const u = unenrollCase(f.response.status);
          const got = await ask('jira', 'DELETE', req.path.replace('{username}', encodeURIComponent(u.target)), { body: { totpCode: u.code() } });
          assert.equal(got.status, f.response.status);
          c.check(got.status, got.body);
          assert.deepEqual(Object.keys((got.body ?? {}) as Json).sort(), Object.keys((f.response.body ?? {}) as Json).sort());
        });
      } else if (req.path === TSV_STATUS_PATH) {
        for (const tsvFlag of ['twoSVActive', 'isTwoSVActive'] as const) {
          it(`${f.name}: the simulator (${c.product}, ${tsvFlag}) answers ${req.method} in a shape parseTsvStatus reads`, async () => {
            const got = await ask(c.product, req.method, req.path, { tsvFlag });
            c.check(got.status, got.body);
            assert.ok(tsvFlag in obj(got.body));
          });
        }
      } else {
        it(`${f.name}: the simulator (${c.product}) answers ${req.method} ${req.path} in a shape the same parser reads`, async () => {
          const got = await ask(c.product, req.method, req.path, { query: req.query });
          c.check(got.status, got.body);
          // Every field the documentation shows is there, with the same JSON type.
          for (const [k, v] of Object.entries(obj(f.response.body))) {
            assert.ok(k in obj(got.body), `the simulator's answer lacks "${k}"`);
            assert.equal(typeof obj(got.body)[k], typeof v, `"${k}" has another type`);
          }
        });
      }
    }
  });
});
