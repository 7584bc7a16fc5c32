// One simulated run: a strategy against the mock provider's engine on the event clock. Deterministic per seed.
import { seededRandom } from '../../../src/random/seeded-random';
import { EventClock } from './event-clock';
import { jain, lowerBoundMs } from './metrics';
import { tightBoundMs } from './tight-bound';
import type { MockConfig } from '../../../src/mock-provider/config';
import type { MockEngine } from '../../../src/mock-provider/engine';
import { scenario, type Scenario, type ScenarioName } from './scenarios';
import { SimProvider } from './sim-provider';
import { strategy, type StrategyName } from './strategies';

export interface Row {
  scenario: string;
  mode: 'simulated' | 'real';
  strategy: StrategyName;
  makespan_s: number;
  lower_bound_s: number;
  ratio: number;
  /** The makespan of a zero-latency client sending each call as early as the mock's exact rules allow (tight-bound.ts). */
  tight_bound_s: number;
  ratio_tight: number;
  /** Calls the strategy gave up on. */
  failed_calls: number;
  rate_limited_per_100: number;
  wasted_tokens: number;
  fairness: number | null;
  seed?: number;
}

/** `provider`: changes to the scenario's provider (e.g. 429 messages that say nothing). */
export async function simulate(name: ScenarioName, strategyName: StrategyName, seed: number, provider: Partial<MockConfig> = {}): Promise<Row> {
  const setup = scenario(name, seed);
  setup.provider = { ...setup.provider, ...provider };
  const clock = new EventClock();
  const sim = new SimProvider(clock, { ...setup.provider, strip_headers: setup.stripHeaders || strategyName === 'fieldwork-blind' });
  const finished: { user: string; at: number; tokens: number }[] = [];
  let failed = 0;
  await clock.run(
    strategy(strategyName)({
      clock,
      calls: setup.calls,
      known: setup.known,
      weights: setup.weights,
      random: seededRandom(seed * 31 + 5),
      call: (call, early) =>
        sim.call({ flavor: setup.flavor, model: 'model', inputTokens: call.inputTokens, maxTokens: call.maxTokens, key: call.user }, early),
      done: (call, reply) => finished.push({ user: call.user, at: clock.now(), tokens: reply.input_tokens + reply.output_tokens }),
      failed: () => failed++,
    }),
  );
  await sim.close();
  // Failed calls are not done: the makespan is the last call that was (or the end, if none was).
  const makespan = finished.length > 0 ? Math.max(...finished.map((f) => f.at)) : clock.now();
  const fair = Object.keys(setup.weights).length > 1 ? fairness(finished, setup.weights) : null;
  return row({ scenario: name, mode: 'simulated', strategy: strategyName, seed }, makespan, setup, sim.engine, fair, failed, tightBound(name, seed, setup));
}

const tightBounds = new Map<string, number>();

/** The same for every strategy on a scenario and seed (unless a run changes the provider's limits): computed once. */
function tightBound(name: string, seed: number, setup: Scenario): number {
  const key = `${name}/${seed}/${JSON.stringify([setup.provider.limits, setup.provider.enforcement, setup.provider.mode, setup.provider.other_tenant_share, setup.provider.limit_changes])}`;
  let bound = tightBounds.get(key);
  if (bound === undefined) tightBounds.set(key, (bound = tightBoundMs(setup)));
  return bound;
}

/** One row of the table, from what the mock provider saw: its admissions set T*, its rejections the waste. */
export function row(
  id: Pick<Row, 'scenario' | 'mode' | 'strategy' | 'seed'>,
  makespanMs: number,
  setup: Scenario,
  engine: MockEngine,
  fair: number | null,
  failed: number,
  tightMs: number = tightBoundMs(setup),
): Row {
  const stats = engine.stats;
  const work = { requests: stats.admitted, tokens: stats.tokens_used, input_tokens: stats.input_tokens_used, output_tokens: stats.output_tokens_used };
  const lower = lowerBoundMs(setup.provider, engine.limiter, work);
  return {
    scenario: id.scenario,
    mode: id.mode,
    strategy: id.strategy,
    makespan_s: round(makespanMs / 1000, 1),
    lower_bound_s: round(lower / 1000, 1),
    ratio: round(makespanMs / lower, 3),
    tight_bound_s: round(tightMs / 1000, 1),
    ratio_tight: round(makespanMs / tightMs, 3),
    failed_calls: failed,
    rate_limited_per_100: round((100 * stats.rejected) / setup.calls.length, 2),
    wasted_tokens: stats.tokens_charged_to_rejected,
    fairness: fair === null ? null : round(fair, 3),
    ...(id.seed === undefined ? {} : { seed: id.seed }),
  };
}

/** Jain's index of tokens served ÷ weight per user, until the first user is done (while all contend). */
export function fairness(finished: { user: string; at: number; tokens: number }[], weights: Record<string, number>): number {
  const lastOf: Record<string, number> = {};
  for (const f of finished) lastOf[f.user] = Math.max(lastOf[f.user] ?? 0, f.at);
  const until = Math.min(...Object.values(lastOf));
  const served: Record<string, number> = {};
  for (const f of finished) if (f.at <= until) served[f.user] = (served[f.user] ?? 0) + f.tokens;
  return jain(Object.keys(weights).map((user) => (served[user] ?? 0) / weights[user]!));
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
