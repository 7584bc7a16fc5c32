// One simulated run: a strategy against the mock provider's engine on the event clock. Deterministic per seed.
import { seededRandom } from '../../../src/mock-provider/random';
import { EventClock } from './event-clock';
import { jain, lowerBoundMs } from './metrics';
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
  await clock.run(
    strategy(strategyName)({
      clock,
      calls: setup.calls,
      known: setup.known,
      weights: setup.weights,
      random: seededRandom(seed * 31 + 5),
      call: (call, early) => sim.call({ flavor: 'openai', model: 'model', inputTokens: call.inputTokens, maxTokens: call.maxTokens, key: call.user }, early),
      done: (call, reply) => finished.push({ user: call.user, at: clock.now(), tokens: reply.input_tokens + reply.output_tokens }),
    }),
  );
  await sim.close();
  const makespan = Math.max(...finished.map((f) => f.at));
  const fair = Object.keys(setup.weights).length > 1 ? fairness(finished, setup.weights) : null;
  return row({ scenario: name, mode: 'simulated', strategy: strategyName, seed }, makespan, setup, sim.engine, fair);
}

/** One row of the table, from what the mock provider saw: its admissions set T*, its rejections the waste. */
export function row(
  id: Pick<Row, 'scenario' | 'mode' | 'strategy' | 'seed'>,
  makespanMs: number,
  setup: Scenario,
  engine: MockEngine,
  fair: number | null,
): Row {
  const stats = engine.stats;
  const lower = lowerBoundMs(setup.provider, engine.limiter, { requests: stats.admitted, tokens: stats.tokens_used });
  return {
    scenario: id.scenario,
    mode: id.mode,
    strategy: id.strategy,
    makespan_s: round(makespanMs / 1000, 1),
    lower_bound_s: round(lower / 1000, 1),
    ratio: round(makespanMs / lower, 3),
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
