/**
 * The Jira simulator as a process, for tests that are not TypeScript (the real-editor specs)
 * and for trying the extension by hand:
 *
 *   node_modules/.bin/tsx test/support/simulatorMain.ts
 *
 * It prints ONE line of JSON on stdout once listening: the base URL, the URL of a small control
 * server, and the credentials of the admin. The admin's token, password and TOTP seed are fresh
 * random values per run (with a recognisable marker), so a test can search every output for them
 * and a hit can only be a leak. Stops on SIGTERM/SIGINT or when stdin closes.
 *
 * The control server is a second port, so asking it never shows up in the simulator's own
 * recorded requests:
 *   GET /requests     every request the simulator received, in order (credentials stripped)
 *   GET /wrong-code   a 6-digit code that the admin's seed does not produce in the windows the
 *                     simulator accepts now (current ± 1), for "the server rejects the code"
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { codeAt, decodeSeed } from '../../src/core/totp';
import { standardFixtures } from './jiraFixtures';
import { JiraSimulator } from './jiraSimulator';
import { InMemorySimulatorStore } from './simulatorStore';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random base32 seed of `length` characters (5 bits each). */
export function randomSeed(length = 32): string {
  return [...randomBytes(length)].map((b) => BASE32[b % 32]).join('');
}

/** Unique, greppable secrets: a marker plus randomness, so no other text can contain them. */
export function plantedSecrets(): { token: string; password: string; seed: string; dbPassword: string; rejectedToken: string } {
  const id = randomBytes(9).toString('hex');
  return {
    token: `PlantedTok${id}${randomBytes(12).toString('hex')}`,
    password: `Planted pw ${id}!${randomBytes(6).toString('hex')}`,
    // base32 only: the marker lives in the randomness (32 chars, 160 bits)
    seed: randomSeed(32),
    dbPassword: `PlantedDb${id}${randomBytes(8).toString('hex')}`,
    // a token the simulator does not know (expired or revoked): the 401 path must not print it
    rejectedToken: `PlantedOld${id}${randomBytes(12).toString('hex')}`,
  };
}

/** A code the seed does not produce at now-30 s, now or now+30 s, and not one of `avoid`. */
export function wrongCode(seed: string, nowMs = Date.now(), avoid: string[] = []): string {
  const bytes = decodeSeed(seed);
  const taken = new Set([...[-1, 0, 1].map((k) => codeAt(bytes, nowMs + k * 30_000)), ...avoid]);
  for (let n = 0; ; n++) {
    const code = String((123_457 + n * 111_111) % 1_000_000).padStart(6, '0');
    if (!taken.has(code)) return code;
  }
}

async function main(): Promise<void> {
  const planted = plantedSecrets();
  const fixtures = standardFixtures([{ username: 'e2e.locked', seed: randomSeed(32) }, { username: 'e2e.second', seed: randomSeed(32) }]);
  fixtures.tokens = { ...fixtures.tokens, [planted.token]: 'admin' };
  fixtures.passwords = { ...fixtures.passwords, admin: planted.password };
  fixtures.enrollments = { ...fixtures.enrollments, admin: planted.seed };
  const sim = await JiraSimulator.start({ store: new InMemorySimulatorStore(fixtures), contextPath: process.env.SIM_CONTEXT_PATH ?? '' });

  const control = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/requests') return reply(200, sim.requests);
    if (req.method === 'GET' && req.url === '/wrong-code') return reply(200, { code: wrongCode(planted.seed) });
    return reply(404, { error: `unknown control path ${req.url}` });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

  const stop = async () => {
    control.closeAllConnections();
    control.close();
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();

  process.stdout.write(
    `${JSON.stringify({
      baseUrl: sim.baseUrl,
      controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
      admin: { username: 'admin', token: planted.token, password: planted.password, seed: planted.seed },
      enrolledUsers: ['jdoe', 'e2e.locked', 'e2e.second'],
      version: '10.3.2',
    })}\n`,
  );
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`simulatorMain: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
