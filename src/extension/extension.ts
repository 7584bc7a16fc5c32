// The composition root: builds the connection and hands it to each feature. No I/O and no network here.
import * as vscode from 'vscode';
import { activateCodeLens } from './codelens/codelens';
import { RunHistory } from './codelens/run-history';
import { registerCommands } from './commands/command';
import type { CommandDeps } from './commands/deps';
import { jobCommands } from './commands/job-commands';
import { jobFileCommands } from './commands/job-file-commands';
import { compareCommands } from './commands/compare-command';
import { serverCommands } from './commands/server-commands';
import { runSpec, specCommands } from './commands/format-commands';
import { ServerConnection } from './connection/connection';
import { activateDiagnostics } from './diagnostics/diagnostics';
import { activateQuickFixes } from './diagnostics/quick-fixes';
import { activateJobsView } from './jobs/jobs-view';
import { whenCoreLoads } from './lazy';
import { createLog } from './log/log';
import { activateJobPanels } from './panel/panels';
import { Secrets } from './secrets/secrets';
import { activateStatusBar } from './statusbar/status-bar';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createLog(context);
  whenCoreLoads((ms) => log.info(`extension-core loaded in ${ms.toFixed(1)} ms`));
  const secrets = new Secrets(context);
  const connection = new ServerConnection(context, secrets, log);
  const history = new RunHistory(context.workspaceState);
  context.subscriptions.push(connection, history);

  const jobsView = activateJobsView(context, connection, log);
  jobsView.onDidChangeJobs((jobs) => history.update(jobs), undefined, context.subscriptions);
  let deps: CommandDeps | undefined;
  const panels = activateJobPanels(context, {
    context,
    connection,
    log,
    run: (uri) => (deps ? runSpec(deps, uri) : Promise.resolve(undefined)),
    onJob: (job) => jobsView.upsert(job),
    onFollow: (jobId) => jobsView.streaming(jobId),
  });
  deps = { context, connection, secrets, log, jobsView, panels, history };
  registerCommands(context, log, [...specCommands(deps), ...jobCommands(deps), ...jobFileCommands(deps), ...compareCommands(deps), ...serverCommands(deps)]);
  activateCodeLens(context, history);
  activateDiagnostics(context);
  activateQuickFixes(context);
  activateStatusBar(context, connection, jobsView);
  void vscode.commands.executeCommand('setContext', 'fieldwork.connection', connection.state);
  // The performance check's command is in the palette only for development (and the end-to-end suite).
  const developer = context.extensionMode !== vscode.ExtensionMode.Production || process.env.FIELDWORK_DEV === '1';
  void vscode.commands.executeCommand('setContext', 'fieldwork.developer', developer);

  // Our cost: running dist/extension.js plus activate(); VS Code's own work between the two is reported apart.
  // The parser, client and zod load later, on first use (lazy.ts).
  const marks = globalThis as { __fieldworkLoadStart?: number; __fieldworkLoaded?: number };
  const loadStart = marks.__fieldworkLoadStart ?? started;
  const loaded = marks.__fieldworkLoaded ?? started;
  const done = performance.now();
  const load = loaded - loadStart;
  log.info(
    `activated in ${(load + done - started).toFixed(1)} ms (loading the code ${load.toFixed(1)} ms, activate() ${(done - started).toFixed(1)} ms; VS Code in between ${(started - loaded).toFixed(1)} ms)`,
  );
}

export function deactivate(): void {
  // Everything is on context.subscriptions; the local server outlives the window on purpose.
}
