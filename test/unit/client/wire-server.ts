// A stand-in for our own /v1 server: canned routes over real HTTP on loopback, recording every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job, JobEvent, Result } from '../../../src/api';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Route = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface WireServer {
  url: string;
  requests: SeenRequest[];
  /** Routes by "METHOD /path"; a route given an array answers the n-th request with the n-th handler (the last repeats). */
  route(key: string, handler: Route | Route[]): void;
  close(): Promise<void>;
}

export async function startWireServer(): Promise<WireServer> {
  const routes = new Map<string, Route[]>();
  const hits = new Map<string, number>();
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body = '';
    for await (const chunk of req) body += chunk;
    const seen: SeenRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    requests.push(seen);
    const key = `${seen.method} ${seen.path}`;
    const handlers = routes.get(key);
    if (!handlers) return json(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, detail: `no route ${key}` });
    const n = hits.get(key) ?? 0;
    hits.set(key, n + 1);
    await handlers[Math.min(n, handlers.length - 1)]!(seen, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(key, handler) {
      routes.set(key, Array.isArray(handler) ? handler : [handler]);
      hits.delete(key);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers });
  res.end(text);
}

export function problem(res: ServerResponse, status: number, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  json(res, status, { type: 'about:blank', title: 'Problem', status, detail, ...extra }, headers);
}

export function sseFrame(event: JobEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function aJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job_1',
    kind: 'survey',
    name: 'Customer survey',
    source_name: 'customer.survey.yaml',
    owner: 'ada',
    status: 'queued',
    models: ['test'],
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    progress: { interviews_total: 4, interviews_done: 0, interviews_failed: 0, calls_done: 0, calls_cached: 0, calls_failed: 0 },
    cost: { usd: 0, input_tokens: 0, output_tokens: 0 },
    error: null,
    ...overrides,
  };
}

export function anEvent(id: number, overrides: Partial<JobEvent> = {}): JobEvent {
  return { id, job_id: 'job_1', type: 'progress', at: `2025-01-01T00:00:0${id % 10}.000Z`, message: `event ${id}`, data: null, ...overrides };
}

export function aResult(interview: number, question: string, answer: unknown, overrides: Partial<Result> = {}): Result {
  return {
    job_id: 'job_1',
    interview,
    agent_index: 0,
    agent_name: null,
    scenario_index: 0,
    model: 'test',
    iteration: 0,
    question,
    status: 'answered',
    answer,
    comment: null,
    raw: String(answer),
    input_tokens: 10,
    output_tokens: 2,
    cost_usd: 0.001,
    cached: false,
    latency_ms: 5,
    error: null,
    ...overrides,
  };
}
