// `fieldwork run FILE`: check locally, submit, follow live, summarise.
import type { FieldworkClient } from '../../client';
import type { Estimate, Job } from '../../protocol';
import { openSession } from '../connect';
import { EXIT, exitCodeForStatus } from '../failure';
import type { Cli } from '../io';
import { checkSurveyFile } from '../local-check';
import { progressView } from '../progress';
import { RunSummary, headline } from '../summary';
import { metricsTable } from '../metrics-table';

export interface RunOptions {
  json: boolean;
  detach: boolean;
  fresh: boolean;
  quiet: boolean;
  server?: string | undefined;
}

export async function runCommand(cli: Cli, file: string, opts: RunOptions): Promise<number> {
  const check = checkSurveyFile(file, { fresh: opts.fresh });
  if (!check.ok) {
    for (const issue of check.issues) cli.err(issue);
    return EXIT.badInput;
  }
  const session = await openSession(cli, { server: opts.server });
  try {
    // What it should cost, asked before submitting (after, the job's own calls would be in the cache): shown next to
    // what it did cost. Best effort: a server that cannot estimate still runs the job.
    const estimate = opts.json || opts.detach ? null : await session.client.estimate(check.submission).catch(() => null);
    const job = await session.client.submitJob(check.submission);
    if (opts.detach) {
      cli.out(opts.json ? JSON.stringify(job, null, 2) : job.id);
      if (session.embedded) {
        cli.err(
          `Job ${job.id} is queued in a local server that stops with this command: it runs the next time a local server ` +
            'starts (`fieldwork serve`, or another `fieldwork run`).',
        );
      }
      return EXIT.ok;
    }
    if (!opts.quiet) cli.err(`Job ${job.id} submitted to ${session.where}.`);
    const final = await follow(cli, session.client, job, opts.quiet);
    if (opts.json) {
      cli.out(JSON.stringify(final, null, 2));
    } else {
      await printSummary(cli, session.client, final, estimate);
    }
    return exitCodeForStatus(final.status);
  } finally {
    await session.close();
  }
}

/** Follows the job's events until the stream ends; the first Ctrl-C cancels the job and waits, the second exits. */
async function follow(cli: Cli, client: FieldworkClient, job: Job, quiet: boolean): Promise<Job> {
  const view = progressView(cli, job, { quiet });
  let interrupts = 0;
  const stopListening = cli.onInterrupt(() => {
    interrupts++;
    if (interrupts > 1) {
      view.stop();
      cli.err(`Stopped following job ${job.id}; the server goes on cancelling it.`);
      process.exit(EXIT.interrupted);
    }
    view.note(`Cancelling job ${job.id}… (press Ctrl-C again to stop waiting)`);
    client.cancelJob(job.id).catch((error: unknown) => view.note(`Could not cancel: ${error instanceof Error ? error.message : String(error)}`));
  });
  try {
    for await (const event of client.events(job.id)) view.event(event);
  } finally {
    view.stop();
    stopListening();
  }
  return client.getJob(job.id);
}

async function printSummary(cli: Cli, client: FieldworkClient, job: Job, estimate: Estimate | null): Promise<void> {
  const summary = new RunSummary();
  for await (const result of client.allResults(job.id)) summary.add(result);
  cli.out(headline(job));
  if (summary.isEmpty) return;
  if (job.kind === 'eval') {
    // An eval ends with its metrics table (the job carries them once finished); the question table would list samples.
    cli.out(summary.modelTable());
    if (estimate) cli.out(summary.costTable(estimate, job.cost_by_model));
    cli.out(metricsTable(job.metrics ?? (await client.metrics(job.id))));
    return;
  }
  cli.out(summary.modelTable());
  if (estimate) cli.out(summary.costTable(estimate, job.cost_by_model));
  cli.out(summary.questionTable());
}
