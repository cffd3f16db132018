/**
 * A second audit writer in a process of its own, for the lock tests: appends one entry to the
 * log given as argv[2] with the lock's stale time argv[3] (ms). Prints "ready" before it tries
 * and "appended <id> <prevHash>" after.
 */
import { AuditLog } from '../../src/core/audit/log';
import { Redactor } from '../../src/core/redact';

async function main(): Promise<void> {
  const [file, staleMs] = process.argv.slice(2);
  const log = new AuditLog(file, { redactor: new Redactor(), lock: { staleMs: Number(staleMs), timeoutMs: 60_000, retryMinMs: 5, retryMaxMs: 20 } });
  process.stdout.write('ready\n');
  const e = await log.append({ admin: 'child', instance: { id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' }, action: 'unenroll', target: 'from-child', outcome: 'ok', message: 'ok' });
  process.stdout.write(`appended ${e.id} ${e.prevHash}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
