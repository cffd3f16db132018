/**
 * REST overhead: the same user lookup (GET /rest/api/2/user?username=jdoe) against the Jira
 * simulator, 1,000 times through our client (src/core/jira: encoding, TLS policy, dispatcher,
 * bounded body read, response classification) and 1,000 times through bare undici with the
 * same single kept-alive connection and the same number of requests in flight; then one curl
 * process per call, the documented manual route. Median of several rounds, ours and bare
 * interleaved in each round so that both see the same machine load.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { JiraSimulator } from '../test/support/jiraSimulator';
import { ADMIN_TOKEN } from '../test/support/jiraFixtures';
import { DispatcherCache, testClient, testProfile } from '../test/support/jiraTestKit';
// @ts-expect-error plain ESM helper without types
import { emit, median, now } from './lib/stats.mjs';

const CALLS = Number(process.env.BENCH_REST_CALLS ?? 1000);
const CURL_CALLS = Number(process.env.BENCH_CURL_CALLS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const run = promisify(execFile);

async function inFlight(total: number, concurrency: number, one: () => Promise<void>): Promise<number> {
  let next = 0;
  const t = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await one();
    }),
  );
  return now() - t;
}

async function main(): Promise<void> {
  const sim = await JiraSimulator.start();
  const headers = { accept: 'application/json', authorization: `Bearer ${ADMIN_TOKEN}`, 'x-atlassian-token': 'no-check' };
  const path = '/rest/api/2/user?username=jdoe';
  const results: Record<string, unknown> = { calls: CALLS, rounds: ROUNDS };
  try {
    for (const concurrency of [1, 10]) {
      const dispatchers = new DispatcherCache();
      const client = testClient(testProfile(sim.baseUrl), dispatchers);
      // Bare undici: one connection, like our per-instance dispatcher.
      const pool = new Pool(new URL(sim.baseUrl).origin, { connections: 1 });
      const ours = async () => {
        const r = await client.findUser('jdoe');
        if (!r.ok || !r.value.found) throw new Error(`our client failed: ${JSON.stringify(r)}`);
      };
      const bare = async () => {
        const res = await pool.request({ path, method: 'GET', headers });
        const body = JSON.parse(await res.body.text());
        if (res.statusCode !== 200 || body.name !== 'jdoe') throw new Error(`bare undici failed: ${res.statusCode}`);
      };
      await inFlight(200, concurrency, ours); // warm-up: connection, JIT
      await inFlight(200, concurrency, bare);
      const o: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        o.push(await inFlight(CALLS, concurrency, ours));
        b.push(await inFlight(CALLS, concurrency, bare));
      }
      results[`c${concurrency}`] = { oursMs: median(o), bareMs: median(b), oursRuns: o, bareRuns: b };
      await client.close();
      await pool.close();
    }
    // curl: one process per call, sequential, as an admin following the documentation would.
    const args = ['-sS', '--fail', '-H', `Authorization: Bearer ${ADMIN_TOKEN}`, '-H', 'Accept: application/json', `${sim.baseUrl}${path}`];
    await run('curl', args);
    const c: number[] = [];
    for (let i = 0; i < Math.min(ROUNDS, 3); i++) {
      const t = now();
      for (let j = 0; j < CURL_CALLS; j++) {
        const { stdout } = await run('curl', args);
        if (!stdout.includes('"jdoe"')) throw new Error('curl failed');
      }
      c.push(now() - t);
    }
    results.curl = { calls: CURL_CALLS, totalMs: median(c), runs: c };
  } finally {
    await sim.stop();
  }
  emit(results);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
