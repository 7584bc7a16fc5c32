// A real /v1 server over loopback on a real SQLite file, with a small scripted job manager behind it: these tests
// pin down the HTTP layer; the end-to-end tests run the real core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { isFinished, type Estimate, type Job, type JobEvent, type JobStatus, type JobSubmission, type ModelInfo } from '../../../src/api';
import { createApp } from '../../../src/server/app';
import { JobError, type JobManager } from '../../../src/server/jobs/job-manager';
import { openSqliteStore, type SqliteStore } from '../../../src/server/store/sqlite';
import type { NewEvent, StoredJob } from '../../../src/server/store/store';

export const MAX_BODY_BYTES = 4096;

/** Submissions whose source text is this are refused as invalid specs, with one issue. */
export const INVALID_SPEC_TEXT = 'questions: 42';

export const ESTIMATE: Estimate = {
  interviews: 2,
  models: [
    {
      model: 'test/echo',
      calls: 4,
      cached_calls: 1,
      input_tokens: 400,
      output_tokens: { low: 10, expected: 20, high: 40 },
      usd: null,
      price_source: 'free',
      token_source: 'chars/4 approximation',
    },
  ],
  total: { calls: 4, cached_calls: 1, input_tokens: 400, output_tokens: { low: 10, expected: 20, high: 40 }, usd: null },
  notes: [],
};

export const MODELS: ModelInfo[] = [{ id: 'test/echo', service: 'test', provider: 'test', price: null, capabilities: ['chat'] }];

const toWire = (job: StoredJob): Job => {
  const { submission: _submission, idempotency_key: _key, ...wire } = job;
  return wire;
};

/** Does what the real core does with the store and events, and lets a test drive a job's life by hand. */
export class ScriptedJobs implements JobManager {
  private readonly listeners = new Map<string, Set<(event: JobEvent) => void>>();
  private nextId = 1;
  /** Set to make the next call to models() throw, as a bug in the core would. */
  failModels = false;

  constructor(private readonly store: SqliteStore) {}

  async submit(owner: string, submission: JobSubmission, idempotencyKey: string | null): Promise<{ job: Job; created: boolean }> {
    if (idempotencyKey) {
      const existing = await this.store.findJobByIdempotencyKey(owner, idempotencyKey);
      if (existing) return { job: toWire(existing), created: false };
    }
    this.refuseInvalid(submission);
    const job = await this.store.insertJob({
      id: `job_${String(this.nextId++).padStart(4, '0')}`,
      kind: 'survey',
      name: submission.source.name.replace(/\..*$/, ''),
      source_name: submission.source.name,
      owner,
      models: ['test/echo'],
      interviews_total: 2,
      submission: { source: submission.source, files: submission.files ?? {} },
      idempotency_key: idempotencyKey,
    });
    await this.emit({ job_id: job.id, type: 'queued', message: 'Queued.' });
    return { job: toWire(job), created: true };
  }

  async estimate(_owner: string, submission: JobSubmission): Promise<Estimate> {
    this.refuseInvalid(submission);
    return ESTIMATE;
  }

  async get(owner: string, id: string): Promise<Job> {
    const job = await this.store.getJob(id);
    if (!job || job.owner !== owner) throw new JobError('not_found', `No job ${id} for this API key's user.`);
    return toWire(job);
  }

  async cancel(owner: string, id: string): Promise<Job> {
    const job = await this.get(owner, id);
    if (isFinished(job.status)) throw new JobError('conflict', `Job ${id} is already ${job.status}.`);
    await this.finish(id, 'cancelled', 'cancelled', 'Cancelled.');
    return this.get(owner, id);
  }

  async retry(owner: string, id: string): Promise<Job> {
    const job = await this.get(owner, id);
    if (!['failed', 'partially_failed', 'cancelled'].includes(job.status)) {
      throw new JobError('conflict', `Job ${id} is ${job.status}; only failed or cancelled jobs can be retried.`);
    }
    await this.store.setJobStatus(id, 'queued', { error: null, finished: false });
    await this.emit({ job_id: id, type: 'queued', message: 'Retry.' });
    return this.get(owner, id);
  }

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(jobId);
    };
  }

  models(): ModelInfo[] {
    if (this.failModels) throw new Error('the price table is corrupt');
    return MODELS;
  }

  async runningCount(): Promise<number> {
    return (await this.store.unfinishedJobs()).filter((job) => job.status === 'running').length;
  }

  // ---- for tests

  /** Stores an event, then tells subscribers: the order the real core keeps. */
  async emit(event: NewEvent): Promise<JobEvent> {
    return this.deliver(await this.store.appendEvent(event));
  }

  /** Sets a finished status and stores the final event in the same transaction, as the core does. */
  async finish(id: string, status: JobStatus, type: JobEvent['type'], message: string): Promise<JobEvent> {
    const stored = await this.store.setJobStatus(id, status, { finished: true }, { job_id: id, type, message, data: { status } });
    return this.deliver(stored!);
  }

  private deliver(stored: JobEvent): JobEvent {
    for (const listener of [...(this.listeners.get(stored.job_id) ?? [])]) listener(stored);
    return stored;
  }

  listenerCount(jobId: string): number {
    return this.listeners.get(jobId)?.size ?? 0;
  }

  private refuseInvalid(submission: JobSubmission): void {
    if (submission.source.text === INVALID_SPEC_TEXT) {
      throw new JobError('invalid_spec', 'questions must be a list', [
        { file: submission.source.name, line: 1, column: 12, end_line: 1, end_column: 14, path: ['questions'], message: 'Expected a list of questions.' },
      ]);
    }
  }
}

export interface TestServer {
  url: string;
  /** A key for user "ada", and one for "grace". */
  key: string;
  otherKey: string;
  store: SqliteStore;
  jobs: ScriptedJobs;
  logs: string[];
  /** fetch against the server with ada's key unless headers say otherwise. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

export async function startTestServer(t: { after: (fn: () => Promise<void> | void) => void }, options: { keepaliveMs?: number } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-http-'));
  const store = openSqliteStore(join(dir, 'fieldwork.db'));
  const jobs = new ScriptedJobs(store);
  const logs: string[] = [];
  const app = createApp({
    store,
    jobs,
    version: '9.9.9-test',
    limits: { max_body_bytes: MAX_BODY_BYTES, max_questions: 2000, max_interviews: 1_000_000 },
    log: (line) => logs.push(line),
    ...(options.keepaliveMs ? { keepaliveMs: options.keepaliveMs } : {}),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const key = (await store.createApiKey('ada')).key;
  const otherKey = (await store.createApiKey('grace')).key;

  t.after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    url,
    key,
    otherKey,
    store,
    jobs,
    logs,
    request: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
      return fetch(`${url}${path}`, { ...init, headers });
    },
  };
}

export const submission = (text = 'questions: []', name = 'ask.survey.yaml'): JobSubmission => ({ source: { name, text }, files: {} });

export const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
