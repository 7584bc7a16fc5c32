// The typed client of the /v1 job server API: used by the CLI, the extension and the tests.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  Estimate,
  EventPage,
  Health,
  Job,
  JobList,
  JobSource,
  MetricsReport,
  ModelList,
  ResultPage,
  type JobEvent,
  type JobListQuery,
  type JobSubmission,
  type ModelInfo,
  type Result,
  type ResultFormat,
  type ServerLimits,
  wholeMegabytes,
} from '../api';
import { ValidationError } from './errors';
import { followEvents } from './event-stream';
import { JsonText, Transport } from './transport';
import { VERSION } from '../api/version';

/** GET /api/v0/object: results as EDSL's client reads them. */
const EdslObject = z.object({ json_string: z.string(), object_type: z.literal('results') });

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per call, including its retries; for streams, the wait for the reply's headers and the longest silence. Default 30 s. */
  timeoutMs?: number;
  /** Retries of idempotent requests after connection errors, 429 and 502/503/504. Default 3. */
  retries?: number;
  userAgent?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface EventsOptions {
  after?: number;
  signal?: AbortSignal;
  /** Reconnect when the stream is silent (no event, no keepalive) for this long. Default 60 s. */
  idleTimeoutMs?: number;
}

/** Where `downloadResults` writes: a stream (backpressure respected) or a function given text chunks. */
export type ResultSink = NodeJS.WritableStream | ((chunk: string) => void);

/** The smallest body limit a server can have (`--max-body-mb 1`): smaller uploads are never checked first. */
const MIN_BODY_LIMIT = 1024 * 1024;

export class FieldworkClient {
  private readonly transport: Transport;
  /** The server's limits once asked (see serverLimits). */
  private limits: Promise<ServerLimits | null> | null = null;

  constructor(options: ClientOptions) {
    this.transport = new Transport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      userAgent: options.userAgent ?? `fieldwork-client/${VERSION}`,
    });
  }

  /** The server's URL without credentials, for messages. */
  get baseUrl(): string {
    return this.transport.origin;
  }

  async health(opts: CallOptions = {}): Promise<Health> {
    const health = await this.transport.json({ method: 'GET', path: '/v1/health', idempotent: true, ...opts }, Health);
    this.limits = Promise.resolve(health.limits ?? null);
    return health;
  }

  /** What the server refuses, from /v1/health (asked once); null when the server does not say or cannot be asked. */
  serverLimits(opts: CallOptions = {}): Promise<ServerLimits | null> {
    this.limits ??= this.health(opts).then(
      (health) => health.limits ?? null,
      () => {
        // Asked again next time; the request itself will say what is wrong with the server.
        this.limits = null;
        return null;
      },
    );
    return this.limits;
  }

  /**
   * The submission as JSON, refused before it is sent when it is larger than the server accepts. A body within the
   * smallest limit a server can be given (--max-body-mb 1) needs no question to the server.
   */
  private async upload(submission: JobSubmission, opts: CallOptions): Promise<JsonText> {
    const text = JSON.stringify(submission);
    const bytes = Buffer.byteLength(text);
    const limits = bytes > MIN_BODY_LIMIT || this.limits ? await this.serverLimits(opts) : null;
    if (limits && bytes > limits.max_body_bytes) {
      throw new ValidationError(
        `${submission.source.name} with the files it names comes to ${wholeMegabytes(bytes)}; the server at ${this.baseUrl} accepts at most ` +
          `${wholeMegabytes(limits.max_body_bytes)} per request — make the scenario files smaller or split the survey, or start the server with a larger --max-body-mb`,
        { status: 413 },
      );
    }
    return new JsonText(text);
  }

  async models(opts: CallOptions = {}): Promise<ModelInfo[]> {
    const list = await this.transport.json({ method: 'GET', path: '/v1/models', idempotent: true, ...opts }, ModelList);
    return list.models;
  }

  /** Side-effect free on the server, so retried like a GET. */
  async estimate(submission: JobSubmission, opts: CallOptions = {}): Promise<Estimate> {
    const body = await this.upload(submission, opts);
    return this.transport.json({ method: 'POST', path: '/v1/estimates', body, idempotent: true, ...opts }, Estimate);
  }

  /** The idempotency key (generated when not given) makes this POST safe to retry: the server answers the same job. */
  async submitJob(submission: JobSubmission, opts: CallOptions & { idempotencyKey?: string } = {}): Promise<Job> {
    const { idempotencyKey = randomUUID(), ...call } = opts;
    const body = await this.upload(submission, call);
    return this.transport.json(
      {
        method: 'POST',
        path: '/v1/jobs',
        body,
        headers: { 'idempotency-key': idempotencyKey },
        idempotent: true,
        ...call,
      },
      Job,
    );
  }

  listJobs(query: JobListQuery = {}, opts: CallOptions = {}): Promise<JobList> {
    return this.transport.json(
      {
        method: 'GET',
        path: '/v1/jobs',
        query: {
          status: query.status && query.status.length > 0 ? query.status.join(',') : undefined,
          limit: query.limit,
          cursor: query.cursor,
        },
        idempotent: true,
        ...opts,
      },
      JobList,
    );
  }

  getJob(id: string, opts: CallOptions = {}): Promise<Job> {
    return this.transport.json({ method: 'GET', path: jobPath(id), idempotent: true, ...opts }, Job);
  }

  /** Cancelling twice is the same as once, so this is retried. */
  cancelJob(id: string, opts: CallOptions = {}): Promise<Job> {
    return this.transport.json({ method: 'POST', path: `${jobPath(id)}/cancel`, idempotent: true, ...opts }, Job);
  }

  /** Not retried: a second retry of a job that failed again would run its interviews twice. */
  retryJob(id: string, opts: CallOptions = {}): Promise<Job> {
    return this.transport.json({ method: 'POST', path: `${jobPath(id)}/retry`, idempotent: false, ...opts }, Job);
  }

  /** The polling form of the event log; `wait` (seconds) lets the server hold the reply until an event comes. */
  eventPage(id: string, q: { after?: number; limit?: number; wait?: number } = {}, opts: CallOptions = {}): Promise<EventPage> {
    const timeoutMs = (opts.timeoutMs ?? this.transport.options.timeoutMs) + (q.wait ?? 0) * 1000;
    return this.transport.json(
      {
        method: 'GET',
        path: `${jobPath(id)}/events`,
        query: { after: q.after, limit: q.limit, wait: q.wait },
        idempotent: true,
        signal: opts.signal,
        timeoutMs,
      },
      EventPage,
    );
  }

  /** Live events over SSE; survives dropped connections, yields each event once, ends when the server sends `end`. */
  events(id: string, opts: EventsOptions = {}): AsyncIterable<JobEvent> {
    return followEvents(this.transport, id, opts);
  }

  /** An eval job's metrics so far, per model and scorer (a finished eval job also carries them as `metrics`). */
  async metrics(id: string, opts: CallOptions = {}): Promise<MetricsReport['metrics']> {
    const report = await this.transport.json({ method: 'GET', path: `${jobPath(id)}/metrics`, idempotent: true, ...opts }, MetricsReport);
    return report.metrics;
  }

  /** The file a job was submitted with (a survey sent by EDSL's client: as Fieldwork runs it). */
  jobSource(id: string, opts: CallOptions = {}): Promise<JobSource> {
    return this.transport.json({ method: 'GET', path: `${jobPath(id)}/source`, idempotent: true, ...opts }, JobSource);
  }

  /** A survey job's results as EDSL's Results.to_dict(), from the server's /api/v0 (the endpoints EDSL's client calls). */
  async edslResults(id: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    const path = `/api/v0/object?uuid=${encodeURIComponent(id)}`;
    const reply = await this.transport.json({ method: 'GET', path, idempotent: true, ...opts }, EdslObject);
    return JSON.parse(reply.json_string) as Record<string, unknown>;
  }

  /** A page of results; `interviews` ([first, last]) asks for those interviews' only, as a progress event names them. */
  results(id: string, q: { cursor?: string; limit?: number; interviews?: readonly [number, number] } = {}, opts: CallOptions = {}): Promise<ResultPage> {
    return this.transport.json(
      {
        method: 'GET',
        path: `${jobPath(id)}/results`,
        query: { format: 'json', cursor: q.cursor, limit: q.limit, interviews: q.interviews ? `${q.interviews[0]}-${q.interviews[1]}` : undefined },
        idempotent: true,
        ...opts,
      },
      ResultPage,
    );
  }

  /** Every result of a job, page by page: memory holds one page at a time. */
  async *allResults(id: string, opts: CallOptions & { pageSize?: number; interviews?: readonly [number, number] } = {}): AsyncGenerator<Result> {
    const { pageSize = 500, interviews, ...call } = opts;
    let cursor: string | undefined;
    do {
      const page = await this.results(id, { cursor, limit: pageSize, ...(interviews ? { interviews } : {}) }, call);
      yield* page.results;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Streams all results in `format` to `sink`. JSON is written as one array, assembled from pages. */
  async downloadResults(id: string, format: ResultFormat, sink: ResultSink, opts: CallOptions = {}): Promise<void> {
    const write = writerFor(sink);
    if (format === 'json') {
      let first = true;
      await write('[');
      for await (const result of this.allResults(id, opts)) {
        await write(`${first ? '\n' : ',\n'}${JSON.stringify(result)}`);
        first = false;
      }
      await write(first ? ']\n' : '\n]\n');
      return;
    }
    const reply = await this.transport.open({
      method: 'GET',
      path: `${jobPath(id)}/results`,
      query: { format },
      headers: { accept: format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
      idempotent: true,
      ...opts,
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of reply.body) {
        const text = decoder.decode(chunk as Buffer, { stream: true });
        if (text) await write(text);
      }
      const rest = decoder.decode();
      if (rest) await write(rest);
    } catch (error) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      throw this.transport.classify(error, { method: 'GET', path: `${jobPath(id)}/results` });
    }
  }

  /** Closes the connection pool; pending calls fail. */
  close(): Promise<void> {
    return this.transport.close();
  }
}

function jobPath(id: string): string {
  return `/v1/jobs/${encodeURIComponent(id)}`;
}

function writerFor(sink: ResultSink): (text: string) => Promise<void> {
  if (typeof sink === 'function') {
    return async (text) => sink(text);
  }
  return (text) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      sink.once('error', onError);
      const flushed = sink.write(text);
      const done = (): void => {
        sink.removeListener('error', onError);
        resolve();
      };
      if (flushed) done();
      else sink.once('drain', done);
    });
}
