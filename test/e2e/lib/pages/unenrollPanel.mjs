// The Unenroll panel (src/webview/unenroll): the connection banner, the user lookup, the typed
// confirmation, the code (typed, or generated from the stored seed), Send, the result with its
// audit entry, and the Request section.
import { requestSection } from './requestSection.mjs';

/** Resolves when at least `seconds` are left in the current 30-s TOTP window. */
async function earlyInCodeWindow(seconds = 10) {
  const left = 30 - (Math.floor(Date.now() / 1000) % 30);
  if (left < seconds) await new Promise((r) => setTimeout(r, left * 1000 + 500));
}

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ audit: ReturnType<import('./auditPanel.mjs').auditPanelPage> }} deps
 */
export function unenrollPanelPage(wb, { audit }) {
  const frame = () => wb.webview();
  const el = (id) => frame().locator(`#${id}`);
  const set = (id, value) => wb.setField(frame(), `#${id}`, value);
  const panel = {
    /** Opens the panel from the "Unenroll user…" row of the expanded instance. */
    async openFromTree() {
      await wb.treeItem('Unenroll user…').click();
      await el('username').waitFor();
    },
    /** Brings the panel of `instance` back from its editor tab. */
    async openTab(instance) {
      await wb.editorTab(`Unenroll user · ${instance}`).click();
      await el('username').waitFor();
    },
    /** Waits for the connection banner to contain `text`. */
    waitForConnection: (text) => el('connection').filter({ hasText: text }).waitFor(),
    environment: async () => (await el('envBadge').textContent()).trim(),
    setUser: (name) => set('username', name),
    /** Looks the user up; waits for the lookup result containing `expect`; returns its text. */
    async lookUp(expect) {
      await el('lookup').click();
      await el('lookupResult').filter({ hasText: expect }).waitFor();
      return el('lookupResult').innerText();
    },
    confirm: (text) => set('confirmation', text),
    confirmation: () => el('confirmation').evaluate((e) => e.value),
    /** Ticks (or unticks) "Generate the code from my stored seed". */
    useStoredSeed: (on) => set('useSeed', on),
    usesStoredSeed: () => el('useSeed').evaluate((c) => Boolean(c.checked)),
    /**
     * Types a code. Send is disabled within 3 s of a window's end (the code would arrive
     * stale), so this waits to be early in a window first; `code` may be a function called then.
     */
    async typeCode(code) {
      await earlyInCodeWindow();
      await set('code', typeof code === 'function' ? await code() : code);
    },
    /** Waits until Send is enabled. */
    waitForSend: (options) => frame().locator('#send:not([disabled])').waitFor(options),
    sendDisabled: () => el('send').evaluate((e) => e.disabled),
    /** Sends (waits until Send is enabled first). */
    async send(options) {
      await panel.waitForSend(options);
      await el('send').click();
    },
    /** Waits for the result title containing `text` ('✓', '✗' or words); a stored seed may wait for the next window. */
    waitForResult: (text, { timeout = 30000 } = {}) => el('resultTitle').filter({ hasText: text }).waitFor({ timeout }),
    resultTitle: () => el('resultTitle').innerText(),
    /** The whole result (title, explanation, server answer). */
    result: () => el('result').innerText(),
    /** Waits for the result to contain `text`. */
    waitForResultText: (text) => el('result').filter({ hasText: text }).waitFor(),
    explanation: () => el('resultExplanation').textContent(),
    /** The result's audit line. */
    resultAudit: () => el('resultAudit').textContent(),
    /** The id of the audit entry named by the result (undefined when none). */
    async auditEntryId() {
      const text = await el('resultAudit').textContent();
      return /audit entry (\S+)/.exec(text)?.[1];
    },
    /** "Open audit log" from the result: the audit panel, focused on the entry. */
    async openAuditLog(entryId) {
      await el('openAudit').click();
      await audit.waitForEntry(entryId);
    },
    request: requestSection(wb, frame),
  };
  return panel;
}
