// One HTTP exchange with the job server: auth, timeout, abort, retries for idempotent requests, typed errors.
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { Problem } from '../api';
import {
  AuthError,
  ConflictError,
  ConnectionError,
  FieldworkError,
  NotFoundError,
  ProtocolError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
  redact,
} from './errors';
import { RETRYABLE_STATUSES, backoffDelay, parseRetryAfter, sleep } from './retry';

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  retries: number;
  userAgent: string;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to send again: only then are connection errors, 429 and 502/503/504 retried. */
  idempotent: boolean;
  /** Overrides the client's retry count for this request (the event stream does its own reconnecting). */
  retries?: number;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** A body already serialized (to measure it before sending): sent as is. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A reply whose body the caller reads as a stream (SSE, CSV downloads). */
export interface OpenReply {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Marks the abort that our own timer caused, to tell it apart from the caller's. */
class DeadlineReached extends Error {}

export class Transport {
  private readonly agent: Agent;
  readonly origin: string;

  constructor(readonly options: TransportOptions) {
    // One pool per client, kept alive between calls.
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
    this.origin = displayUrl(options.baseUrl);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Sends the request and validates the JSON reply with `schema`. */
  async json<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.output<S>> {
    const label = `${spec.method} ${spec.path}`;
    return this.withRetries(spec, async (signal) => {
      const reply = await this.send(spec, signal, false);
      const text = await reply.body.text();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new ProtocolError(this.clean(`the server's reply to ${label} is not JSON (${snippet(text)}) — check that ${this.origin} is a Fieldwork server`), {
          status: reply.status,
        });
      }
      return this.validate(label, schema, value);
    });
  }

  /** Sends the request and hands back the open reply once its status is good; the timeout covers only the wait for headers. */
  open(spec: RequestSpec, idleTimeoutMs?: number): Promise<OpenReply> {
    return this.withRetries(spec, (signal) => this.send(spec, signal, true, idleTimeoutMs));
  }

  validate<S extends z.ZodType>(label: string, schema: S, value: unknown): z.output<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `at "${issue.path.join('.')}"` : 'at the top level';
    throw new ProtocolError(
      this.clean(
        `the server's reply to ${label} does not match the /v1 format ${where}: ${issue?.message ?? 'invalid'} — ` +
          'the server and this client may be different versions; update both',
      ),
    );
  }

  /** Runs `attempt` under the call's deadline and the caller's signal, retrying what is safe to retry. */
  private async withRetries<T>(spec: RequestSpec, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeoutMs = spec.timeoutMs ?? this.options.timeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineReached()), timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, deadline.signal]) : deadline.signal;
    const startedAt = Date.now();
    try {
      for (let attemptNo = 0; ; attemptNo++) {
        try {
          return await attempt(signal);
        } catch (thrown) {
          const error = this.classify(thrown, spec, { signal: deadline.signal, timeoutMs });
          const retryable = error instanceof ConnectionError || (error.status !== undefined && RETRYABLE_STATUSES.has(error.status));
          if (!spec.idempotent || !retryable || attemptNo >= (spec.retries ?? this.options.retries)) throw error;
          const wait = retryAfterOf(error) ?? backoffDelay(attemptNo);
          // A wait that would outlast the deadline is pointless: report the error now.
          if (Date.now() - startedAt + wait >= timeoutMs) throw error;
          try {
            await sleep(wait, signal);
          } catch (reason) {
            throw this.classify(reason, spec, { signal: deadline.signal, timeoutMs });
          }
        }
      }
    } finally {
      // For a stream the deadline only covered the wait for headers; from here the caller's signal alone governs.
      clearTimeout(timer);
    }
  }

  private async send(spec: RequestSpec, signal: AbortSignal, streaming: boolean, idleTimeoutMs?: number): Promise<OpenReply> {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, '') + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    url.username = '';
    url.password = '';
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.apiKey}`,
      accept: 'application/json',
      'user-agent': this.options.userAgent,
      ...spec.headers,
    };
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = spec.body instanceof JsonText ? spec.body.text : JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }
    const reply = await request(url, {
      dispatcher: this.agent,
      method: spec.method,
      headers,
      body,
      signal,
      ...(streaming ? { bodyTimeout: idleTimeoutMs ?? this.options.timeoutMs } : {}),
    });
    if (reply.statusCode >= 400) throw await this.errorFromReply(spec, reply);
    return { status: reply.statusCode, headers: reply.headers, body: reply.body };
  }

  /** Turns anything thrown during an attempt into a typed error, or rethrows the caller's abort reason. */
  classify(thrown: unknown, spec: Pick<RequestSpec, 'method' | 'path' | 'signal'>, deadline?: { signal: AbortSignal; timeoutMs: number }): FieldworkError {
    if (thrown instanceof FieldworkError) return thrown;
    const label = `${spec.method} ${spec.path}`;
    if (deadline?.signal.aborted && !spec.signal?.aborted) {
      return new TimeoutError(
        `${label} timed out after ${formatSeconds(deadline.timeoutMs)} — the server at ${this.origin} is slow or unreachable; try again or raise the timeout`,
        { cause: thrown },
      );
    }
    if (spec.signal?.aborted) throw spec.signal.reason;
    const code = errorCode(thrown);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new TimeoutError(`${label}: the server at ${this.origin} stopped answering (${code}) — try again`, { cause: thrown });
    }
    if (code !== undefined && CONNECTION_CODES.has(code)) {
      return new ConnectionError(
        `cannot reach the Fieldwork server at ${this.origin} (${code}) — start it with \`fieldwork serve\` or check FIELDWORK_SERVER_URL`,
        { cause: thrown },
      );
    }
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return new FieldworkError(this.clean(`${label} failed: ${message}`), { cause: thrown });
  }

  private async errorFromReply(spec: RequestSpec, reply: Dispatcher.ResponseData): Promise<FieldworkError> {
    const status = reply.statusCode;
    const text = await reply.body.text().catch(() => '');
    let problem: Problem | undefined;
    try {
      const parsed = Problem.safeParse(JSON.parse(text));
      if (parsed.success) problem = parsed.data;
    } catch {
      // Not JSON: a proxy's HTML page, say. The status alone has to do.
    }
    const label = `${spec.method} ${spec.path}`;
    const said = problem ? (problem.detail ?? problem.title) : snippet(text) || `HTTP ${status}`;
    const retryAfterMs = parseRetryAfter(reply.headers['retry-after']);
    const m = (s: string): string => this.clean(s);
    if (status === 401 || status === 403) {
      return new AuthError(m(`the server rejected the API key (${status}: ${said}) — set FIELDWORK_API_KEY or run \`fieldwork login\``), {
        status,
        problem,
      });
    }
    if (status === 404) {
      return new NotFoundError(m(`${said} (${label}) — check the job id, and that ${this.origin} is the server it ran on`), {
        status,
        problem,
      });
    }
    if (status === 400 || status === 413 || status === 422) {
      const issues = problem?.issues ?? [];
      const fix = issues.length > 0 ? `fix the ${issues.length} issue${issues.length === 1 ? '' : 's'} and submit again` : 'fix the request and try again';
      return new ValidationError(m(`${said} — ${fix}`), { status, problem, issues });
    }
    if (status === 409) return new ConflictError(m(`${said} (${label}) — check the job's status first`), { status, problem });
    if (status === 429) {
      const when = retryAfterMs !== undefined ? `in ${formatSeconds(retryAfterMs)}` : 'in a moment';
      return new RateLimitedError(m(`the server is limiting requests (429: ${said}) — try again ${when}`), { status, problem, retryAfterMs });
    }
    const error =
      status >= 500
        ? new ServerError(m(`the server failed on ${label} (${status}: ${said}) — try again; if it persists, check the server's log`), {
            status,
            problem,
          })
        : new FieldworkError(m(`${label} failed (${status}: ${said})`), { status, problem });
    if (retryAfterMs !== undefined) retryAfter.set(error, retryAfterMs);
    return error;
  }

  private clean(message: string): string {
    return redact(message, this.options.apiKey);
  }
}

/** Retry-After of a 502/503/504 reply, kept beside the error rather than on it. */
const retryAfter = new WeakMap<FieldworkError, number>();
function retryAfterOf(error: FieldworkError): number | undefined {
  return error instanceof RateLimitedError ? error.retryAfterMs : retryAfter.get(error);
}

function errorCode(thrown: unknown): string | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const code = (thrown as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (thrown as { cause?: unknown }).cause;
  return cause !== undefined && cause !== thrown ? errorCode(cause) : undefined;
}

/** The base URL without credentials, for messages. */
export function displayUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return baseUrl;
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
