// A job's live events over SSE: reconnects after a dropped connection from the last event seen, yields each event once.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { JobEvent } from '../api';
import { ConnectionError, FieldworkError, ProtocolError, ServerError, TimeoutError } from './errors';
import { backoffDelay, sleep } from './retry';
import type { Transport } from './transport';

export interface EventStreamOptions {
  /** Yield only events after this id (as the polling form's `after`). */
  after?: number;
  signal?: AbortSignal;
  /** Reconnect when no byte (not even a keepalive comment) arrives for this long. */
  idleTimeoutMs?: number;
  /** Give up after this many reconnects in a row that brought no new event. */
  maxReconnects?: number;
  /** First reconnect delay, until the server sets one with `retry:`. */
  reconnectDelayMs?: number;
}

const RECONNECT_CAP_MS = 10_000;

export async function* followEvents(transport: Transport, jobId: string, options: EventStreamOptions = {}): AsyncGenerator<JobEvent> {
  const path = `/v1/jobs/${encodeURIComponent(jobId)}/events`;
  const label = `GET ${path}`;
  const maxReconnects = options.maxReconnects ?? 10;
  let reconnectDelayMs = options.reconnectDelayMs ?? 500;
  let lastId = options.after ?? 0;
  let failures = 0;
  let lastFailure: FieldworkError | undefined;
  let connected = false;

  for (;;) {
    if (failures > 0) {
      if (failures > maxReconnects) {
        throw new ConnectionError(
          `lost the event stream of job ${jobId} at ${transport.origin} and could not resume it after ${maxReconnects} tries` +
            (lastFailure ? ` (${lastFailure.message})` : '') +
            ' — check that the server is running, then follow the job again',
          { cause: lastFailure },
        );
      }
      await sleep(backoffDelay(failures - 1, { baseMs: reconnectDelayMs, capMs: RECONNECT_CAP_MS }), options.signal);
    }

    let reply;
    try {
      reply = await transport.open(
        {
          method: 'GET',
          path,
          query: { after: lastId > 0 ? lastId : undefined },
          headers: { accept: 'text/event-stream', ...(lastId > 0 ? { 'last-event-id': String(lastId) } : {}) },
          idempotent: true,
          // The first connection retries like any GET and then fails, so a server that is down is reported at once;
          // after a drop, this loop does the reconnecting.
          retries: connected ? 0 : undefined,
          signal: options.signal,
        },
        options.idleTimeoutMs ?? 60_000,
      );
    } catch (error) {
      if (!connected || !isTransient(error)) throw error;
      lastFailure = error;
      failures++;
      continue;
    }
    connected = true;

    const contentType = String(reply.headers['content-type'] ?? '');
    if (!contentType.includes('text/event-stream')) {
      reply.body.destroy();
      throw new ProtocolError(
        `the server's reply to ${label} is ${contentType || 'untyped'}, not text/event-stream — check that ${transport.origin} is a Fieldwork server`,
      );
    }

    const received: JobEvent[] = [];
    let ended = false;
    const parser = createParser({
      onEvent(message: EventSourceMessage) {
        if (message.event === 'end') {
          ended = true;
          return;
        }
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          throw new ProtocolError(`an event on ${label} is not JSON — the server and this client may be different versions`);
        }
        received.push(transport.validate(`${label} (event)`, JobEvent, data));
      },
      onRetry(ms: number) {
        reconnectDelayMs = ms;
      },
    });
    const decoder = new TextDecoder();

    try {
      for await (const chunk of reply.body) {
        parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
        for (const event of received.splice(0)) {
          if (event.id <= lastId) continue; // replayed after a reconnect
          lastId = event.id;
          failures = 0;
          yield event;
        }
        if (ended) return;
      }
      lastFailure = new ConnectionError(`the server closed the event stream of job ${jobId} before its end`);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof FieldworkError) throw error;
      lastFailure = transport.classify(error, { method: 'GET', path });
      if (!isTransient(lastFailure)) throw lastFailure;
    } finally {
      if (!reply.body.destroyed) reply.body.destroy();
    }
    failures++;
  }
}

function isTransient(error: unknown): error is FieldworkError {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  return error instanceof ServerError && error.status !== undefined && [502, 503, 504].includes(error.status);
}
