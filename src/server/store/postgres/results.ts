// Finished interviews and their results in PostgreSQL: written in the caller's transaction, many rows per statement.
// An interview already recorded (by a resumed run, or another replica) is skipped whole, so nothing counts twice.
import type { Pool, PoolClient } from 'pg';
import type { Result } from '../../../api';
import { decodeCursor, encodeCursor } from '../cursor';
import { RESULT_TABLE_COLUMNS, RESULT_TABLE_COLUMNS_SQL, resultValues } from '../result-record';
import { resultFromRow, type ResultRow } from '../rows';
import type { FinishedInterview, ResultPageQuery } from '../store';

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const ROWS_PER_INSERT = 1000;

export async function finishInterviews(client: PoolClient, jobId: string, interviews: FinishedInterview[]): Promise<void> {
  const inserted = await client.query<{ idx: number }>(
    `INSERT INTO interviews (job_id, idx, failed, calls_done, calls_cached, calls_failed, usd, input_tokens, output_tokens)
     SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::float8[], $8::bigint[], $9::bigint[])
     ON CONFLICT DO NOTHING RETURNING idx`,
    [
      jobId,
      interviews.map((i) => i.interview),
      interviews.map((i) => (i.failed ? 1 : 0)),
      interviews.map((i) => i.calls_done),
      interviews.map((i) => i.calls_cached),
      interviews.map((i) => i.calls_failed),
      interviews.map((i) => i.usd),
      interviews.map((i) => i.input_tokens),
      interviews.map((i) => i.output_tokens),
    ],
  );
  const fresh = new Set(inserted.rows.map((row) => row.idx));
  const total = { done: 0, failed: 0, callsDone: 0, callsCached: 0, callsFailed: 0 };
  let rows: unknown[][] = [];
  for (const interview of interviews) {
    if (!fresh.delete(interview.interview)) continue; // already recorded, or twice in this batch
    interview.results.forEach((result, questionIndex) => {
      rows.push(resultValues(jobId, interview.interview, questionIndex, result));
    });
    if (rows.length >= ROWS_PER_INSERT) {
      await insertResults(client, rows);
      rows = [];
    }
    if (interview.failed) total.failed++;
    else total.done++;
    total.callsDone += interview.calls_done;
    total.callsCached += interview.calls_cached;
    total.callsFailed += interview.calls_failed;
  }
  if (rows.length > 0) await insertResults(client, rows);
  await client.query(
    `UPDATE jobs SET interviews_done = interviews_done + $1, interviews_failed = interviews_failed + $2,
       calls_done = calls_done + $3, calls_cached = calls_cached + $4, calls_failed = calls_failed + $5 WHERE id = $6`,
    [total.done, total.failed, total.callsDone, total.callsCached, total.callsFailed, jobId],
  );
}

async function insertResults(client: PoolClient, rows: unknown[][]): Promise<void> {
  const width = RESULT_TABLE_COLUMNS.length;
  const values = rows.map((_, r) => `(${RESULT_TABLE_COLUMNS.map((_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
  await client.query(`INSERT INTO results (${RESULT_TABLE_COLUMNS_SQL}) VALUES ${values}`, rows.flat());
}

/** Forgets failed interviews and their results and takes back their progress; returns how many. */
export async function clearFailedInterviews(client: PoolClient, jobId: string): Promise<number> {
  const { rows } = await client.query<{ n: number; calls_done: number; calls_cached: number; calls_failed: number }>(
    `SELECT count(*)::int AS n, coalesce(sum(calls_done), 0)::int AS calls_done, coalesce(sum(calls_cached), 0)::int AS calls_cached,
       coalesce(sum(calls_failed), 0)::int AS calls_failed FROM interviews WHERE job_id = $1 AND failed = 1`,
    [jobId],
  );
  const sums = rows[0]!;
  if (sums.n === 0) return 0;
  await client.query('DELETE FROM interviews WHERE job_id = $1 AND failed = 1', [jobId]); // results go with them (cascade)
  await client.query(
    `UPDATE jobs SET interviews_failed = interviews_failed - $1, calls_done = calls_done - $2, calls_cached = calls_cached - $3,
       calls_failed = calls_failed - $4 WHERE id = $5`,
    [sums.n, sums.calls_done, sums.calls_cached, sums.calls_failed, jobId],
  );
  return sums.n;
}

/** Rows a stream of all results reads at a time. */
const RESULT_PAGE = 1000;
/** The largest INTEGER: interview and question indexes are INTEGER columns, which a larger bound would overflow. */
const INT_MAX = 2_147_483_647;

/** A page of results in (interview, question) order; `interviews` keeps those of interviews first..last only. */
export async function pageResults(pool: Pool, jobId: string, page: ResultPageQuery): Promise<{ results: Result[]; next_cursor: string | null }> {
  const limit = Math.max(Math.trunc(page.limit), 1);
  const [first, lastInterview] = page.interviews ?? [0, INT_MAX];
  const [interview, questionIndex] = page.cursor ? decodeCursor(page.cursor, ['number', 'number']) : [first - 1, INT_MAX];
  const rows = await resultsAfter(pool, jobId, interview, questionIndex, limit + 1, lastInterview);
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { results: pageRows.map(resultFromRow), next_cursor: more && last ? encodeCursor([last.interview, last.question_index]) : null };
}

/** Every result, read in pages by key as in SQLite: no query stays open while a slow client reads. */
export async function* streamResults(pool: Pool, jobId: string): AsyncGenerator<Result, void, undefined> {
  let interview = -1;
  let questionIndex = -1;
  for (;;) {
    const rows = await resultsAfter(pool, jobId, interview, questionIndex, RESULT_PAGE);
    for (const row of rows) yield resultFromRow(row);
    const last = rows[rows.length - 1];
    if (!last || rows.length < RESULT_PAGE) return;
    interview = last.interview;
    questionIndex = last.question_index;
  }
}

/** Results after (interview, questionIndex) in key order, of interviews up to `lastInterview`. */
async function resultsAfter(pool: Pool, jobId: string, interview: number, questionIndex: number, limit: number, lastInterview = INT_MAX): Promise<ResultRow[]> {
  const { rows } = await pool.query<ResultRow>(
    `SELECT ${RESULT_TABLE_COLUMNS_SQL} FROM results WHERE job_id = $1 AND (interview, question_index) > ($2, $3) AND interview <= $5
     ORDER BY interview, question_index LIMIT $4`,
    [jobId, interview, questionIndex, limit, lastInterview],
  );
  return rows;
}
