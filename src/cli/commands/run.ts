// `fieldwork run FILE`: check locally, submit, follow live, summarise.
import { randomUUID } from 'node:crypto';
import type { FieldworkClient } from '../../client';
import type { Estimate, Job, JobKind } from '../../api';
import { ConnectionError, ValidationError } from '../../client';
import { openSession, type Session } from '../connect';
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
  const check = checkSurveyFile(file, { fresh: opts.fresh, env: cli.env });
  if (!check.ok) {
    for (const issue of check.issues) cli.err(issue);
    return EXIT.badInput;
  }
  // A box, so that a session taken over while following (see follow) is the one closed at the end.
  const held = { session: await openSession(cli, { server: opts.server, command: 'fieldwork run', resume: true }) };
  const session = held.session;
  try {
    // What it should cost, asked before submitting (after, the job's own calls would be in the cache): shown next to
    // what it did cost. Best effort: a server that cannot estimate still runs the job — unless the estimate found the
    // file invalid (a template that runs into a render limit with some scenario): that stops here, with exit code 2.
    const estimate = opts.json || opts.detach ? null : await session.client.estimate(check.submission).catch(unlessInvalid);
    const job = await submit(held, check.submission);
    if (opts.detach) {
      cli.out(opts.json ? JSON.stringify(job, null, 2) : job.id);
      if (held.session.embedded) {
        cli.err(
          `Job ${job.id} is queued in a local server that stops with this command: it runs the next time a local server ` +
            'starts (`fieldwork serve`, or another `fieldwork run`).',
        );
      }
      return EXIT.ok;
    }
    if (!opts.quiet) cli.err(`Job ${job.id} submitted to ${held.session.where}.`);
    const final = await follow(cli, held, job, opts.quiet);
    if (opts.json) {
      cli.out(JSON.stringify(final, null, 2));
    } else {
      await printSummary(cli, held.session.client, final, estimate);
    }
    return exitCodeForStatus(final.status);
  } finally {
    await held.session.close();
  }
}

/**
 * Submits the job. The local server another command started can stop between finding it and submitting (that command
 * ended): then this one takes the data directory over and submits there, under the same idempotency key, so a server
 * that did take the job answers with it rather than running it twice.
 */
async function submit(held: { session: Session }, submission: Parameters<FieldworkClient['submitJob']>[0]): Promise<Job> {
  const idempotencyKey = randomUUID();
  try {
    return await held.session.client.submitJob(submission, { idempotencyKey });
  } catch (error) {
    const reopen = held.session.reopen;
    if (!(error instanceof ConnectionError) || !reopen) throw error;
    held.session = await reopen();
    return held.session.client.submitJob(submission, { idempotencyKey });
  }
}

/**
 * Follows the job's events until the stream ends; the first Ctrl-C cancels the job and waits, the second exits.
 * When the job ran in another command's local server and that command ended, this one takes the data directory
 * over (the session's reopen) and goes on from the last event seen: the job resumes here.
 */
async function follow(cli: Cli, held: { session: Session }, job: Job, quiet: boolean): Promise<Job> {
  let client = held.session.client;
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
    let after = 0;
    for (;;) {
      try {
        // With a local owner to take over from, give up on it sooner than on a remote server: a reopen finds the
        // same server again if it is still there.
        for await (const event of client.events(job.id, { after, ...(held.session.reopen ? { maxReconnects: 1 } : {}) })) {
          after = event.id;
          view.event(event);
        }
        break;
      } catch (error) {
        const reopen = held.session.reopen;
        if (!(error instanceof ConnectionError) || !reopen) throw error;
        view.note(`The server that ran job ${job.id} has stopped: carrying on with the data directory's next server…`);
        held.session = await reopen();
        client = held.session.client;
        if (!quiet) view.note(`Following job ${job.id} on ${held.session.where}.`);
      }
    }
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
  cli.out(summary.modelTable());
  if (estimate) cli.out(summary.costTable(estimate, job.cost_by_model));
  cli.out(await LAST_TABLE[job.kind](summary, client, job));
}

/** A run's last table, by its kind: a survey's answers per question; an eval's metrics (the job carries them once finished). */
const LAST_TABLE: Record<JobKind, (summary: RunSummary, client: FieldworkClient, job: Job) => Promise<string>> = {
  survey: async (summary) => summary.questionTable(),
  eval: async (_summary, client, job) => metricsTable(job.metrics ?? (await client.metrics(job.id))),
};

/** An estimate that failed for a reason other than the file itself counts as no estimate. */
function unlessInvalid(error: unknown): null {
  if (error instanceof ValidationError) throw error;
  return null;
}
