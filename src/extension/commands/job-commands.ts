// Commands on jobs: open, cancel, retry, export, copy id, open the submitted survey; and on the jobs view: refresh, filter, load more.
import * as vscode from 'vscode';
import { core } from '../lazy';
import type { ResultRow } from '../../webview/messages';
import { exportResults } from '../panel/job-panel';
import { jobIdOf, type Command } from './command';
import type { CommandDeps } from './deps';

/** How long Cancel Job follows a job that is cancelling. */
const CANCEL_FOLLOW_MS = 60_000;

export function jobCommands(deps: CommandDeps): Command[] {
  const { connection, jobsView, panels } = deps;
  const need = (arg: unknown): string => {
    const id = jobIdOf(arg);
    if (!id) throw new Error('no job was given; pick one in the Fieldwork jobs view');
    return id;
  };
  return [
    { id: 'fieldwork.openJob', failure: 'Could not open the job', execute: async (arg) => panels.openJob(need(arg), jobsView.model.get(need(arg))) },
    {
      id: 'fieldwork.cancelJob',
      failure: 'Could not cancel the job',
      execute: async (arg) => {
        const client = await connection.client();
        let job = await client.cancelJob(need(arg));
        jobsView.upsert(job);
        // The message lasts while the job is cancelling, and no longer: it follows the job until it has ended.
        const message = vscode.window.setStatusBarMessage(`$(loading~spin) Fieldwork: cancelling ${job.name}`);
        try {
          for (let waited = 0; !core().isFinished(job.status) && waited < CANCEL_FOLLOW_MS; waited += 500) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            job = await client.getJob(job.id);
            jobsView.upsert(job);
          }
        } finally {
          message.dispose();
        }
        if (core().isFinished(job.status)) void vscode.window.setStatusBarMessage(`Fieldwork: ${job.name} ${job.status.replace('_', ' ')}`, 3000);
      },
    },
    {
      id: 'fieldwork.retryJob',
      failure: 'Could not retry the job',
      execute: async (arg) => {
        const job = await (await connection.client()).retryJob(need(arg));
        jobsView.upsert(job);
        await panels.openJob(job.id, job);
      },
    },
    {
      id: 'fieldwork.exportResults',
      failure: 'Could not export the results',
      execute: async (arg) => {
        const id = need(arg);
        const job = jobsView.model.get(id) ?? (await (await connection.client()).getJob(id));
        await exportResults(deps, job);
      },
    },
    {
      id: 'fieldwork.copyJobId',
      failure: 'Could not copy the job id',
      execute: async (arg) => {
        await vscode.env.clipboard.writeText(need(arg));
        void vscode.window.setStatusBarMessage('Fieldwork: job id copied', 2000);
      },
    },
    {
      id: 'fieldwork.openJobSurvey',
      failure: 'Could not open the submitted survey',
      execute: async (arg) => {
        const source = await (await connection.client()).jobSource(need(arg));
        const language = /\.json$/i.test(source.name) ? 'json' : /\.ya?ml$/i.test(source.name) ? 'yaml' : 'plaintext';
        const document = await vscode.workspace.openTextDocument({ content: source.text, language });
        await vscode.window.showTextDocument(document, { preview: true });
        void vscode.window.setStatusBarMessage(`Fieldwork: ${source.name}, as submitted (save it to run it again)`, 4000);
      },
    },
    { id: 'fieldwork.refreshJobs', failure: 'Could not refresh the jobs', execute: () => jobsView.refresh() },
    { id: 'fieldwork.loadMoreJobs', failure: 'Could not load more jobs', execute: () => jobsView.loadMore() },
    {
      id: 'fieldwork.filterJobs',
      failure: 'Could not filter the jobs',
      execute: async () => {
        const current = new Set(jobsView.filterStatuses);
        const picks = await vscode.window.showQuickPick(
          core().JobStatus.options.map((status) => ({ label: status.replace('_', ' '), status, picked: current.has(status) })),
          { canPickMany: true, title: 'Show jobs with status (none picked: all)' },
        );
        if (picks) jobsView.setFilter(picks.map((p) => p.status));
      },
    },
    {
      // A panel of `count` synthetic results: how fast the table takes 100,000 rows (used by the e2e suite).
      id: 'fieldwork.dev.syntheticResults',
      failure: 'Could not open the synthetic results',
      execute: (count: unknown) => {
        const n = typeof count === 'number' ? count : 100_000;
        panels.openRows(`Synthetic: ${n} results`, syntheticRows(n));
      },
    },
  ];
}

function syntheticRows(n: number): ResultRow[] {
  const models = ['test', 'openai/gpt-4o-mini', 'anthropic/claude-haiku'];
  const agents = ['student', 'nurse', 'retiree', 'engineer'];
  const options = ['Every day', 'A few times a week', 'A few times a month', 'Rarely'];
  const rows: ResultRow[] = [];
  for (let i = 0; i < n; i++) {
    const numeric = i % 2 === 1;
    const value = numeric ? Math.round(((i * 7919) % 1000) / 50) : null;
    rows.push({
      interview: Math.floor(i / 2),
      agent: agents[i % agents.length] ?? 'agent',
      scenario: Math.floor(i / 8) % 50,
      model: models[Math.floor(i / 2) % models.length] ?? 'test',
      iteration: 0,
      question: numeric ? 'would_pay' : 'how_often',
      status: 'answered',
      answer: numeric ? String(value) : (options[Math.floor(i / 2) % options.length] ?? ''),
      value,
      cost: 0.00001 * (i % 13),
      cached: i % 5 === 0,
      latency: (i * 17) % 900,
      error: null,
    });
  }
  return rows;
}
