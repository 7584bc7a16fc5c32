// How fast the SQLite store takes results and cached calls. Not a test: run it by hand.
//   npm run bench:store
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/server/store/sqlite';
import type { FinishedInterview } from '../../src/server/store/store';

const RESULTS = 200_000;
const QUESTIONS = 4;
const INTERVIEWS_PER_BATCH = 500;
const CACHE_PUTS = 200_000;
/** Cached calls put per turn of the event loop, roughly what a busy runner does between awaits. */
const PUTS_PER_TURN = 256;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-'));
  const store = openSqliteStore(join(dir, 'bench.db'));
  try {
    const interviews = RESULTS / QUESTIONS;
    await store.insertJob({
      id: 'job_bench',
      kind: 'survey',
      name: 'bench',
      source_name: 'bench.survey.yaml',
      owner: 'bench',
      models: ['test/echo'],
      interviews_total: interviews,
      submission: { source: { name: 'bench.survey.yaml', text: '' }, files: {} },
      idempotency_key: null,
    });

    const interview = (index: number): FinishedInterview => ({
      interview: index,
      failed: false,
      results: Array.from({ length: QUESTIONS }, (_, q) => ({
        interview: index,
        agent_index: index % 7,
        agent_name: null,
        scenario_index: index % 13,
        model: 'test/echo',
        iteration: 0,
        question: `question_${q}`,
        status: 'answered' as const,
        answer: q % 2 === 0 ? `An answer of moderate length for question ${q}.` : [1, 2, 3],
        comment: null,
        raw: `{"answer": "An answer of moderate length for question ${q}."}`,
        input_tokens: 120,
        output_tokens: 20,
        cost_usd: 0.0001,
        cached: false,
        latency_ms: 3.2,
        error: null,
      })),
      calls_cached: 0,
      calls_done: QUESTIONS,
      calls_failed: 0,
      usd: 0.0004,
      input_tokens: 480,
      output_tokens: 80,
    });

    let started = performance.now();
    for (let first = 0; first < interviews; first += INTERVIEWS_PER_BATCH) {
      const batch: FinishedInterview[] = [];
      for (let i = first; i < Math.min(first + INTERVIEWS_PER_BATCH, interviews); i++) batch.push(interview(i));
      await store.finishInterviews('job_bench', batch);
    }
    let seconds = (performance.now() - started) / 1000;
    console.log(
      `finishInterviews: ${RESULTS.toLocaleString('en-US')} results in ${seconds.toFixed(2)} s = ${Math.round(RESULTS / seconds).toLocaleString('en-US')} results/s`,
    );

    started = performance.now();
    let streamed = 0;
    for await (const _ of store.allResults('job_bench')) streamed++;
    seconds = (performance.now() - started) / 1000;
    console.log(
      `allResults: ${streamed.toLocaleString('en-US')} results in ${seconds.toFixed(2)} s = ${Math.round(streamed / seconds).toLocaleString('en-US')} results/s`,
    );

    started = performance.now();
    for (let i = 0; i < CACHE_PUTS; i++) {
      store.putCachedCall('user:bench', {
        key: `sha256:${i.toString(16).padStart(64, '0')}`,
        raw: `{"answer": "An answer of moderate length for call ${i}."}`,
        input_tokens: 120,
        output_tokens: 20,
        cost_usd: 0.0001,
        model_version: 'echo-1',
      });
      if (i % PUTS_PER_TURN === PUTS_PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    await store.flush();
    seconds = (performance.now() - started) / 1000;
    console.log(
      `putCachedCall: ${CACHE_PUTS.toLocaleString('en-US')} puts in ${seconds.toFixed(2)} s = ${Math.round(CACHE_PUTS / seconds).toLocaleString('en-US')} puts/s`,
    );

    started = performance.now();
    let hits = 0;
    for (let i = 0; i < CACHE_PUTS; i++) if (await store.getCachedCall('user:bench', `sha256:${i.toString(16).padStart(64, '0')}`)) hits++;
    seconds = (performance.now() - started) / 1000;
    console.log(
      `getCachedCall: ${hits.toLocaleString('en-US')} hits in ${seconds.toFixed(2)} s = ${Math.round(hits / seconds).toLocaleString('en-US')} gets/s`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
