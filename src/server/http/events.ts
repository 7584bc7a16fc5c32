// GET /v1/jobs/:id/events — a job's log as Server-Sent Events (replay, then live) or as long-polled JSON pages.
//
// Both forms subscribe to live events BEFORE reading the stored ones: an event stored between the read and the
// subscription would otherwise be missed. Events then arrive twice at most, and ids de-duplicate them.
import type { Context } from 'hono';
import { isFinished, type EventPage, type JobEvent } from '../../api';
import type { JobManager } from '../jobs/job-manager';
import type { Store } from '../store/store';
import { integerParam, secondsParam } from './request';
import type { AppDeps, AppEnv } from './types';

const MAX_WAIT_SECONDS = 30;
const DEFAULT_PAGE = 1000;
const MAX_PAGE = 10_000;
/** Events read from the store per SSE chunk while replaying. */
const REPLAY_BATCH = 500;
/** How often a waiting stream or poll looks whether its job finished without a new event. */
const FINISH_CHECK_MS = 1000;
const MAX_EVENT_ID = Number.MAX_SAFE_INTEGER;

export function eventsRoute(deps: AppDeps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const user = c.var.user;
    const jobId = c.req.param('id')!;
    await deps.jobs.get(user, jobId); // not_found unless the job is the caller's

    const lastEventId = c.req.header('last-event-id');
    const afterParam = c.req.query('after');
    const wantsStream = (c.req.header('accept') ?? '').includes('text/event-stream');
    const after = integerParam(wantsStream && lastEventId ? lastEventId : afterParam, wantsStream && lastEventId ? 'Last-Event-ID' : 'after', {
      min: 0,
      max: MAX_EVENT_ID,
      fallback: 0,
    });

    const follow: Follow = { store: deps.store, jobs: deps.jobs, user, jobId };
    if (wantsStream) {
      const stream = eventStream(follow, after, deps.keepaliveMs ?? 15_000, deps.log, c.req.raw.signal);
      return new Response(stream, {
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        },
      });
    }

    const limit = integerParam(c.req.query('limit'), 'limit', { min: 1, max: MAX_PAGE, fallback: DEFAULT_PAGE });
    const waitSeconds = secondsParam(c.req.query('wait'), 'wait', MAX_WAIT_SECONDS);
    return c.json(await pollEvents(follow, after, limit, waitSeconds * 1000, c.req.raw.signal));
  };
}

interface Follow {
  store: Store;
  jobs: JobManager;
  user: string;
  jobId: string;
}

const jobFinished = async (follow: Follow): Promise<boolean> => isFinished((await follow.jobs.get(follow.user, follow.jobId)).status);

async function pollEvents(follow: Follow, after: number, limit: number, waitMs: number, signal: AbortSignal): Promise<EventPage> {
  let woken = false;
  let wake = (): void => {
    woken = true;
  };
  const unsubscribe = follow.jobs.subscribe(follow.jobId, () => wake());
  try {
    // Status first, then events: a job's final status is stored with its final event, so "finished" here means
    // that event is among those read after it.
    const read = async (): Promise<EventPage> => {
      const finished = await jobFinished(follow);
      const events = await follow.store.eventsAfter(follow.jobId, after, limit);
      return { events, last_event_id: events.at(-1)?.id ?? after, done: finished && events.length < limit };
    };
    let page = await read();
    if (page.events.length > 0 || page.done || waitMs <= 0 || signal.aborted) return page;
    if (!woken) {
      await new Promise<void>((resolve) => {
        const finishCheck = setInterval(
          () => {
            jobFinished(follow).then(
              (finished) => finished && done(),
              () => done(), // the read below reports what is wrong
            );
          },
          Math.min(FINISH_CHECK_MS, waitMs),
        );
        const deadline = setTimeout(done, waitMs);
        function done(): void {
          clearInterval(finishCheck);
          clearTimeout(deadline);
          signal.removeEventListener('abort', done);
          resolve();
        }
        wake = done;
        signal.addEventListener('abort', done);
      });
    }
    page = await read();
    return page;
  } finally {
    unsubscribe();
  }
}

/** `id`, `event` and `data` lines of one event; JSON.stringify never emits a newline, so one data line. */
const sseMessage = (event: JobEvent): string => `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * The stream pulls: the server's socket asks for the next chunk only when it has sent the last one, so a slow
 * client slows the replay instead of filling memory. Live events wait in a small queue meanwhile.
 */
function eventStream(follow: Follow, after: number, keepaliveMs: number, log: (line: string) => void, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let lastSent = after;
  let replayed = false;
  let live: JobEvent[] = [];
  let lastWriteAt = Date.now();
  let closed = false;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };

  const unsubscribe = follow.jobs.subscribe(follow.jobId, (event) => {
    live.push(event);
    poke();
  });
  const tick = setInterval(poke, Math.min(FINISH_CHECK_MS, keepaliveMs / 2));
  tick.unref();
  const stop = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(tick);
    signal.removeEventListener('abort', stop);
    poke();
  };
  signal.addEventListener('abort', stop);

  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string): void => {
    controller.enqueue(encoder.encode(text));
    lastWriteAt = Date.now();
  };
  const sendEvents = (controller: ReadableStreamDefaultController<Uint8Array>, events: JobEvent[]): void => {
    let text = '';
    for (const event of events) {
      if (event.id <= lastSent) continue; // already sent by the replay
      text += sseMessage(event);
      lastSent = event.id;
    }
    if (text) send(controller, text);
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      // Tells EventSource clients how soon to reconnect, and gets the response headers out at once.
      send(controller, 'retry: 3000\n\n');
    },
    async pull(controller) {
      try {
        for (;;) {
          if (closed) return;
          if (!replayed) {
            const stored = await follow.store.eventsAfter(follow.jobId, lastSent, REPLAY_BATCH);
            if (stored.length > 0) return sendEvents(controller, stored);
            replayed = true;
          }
          const arrived = live;
          live = [];
          if (arrived.some((event) => event.id > lastSent)) return sendEvents(controller, arrived);
          if (await jobFinished(follow)) {
            // An event stored but not yet delivered live is still read before the end.
            const rest = await follow.store.eventsAfter(follow.jobId, lastSent, REPLAY_BATCH);
            if (rest.length > 0) return sendEvents(controller, rest);
            send(controller, 'event: end\ndata: {}\n\n');
            controller.close();
            stop();
            return;
          }
          if (Date.now() - lastWriteAt >= keepaliveMs) return send(controller, ': keepalive\n\n');
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } catch (error) {
        log(`event stream of ${follow.jobId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        stop();
        controller.error(error);
      }
    },
    cancel() {
      stop();
    },
  });
}
