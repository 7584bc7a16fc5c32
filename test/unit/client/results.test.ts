import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FieldworkClient } from '../../../src/client/client';
import { aResult, json, startWireServer, type WireServer } from './wire-server';

const KEY = 'fw_test_key_0000000000';
const PATH = 'GET /v1/jobs/job_1/results';

describe('results', () => {
  let server: WireServer;
  let client: FieldworkClient;
  const all = Array.from({ length: 5 }, (_, i) => aResult(i, 'q1', i % 2 === 0 ? 'yes' : 'no'));

  before(async () => {
    server = await startWireServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    client = new FieldworkClient({ baseUrl: server.url, apiKey: KEY });
    server.route(PATH, (req, res) => {
      const format = req.query.get('format');
      if (format === 'csv' || format === 'jsonl') {
        res.writeHead(200, { 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
        const body = format === 'csv' ? 'interview,answer\n0,"yes — ✓"\n1,no\n' : all.map((r) => JSON.stringify(r)).join('\n') + '\n';
        // Split inside a multi-byte character to check decoding across chunks.
        const bytes = Buffer.from(body);
        res.write(bytes.subarray(0, 24));
        setTimeout(() => res.end(bytes.subarray(24)), 10);
        return;
      }
      const start = Number(req.query.get('cursor') ?? 0);
      const limit = Number(req.query.get('limit') ?? 2);
      const next = start + limit < all.length ? String(start + limit) : null;
      json(res, 200, { results: all.slice(start, start + limit), next_cursor: next });
    });
  });

  it('reads one page', async () => {
    const page = await client.results('job_1', { limit: 2 });
    assert.equal(page.results.length, 2);
    assert.equal(page.next_cursor, '2');
    assert.equal(server.requests[0]!.query.get('format'), 'json');
  });

  it('walks every page', async () => {
    const seen: number[] = [];
    for await (const result of client.allResults('job_1', { pageSize: 2 })) seen.push(result.interview);
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.deepEqual(
      server.requests.map((r) => r.query.get('cursor')),
      [null, '2', '4'],
    );
  });

  it('streams CSV to a function, decoding characters split across chunks', async () => {
    let text = '';
    await client.downloadResults('job_1', 'csv', (chunk) => {
      text += chunk;
    });
    assert.equal(text, 'interview,answer\n0,"yes — ✓"\n1,no\n');
    assert.equal(server.requests[0]!.query.get('format'), 'csv');
  });

  it('streams JSONL to a writable stream', async () => {
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await client.downloadResults('job_1', 'jsonl', sink);
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.equal(JSON.parse(lines[4]!).interview, 4);
  });

  it('writes JSON as one array assembled from pages', async () => {
    let text = '';
    await client.downloadResults('job_1', 'json', (chunk) => {
      text += chunk;
    });
    const parsed = JSON.parse(text) as unknown[];
    assert.equal(parsed.length, 5);
  });
});
