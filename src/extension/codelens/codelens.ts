// ▶ Run remotely · $ Estimate cost · Preview prompts · Last run — above every survey and eval file.
import * as vscode from 'vscode';
import { specKind } from '../file-kind';
import { lastRunTitle, lensLine } from './placement';
import type { RunHistory } from './run-history';

export const SPEC_SELECTOR: vscode.DocumentSelector = [{ pattern: '**/*.survey.{yaml,yml,json}' }, { pattern: '**/*.eval.{yaml,yml,json}' }];

class SpecCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly history: RunHistory,
    settingChanged: vscode.Event<void>,
  ) {
    this.onDidChangeCodeLenses = (listener, thisArg, disposables) => {
      const a = history.onDidChange(listener, thisArg);
      const b = settingChanged(listener, thisArg);
      const both = vscode.Disposable.from(a, b);
      disposables?.push(both);
      return both;
    };
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!specKind(document.fileName)) return [];
    if (!vscode.workspace.getConfiguration('fieldwork').get<boolean>('codeLens.enabled', true)) return [];
    const line = lensLine(document.getText());
    const range = new vscode.Range(line, 0, line, 0);
    const args = [document.uri];
    const lenses = [
      new vscode.CodeLens(range, { title: '▶ Run remotely', command: 'fieldwork.run', arguments: args, tooltip: 'Submit this file as a job' }),
      new vscode.CodeLens(range, { title: '$ Estimate cost', command: 'fieldwork.estimate', arguments: args }),
      new vscode.CodeLens(range, { title: 'Preview prompts', command: 'fieldwork.previewPrompts', arguments: args }),
    ];
    const last = this.history.get(document.uri);
    if (last) {
      lenses.push(new vscode.CodeLens(range, { title: lastRunTitle(last), command: 'fieldwork.openJob', arguments: [last.jobId] }));
    }
    return lenses;
  }
}

export function activateCodeLens(context: vscode.ExtensionContext, history: RunHistory): void {
  const changed = new vscode.EventEmitter<void>();
  context.subscriptions.push(
    changed,
    vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, new SpecCodeLensProvider(history, changed.event)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('fieldwork.codeLens.enabled')) changed.fire();
    }),
  );
}
