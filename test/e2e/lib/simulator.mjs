// The Jira simulator (test/support/simulatorMain.ts) as a child process of a spec: the specs are
// plain Node, the simulator is TypeScript, so it runs under tsx. The child prints one JSON line
// (base URL, control URL, the admin's fresh random token/password/seed); requests it received are
// read from the control server, which is a separate port and never appears among them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Starts the simulator; resolves with its JSON line plus requests(), wrongCode() and stop(). */
export function startJiraSimulator({ log = () => {}, timeoutMs = 30000 } = {}) {
  // one process (node with tsx's loader), so stop() and a kill reach the server itself
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test', 'support', 'simulatorMain.ts')], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Jira simulator did not start within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the Jira simulator exited (${signal || code}) before it was ready; stderr: ${stderr}`));
    });
    child.stdout.on('data', (d) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const info = JSON.parse(out.slice(0, nl));
      log(`Jira simulator at ${info.baseUrl} (pid ${child.pid})`);
      const control = async (p) => {
        const res = await fetch(`${info.controlUrl}${p}`);
        if (!res.ok) throw new Error(`simulator control ${p}: HTTP ${res.status}`);
        return res.json();
      };
      const exited = new Promise((r) => child.once('exit', r));
      resolve({
        ...info,
        pid: child.pid,
        /** Every request the simulator received so far, in order. */
        requests: () => control('/requests'),
        /** A code the admin's seed does not produce in the windows the server accepts now. */
        wrongCode: async () => (await control('/wrong-code')).code,
        async stop() {
          if (child.exitCode !== null || child.signalCode) return;
          child.stdin.end(); // the runner stops when its stdin closes
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}

/** Runs `flow(ctx, sim)` against a fresh simulator, stopped afterwards whatever happened: a spec's run(). */
export async function withJiraSimulator(ctx, flow) {
  const sim = await startJiraSimulator({ log: ctx.log });
  try {
    await flow(ctx, sim);
  } finally {
    await sim.stop();
  }
}
