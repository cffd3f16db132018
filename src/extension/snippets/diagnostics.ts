/**
 * Problems in snippet files, underlined while they are open: any .sql document with a snippet
 * header ("-- @name") is parsed on open and on every change, with the parser's line numbers.
 */
import * as vscode from 'vscode';
import { parseSnippet } from '../../core/snippets/parser';
import type { Diagnostic } from '../../core/snippets/types';

const HEADER = /^--\s*@name\b/m;

export function isSnippetDocument(doc: Pick<vscode.TextDocument, 'languageId' | 'fileName' | 'getText'>): boolean {
  return (doc.languageId === 'sql' || doc.fileName.toLowerCase().endsWith('.sql')) && HEADER.test(doc.getText());
}

function toVscode(doc: vscode.TextDocument, d: Diagnostic): vscode.Diagnostic {
  const line = Math.min(Math.max(d.line - 1, 0), Math.max(doc.lineCount - 1, 0));
  const text = doc.lineAt(line).text;
  const start = Math.min(Math.max(d.column - 1, 0), text.length);
  const end = d.endColumn !== undefined ? Math.min(Math.max(d.endColumn - 1, start), text.length) : text.length;
  const range = new vscode.Range(line, start, line, end > start ? end : text.length);
  const diag = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diag.source = 'jira2fa snippet';
  return diag;
}

export function registerSnippetDiagnostics(onSaved: () => void): vscode.Disposable[] {
  const collection = vscode.languages.createDiagnosticCollection('jira2fa-snippets');
  const check = (doc: vscode.TextDocument) => {
    if (!isSnippetDocument(doc)) return collection.delete(doc.uri);
    const { diagnostics } = parseSnippet(doc.getText(), doc.uri.fsPath, false);
    collection.set(doc.uri, diagnostics.map((d) => toVscode(doc, d)));
  };
  for (const doc of vscode.workspace.textDocuments) check(doc);
  return [
    collection,
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)),
    // A saved snippet may change the catalogue in the tree.
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (isSnippetDocument(doc)) onSaved();
    }),
  ];
}
