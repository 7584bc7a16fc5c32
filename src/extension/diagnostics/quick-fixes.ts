// Quick fixes for the Problems the core words as `Did you mean "x"?`: the misspelt key or value becomes x.
import * as vscode from 'vscode';
import { SPEC_SELECTOR } from '../codelens/codelens';

const DID_YOU_MEAN = /Did you mean "([^"]+)"\?/;

class DidYouMeanFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'fieldwork') continue;
      const suggestion = DID_YOU_MEAN.exec(diagnostic.message)?.[1];
      if (!suggestion || diagnostic.range.isEmpty) continue;
      // A quoted value keeps its quotes.
      const text = document.getText(diagnostic.range);
      const quoted = /^(["']).*\1$/s.test(text);
      const range = quoted ? new vscode.Range(diagnostic.range.start.translate(0, 1), diagnostic.range.end.translate(0, -1)) : diagnostic.range;
      const action = new vscode.CodeAction(`Change to "${suggestion}"`, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, range, suggestion);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}

export function activateQuickFixes(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider(SPEC_SELECTOR, new DidYouMeanFixes(), { providedCodeActionKinds: DidYouMeanFixes.kinds }),
  );
}
