// A small pool of worker threads that parse and check submitted surveys and evals, so that a large or hostile file
// never holds the server's event loop: other users' requests (and /v1/health) are answered while it is read. Each
// worker has a memory limit and each task a time limit; a worker that exceeds either is ended and replaced, and the
// submission is refused. Idle workers end after a while and give their memory back.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReplyMessage, SpecReply, SpecTask, TaskMessage } from './messages';

export interface SpecPoolOptions {
  /** Workers at most. */
  size: number;
  /** Heap limit of each worker, in MB (V8's old generation). */
  heapMb: number;
  /** Longest a check may take, in ms. */
  timeoutMs: number;
  /** Checks waiting for a worker at most; more are refused as busy. */
  maxQueued: number;
  /** A worker idle this long ends. */
  idleMs: number;
  log: (line: string) => void;
  /** The worker's script; by default the bundle's `format-worker.js`, else `worker.ts` beside this file. */
  script?: string;
}

export type SpecPoolFailure = 'memory' | 'timeout' | 'busy' | 'crashed' | 'closed';

export class SpecPoolError extends Error {
  constructor(
    readonly kind: SpecPoolFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SpecPoolError';
  }
}

interface Pending {
  id: number;
  task: SpecTask;
  resolve: (reply: SpecReply) => void;
  reject: (error: SpecPoolError) => void;
}

interface Slot {
  worker: Worker;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
  /** The worker has started running (its check's time counts from then). */
  online: boolean;
}

export class SpecPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private readonly script: string;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: SpecPoolOptions) {
    this.script = options.script ?? defaultScript();
  }

  /** Parses and checks one submission in a worker. Rejects with a SpecPoolError when no worker could finish it. */
  check(task: SpecTask): Promise<SpecReply> {
    if (this.closed) return Promise.reject(new SpecPoolError('closed', 'the server is stopping'));
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(new SpecPoolError('busy', `the server is already checking ${this.options.maxQueued} files`));
    }
    return new Promise<SpecReply>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.dispatch();
    });
  }

  /** Workers running now (busy or idle). */
  get workers(): number {
    return this.slots.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new SpecPoolError('closed', 'the server is stopping'));
    await Promise.all([...this.slots].map((slot) => this.end(slot, new SpecPoolError('closed', 'the server is stopping'))));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((candidate) => candidate.job === null);
      if (!slot) {
        if (this.slots.size >= this.options.size) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      if (slot.timer) clearTimeout(slot.timer);
      slot.job = job;
      const chosen = slot;
      // The check's time starts when its worker is running: a new worker's start on a loaded machine is not the file's.
      const start = () => {
        if (chosen.job !== job) return;
        chosen.timer = setTimeout(() => {
          this.options.log(`spec check of ${job.task.source.name} took longer than ${this.options.timeoutMs} ms: its worker was stopped`);
          void this.end(chosen, new SpecPoolError('timeout', `checking it took longer than ${seconds(this.options.timeoutMs)}`));
        }, this.options.timeoutMs);
        chosen.timer.unref();
      };
      slot.timer = null;
      if (slot.online) start();
      else slot.worker.once('online', start);
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, task: job.task } satisfies TaskMessage);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, {
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    // An idle worker never keeps the process alive; a busy one does, until its check is answered.
    worker.unref();
    const slot: Slot = { worker, job: null, timer: null, online: false };
    worker.once('online', () => (slot.online = true));
    this.slots.add(slot);
    worker.on('message', (message: ReplyMessage) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      slot.job = null;
      slot.worker.unref();
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = setTimeout(() => void this.end(slot, null), this.options.idleMs);
      slot.timer.unref();
      job.resolve(message.reply);
      this.dispatch();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (!memory) this.options.log(`spec worker failed: ${error.stack ?? error.message}`);
      const failure = memory
        ? new SpecPoolError('memory', `reading it needed more than the ${this.options.heapMb} MB a check may use`)
        : new SpecPoolError('crashed', `the worker checking it failed: ${error.message}`);
      this.forget(slot, failure);
    });
    worker.on('exit', () => this.forget(slot, new SpecPoolError('crashed', 'the worker checking it stopped')));
    return slot;
  }

  /** Ends a worker; its task, if any, fails with `failure`. */
  private async end(slot: Slot, failure: SpecPoolError | null): Promise<void> {
    this.forget(slot, failure ?? new SpecPoolError('crashed', 'the worker checking it stopped'));
    await slot.worker.terminate().catch(() => undefined);
  }

  /** Drops a slot that ended (or is ending), rejects its task and lets the queue move on with a new worker. */
  private forget(slot: Slot, failure: SpecPoolError): void {
    if (!this.slots.delete(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    job?.reject(failure);
    if (!this.closed) this.dispatch();
  }
}

/** A time limit in words: "300 ms", "30 s". */
function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function defaultScript(): string {
  // In the bundle (dist/fieldwork.js) this module's directory is dist/, where esbuild writes format-worker.js.
  const bundled = join(__dirname, 'format-worker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'worker.ts');
}

/**
 * The server's pool: one worker per core but one (the event loop keeps a core), at most four; each may use four
 * times the largest body (a parse holds the text, its tokens and the values), and at least 256 MB.
 */
export function serverSpecPool(maxBodyBytes: number, log: (line: string) => void): SpecPool {
  const cores = availableParallelism();
  return new SpecPool({
    size: Math.max(1, Math.min(4, cores - 1)),
    heapMb: Math.max(256, Math.ceil((4 * maxBodyBytes) / (1024 * 1024))),
    timeoutMs: 30_000,
    maxQueued: 32,
    // Short: a parked worker holds its heap (tens of MB after a large file) for as long as it waits.
    idleMs: 500,
    log,
  });
}
