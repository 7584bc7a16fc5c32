import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { EventPage, JobEvent, PROBLEM_TYPES, Problem } from '../../../src/api';
import { postJson, startTestServer, submission, type TestServer } from './harness';

const createJob = async (server: TestServer): Promise<string> =>
  ((await (await server.request('/v1/jobs', postJson(submission()))).json()) as { id: string }).id;

/** Reads an event stream as it arrives; `next` waits for the next message, `comments` collects `: …` lines. */
async function openStream(server: TestServer, jobId: string, headers: Record<string, string> = {}, query = '') {
  const abort = new AbortController();
  const response = await server.request(`/v1/jobs/${jobId}/events${query}`, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/event-stream/);
  const messages: EventSourceMessage[] = [];
  const comments: string[] = [];
  let ended = false;
  let notify = (): void => {};
  const parser = createParser({
    onEvent: (message) => {
      messages.push(message);
      notify();
    },
    onComment: (comment) => {
      comments.push(comment.trim());
      notify();
    },
  });
  const raw: string[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        const text = decoder.decode(chunk, { stream: true });
        raw.push(text);
        parser.feed(text);
      }
    } catch {
      // aborted by the test
    }
    ended = true;
    notify();
  })();
  let read = 0;
  return {
    raw,
    comments,
    get ended() {
      return ended;
    },
    /** The next message, waiting up to 5 s for it. */
    async next(): Promise<EventSourceMessage> {
      const deadline = Date.now() + 5000;
      while (messages.length <= read) {
        if (ended) throw new Error('the stream ended');
        if (Date.now() > deadline) throw new Error('no message within 5 s');
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 100);
        });
      }
      return messages[read++]!;
    },
    async closed(): Promise<void> {
      await reading;
    },
    abort: () => abort.abort(),
  };
}

const asEvent = (message: EventSourceMessage): JobEvent => {
  const event = JobEvent.parse(JSON.parse(message.data));
  assert.equal(message.id, String(event.id));
  assert.equal(message.event, event.type);
  return event;
};

test('an event stream replays after Last-Event-ID, follows live events, then ends when the job is finished', async (t) => {
  const server = await startTestServer(t);
  const jobId = await createJob(server); // stores "queued"
  const started = await server.jobs.emit({ job_id: jobId, type: 'started', message: 'Started.' });
  const progress = await server.jobs.emit({ job_id: jobId, type: 'progress', message: '1 / 2', data: { done: 1 } });
  const queued = (await server.store.eventsAfter(jobId, 0, 1))[0]!;

  const stream = await openStream(server, jobId, { 'last-event-id': String(queued.id) });
  assert.deepEqual(asEvent(await stream.next()), started);
  assert.deepEqual(asEvent(await stream.next()), progress);

  const live = await server.jobs.emit({ job_id: jobId, type: 'progress', message: '2 / 2', data: { done: 2 } });
  assert.deepEqual(asEvent(await stream.next()), live);
  await server.jobs.emit({ job_id: await createJob(server), type: 'progress', message: 'not this job' });
  const completed = await server.jobs.finish(jobId, 'completed', 'completed', 'Completed.');
  assert.deepEqual(asEvent(await stream.next()), completed);

  const end = await stream.next();
  assert.equal(end.event, 'end');
  assert.equal(end.data, '{}');
  await stream.closed();
  assert.ok(stream.ended);
  const text = stream.raw.join('');
  assert.ok(text.includes(`id: ${live.id}\nevent: progress\ndata: {`), 'id, event and data lines in that order');
  assert.equal(server.jobs.listenerCount(jobId), 0, 'unsubscribed once the stream ended');
});

test('an event stream of a finished job replays everything after ?after= and ends at once', async (t) => {
  const server = await startTestServer(t);
  const jobId = await createJob(server);
  const events = [(await server.store.eventsAfter(jobId, 0, 1))[0]!];
  for (let i = 0; i < 1200; i++) events.push(await server.jobs.emit({ job_id: jobId, type: 'progress', message: `${i}` }));
  events.push(await server.jobs.finish(jobId, 'failed', 'failed', 'Failed: no quota.'));

  const stream = await openStream(server, jobId, {}, `?after=${events[9]!.id}`);
  const received: JobEvent[] = [];
  for (;;) {
    const message = await stream.next();
    if (message.event === 'end') break;
    received.push(asEvent(message));
  }
  assert.deepEqual(
    received.map((event) => event.id),
    events.slice(10).map((event) => event.id),
  );
  await stream.closed();
});

test('no event is lost or repeated when events keep coming while the stream replays', async (t) => {
  const server = await startTestServer(t);
  const jobId = await createJob(server);
  for (let i = 0; i < 2000; i++) await server.jobs.emit({ job_id: jobId, type: 'progress', message: `backlog ${i}` });
  const stream = await openStream(server, jobId);
  const emitting = (async () => {
    for (let i = 0; i < 50; i++) {
      await server.jobs.emit({ job_id: jobId, type: 'progress', message: `live ${i}` });
      await sleep(1);
    }
    await server.jobs.finish(jobId, 'completed', 'completed', 'Completed.');
  })();
  const ids: number[] = [];
  for (;;) {
    const message = await stream.next();
    if (message.event === 'end') break;
    ids.push(asEvent(message).id);
  }
  await emitting;
  const stored = (await server.store.eventsAfter(jobId, 0, 10_000)).map((event) => event.id);
  assert.deepEqual(ids, stored);
});

test('an idle event stream sends keepalive comments, and a client that leaves is unsubscribed', async (t) => {
  const server = await startTestServer(t, { keepaliveMs: 50 });
  const jobId = await createJob(server);
  const stream = await openStream(server, jobId);
  await stream.next(); // queued
  const keepalives = () => stream.comments.filter((comment) => comment === 'keepalive').length;
  for (let i = 0; i < 100 && keepalives() < 2; i++) await sleep(20);
  assert.ok(keepalives() >= 2, `comments: ${stream.comments.join('|')}`);
  assert.equal(server.jobs.listenerCount(jobId), 1);
  stream.abort();
  await stream.closed();
  for (let i = 0; i < 50 && server.jobs.listenerCount(jobId) > 0; i++) await sleep(10);
  assert.equal(server.jobs.listenerCount(jobId), 0);
});

test('polling pages events after an id, and says done once the finished job has nothing more', async (t) => {
  const server = await startTestServer(t);
  const jobId = await createJob(server);
  const queued = (await server.store.eventsAfter(jobId, 0, 1))[0]!;
  const started = await server.jobs.emit({ job_id: jobId, type: 'started', message: 'Started.' });

  const page = EventPage.parse(await (await server.request(`/v1/jobs/${jobId}/events?after=0&limit=1`)).json());
  assert.deepEqual(page, { events: [queued], last_event_id: queued.id, done: false });
  const next = EventPage.parse(await (await server.request(`/v1/jobs/${jobId}/events?after=${queued.id}`)).json());
  assert.deepEqual(next, { events: [started], last_event_id: started.id, done: false });
  const empty = EventPage.parse(await (await server.request(`/v1/jobs/${jobId}/events?after=${started.id}`)).json());
  assert.deepEqual(empty, { events: [], last_event_id: started.id, done: false });

  const completed = await server.jobs.finish(jobId, 'completed', 'completed', 'Completed.');
  const last = EventPage.parse(await (await server.request(`/v1/jobs/${jobId}/events?after=${started.id}`)).json());
  assert.deepEqual(last, { events: [completed], last_event_id: completed.id, done: true });
  const cut = EventPage.parse(await (await server.request(`/v1/jobs/${jobId}/events?after=0&limit=3`)).json());
  assert.equal(cut.done, false, 'a full page may have more after it');

  for (const query of ['after=-1', 'after=x', 'limit=0', 'limit=10001', 'wait=-2', 'wait=soon']) {
    const response = await server.request(`/v1/jobs/${jobId}/events?${query}`);
    assert.equal(response.status, 400, query);
    assert.equal(Problem.parse(await response.json()).type, PROBLEM_TYPES.invalidRequest);
  }
  const badHeader = await server.request(`/v1/jobs/${jobId}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': 'abc' } });
  assert.equal(badHeader.status, 400);
  assert.match(Problem.parse(await badHeader.json()).detail!, /Last-Event-ID/);
});

test('a long poll answers as soon as an event arrives, or when the job finishes, or at its deadline', async (t) => {
  const server = await startTestServer(t);
  const jobId = await createJob(server);
  const after = (await server.store.eventsAfter(jobId, 0, 1))[0]!.id;

  let startedAt = Date.now();
  const waiting = server.request(`/v1/jobs/${jobId}/events?after=${after}&wait=10`);
  await sleep(100);
  const started = await server.jobs.emit({ job_id: jobId, type: 'started', message: 'Started.' });
  const page = EventPage.parse(await (await waiting).json());
  assert.deepEqual(page.events, [started]);
  assert.ok(Date.now() - startedAt < 5000);

  startedAt = Date.now();
  const timedOut = EventPage.parse(await (await server.request(`/v1/jobs/${jobId}/events?after=${started.id}&wait=0.3`)).json());
  assert.deepEqual(timedOut, { events: [], last_event_id: started.id, done: false });
  assert.ok(Date.now() - startedAt >= 250, 'waited for the deadline');

  // A status change without an event is noticed by the periodic check.
  const finishing = server.request(`/v1/jobs/${jobId}/events?after=${started.id}&wait=10`);
  await sleep(50);
  await server.store.setJobStatus(jobId, 'failed', { finished: true });
  const finished = EventPage.parse(await (await finishing).json());
  assert.equal(finished.done, true);
  assert.equal(server.jobs.listenerCount(jobId), 0);
});
