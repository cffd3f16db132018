// What a newcomer sees first in the sandbox: its README opened with a Markdown preview, and the
// extension's walkthrough (Welcome: Open Walkthrough...).

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ quick: ReturnType<import('./quickInput.mjs').quickInputPage>, log: (m: string) => void }} deps
 */
export function welcomePage(wb, { quick, log }) {
  const { page } = wb;
  return {
    /** Waits for the README tab and (best effort) its preview headed `heading`. */
    async waitForReadme(heading) {
      await wb.editorTab('README.md').waitFor();
      await wb.webview('vscode.markdown-language-features').locator('h1', { hasText: heading }).waitFor({ timeout: 15000 }).catch(() => log('the README preview did not render in time'));
    },
    /** Opens the walkthrough titled `title`. */
    async openWalkthrough(title) {
      await wb.runCommand('Welcome: Open Walkthrough...');
      await quick.pick(title);
    },
    /** Waits for the walkthrough step containing `text`. */
    waitForStep: (text) => page.locator('.gettingStartedContainer .getting-started-step', { hasText: text }).first().waitFor(),
  };
}
