// A service that starts slowly (a local vLLM or Ollama) is not ready until it answers: 404, 503 or a refused
// connection mean "not yet". It is polled with short sleeps up to a capped wait; calls wait for it meanwhile.
import { request } from 'undici';
import { ProviderError, type CallRequest, type Provider } from '../providers/provider';
import { joinUrl } from '../providers/wire';

export type ReadyState = 'probing' | 'ready' | 'failed';

export interface ReadinessOptions {
  service: string;
  url: string;
  /** Total wait before the service counts as failed. */
  capMs: number;
  log: (line: string) => void;
  /** For tests: the first and largest sleep between probes. */
  minSleepMs?: number;
  maxSleepMs?: number;
}

export class Readiness {
  state: ReadyState = 'probing';
  /** What the last probe saw, for messages. */
  lastSeen = 'no answer yet';
  private readonly started = Date.now();
  private readonly waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: ReadinessOptions) {
    void this.poll(options.minSleepMs ?? 250);
  }

  /** Waits up to `ms` for the service (0: just look); resolves to the state then. */
  wait(ms: number, signal: AbortSignal): Promise<ReadyState> {
    if (this.state !== 'probing' || ms <= 0) return Promise.resolve(this.state);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(done);
        resolve(this.state);
      };
      const onAbort = () => {
        clearTimeout(timeout);
        this.waiters.delete(done);
        reject(signal.reason);
      };
      const timeout = setTimeout(done, ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(done);
    });
  }

  remainingMs(): number {
    return Math.max(0, this.options.capMs - (Date.now() - this.started));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.settle(this.state === 'probing' ? 'failed' : this.state);
  }

  private async poll(sleepMs: number): Promise<void> {
    if (this.stopped) return;
    const answer = await this.probe();
    if (this.stopped) return;
    if (answer === 'ready') {
      if (Date.now() - this.started > 1000) this.options.log(`service ${this.options.service} is ready (${this.lastSeen})`);
      return this.settle('ready');
    }
    if (this.remainingMs() <= 0) {
      this.options.log(`service ${this.options.service} did not become ready within ${Math.round(this.options.capMs / 1000)} s (${this.lastSeen})`);
      return this.settle('failed');
    }
    if (sleepMs === (this.options.minSleepMs ?? 250)) this.options.log(`waiting for service ${this.options.service} to be ready (${this.lastSeen})`);
    this.timer = setTimeout(() => void this.poll(Math.min(sleepMs * 2, this.options.maxSleepMs ?? 5000)), Math.min(sleepMs, this.remainingMs()));
    this.timer.unref();
  }

  private async probe(): Promise<'ready' | 'not_ready'> {
    try {
      const response = await request(this.options.url, { method: 'GET', headersTimeout: 5000, bodyTimeout: 5000 });
      await response.body.dump();
      this.lastSeen = `HTTP ${response.statusCode}`;
      // Any answer but "not found" or "unavailable" means the server is up (401 included: it is up, the key is another matter).
      return response.statusCode === 404 || response.statusCode === 503 ? 'not_ready' : 'ready';
    } catch (error) {
      this.lastSeen = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
      return 'not_ready';
    }
  }

  private settle(state: ReadyState): void {
    this.state = state;
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * A provider behind a readiness gate. While the service is starting, a call fails as `overloaded` with a message
 * the job's log shows ("waiting for service X to be ready"), and the scheduler's retry waits in the gate: the first
 * try says so at once, later ones wait up to a third of the cap each, so the scheduler's tries span the whole cap.
 */
export function gated(provider: Provider, readiness: Readiness): Provider {
  const gate = async (attempt: number, signal: AbortSignal): Promise<void> => {
    const slice = attempt === 0 ? 0 : Math.max(1000, readiness.remainingMs() / 3);
    const state = await readiness.wait(slice, signal);
    if (state === 'ready') return;
    if (state === 'failed') {
      throw new ProviderError('fatal', `service ${provider.service} is not ready: it did not answer in time (${readiness.lastSeen})`);
    }
    throw new ProviderError(
      'overloaded',
      `waiting for service ${provider.service} to be ready (${readiness.lastSeen}; up to ${Math.ceil(readiness.remainingMs() / 1000)} s more)`,
      0,
    );
  };
  const wrapped: Provider = {
    service: provider.service,
    call: async (request: CallRequest) => {
      await gate(request.attempt, request.signal);
      return provider.call(request);
    },
  };
  if (provider.evaluate) {
    const evaluate = provider.evaluate.bind(provider);
    wrapped.evaluate = async (request) => {
      await gate(1, request.signal);
      return evaluate(request);
    };
  }
  if (provider.embed) {
    const embed = provider.embed.bind(provider);
    wrapped.embed = async (request) => {
      await gate(1, request.signal);
      return embed(request);
    };
  }
  return wrapped;
}

export function readinessUrl(baseUrl: string, path: string): string {
  return joinUrl(baseUrl, path);
}
