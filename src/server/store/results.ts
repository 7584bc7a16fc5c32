// The interviews and results tables: the record that an interview finished, its results, and the job counters
// they add to — always written together, so a crash never leaves half an interview.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Result } from '../../api';
import { decodeCursor, encodeCursor } from './cursor';
import { RESULT_TABLE_COLUMNS, RESULT_TABLE_COLUMNS_SQL, resultValues } from './result-record';
import { resultFromRow, type ResultRow } from './rows';
import type { FinishedInterview, ResultPageQuery } from './store';

/** Rows read per query when streaming all results of a job. */
const RESULT_STREAM_PAGE = 1000;

export class ResultTable {
  private readonly statements: ReturnType<typeof prepareResultStatements>;

  constructor(db: DatabaseSync) {
    this.statements = prepareResultStatements(db);
  }

  /** Records finished interviews and their results; call inside the store's write transaction. */
  finish(jobId: string, interviews: FinishedInterview[]): void {
    const { insertInterview, insertResult, addToJob } = this.statements;
    // The job's cost is not added here: calls are billed to it when they are stored (putCachedCall).
    const total = { done: 0, failed: 0, callsDone: 0, callsCached: 0, callsFailed: 0 };
    for (const interview of interviews) {
      const inserted = insertInterview.run({
        job_id: jobId,
        idx: interview.interview,
        failed: interview.failed ? 1 : 0,
        calls_done: interview.calls_done,
        calls_cached: interview.calls_cached,
        calls_failed: interview.calls_failed,
        usd: interview.usd,
        input_tokens: interview.input_tokens,
        output_tokens: interview.output_tokens,
      });
      // Already recorded (a resumed runner finishing it twice): keep the first, count nothing again.
      if (inserted.changes === 0) continue;
      const results = interview.results;
      for (let questionIndex = 0; questionIndex < results.length; questionIndex++) {
        insertResult.run(...resultValues(jobId, interview.interview, questionIndex, results[questionIndex]!));
      }
      if (interview.failed) total.failed++;
      else total.done++;
      total.callsDone += interview.calls_done;
      total.callsCached += interview.calls_cached;
      total.callsFailed += interview.calls_failed;
    }
    addToJob.run(total.done, total.failed, total.callsDone, total.callsCached, total.callsFailed, jobId);
  }

  finished(jobId: string): Set<number> {
    const finished = new Set<number>();
    for (const row of this.statements.finishedInterviews.iterate(jobId)) finished.add((row as { idx: number }).idx);
    return finished;
  }

  /**
   * Forgets failed interviews and their results and takes back the progress counters they added; call inside
   * the store's write transaction. Returns how many interviews were forgotten.
   */
  clearFailed(jobId: string): number {
    const s = this.statements;
    const sums = s.failedInterviewSums.get(jobId) as {
      n: number;
      calls_done: number;
      calls_cached: number;
      calls_failed: number;
    };
    if (sums.n === 0) return 0;
    s.deleteFailedResults.run(jobId);
    s.deleteFailedInterviews.run(jobId);
    s.takeFromJob.run(sums.n, sums.calls_done, sums.calls_cached, sums.calls_failed, jobId);
    return sums.n;
  }

  page(jobId: string, page: ResultPageQuery): { results: Result[]; next_cursor: string | null } {
    const limit = Math.max(Math.trunc(page.limit), 1);
    const [first, lastInterview] = page.interviews ?? [0, Number.MAX_SAFE_INTEGER];
    const [interview, questionIndex] = page.cursor ? decodeCursor(page.cursor, ['number', 'number']) : [first - 1, Number.MAX_SAFE_INTEGER];
    const rows = this.statements.resultsAfter.all(jobId, interview, questionIndex, lastInterview, limit + 1) as unknown as ResultRow[];
    const more = rows.length > limit;
    const pageRows = more ? rows.slice(0, limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      results: pageRows.map(resultFromRow),
      next_cursor: more && last ? encodeCursor([last.interview, last.question_index]) : null,
    };
  }

  /** See SqliteStore.allResults for why it reads in pages. */
  *all(jobId: string): Generator<Result, void, undefined> {
    let interview = -1;
    let questionIndex = -1;
    for (;;) {
      const rows = this.statements.resultsAfter.all(jobId, interview, questionIndex, Number.MAX_SAFE_INTEGER, RESULT_STREAM_PAGE) as unknown as ResultRow[];
      for (const row of rows) yield resultFromRow(row);
      const last = rows[rows.length - 1];
      if (!last || rows.length < RESULT_STREAM_PAGE) return;
      interview = last.interview;
      questionIndex = last.question_index;
    }
  }
}

function prepareResultStatements(db: DatabaseSync) {
  const prepare = (sql: string): StatementSync => db.prepare(sql);
  return {
    insertInterview: prepare(`INSERT INTO interviews (job_id, idx, failed, calls_done, calls_cached, calls_failed, usd,
      input_tokens, output_tokens) VALUES (:job_id, :idx, :failed, :calls_done, :calls_cached, :calls_failed, :usd,
      :input_tokens, :output_tokens) ON CONFLICT DO NOTHING`),
    insertResult: prepare(`INSERT INTO results (${RESULT_TABLE_COLUMNS_SQL}) VALUES (${RESULT_TABLE_COLUMNS.map(() => '?').join(', ')})`),
    addToJob: prepare(`UPDATE jobs SET
        interviews_done = interviews_done + ?, interviews_failed = interviews_failed + ?,
        calls_done = calls_done + ?, calls_cached = calls_cached + ?, calls_failed = calls_failed + ?
      WHERE id = ?`),
    finishedInterviews: prepare('SELECT idx FROM interviews WHERE job_id = ? AND failed = 0'),
    failedInterviewSums: prepare(`SELECT count(*) AS n, coalesce(sum(calls_done), 0) AS calls_done,
        coalesce(sum(calls_cached), 0) AS calls_cached, coalesce(sum(calls_failed), 0) AS calls_failed
      FROM interviews WHERE job_id = ? AND failed = 1`),
    deleteFailedResults: prepare(`DELETE FROM results WHERE job_id = ?1
      AND interview IN (SELECT idx FROM interviews WHERE job_id = ?1 AND failed = 1)`),
    deleteFailedInterviews: prepare('DELETE FROM interviews WHERE job_id = ? AND failed = 1'),
    takeFromJob: prepare(`UPDATE jobs SET interviews_failed = interviews_failed - ?,
        calls_done = calls_done - ?, calls_cached = calls_cached - ?, calls_failed = calls_failed - ?
      WHERE id = ?`),
    resultsAfter: prepare(`SELECT ${RESULT_TABLE_COLUMNS_SQL} FROM results
      WHERE job_id = ? AND (interview, question_index) > (?, ?) AND interview <= ?
      ORDER BY interview, question_index LIMIT ?`),
  } satisfies Record<string, StatementSync>;
}
