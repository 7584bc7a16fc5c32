// Commands on a survey or eval file: run it, estimate it, preview its prompts, create a new one.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Job } from '../../api';
import { core, coreLoaded, yieldToVsCode } from '../lazy';
import { specKind } from '../file-kind';
import type { Command } from './command';
import type { CommandDeps } from './deps';
import { EVAL_TEMPLATE, SURVEY_TEMPLATE } from './templates';

/** The file a command is about: its argument, else the active editor's spec, else one picked from the workspace. */
async function specUri(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active && specKind(active.fileName)) return active.uri;
  const files = await vscode.workspace.findFiles('**/*.{survey,eval}.{yaml,yml,json}', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('There is no survey or eval file in this workspace. Create one with "Fieldwork: New Survey".');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Which file?', placeHolder: 'A survey or eval file' },
  );
  return pick?.uri;
}

/** Saves the document if it is open and dirty: the job runs what is on disk. */
async function saved(uri: vscode.Uri): Promise<void> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (document?.isDirty) await document.save();
}

async function showIssues(error: unknown): Promise<boolean> {
  if (!(error instanceof core().ValidationError) || error.issues.length === 0) return false;
  const first = error.issues[0];
  const choice = await vscode.window.showErrorMessage(
    `The server found ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} in the file: ${first ? `${first.file}:${first.line}:${first.column} ${first.message}` : error.message}`,
    'Show Problems',
  );
  if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
  return true;
}

/**
 * Work on a file under a cancellable progress notification that shows at once — before the local server is up,
 * which can take a second or two. A validation error is shown after the progress has ended, so nothing spins
 * while its message waits to be read.
 */
async function withFileProgress<T>(title: string, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Promise<T | undefined> {
  let failure: unknown;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
    try {
      return await work(abort.signal, (message) => progress.report({ message }));
    } catch (error) {
      if (abort.signal.aborted) return undefined;
      failure = error;
      return undefined;
    }
  });
  if (failure !== undefined && !(await showIssues(failure))) throw failure;
  return result;
}

export async function runSpec(deps: CommandDeps, uri: vscode.Uri): Promise<Job | undefined> {
  const name = basename(uri.fsPath);
  if (!vscode.workspace.isTrusted) {
    const choice = await vscode.window.showWarningMessage(
      `Fieldwork runs files only in a trusted workspace: trust this folder to run ${name}.`,
      'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
  const settings = vscode.workspace.getConfiguration('fieldwork');
  const askAbove = settings.get<number | null>('confirmCostAbove', 1);
  // The status bar answers the click at once; the notification below can take a moment to appear.
  const clicked = vscode.window.setStatusBarMessage(`$(loading~spin) Fieldwork: running ${name}…`);
  const started = performance.now();
  const coreWasLoaded = coreLoaded();
  return withFileProgress(`Fieldwork: running ${name}`, async (signal, report) => {
    // The status bar and the notification leave before anything heavy runs (loading the core, parsing the file).
    await yieldToVsCode();
    deps.log.info(
      `run ${name}: feedback sent ${(performance.now() - started).toFixed(1)} ms after the command began (extension-core ${coreWasLoaded ? 'already loaded' : 'not loaded yet'})`,
    );
    await saved(uri);
    const submission = core().submissionFor(uri.fsPath);
    report(`connecting to ${deps.connection.describe()}…`);
    const client = await deps.connection.client();
    if (signal.aborted) return undefined;
    if (typeof askAbove === 'number' && askAbove >= 0) {
      report('estimating the cost…');
      const expected = (await client.estimate(submission, { signal })).total.usd;
      if (expected && expected.expected > askAbove) {
        const run = await vscode.window.showWarningMessage(
          `${name} is expected to cost $${expected.expected.toFixed(2)} ($${expected.low.toFixed(2)}–$${expected.high.toFixed(2)}), above the $${askAbove} set in "fieldwork.confirmCostAbove". Run it?`,
          { modal: true },
          'Run',
        );
        if (run !== 'Run') return undefined;
      }
    }
    report('submitting…');
    const job = await client.submitJob(submission, { signal });
    deps.log.info(`submitted ${name} as job ${job.id} on ${deps.connection.describe()}`);
    deps.history.record(uri, job);
    deps.jobsView.upsert(job);
    if (settings.get<boolean>('openPanelOnRun', true)) await deps.panels.showRun(uri, job);
    else void vscode.window.setStatusBarMessage(`Fieldwork: ${name} submitted as ${job.id}`, 5000);
    return job;
  }).finally(() => clicked.dispose());
}

const PREVIEW_SCHEME = 'fieldwork-prompts';
const previews = new Map<string, string>();
const previewChanged = new vscode.EventEmitter<vscode.Uri>();

function previewUri(file: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/Prompts of ${basename(file.fsPath)}.md`, query: file.toString() });
}

/** Serves Preview Prompts' read-only documents. */
export function registerPromptPreviews(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    previewChanged,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
      onDidChange: previewChanged.event,
      provideTextDocumentContent: (uri) => previews.get(uri.toString()) ?? 'Run "Fieldwork: Preview Prompts" again to see the prompts.',
    }),
  );
}

export function specCommands(deps: CommandDeps): Command[] {
  registerPromptPreviews(deps.context);
  return [
    {
      id: 'fieldwork.run',
      failure: 'Could not run the file',
      execute: async (arg) => {
        const uri = await specUri(arg);
        return uri ? runSpec(deps, uri) : undefined;
      },
    },
    {
      id: 'fieldwork.estimate',
      failure: 'Could not estimate the cost',
      execute: async (arg) => {
        const uri = await specUri(arg);
        if (!uri) return;
        const name = basename(uri.fsPath);
        await withFileProgress(`Fieldwork: estimating ${name}`, async (signal, report) => {
          await saved(uri);
          const submission = core().submissionFor(uri.fsPath);
          report(`connecting to ${deps.connection.describe()}…`);
          const client = await deps.connection.client();
          if (signal.aborted) return;
          const estimate = await client.estimate(submission, { signal });
          deps.panels.openEstimate(uri, { fileName: name, estimate, canRun: true });
        });
      },
    },
    {
      id: 'fieldwork.previewPrompts',
      failure: 'Could not preview the prompts',
      execute: async (arg) => {
        const uri = await specUri(arg);
        const kind = uri && specKind(uri.fsPath);
        if (!uri || !kind) return;
        await saved(uri);
        // A read-only document of its own scheme: nothing to save, no dirty Untitled tab left behind.
        const preview = previewUri(uri);
        previews.set(preview.toString(), core().previewPrompts(kind, uri.fsPath));
        previewChanged.fire(preview);
        const document = await vscode.workspace.openTextDocument(preview);
        await vscode.languages.setTextDocumentLanguage(document, 'markdown');
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
      },
    },
    { id: 'fieldwork.newSurvey', failure: 'Could not create a survey', execute: () => newSpec('survey', SURVEY_TEMPLATE) },
    { id: 'fieldwork.newEval', failure: 'Could not create an eval', execute: () => newSpec('eval', EVAL_TEMPLATE) },
  ];
}

async function newSpec(kind: 'survey' | 'eval', template: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `New ${kind}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, `my.${kind}.yaml`) : undefined,
    filters: { YAML: ['yaml', 'yml'] },
  });
  if (!target) return;
  const uri = /\.(survey|eval)\.(ya?ml|json)$/i.test(target.path) ? target : target.with({ path: target.path.replace(/(\.ya?ml)?$/i, `.${kind}.yaml`) });
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(template));
  await vscode.window.showTextDocument(uri);
}
