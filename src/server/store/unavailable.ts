// When the store's database cannot be reached — a PostgreSQL server restarting, a network cut — work waits and tries
// again instead of failing, and a request answers 503 with Retry-After instead of a 500. SQLite never raises these.

/** Node's socket errors, and PostgreSQL's "admin shutdown", "crash shutdown", "cannot connect now" and class 08. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable|connection error/i;

export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

export interface RetryOptions {
  /** Stop waiting (and throw the last error) once this is true: the server is closing. */
  stopped?: () => boolean;
  /** Longest outage waited out, in ms (default 10 minutes). */
  maxMs?: number;
  onWait?: (error: Error, attempt: number) => void;
}

/** Runs fn, and again after a pause (0.25 s doubling to 5 s) for as long as the store is unavailable. */
export async function whileUnavailable<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isStoreUnavailable(error) || options.stopped?.() || Date.now() - started > (options.maxMs ?? 600_000)) throw error;
      options.onWait?.(error as Error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** (attempt - 1))));
    }
  }
}
