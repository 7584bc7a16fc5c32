// Problems for survey and eval files, as you type (debounced): the core's messages at exact ranges.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { core } from '../lazy';
import { specKind } from '../file-kind';
import { issueRange } from './ranges';

const DEBOUNCE_MS = 300;

export function activateDiagnostics(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection('fieldwork');
  const timers = new Map<string, NodeJS.Timeout>();

  const validate = (document: vscode.TextDocument): void => {
    const kind = specKind(document.fileName);
    if (!kind) return;
    const text = document.getText();
    const lines = text.split(/\r?\n/);
    const name = basename(document.fileName);
    const diagnostics = core()
      .specIssues(kind, document.fileName, text)
      // Problems in a scenario or data file are shown at the line of the spec that names it, by the core.
      .filter((issue) => issue.file === name || issue.file === '')
      .map((issue) => {
        const r = issueRange(issue, lines);
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter),
          issue.message,
          vscode.DiagnosticSeverity.Error,
        );
        diagnostic.source = 'fieldwork';
        return diagnostic;
      });
    collection.set(document.uri, diagnostics);
  };
  /**
   * Typing is debounced; an opened file is checked in the next turn. The first check loads the core (0.3–0.8 s on a
   * busy machine, during which the extension host answers nothing): done at once, it happens before VS Code asks for
   * the file's CodeLens, so a click on Run, which needs the lens first, never waits behind it.
   */
  const schedule = (document: vscode.TextDocument, delayMs = DEBOUNCE_MS): void => {
    if (!specKind(document.fileName)) return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        validate(document);
      }, delayMs),
    );
  };
  const scheduleOpened = (document: vscode.TextDocument): void => schedule(document, 0);

  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument(scheduleOpened),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((document) => collection.delete(document.uri)),
    { dispose: () => timers.forEach((timer) => clearTimeout(timer)) },
  );
  // Documents open before activation: validated after activation returns, not during it.
  setTimeout(() => vscode.workspace.textDocuments.forEach(scheduleOpened), 0);
}
