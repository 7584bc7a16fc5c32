// Runs inside the VS Code that test/vscode/run.ts starts: the extension activates, registers its commands and
// shows the jobs view. Plain JavaScript so VS Code loads it without a build step.
const assert = require('node:assert/strict');
const vscode = require('vscode');

exports.run = async function run() {
  const extension = vscode.extensions.getExtension('fieldwork.fieldwork');
  assert.ok(extension, 'the extension is installed');
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'coffee.survey.yaml'));
  await vscode.window.showTextDocument(document);
  await extension.activate();
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['fieldwork.run', 'fieldwork.estimate', 'fieldwork.setApiKey', 'fieldwork.cancelJob']) assert.ok(commands.includes(id), id);
  const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri);
  assert.ok(
    lenses.some((lens) => lens.command && lens.command.title === '▶ Run remotely'),
    'the Run remotely lens',
  );
  console.log('test:vscode: 3 checks passed');
};
