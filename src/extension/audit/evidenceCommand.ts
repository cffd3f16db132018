/**
 * "Export Evidence Report…": the period, an instance or all, the format, then a file outside the
 * workspace (owner-only permissions). The report itself is src/core/audit/evidence.ts, the same
 * as `jira2fa audit report`.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { buildEvidence, evidenceToCsv, evidenceToHtml, evidenceToJson } from '../../core/audit/evidence';
import { describeError } from '../../core/errors';
import { defaultExportFolder, writePrivateFile } from '../../core/privateFile';
import type { ExtensionServices } from '../services';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function askDate(title: string, value: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    value,
    prompt: 'A day as YYYY-MM-DD (UTC); the whole day is included.',
    ignoreFocusOut: true,
    validateInput: (v) => (DATE.test(v.trim()) && !Number.isNaN(Date.parse(v.trim())) ? undefined : 'Write the day as YYYY-MM-DD, e.g. 2026-12-01'),
  });
}

export async function exportEvidenceReport(s: ExtensionServices): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  const from = (await askDate('Evidence report: first day', `${today.slice(0, 8)}01`))?.trim();
  if (!from) return;
  const to = (await askDate('Evidence report: last day', today))?.trim();
  if (!to) return;
  const instances = s.profiles.snapshot().profiles;
  const scope = await vscode.window.showQuickPick(
    [{ label: 'All instances', id: undefined as string | undefined }, ...instances.map((p) => ({ label: p.name, description: p.baseUrl, id: p.id as string | undefined }))],
    { title: 'Evidence report: which instances?' },
  );
  if (!scope) return;
  const format = await vscode.window.showQuickPick(
    [
      { label: 'HTML', description: 'one printable page for auditors', ext: 'html' as const },
      { label: 'CSV', description: 'for a spreadsheet', ext: 'csv' as const },
      { label: 'JSON', description: 'for a script', ext: 'json' as const },
    ],
    { title: 'Evidence report: format' },
  );
  if (!format) return;
  const target = await vscode.window.showSaveDialog({
    title: 'Save the evidence report',
    defaultUri: vscode.Uri.file(path.join(defaultExportFolder(), `jira2fa-evidence-${from}-to-${to}.${format.ext}`)),
    filters: { [format.label]: [format.ext] },
  });
  if (!target) return;
  try {
    if (target.scheme !== 'file') throw new Error('The report can only be saved to a local file (its permissions are set to you only).');
    const report = await buildEvidence(s.audit.file, { from, to, ...(scope.id !== undefined ? { instance: scope.id } : {}) }, { head: s.auditHead });
    const text = format.ext === 'html' ? evidenceToHtml(report) : format.ext === 'csv' ? evidenceToCsv(report) : evidenceToJson(report);
    await writePrivateFile(target.fsPath, text);
    const state = report.chain.ok && report.head.found !== false ? 'the hash chain is intact' : 'the log FAILED verification (see the report)';
    const open = await (report.chain.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage)(
      `Evidence report: ${report.counts.total} action${report.counts.total === 1 ? '' : 's'} from ${from} to ${to}; ${state}.`,
      'Open',
    );
    if (open === 'Open') {
      if (format.ext === 'html') await vscode.env.openExternal(target);
      else await vscode.window.showTextDocument(target);
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`Evidence report not written: ${describeError(e)}`);
  }
}
