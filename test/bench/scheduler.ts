// `npm run bench:scheduler [-- --json] [-- --real | --mode simulated|real|both] [-- --seeds 1,2,3] [-- --real-seeds 1]
// [-- --scenarios a,b]`:
// every strategy on the same workloads, side by side. Simulated runs (virtual clock, deterministic per seed) are the
// source of the targets; real runs (`--real` adds them) go through the job server over loopback against the HTTP
// mock provider, on a few scenarios unless `--scenarios` names them, so the real mode stays within a few minutes.
import Table from 'cli-table3';
import { SCENARIOS, type ScenarioName } from './scheduler/scenarios';
import { simulate, type Row } from './scheduler/simulate';
import { STRATEGIES, type StrategyName } from './scheduler/strategies';
import { REAL_DEFAULT_SCENARIOS, runReal } from './scheduler/real';

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
  const list = <T extends string>(flag: string, all: readonly T[]): T[] => (value(flag)?.split(',') as T[] | undefined)?.filter((x) => all.includes(x)) ?? [...all];
  return {
    json: argv.includes('--json'),
    mode: (value('--mode') as Options['mode'] | undefined) ?? (argv.includes('--real') ? 'both' : 'simulated'),
    seeds: (value('--seeds') ?? '1,2,3,4,5,6,7,8,9,10').split(',').map(Number),
    realSeeds: (value('--real-seeds') ?? '1').split(',').map(Number),
    scenarios: list('--scenarios', SCENARIOS),
    realScenarios: value('--scenarios') === undefined ? [...REAL_DEFAULT_SCENARIOS] : list('--scenarios', SCENARIOS),
    strategies: list('--strategies', STRATEGIES),
  };
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
    rate_limited_per_100: Math.round(mean((row) => row.rate_limited_per_100) * 100) / 100,
    wasted_tokens: Math.round(mean((row) => row.wasted_tokens)),
    fairness: fair,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const runs: Row[] = [];
  if (options.mode !== 'real') {
    for (const scenarioName of options.scenarios) {
      for (const strategyName of options.strategies) {
        const rows: Row[] = [];
        for (const seed of options.seeds) rows.push(await simulate(scenarioName, strategyName, seed));
        runs.push(average(rows));
      }
    }
  }
  if (options.mode !== 'simulated') {
    const real = await runReal(options.realScenarios, options.strategies, options.realSeeds, (line) => process.stderr.write(`${line}\n`));
    for (const scenarioName of options.realScenarios) {
      for (const strategyName of options.strategies) {
        const rows = real.filter((row) => row.scenario === scenarioName && row.strategy === strategyName);
        if (rows.length > 0) runs.push(average(rows));
      }
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ seeds: options.seeds, real_seeds: options.realSeeds, runs }, null, 2)}\n`);
    return;
  }
  const table = new Table({ style: { head: [], border: [] }, head: ['scenario', 'mode', 'strategy', 'makespan s', 'T* s', 'ratio', '429s/100', 'wasted tok', 'fairness'] });
  for (const row of runs) {
    table.push([row.scenario, row.mode, row.strategy, row.makespan_s, row.lower_bound_s, row.ratio.toFixed(3), row.rate_limited_per_100, row.wasted_tokens, row.fairness ?? '']);
  }
  process.stdout.write(`${table.toString()}\nseeds: ${options.seeds.join(', ')} simulated, ${options.realSeeds.join(', ')} real (rows are means over the seeds)\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
