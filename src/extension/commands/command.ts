// A command is a small object with an id; registering it wires errors to the user and the log.
import * as vscode from 'vscode';
import type { Log } from '../log/log';
import { showUserError } from '../log/user-error';

export interface Command {
  id: string;
  /** What the command does, for the error message when it fails: "Could not run the survey". */
  failure: string;
  execute(...args: unknown[]): unknown;
}

export function registerCommands(context: vscode.ExtensionContext, log: Log, commands: Command[]): void {
  for (const command of commands) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
        try {
          return await command.execute(...args);
        } catch (error) {
          await showUserError(command.failure, error, log);
          return undefined;
        }
      }),
    );
  }
}

/** A job id from a command's argument: a tree node, a job, or the id itself. */
export function jobIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    if ('job' in arg) return jobIdOf((arg as { job: unknown }).job);
    if ('id' in arg && typeof (arg as { id: unknown }).id === 'string') return (arg as { id: string }).id;
  }
  return undefined;
}
