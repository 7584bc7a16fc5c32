// What every HTTP provider shares: one undici Agent per service, JSON in and out, and the mapping of
// failures (status, headers, the provider's message) onto the scheduler's error kinds. No retries here.
import { createParser } from 'eventsource-parser';
import { Agent, errors as undiciErrors, request } from 'undici';
import type { z } from 'zod';
import { ProviderError, type RateLimitSnapshot } from './provider';
import { limitsInMessage, retryAfterMs, retryHintInMessage, type HeaderBag } from './rate-limit-headers';

export interface Endpoint {
  /** The service's name, for messages. */
  service: string;
  /** e.g. `https://api.openai.com/v1`; paths are appended. */
  baseUrl: string;
  /** From the environment; never logged, never in a message. */
  apiKey: string | null;
  /** Extra headers (organization, project, …). */
  headers: Readonly<Record<string, string>>;
  /** How long to wait for a reply (Aleph Alpha closes requests after 300 s). */
  timeoutMs: number;
}

export interface WireReply {
  status: number;
  headers: HeaderBag;
  /** Parsed JSON, or null when the body was not JSON (or was a stream). */
  json: unknown;
  text: string;
  /** A streamed reply's server-sent events, in order (null when the reply was not a stream). */
  events: StreamEvent[] | null;
}

export interface StreamEvent {
  event: string | undefined;
  data: string;
}

export interface SendOptions {
  /** Ask for server-sent events; a server that answers with plain JSON instead is read as before. */
  stream?: boolean;
  /** Told the reply's headers as soon as they arrive, before its body. */
  onHeaders?: (headers: HeaderBag) => void;
}

/** Replies with a retry-after this long are a daily quota, not a rate limit: waiting is no use. */
const QUOTA_RETRY_AFTER_MS = 60 * 60 * 1000;
const MAX_MESSAGE = 500;

export class Wire {
  private readonly agent: Agent;

  constructor(readonly endpoint: Endpoint) {
    this.agent = new Agent({
      headersTimeout: endpoint.timeoutMs,
      bodyTimeout: endpoint.timeoutMs,
      connectTimeout: Math.min(endpoint.timeoutMs, 30_000),
      keepAliveTimeout: 30_000,
    });
  }

  async send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal: AbortSignal,
    options: SendOptions = {},
  ): Promise<WireReply> {
    const url = joinUrl(this.endpoint.baseUrl, path);
    let response;
    try {
      response = await request(url, {
        method,
        dispatcher: this.agent,
        signal,
        headers: {
          ...this.endpoint.headers,
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          accept: options.stream ? 'text/event-stream' : 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw this.networkFailure(error, signal);
    }
    const replyHeaders = response.headers as HeaderBag;
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    if (ok) options.onHeaders?.(replyHeaders);
    const contentType = String(replyHeaders['content-type'] ?? '');
    if (options.stream && ok && contentType.startsWith('text/event-stream')) {
      const events: StreamEvent[] = [];
      const parser = createParser({ onEvent: (event) => events.push({ event: event.event, data: event.data }) });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      } catch (error) {
        throw this.networkFailure(error, signal);
      }
      return { status: response.statusCode, headers: replyHeaders, json: null, text: '', events };
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.networkFailure(error, signal);
    }
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: response.statusCode, headers: replyHeaders, json, text, events: null };
  }

  /** One streamed event's data, as `schema` says it must be; else a transient failure naming `what` it should be. */
  eventData<S extends z.ZodType>(event: StreamEvent, schema: S, what: string, status: number): z.infer<S> {
    const said = () => this.redact(event.data.slice(0, 200));
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      throw new ProviderError('transient', `${this.endpoint.service}: a streamed event is not JSON: ${said()}`, null, status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ProviderError('transient', `${this.endpoint.service}: a streamed event is not ${what}: ${said()}`, null, status);
    return parsed.data;
  }

  /** Removes the key from any text that may leave this process (a provider may echo it in an error). */
  redact(text: string): string {
    const key = this.endpoint.apiKey;
    let clean = key && key.length >= 4 ? text.split(key).join('***') : text;
    if (clean.length > MAX_MESSAGE) clean = `${clean.slice(0, MAX_MESSAGE)}…`;
    return clean;
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private networkFailure(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason;
    const code = (error as { code?: string } | null)?.code ?? '';
    const what =
      error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError
        ? `no reply within ${Math.round(this.endpoint.timeoutMs / 1000)} s`
        : `${code || (error instanceof Error ? error.message : String(error))}`;
    // Connection refused, reset, timeouts: the service may be back in a moment.
    return new ProviderError('transient', `${this.endpoint.service}: could not reach ${this.endpoint.baseUrl} (${this.redact(what)})`);
  }
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export interface FailureFacts {
  wire: Wire;
  status: number;
  headers: HeaderBag;
  /** The provider's own words. */
  message: string;
  /** The provider's error code or type, e.g. `insufficient_quota`, `overloaded_error`. */
  code: string | null;
  limits: RateLimitSnapshot | null;
  /** The wall clock a retry-after given as a date is read against (now, unless simulated). */
  now?: number;
}

/** A non-2xx reply → the scheduler's kind, with the provider's reason (and never the key). */
export function failure(facts: FailureFacts): ProviderError {
  const { wire, status, headers, code, limits } = facts;
  const message = wire.redact(facts.message || `HTTP ${status}`);
  const said = `${wire.endpoint.service}: HTTP ${status}${code ? ` ${code}` : ''}: ${message}`;
  const now = facts.now ?? Date.now();
  const after = retryAfterMs(headers, now) ?? (status === 429 ? retryHintInMessage(facts.message) : null);
  const fatal = (why: string) => new ProviderError('fatal', why ? `${said} (${why})` : said, null, status, limits);

  if (/request too large|context[_ ]length|maximum context|too many tokens|prompt is too long/i.test(facts.message)) {
    return fatal('the request is too large for this model: shorten the prompt or lower max_tokens');
  }
  if (status === 429) {
    if (code === 'insufficient_quota' || /insufficient_quota|exceeded your current quota|billing/i.test(facts.message)) {
      return fatal('no quota left on this key: add credit or raise the limit');
    }
    if (after !== null && after >= QUOTA_RETRY_AFTER_MS) {
      return fatal(`a quota that resets in ${Math.round(after / 3_600_000)} h: waiting is no use`);
    }
    return new ProviderError(
      'rate_limited',
      said,
      after,
      status,
      withMessage(limits, limitsInMessage(facts.message, after)),
      after !== null && retryAfterMs(headers, now) === null,
    );
  }
  if (status === 529 || status === 503 || code === 'overloaded_error') {
    return new ProviderError('overloaded', said, after, status, limits);
  }
  if (status === 408 || status === 409 || status >= 500) return new ProviderError('transient', said, after, status, limits);
  if (status === 401) return fatal('the API key was refused: check the key in the environment of the server');
  if (status === 403) return fatal('this key may not use this model or endpoint');
  if (status === 402) return fatal('payment required: no credit left on this account');
  if (status === 413) return fatal('the request is too large');
  if (status === 404) return fatal('no such model or endpoint on this service: check the model name and base_url');
  return fatal('');
}

/** `{"error": {"message", "type", "code"}}` (OpenAI, Anthropic) or `{"error": "...", "code": "..."}` (Aleph Alpha). */
export function errorDetails(reply: WireReply): { message: string; code: string | null } {
  const body = reply.json as Record<string, unknown> | null;
  const inner = body && typeof body.error === 'object' && body.error !== null ? (body.error as Record<string, unknown>) : null;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const message =
    text(inner?.message) ??
    text(body?.error) ??
    text(body?.message) ??
    text(body?.detail) ??
    (reply.text.trim().slice(0, MAX_MESSAGE) || `HTTP ${reply.status}`);
  const code = text(inner?.code) ?? text(inner?.type) ?? text(body?.code) ?? null;
  return { message, code };
}

/**
 * A 429's headers with what its message says. Without headers, the message may still name the limit (and what is used
 * of it). With them, the limit it names is marked as the one reached: a `remaining` in other units than the lane
 * charges in (per minute, over a 1 s window) can show room on the very limit the provider turned the call away for.
 */
function withMessage(limits: RateLimitSnapshot | null, said: RateLimitSnapshot | null): RateLimitSnapshot | null {
  if (limits === null || said === null) return limits ?? said;
  const merged: RateLimitSnapshot = { ...said, ...limits };
  for (const dimension of Object.keys(said) as (keyof RateLimitSnapshot)[]) {
    const reading = limits[dimension];
    if (reading) merged[dimension] = { ...reading, named: true };
  }
  return merged;
}
