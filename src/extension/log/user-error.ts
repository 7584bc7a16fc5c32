// An error a user sees: what happened and what to do, with the buttons that do it; the details go to the log.
import * as vscode from 'vscode';
import { MissingKeyError } from '../connection/connection';
import { core } from '../lazy';
import { inVsCodeTerms } from './hints';
import type { Log } from './log';

const OPEN_SETTINGS = 'Open Settings';
const SET_KEY = 'Set API Key';
const START_LOCAL = 'Use Local Server';
const SHOW_LOG = 'Show Log';

export async function showUserError(what: string, error: unknown, log: Log): Promise<void> {
  log.error(what, error);
  const reason = inVsCodeTerms(error instanceof Error ? error.message : String(error));
  const { AuthError, ConnectionError, TimeoutError, ValidationError } = core();
  let buttons: string[] = [SHOW_LOG];
  if (error instanceof MissingKeyError || error instanceof AuthError) buttons = [SET_KEY, OPEN_SETTINGS, SHOW_LOG];
  else if (error instanceof ConnectionError || error instanceof TimeoutError) buttons = [OPEN_SETTINGS, START_LOCAL, SHOW_LOG];
  else if (error instanceof ValidationError) buttons = [SHOW_LOG];
  else if (error?.constructor?.name === 'NoRuntimeError') buttons = [OPEN_SETTINGS, SHOW_LOG];
  const choice = await vscode.window.showErrorMessage(`${what}: ${reason}`, ...buttons);
  if (choice === OPEN_SETTINGS) await vscode.commands.executeCommand('workbench.action.openSettings', 'fieldwork.server');
  else if (choice === SET_KEY) await vscode.commands.executeCommand('fieldwork.setApiKey');
  else if (choice === START_LOCAL) await vscode.workspace.getConfiguration('fieldwork').update('server', 'local', vscode.ConfigurationTarget.Global);
  else if (choice === SHOW_LOG) log.show();
}
