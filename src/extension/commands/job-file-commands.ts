// Commands on a job that need its file: rerun it, open it; and taking a job off the list.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { jobIdOf, type Command } from './command';
import type { CommandDeps } from './deps';
import { runSpec } from './format-commands';

export function jobFileCommands(deps: CommandDeps): Command[] {
  const need = (arg: unknown): string => {
    const id = jobIdOf(arg);
    if (!id) throw new Error('no job was given; pick one in the Fieldwork jobs view');
    return id;
  };
  /** The file the job ran: the one this workspace ran it from, else the workspace's file of the same name. */
  const fileOf = async (id: string): Promise<vscode.Uri> => {
    const known = deps.history.fileOf(id);
    if (known) return known;
    const job = deps.jobsView.model.get(id) ?? (await (await deps.connection.client()).getJob(id));
    const name = basename(job.source_name).replace(/[{}[\]*?]/g, '');
    const [found] = await vscode.workspace.findFiles(`**/${name}`, '**/node_modules/**', 1);
    if (!found) throw new Error(`${job.source_name} is not in this workspace; open the folder that has it`);
    return found;
  };
  return [
    {
      id: 'fieldwork.rerunJob',
      failure: 'Could not rerun the job',
      execute: async (arg) => runSpec(deps, await fileOf(need(arg))),
    },
    {
      id: 'fieldwork.openJobFile',
      failure: "Could not open the job's file",
      execute: async (arg) => {
        await vscode.window.showTextDocument(await fileOf(need(arg)));
      },
    },
    {
      id: 'fieldwork.removeJob',
      failure: 'Could not remove the job from the list',
      execute: async (arg) => {
        deps.jobsView.remove(need(arg), deps.context.workspaceState);
      },
    },
  ];
}
