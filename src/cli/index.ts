/** The jira2fa executable: dist/cli.js calls run() (tests call main() in ./main). */
import { main } from './main';
import { processIo } from './context';
import { printableLines } from '../core/printable';

/** Exits once everything written to stdout and stderr has been handed to the OS. */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

export function run(): void {
  // `jira2fa ... | head` closes stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  main(process.argv, processIo()).then(exitWhenFlushed, (e: unknown) => {
    // main() catches everything; this is a last resort.
    process.stderr.write(`error: ${printableLines(e instanceof Error ? e.message : String(e))}\n`);
    exitWhenFlushed(1);
  });
}
