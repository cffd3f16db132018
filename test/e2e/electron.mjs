#!/usr/bin/env node
// `npm run test:electron`: the in-host suite (test/e2e/inhost) in DESKTOP VS Code through
// @vscode/test-electron. Not part of `npm test`: it needs Microsoft's update server to download
// VS Code, or VSCODE_EXECUTABLE_PATH pointing at an installed VS Code (then nothing is
// downloaded). On a Linux box without a display run it under xvfb-run.
// Desktop VS Code keeps secrets in the OS keychain: on Linux that needs an unlocked keyring
// (gnome-keyring / kwallet) or the SecretStorage test fails with our "keychain unavailable" error.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';
import { CACHE } from './lib/codeServer.mjs';
import { buildInHostSuite } from './lib/inhost.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const runDir = path.join(REPO, '.e2e', `electron-${process.pid}`);
const log = (m) => console.log(`[electron] ${m}`);

async function main() {
  fs.rmSync(runDir, { recursive: true, force: true });
  const ws = path.join(runDir, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  fs.writeFileSync(path.join(ws, 'README.md'), '# e2e workspace\n');

  log('building the extension (node esbuild.config.mjs)');
  const build = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const testsPath = await buildInHostSuite(path.join(runDir, 'suite'));
  const resultFile = path.join(runDir, 'result.json');

  const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH || undefined;
  log(vscodeExecutablePath ? `using VS Code at ${vscodeExecutablePath}` : `downloading VS Code (stable) into ${path.join(CACHE, 'vscode-test')} …`);
  const launchArgs = [
    ws,
    '--disable-extensions', // only the extension under development
    '--disable-workspace-trust',
    '--skip-welcome',
    '--skip-release-notes',
    '--user-data-dir', path.join(runDir, 'user-data'),
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) launchArgs.push('--no-sandbox'); // Electron refuses root otherwise

  const code = await runTests({
    vscodeExecutablePath,
    cachePath: path.join(CACHE, 'vscode-test'), // not .vscode-test in the repo
    extensionDevelopmentPath: REPO,
    extensionTestsPath: testsPath,
    extensionTestsEnv: { JIRA2FA_E2E_RESULT: resultFile, JIRA2FA_E2E: '1' },
    launchArgs,
  });
  let result;
  try {
    result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  } catch {
    result = undefined;
  }
  return { code, result };
}

main()
  .then(({ code, result }) => {
    const passed = result?.passes ?? 0;
    const failed = result ? result.failures : 1;
    for (const t of result?.tests ?? []) console.log(`${t.state === 'passed' ? '  ✓' : t.state === 'failed' ? '  ✗' : '  -'} ${t.title}`);
    if (code === 0 && failed === 0) fs.rmSync(runDir, { recursive: true, force: true });
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(code === 0 && failed === 0 ? 0 : 1);
  })
  .catch((e) => {
    const msg = String(e?.message || e);
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|fetch failed|socket hang up|update\.code\.visualstudio\.com/i.test(msg + (e?.cause ? String(e.cause) : ''));
    console.error('\n' + '!'.repeat(78));
    if (offline && !process.env.VSCODE_EXECUTABLE_PATH) {
      console.error('!!! test:electron could not DOWNLOAD VS Code (update.code.visualstudio.com is unreachable here).');
      console.error('!!! Set VSCODE_EXECUTABLE_PATH to an installed VS Code binary, or run the same in-host');
      console.error('!!! suite in code-server with `npm run test:e2e -- --inhost-only` (works offline).');
    } else {
      console.error('!!! test:electron failed to run VS Code.');
      if (!process.env.DISPLAY && process.platform === 'linux') console.error('!!! No DISPLAY: run it under xvfb-run (xvfb-run -a npm run test:electron).');
    }
    console.error(`!!! ${msg.split('\n')[0]}`);
    console.error('!'.repeat(78));
    fs.rmSync(runDir, { recursive: true, force: true });
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
