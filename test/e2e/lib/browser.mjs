// Headless Debian chromium driven by playwright-core, with a throw-away profile.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './codeServer.mjs';

// Without the background-networking flags chromium floods the closed network.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches chromium with a fresh profile in `profileDir` (deleted by close()).
 * `env` should carry XDG_* and TMPDIR inside the run dir (see runEnv) so nothing lands in $HOME.
 * Returns { context, page, newPage(), close() }.
 */
export async function launchBrowser({ profileDir, env, viewport = { width: 1400, height: 900 }, defaultTimeout = 30000 }) {
  fs.rmSync(profileDir, { recursive: true, force: true });
  fs.mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    env,
    args: ARGS,
    // the workbench reads the clipboard on some commands; grant it so nothing prompts
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(defaultTimeout);
  const page = context.pages()[0] || (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async newPage() {
      const p = await context.newPage();
      return p;
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
