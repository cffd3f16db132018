// Entry point of the in-host suite (extensionTestsPath): VS Code's extension host require()s the
// bundle of this file and calls run(). It runs every *.test.js bundled next to it with mocha,
// prints `N passed, M failed`, and writes the results as JSON to $JIRA2FA_E2E_RESULT (or
// result.json next to it) for the harness (test/e2e/run.mjs or test/e2e/electron.mjs).
import * as fs from 'fs';
import * as path from 'path';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  // mocha 12 is an ES module: require() returns its namespace (Node >= 20.19, 22.12, 24).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require('mocha');
  const Mocha: typeof import('mocha') = loaded.default ?? loaded;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: 'spec' });
  if (process.env.JIRA2FA_E2E_GREP) mocha.grep(process.env.JIRA2FA_E2E_GREP);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const resultFile = process.env.JIRA2FA_E2E_RESULT || path.join(__dirname, 'result.json');

  return new Promise((resolve, reject) => {
    const tests: TestResult[] = [];
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        const stats = runner.stats ?? { passes: 0, failures, pending: 0, tests: 0, duration: 0 };
        const result = { passes: stats.passes, failures: stats.failures, pending: stats.pending, durationMs: stats.duration, tests };
        try {
          fs.mkdirSync(path.dirname(resultFile), { recursive: true });
          fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
        } catch (e) {
          console.error('could not write', resultFile, e);
        }
        console.log(`${stats.passes} passed, ${stats.failures} failed`);
        if (failures) reject(new Error(`${failures} in-host test(s) failed`));
        else resolve();
      });
    } catch (e) {
      // a test file that throws while loading lands here
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      fs.writeFileSync(resultFile, JSON.stringify({ passes: 0, failures: 1, tests: [{ title: 'loading the in-host suite', state: 'failed', error }] }, null, 2));
      reject(e);
      return;
    }
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: unknown) =>
      tests.push({ title: t.fullTitle(), state: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
    runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
  });
}
