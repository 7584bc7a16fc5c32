// GET /v1/jobs/:id/results — JSON pages, or every result streamed as CSV or JSON Lines.
import type { Context } from 'hono';
import { ResultFormat, type Result, type ResultPage } from '../../api';
import { CSV_HEADER, csvRow } from './csv';
import { invalidRequest } from './problem';
import { integerParam } from './request';
import type { AppDeps, AppEnv } from './types';

const DEFAULT_PAGE = 1000;
const MAX_PAGE = 10_000;
/** Text gathered before handing a chunk to the socket: large enough to be cheap, small enough to stay lean. */
const CHUNK_CHARS = 64 * 1024;

const CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

export function resultsRoute(deps: AppDeps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const jobId = c.req.param('id')!;
    await deps.jobs.get(c.var.user, jobId); // not_found unless the job is the caller's
    const format = requestedFormat(c.req.query('format'), c.req.header('accept'));

    if (format === 'json') {
      const limit = integerParam(c.req.query('limit'), 'limit', { min: 1, max: MAX_PAGE, fallback: DEFAULT_PAGE });
      const interviews = interviewRange(c.req.query('interviews'));
      const page: ResultPage = await deps.store.results(jobId, { cursor: c.req.query('cursor') || undefined, limit, interviews });
      return c.json(page);
    }

    const csv = format !== 'csv' ? null : ((await deps.jobs.resultCsv?.(c.var.user, jobId)) ?? { header: CSV_HEADER, row: csvRow });
    const line = csv ? csv.row : (result: Result): string => `${JSON.stringify(result)}\n`;
    const body = streamLines(deps.store.allResults(jobId)[Symbol.asyncIterator](), csv ? csv.header : '', line, (error) =>
      deps.log(`results export of ${jobId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    );
    const filename = `${jobId.replace(/[^A-Za-z0-9_.-]/g, '_')}.${format}`;
    return new Response(body, {
      headers: { 'content-type': CONTENT_TYPES[format], 'content-disposition': `attachment; filename="${filename}"` },
    });
  };
}

/** `?interviews=first-last` (or one index): the results of those interviews only, as a progress event names them. */
function interviewRange(query: string | undefined): [number, number] | undefined {
  if (query === undefined || query === '') return undefined;
  const match = /^(\d{1,15})(?:-(\d{1,15}))?$/.exec(query);
  const first = match ? Number(match[1]) : NaN;
  const last = match ? Number(match[2] ?? match[1]) : NaN;
  if (!match || last < first)
    throw invalidRequest(`interviews must be an index or a range "first-last" with first ≤ last, e.g. interviews=0-99; got "${query}".`);
  return [first, last];
}

/** `?format=` wins; otherwise the Accept header; otherwise JSON. */
function requestedFormat(query: string | undefined, accept: string | undefined): ResultFormat {
  if (query !== undefined) {
    const parsed = ResultFormat.safeParse(query);
    if (!parsed.success) throw invalidRequest(`format must be one of ${ResultFormat.options.join(', ')}; got "${query}".`);
    return parsed.data;
  }
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.includes('text/csv')) return 'csv';
  if (/application\/(x-ndjson|jsonl|x-jsonlines)/.test(wanted)) return 'jsonl';
  return 'json';
}

/**
 * Rows become text only when the socket asks for more (pull), so memory holds one chunk however large the job.
 * Closing the download early closes the row iterator.
 */
function streamLines(
  rows: AsyncIterator<Result>,
  header: string,
  line: (result: Result) => string,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let pending = header;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let chunk = pending;
        pending = '';
        while (chunk.length < CHUNK_CHARS) {
          const next = await rows.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += line(next.value);
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (error) {
        onError(error);
        void rows.return?.();
        controller.error(error);
      }
    },
    async cancel() {
      await rows.return?.();
    },
  });
}
