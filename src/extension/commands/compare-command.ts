// "Compare with…": a job beside another job, or two of its models beside each other, in the job's panel.
import * as vscode from 'vscode';
import type { Job, Result } from '../../api';
import { core } from '../lazy';
import { jobIdOf, type Command } from './command';
import type { CommandDeps } from './deps';

type Choice = vscode.QuickPickItem & { other: Job; models?: [string, string] };

export function compareCommands(deps: CommandDeps): Command[] {
  return [
    {
      id: 'fieldwork.compareJobs',
      failure: 'Could not compare the runs',
      execute: async (arg) => {
        const id = jobIdOf(arg);
        if (!id) throw new Error('no job was given; pick one in the Fieldwork jobs view');
        const client = await deps.connection.client();
        const job = deps.jobsView.model.get(id) ?? (await client.getJob(id));
        const choices: Choice[] = [];
        for (let i = 0; i < job.models.length; i++) {
          for (let j = i + 1; j < job.models.length; j++) {
            const models: [string, string] = [job.models[i]!, job.models[j]!];
            choices.push({ label: `$(split-horizontal) ${models[0]} vs ${models[1]}`, description: 'two models of this job', other: job, models });
          }
        }
        for (const other of deps.jobsView.model.jobs()) {
          if (other.id === job.id || !core().isFinished(other.status)) continue;
          choices.push({
            label: other.name,
            description: `${other.status.replace('_', ' ')} · ${new Date(other.created_at).toLocaleString()}`,
            detail: other.id,
            other,
          });
        }
        if (choices.length === 0) {
          void vscode.window.showInformationMessage(`There is nothing to compare ${job.name} with yet: run another job, or a job with two models.`);
          return;
        }
        const picked = await vscode.window.showQuickPick(choices, { title: `Compare ${job.name} with…`, matchOnDescription: true, matchOnDetail: true });
        if (!picked) return;
        const comparison = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Fieldwork: comparing…', cancellable: true },
          async (_p, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            const read = async (jobId: string): Promise<Result[]> => {
              const results: Result[] = [];
              for await (const result of client.allResults(jobId, { pageSize: 1000, signal: abort.signal })) results.push(result);
              return results;
            };
            const first = await read(job.id);
            const second = picked.other.id === job.id ? first : await read(picked.other.id);
            const [ma, mb] = picked.models ?? [undefined, undefined];
            const only = (results: Result[], model: string | undefined): Result[] => (model ? results.filter((r) => r.model === model) : results);
            const labels: [string, string] = picked.models
              ? [`${job.name} · ${ma}`, `${job.name} · ${mb}`]
              : [`${job.name} (${job.id})`, `${picked.other.name} (${picked.other.id})`];
            return core().compareRuns(only(first, ma), only(second, mb), labels);
          },
        );
        const panel = await deps.panels.openJob(job.id, job);
        panel.showComparison(comparison);
      },
    },
  ];
}
