import type * as vscode from 'vscode';
import type { RunHistory } from '../codelens/run-history';
import type { ServerConnection } from '../connection/connection';
import type { JobsView } from '../jobs/jobs-view';
import type { Log } from '../log/log';
import type { JobPanels } from '../panel/panels';
import type { Secrets } from '../secrets/secrets';

/** What the commands act on: built once in extension.ts. */
export interface CommandDeps {
  context: vscode.ExtensionContext;
  connection: ServerConnection;
  secrets: Secrets;
  log: Log;
  jobsView: JobsView;
  panels: JobPanels;
  history: RunHistory;
}
