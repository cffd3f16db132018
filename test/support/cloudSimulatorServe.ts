/**
 * Runs the Cloud admin API simulator as its own process, for the real-editor spec
 * (test/e2e/specs/04-cloud.spec.mjs), which is plain Node and cannot import TypeScript:
 *
 *   tsx test/support/cloudSimulatorServe.ts
 *
 * prints one JSON line {baseUrl, orgId, key} on stdout when listening, logs each request
 * (method and path, never the key) on stderr, and stops when stdin closes (the parent ended
 * or closed it) or on SIGTERM. A line {"failNextTask": {detail, status, title}} on stdin makes
 * the next policy task end with that failure (documented failureReasons shape).
 */
import readline from 'node:readline';
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
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    try {
      const cmd = JSON.parse(line) as { failNextTask?: { detail: string; status: number; title: string } };
      if (cmd.failNextTask) sim.failNextTask(cmd.failNextTask.detail, cmd.failNextTask.status, cmd.failNextTask.title);
    } catch {
      process.stderr.write(`[cloud-sim] ignored command line: ${line.slice(0, 80)}\n`);
    }
  });
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdout.write(`${JSON.stringify({ baseUrl: sim.baseUrl, orgId: ORG_ID, key: ORG_KEY })}\n`);
}

void main();
