// `npm run bench:scheduler [-- --json] [-- --real | --mode simulated|real|both] [-- --seeds 1,2,3] [-- --real-seeds 1]
// [-- --scenarios a,b | zoo | zoo-held-out | all] [-- --strategies a,b]`:
// every strategy on the same workloads, side by side. Simulated runs (virtual clock, deterministic per seed) are the
// source of the targets; real runs (`--real` adds them) go through the job server over loopback against the HTTP
// mock provider, on a few scenarios unless `--scenarios` names them, so the real mode stays within a few minutes.
// The default scenarios are the mock's own shapes; `zoo` names the providers that count differently (zoo.ts), and
// `all` both. `zoo-held-out` names twenty more random providers, kept out of the tuning on the first twenty.
import Table from 'cli-table3';
import { ALL_SCENARIOS, isScenario, SCENARIOS, type ScenarioName } from './scheduler/scenarios';
import { simulate, type Row } from './scheduler/simulate';
import { STRATEGIES, type StrategyName } from './scheduler/strategies';
import { REAL_DEFAULT_SCENARIOS, runReal } from './scheduler/real';
import { ZOO_HELD_OUT, ZOO_SCENARIOS } from './scheduler/zoo';

interface Options {
  json: boolean;
  mode: 'simulated' | 'real' | 'both';
  /** Simulated seeds: ten by default, as one seed's ratio with 1 s windows varies by about 0.005 (a standard deviation). */
  seeds: number[];
  /** Real mode's seeds (each run takes seconds of wall clock, so one unless asked). */
  realSeeds: number[];
  scenarios: ScenarioName[];
  /** Real mode's scenarios: the named ones, else a default few. */
  realScenarios: ScenarioName[];
  strategies: StrategyName[];
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const list = <T extends string>(flag: string, all: readonly T[]): T[] =>
    (value(flag)?.split(',') as T[] | undefined)?.filter((x) => all.includes(x)) ?? [...all];
  const named = value('--scenarios');
  const scenarios = named === undefined ? [...SCENARIOS] : scenarioList(named);
  return {
    json: argv.includes('--json'),
    mode: (value('--mode') as Options['mode'] | undefined) ?? (argv.includes('--real') ? 'both' : 'simulated'),
    seeds: (value('--seeds') ?? '1,2,3,4,5,6,7,8,9,10').split(',').map(Number),
    realSeeds: (value('--real-seeds') ?? '1').split(',').map(Number),
    scenarios,
    realScenarios: named === undefined ? [...REAL_DEFAULT_SCENARIOS] : scenarios,
    strategies: list('--strategies', STRATEGIES),
  };
}

/** Names, `zoo` (every zoo scenario), `zoo-held-out` and `all` (the default ones and the zoo), comma-separated. */
function scenarioList(text: string): ScenarioName[] {
  const names = new Set<ScenarioName>();
  for (const part of text.split(',').map((name) => name.trim())) {
    if (part === 'all') for (const name of ALL_SCENARIOS) names.add(name);
    else if (part === 'zoo') for (const name of ZOO_SCENARIOS) names.add(name);
    else if (part === 'zoo-held-out') for (const name of ZOO_HELD_OUT) names.add(name);
    else if (isScenario(part)) names.add(part);
    else if (part !== '') process.stderr.write(`unknown scenario ${part}: skipped\n`);
  }
  return [...names];
}

/** A run that did not finish (a strategy stuck past the simulation's limit, a provider it could not handle). */
interface Broken {
  scenario: string;
  mode: 'simulated' | 'real';
  strategy: StrategyName;
  seed: number;
  error: string;
}

/** Mean over seeds of one (scenario, strategy): the table shows one row per pair. */
function average(rows: Row[]): Row {
  const mean = (pick: (row: Row) => number) => rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
  const first = rows[0]!;
  const fair = rows.every((row) => row.fairness !== null) ? Math.round(mean((row) => row.fairness!) * 1000) / 1000 : null;
  return {
    scenario: first.scenario,
    mode: first.mode,
    strategy: first.strategy,
    makespan_s: Math.round(mean((row) => row.makespan_s) * 10) / 10,
    lower_bound_s: Math.round(mean((row) => row.lower_bound_s) * 10) / 10,
    ratio: Math.round(mean((row) => row.ratio) * 1000) / 1000,
    tight_bound_s: Math.round(mean((row) => row.tight_bound_s) * 10) / 10,
    ratio_tight: Math.round(mean((row) => row.ratio_tight) * 1000) / 1000,
    failed_calls: Math.round(mean((row) => row.failed_calls) * 100) / 100,
    rate_limited_per_100: Math.round(mean((row) => row.rate_limited_per_100) * 100) / 100,
    wasted_tokens: Math.round(mean((row) => row.wasted_tokens)),
    fairness: fair,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const runs: Row[] = [];
  const broken: Broken[] = [];
  if (options.mode !== 'real') {
    const began = performance.now();
    for (const [i, scenarioName] of options.scenarios.entries()) {
      const at = performance.now();
      for (const strategyName of options.strategies) {
        const rows: Row[] = [];
        for (const seed of options.seeds) {
          // One run that breaks (a strategy stuck, a provider it cannot handle) is reported, not the end of the table.
          try {
            rows.push(await simulate(scenarioName, strategyName, seed));
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            broken.push({ scenario: scenarioName, mode: 'simulated', strategy: strategyName, seed, error: message });
            process.stderr.write(`${scenarioName} ${strategyName} seed ${seed}: ${message}\n`);
          }
        }
        if (rows.length > 0) runs.push(average(rows));
      }
      const seconds = (ms: number) => (ms / 1000).toFixed(1);
      process.stderr.write(
        `simulated ${scenarioName} (${i + 1}/${options.scenarios.length}): ${seconds(performance.now() - at)} s, ${seconds(performance.now() - began)} s so far\n`,
      );
    }
  }
  if (options.mode !== 'simulated') {
    const real = await runReal(options.realScenarios, options.strategies, options.realSeeds, (line) => process.stderr.write(`${line}\n`));
    for (const scenarioName of options.realScenarios) {
      for (const strategyName of options.strategies) {
        const rows = real.filter((row) => row.scenario === scenarioName && row.strategy === strategyName);
        if (rows.length > 0) runs.push(average(rows));
        for (const seed of options.realSeeds) {
          if (!rows.some((row) => row.seed === seed))
            broken.push({ scenario: scenarioName, mode: 'real', strategy: strategyName, seed, error: 'failed (see the log)' });
        }
      }
    }
  }
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ seeds: options.seeds, real_seeds: options.realSeeds, runs, ...(broken.length > 0 ? { broken_runs: broken } : {}) }, null, 2)}\n`,
    );
    return;
  }
  const table = new Table({
    style: { head: [], border: [] },
    head: ['scenario', 'mode', 'strategy', 'makespan s', 'T* s', 'ratio', 'tight s', '÷tight', '429s/100', 'wasted tok', 'failed', 'fairness'],
  });
  for (const row of runs) {
    table.push([
      row.scenario,
      row.mode,
      row.strategy,
      row.makespan_s,
      row.lower_bound_s,
      row.ratio.toFixed(3),
      row.tight_bound_s,
      row.ratio_tight.toFixed(3),
      row.rate_limited_per_100,
      row.wasted_tokens,
      row.failed_calls,
      row.fairness ?? '',
    ]);
  }
  // A pair none of whose runs finished has no row of means: it still gets a line.
  const shown = new Set(runs.map((row) => `${row.mode}/${row.scenario}/${row.strategy}`));
  for (const run of broken) {
    const key = `${run.mode}/${run.scenario}/${run.strategy}`;
    if (shown.has(key)) continue;
    shown.add(key);
    table.push([run.scenario, run.mode, run.strategy, 'did not finish', '', '', '', '', '', '', '', '']);
  }
  const notes = broken.map((run) => `${run.scenario} ${run.strategy} seed ${run.seed} (${run.mode}): ${run.error}`);
  process.stdout.write(
    `${table.toString()}\nseeds: ${options.seeds.join(', ')} simulated, ${options.realSeeds.join(', ')} real (rows are means over the seeds that finished)\n`,
  );
  if (notes.length > 0) process.stdout.write(`runs that did not finish:\n${notes.map((note) => `  ${note}\n`).join('')}`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
