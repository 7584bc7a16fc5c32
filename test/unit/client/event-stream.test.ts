import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FieldworkClient } from '../../../src/client/client';
import { AuthError, ProtocolError } from '../../../src/client/errors';
import type { JobEvent } from '../../../src/api';
import { anEvent, problem, sseFrame, startWireServer, type WireServer } from './wire-server';

const KEY = 'fw_test_key_0000000000';
const PATH = 'GET /v1/jobs/job_1/events';

function openStream(res: import('node:http').ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // A short reconnect delay keeps the tests quick.
  res.write('retry: 10\n\n');
}

async function collect(events: AsyncIterable<JobEvent>): Promise<number[]> {
  const ids: number[] = [];
  for await (const event of events) ids.push(event.id);
  return ids;
}

describe('event stream (SSE)', () => {
  let server: WireServer;
  let client: FieldworkClient;

  before(async () => {
    server = await startWireServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    client = new FieldworkClient({ baseUrl: server.url, apiKey: KEY });
  });

  it('parses events, ignores keepalive comments, and ends on `event: end`', async () => {
    server.route(PATH, (_req, res) => {
      openStream(res);
      res.write(': keepalive\n\n');
      res.write(sseFrame(anEvent(1, { type: 'queued', data: { status: 'queued' } })));
      // A frame split across writes.
      const frame = sseFrame(anEvent(2, { type: 'started' }));
      res.write(frame.slice(0, 15));
      setTimeout(() => {
        res.write(frame.slice(15));
        res.write(': keepalive\n\n');
        res.write('event: end\ndata: {}\n\n');
        // The stream stays open: the client must stop on `end`, not on close.
      }, 20);
    });
    const events: JobEvent[] = [];
    for await (const event of client.events('job_1')) events.push(event);
    assert.deepEqual(
      events.map((e) => [e.id, e.type]),
      [
        [1, 'queued'],
        [2, 'started'],
      ],
    );
    assert.deepEqual(events[0]!.data, { status: 'queued' });
    assert.equal(server.requests[0]!.headers.accept, 'text/event-stream');
    assert.equal(server.requests[0]!.headers.authorization, `Bearer ${KEY}`);
  });

  it('reconnects after a dropped connection with Last-Event-ID and yields each event once', async () => {
    server.route(PATH, [
      (_req, res) => {
        openStream(res);
        res.write(sseFrame(anEvent(1)));
        res.write(sseFrame(anEvent(2)));
        setTimeout(() => res.socket?.destroy(), 20);
      },
      (_req, res) => {
        // Closed cleanly but without `end`: still a drop.
        openStream(res);
        res.write(sseFrame(anEvent(2)));
        res.write(sseFrame(anEvent(3)));
        res.end();
      },
      (_req, res) => {
        openStream(res);
        res.write(sseFrame(anEvent(3)));
        res.write(sseFrame(anEvent(4, { type: 'completed' })));
        res.write('event: end\ndata: {}\n\n');
        res.end();
      },
    ]);
    assert.deepEqual(await collect(client.events('job_1')), [1, 2, 3, 4]);
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[0]!.headers['last-event-id'], undefined);
    assert.equal(server.requests[1]!.headers['last-event-id'], '2');
    assert.equal(server.requests[2]!.headers['last-event-id'], '3');
  });

  it('starts after a given event id', async () => {
    server.route(PATH, (_req, res) => {
      openStream(res);
      res.write(sseFrame(anEvent(5)));
      res.end('event: end\ndata: {}\n\n');
    });
    assert.deepEqual(await collect(client.events('job_1', { after: 4 })), [5]);
    assert.equal(server.requests[0]!.headers['last-event-id'], '4');
    assert.equal(server.requests[0]!.query.get('after'), '4');
  });

  it('reconnects when the stream goes silent longer than the idle timeout', async () => {
    server.route(PATH, [
      (_req, res) => {
        openStream(res);
        res.write(sseFrame(anEvent(1)));
        // then nothing, not even a keepalive
      },
      (_req, res) => {
        openStream(res);
        res.end(`${sseFrame(anEvent(2))}event: end\ndata: {}\n\n`);
      },
    ]);
    assert.deepEqual(await collect(client.events('job_1', { idleTimeoutMs: 150 })), [1, 2]);
    assert.equal(server.requests[1]!.headers['last-event-id'], '1');
  });

  it('reports a server that is down from the start instead of waiting to reconnect', async () => {
    const nowhere = new FieldworkClient({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY, retries: 0 });
    const started = Date.now();
    await assert.rejects(collect(nowhere.events('job_1')), { name: 'ConnectionError' });
    assert.ok(Date.now() - started < 1_000);
  });

  it('fails at once on an auth error instead of reconnecting', async () => {
    server.route(PATH, (_req, res) => problem(res, 401, 'bad key'));
    await assert.rejects(collect(client.events('job_1')), AuthError);
    assert.equal(server.requests.length, 1);
  });

  it('rejects an event that does not match the schema', async () => {
    server.route(PATH, (_req, res) => {
      openStream(res);
      res.write(`id: 1\nevent: progress\ndata: ${JSON.stringify({ ...anEvent(1), type: 'exploded' })}\n\n`);
    });
    await assert.rejects(collect(client.events('job_1')), (error: unknown) => error instanceof ProtocolError && /type/.test(error.message));
  });

  it('stops when the caller aborts, and when the caller stops iterating', async () => {
    server.route(PATH, (_req, res) => {
      openStream(res);
      res.write(sseFrame(anEvent(1)));
      res.write(sseFrame(anEvent(2)));
    });
    for await (const event of client.events('job_1')) {
      assert.equal(event.id, 1);
      break;
    }
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of client.events('job_1', { signal: controller.signal })) {
          seen.push(event.id);
          if (event.id === 2) controller.abort();
        }
      })(),
      { name: 'AbortError' },
    );
    assert.deepEqual(seen, [1, 2]);
  });
});
