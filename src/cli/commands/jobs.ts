// `fieldwork jobs list|show|cancel|retry|logs|results`.
import { createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { NotFoundError, type FieldworkClient } from '../../client';
import type { Job, JobEvent, JobStatus, ResultFormat } from '../../api';
import { openSession } from '../connect';
import { EXIT, UsageError } from '../failure';
import { count, details, table, usd } from '../format';
import type { Cli } from '../io';

interface Remote {
  server?: string | undefined;
}

/**
 * An embedded server started for a jobs command does not resume unfinished jobs — it stops when the command ends, and
 * a job started by it would only be interrupted again — except for `logs --follow`, which waits for the job to end.
 */
export async function withClient(
  cli: Cli,
  opts: Remote & { command: string; resume?: boolean; jobId?: string },
  work: (client: FieldworkClient) => Promise<number>,
): Promise<number> {
  const session = await openSession(cli, { server: opts.server, command: opts.command, resume: opts.resume ?? false });
  try {
    return await work(session.client);
  } catch (error) {
    // The client's message names the server's URL: for a server embedded in this command, a port that is gone
    // once it ends. Say which job is missing and where, in words that hold for any server.
    if (error instanceof NotFoundError && opts.jobId !== undefined) {
      throw new NotFoundError(`there is no job ${opts.jobId} of yours on ${session.where} — \`fieldwork jobs list\` shows your jobs`, {
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.problem === undefined ? {} : { problem: error.problem }),
        cause: error,
      });
    }
    throw error;
  } finally {
    await session.close();
  }
}

export function jobsList(cli: Cli, opts: Remote & { status?: JobStatus[]; limit?: number; json: boolean }): Promise<number> {
  return withClient(cli, { ...opts, command: 'fieldwork jobs list' }, async (client) => {
    const list = await client.listJobs({ status: opts.status, limit: opts.limit });
    if (opts.json) {
      cli.out(JSON.stringify(list, null, 2));
      return EXIT.ok;
    }
    if (list.jobs.length === 0) {
      cli.out('No jobs yet. Submit one with `fieldwork run FILE`.');
      return EXIT.ok;
    }
    const rows = list.jobs.map((job) => [
      job.id,
      job.name,
      job.status,
      `${count(job.progress.interviews_done)}/${count(job.progress.interviews_total)}`,
      usd(job.cost.usd),
      job.created_at,
    ]);
    cli.out(table(['id', 'name', 'status', 'interviews', 'cost', 'created'], rows));
    if (list.next_cursor) cli.out('(more jobs: raise --limit to see them)');
    return EXIT.ok;
  });
}

export function jobsShow(cli: Cli, id: string, opts: Remote & { json: boolean }): Promise<number> {
  return withClient(cli, { ...opts, command: 'fieldwork jobs show', jobId: id }, async (client) => {
    const job = await client.getJob(id);
    cli.out(opts.json ? JSON.stringify(job, null, 2) : describeJob(job));
    return EXIT.ok;
  });
}

export function describeJob(job: Job): string {
  const p = job.progress;
  return details([
    ['id', job.id],
    ['name', job.name],
    ['kind', job.kind],
    ['source', job.source_name],
    ['status', job.status],
    ['models', job.models.join(', ')],
    ['interviews', `${count(p.interviews_done)} done, ${count(p.interviews_failed)} failed, of ${count(p.interviews_total)}`],
    ['calls', `${count(p.calls_done)} answered (${count(p.calls_cached)} from the cache), ${count(p.calls_failed)} failed`],
    ['tokens', `${count(job.cost.input_tokens)} in, ${count(job.cost.output_tokens)} out`],
    ['cost', usd(job.cost.usd)],
    ['created', job.created_at],
    ['started', job.started_at ?? '—'],
    ['finished', job.finished_at ?? '—'],
    ...(job.error ? ([['error', job.error]] as [string, string][]) : []),
  ]);
}

export function jobsCancel(cli: Cli, id: string, opts: Remote): Promise<number> {
  return withClient(cli, { ...opts, command: 'fieldwork jobs cancel', jobId: id }, async (client) => {
    const job = await client.cancelJob(id);
    cli.out(`Job ${job.id}: ${job.status}.`);
    return EXIT.ok;
  });
}

export function jobsRetry(cli: Cli, id: string, opts: Remote): Promise<number> {
  return withClient(cli, { ...opts, command: 'fieldwork jobs retry', jobId: id }, async (client) => {
    const job = await client.retryJob(id);
    cli.out(`Job ${job.id}: ${job.status}. Follow it with \`fieldwork jobs logs ${job.id} --follow\`.`);
    return EXIT.ok;
  });
}

export function formatEvent(event: JobEvent): string {
  return `${event.at}  ${event.type.padEnd(16)} ${event.message}`;
}

export function jobsLogs(cli: Cli, id: string, opts: Remote & { follow: boolean }): Promise<number> {
  return withClient(cli, { ...opts, command: 'fieldwork jobs logs', resume: opts.follow, jobId: id }, async (client) => {
    if (opts.follow) {
      for await (const event of client.events(id)) cli.out(formatEvent(event));
      return EXIT.ok;
    }
    let after = 0;
    for (;;) {
      const page = await client.eventPage(id, { after, limit: 500 });
      for (const event of page.events) cli.out(formatEvent(event));
      if (page.events.length === 0 || page.last_event_id === after) return EXIT.ok;
      after = page.last_event_id;
    }
  });
}

export function jobsResults(cli: Cli, id: string, opts: Remote & { format: ResultFormat | 'edsl'; output?: string | undefined }): Promise<number> {
  return withClient(cli, { ...opts, command: 'fieldwork jobs results', jobId: id }, async (client) => {
    const format = opts.format;
    if (format === 'edsl') {
      const text = `${JSON.stringify(await client.edslResults(id))}\n`;
      if (opts.output) writeFileSync(opts.output, text);
      else cli.stdout.write(text);
      if (opts.output) cli.err(`Wrote the results of job ${id} as EDSL Results JSON to ${opts.output}; read them with Results.from_dict(json.load(f)).`);
      return EXIT.ok;
    }
    if (!opts.output) {
      await client.downloadResults(id, format, cli.stdout);
      return EXIT.ok;
    }
    const output = opts.output;
    const file = createWriteStream(output);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (error) => reject(new UsageError(`cannot write ${output}: ${error.message}`, { cause: error })));
    });
    try {
      await client.downloadResults(id, format, file);
      file.end();
      await finished(file);
    } catch (error) {
      // Half a file looks like all of it: remove it.
      file.destroy();
      rmSync(output, { force: true });
      throw error;
    }
    cli.err(`Wrote the results of job ${id} to ${opts.output}.`);
    return EXIT.ok;
  });
}
