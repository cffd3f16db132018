/**
 * Runs the Cloud admin API simulator as its own process, for the real-editor spec
 * (test/e2e/specs/04-cloud.spec.mjs), which is plain Node and cannot import TypeScript:
 *
 *   tsx test/support/cloudSimulatorServe.ts
 *
 * prints one JSON line {baseUrl, orgId, key} on stdout when listening, logs each request
 * (method and path, never the key) on stderr, and stops when stdin closes (the parent ended
 * or closed it) or on SIGTERM.
 */
import { CloudSimulator, ORG_ID, ORG_KEY } from './cloudSimulator';

async function main(): Promise<void> {
  const sim = await CloudSimulator.start({ pollsToFinish: 2 });
  let seen = 0;
  const timer = setInterval(() => {
    for (const r of sim.requests.slice(seen)) process.stderr.write(`[cloud-sim] ${r.method} ${r.rawPath} ${r.keyAccepted ? '' : '(key refused)'}\n`);
    seen = sim.requests.length;
  }, 200);
  const stop = async () => {
    clearInterval(timer);
    await sim.stop();
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
  process.stdout.write(`${JSON.stringify({ baseUrl: sim.baseUrl, orgId: ORG_ID, key: ORG_KEY })}\n`);
}

void main();
