// Real-time mode: our strategies through the real job server over loopback, the peers' as HTTP clients, all against
// the HTTP mock provider started in this process. Limits are scaled down (and latency shortened) so one run takes
// seconds; a provider bucket still holds a minute's worth, so the initial burst is a larger share of the work than
// in the simulation. Wall-clock numbers: CPU contention (the server, the mock and the client share the cores with
// whatever else runs) shows up in makespan; run it twice before believing a difference of a few percent.
import { startMockProvider } from '../../../src/mock-provider/server';
import { jain } from './metrics';
import { runClientStrategy, type Finish } from './real-client';
import { runServerStrategy, type Progress } from './real-server';
import { scenario, type Scale, type ScenarioName } from './scenarios';
import { fairness, row, type Row } from './simulate';
import type { StrategyName } from './strategies';

/** 120 calls at 430 RPM / 43,000 TPM with a quarter of the simulated latency: T* ≈ 8 s per run. */
export const REAL_SCALE: Scale = { calls: 120, requestsPerMinute: 430, tokensPerMinute: 43_000, latency: 0.25 };

/** Scenarios run in real mode unless `--scenarios` names others: three keep the whole mode to a few minutes. */
export const REAL_DEFAULT_SCENARIOS: readonly ScenarioName[] = ['single', 'three-users', 'other-tenant'];

const RUN_DEADLINE_MS = 120_000;

/** One row per (scenario, strategy, seed): `seeds` repeat each run with another workload and mock seed. */
export async function runReal(
  scenarios: readonly ScenarioName[],
  strategies: readonly StrategyName[],
  seeds: readonly number[],
  log: (line: string) => void,
): Promise<Row[]> {
  const overhead = await promptOverhead();
  log(`real mode: the server's prompt adds ${overhead} tokens to the question text; scenario prompts are padded to match`);
  const rows: Row[] = [];
  for (const name of scenarios) {
    for (const strategyName of strategies) {
      for (const seed of seeds) {
        const began = performance.now();
        try {
          rows.push(await runOne(name, strategyName, seed, overhead));
          log(`real ${name} ${strategyName} seed ${seed}: makespan ${rows.at(-1)!.makespan_s} s (${((performance.now() - began) / 1000).toFixed(1)} s wall)`);
        } catch (error) {
          log(`real ${name} ${strategyName} seed ${seed}: failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
  return rows;
}

async function runOne(name: ScenarioName, strategyName: StrategyName, seed: number, overhead: number): Promise<Row> {
  const setup = scenario(name, seed, REAL_SCALE);
  const mock = await startMockProvider({ ...setup.provider, strip_headers: setup.stripHeaders || strategyName === 'fieldwork-blind' });
  try {
    let started: number;
    let finishedAt: number;
    let fair: number | null = null;
    let failed: number;
    const contended = Object.keys(setup.weights).length > 1;
    if (strategyName.startsWith('fieldwork-')) {
      const run = await runServerStrategy(setup, mock.url, strategyName === 'fieldwork-configured', overhead, RUN_DEADLINE_MS);
      started = run.started;
      failed = run.failed;
      finishedAt = mock.engine.stats.last_finished_at ?? performance.now();
      if (contended) fair = progressFairness(run.progress, setup.weights);
    } else {
      const run = await withDeadline(runClientStrategy(strategyName, setup, mock.url, seed), RUN_DEADLINE_MS);
      started = run.started;
      failed = run.failed;
      finishedAt = run.finished.length > 0 ? Math.max(...run.finished.map((f: Finish) => f.at)) : performance.now();
      if (contended) fair = fairness(run.finished, setup.weights);
    }
    // T* counts from the mock's start (its windows are aligned to it); the run starts a moment later.
    return row({ scenario: name, mode: 'real', strategy: strategyName, seed }, finishedAt - started, setup, mock.engine, fair, failed);
  } finally {
    await mock.close();
  }
}

/** Jain's index of billed tokens ÷ weight per user at the first poll where some user's job had finished. */
function progressFairness(progress: readonly Progress[], weights: Record<string, number>): number {
  const firstDone = progress.find((p) => p.done)?.at ?? Infinity;
  const served: Record<string, number> = {};
  for (const p of progress) if (p.at < firstDone) served[p.user] = p.tokens;
  return jain(Object.keys(weights).map((user) => (served[user] ?? 0) / weights[user]!));
}

/** Tokens the server's prompt adds around the question text: one call through an unlimited mock. */
async function promptOverhead(): Promise<number> {
  const setup = scenario('single', 1, { ...REAL_SCALE, calls: 1 });
  const mock = await startMockProvider({ latency: { ttft_ms: 1, per_token_ms: 0, tail_probability: 0 }, limits: {} });
  try {
    await runServerStrategy(setup, mock.url, false, 0, 30_000);
    const stats = mock.engine.stats;
    return Math.max(0, stats.tokens_charged - setup.calls[0]!.maxTokens - setup.calls[0]!.inputTokens);
  } finally {
    await mock.close();
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`real run over ${ms / 1000} s`)), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
