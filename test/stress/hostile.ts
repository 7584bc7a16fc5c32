// The hostile-files benchmark: a real `fieldwork serve` (the bundle, in its own process) gets three large or hostile
// files at once, again and again, while another user's client asks /v1/health every 25 ms. Prints how long health
// took to answer (median, 99th percentile, worst) and the server's resident memory (before, peak, after), read from
// /proc, per scenario, each on a fresh server. Figures, not a test:
// `npm run bench:hostile [-- --json] [-- --rounds N] [-- --cli OTHER/dist/fieldwork.js]`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDependentLoop, hostileFiles, hundredThousandQuestions } from '../fixtures/hostile';
import type { JobSubmission } from '../../src/api';
import { CLI, ROOT } from '../support/processes';

const args = process.argv.slice(2);
const json = args.includes('--json');
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 3;
/** Another build's bundle, to compare with (e.g. an older version's dist/fieldwork.js). */
const cliArg = args.indexOf('--cli');
const cli = cliArg >= 0 ? args[cliArg + 1]! : CLI;

interface Scenario {
  name: string;
  /** Three requests sent at once, per round. */
  requests: { path: string; submission: JobSubmission }[];
}

/** 2,000 questions (the default limit) over 50 scenarios: what a server should estimate, not refuse. */
function twoThousandQuestions(): JobSubmission {
  const questions = Array.from(
    { length: 2000 },
    (_, i) =>
      `  - { question_name: q${i}, question_type: multiple_choice, question_text: "How often do you drink {{ drink }} (${i})?", question_options: [Daily, Weekly, Never] }`,
  );
  const scenarios = Array.from({ length: 50 }, (_, i) => `  - { drink: drink${i} }`);
  return { source: { name: 'two-thousand.survey.yaml', text: ['scenarios:', ...scenarios, 'questions:', ...questions].join('\n') }, files: {} };
}

function scenarios(): Scenario[] {
  const many = hundredThousandQuestions();
  const three = (path: string, submission: (i: number) => JobSubmission) => [0, 1, 2].map((i) => ({ path, submission: submission(i) }));
  const hostile = hostileFiles().filter((file) => /liquid-loop|liquid-slow|huge-json-string|many-scenarios|deep-flow|alias/.test(file.name));
  const loop = dataDependentLoop();
  return [
    {
      name: '3 × estimate of 100,000 questions (7 MB JSON)',
      requests: three('/v1/estimates', (i) => ({ source: { name: `many-${i}.survey.json`, text: many }, files: {} })),
    },
    {
      name: '3 × submit of 100,000 questions (7 MB JSON)',
      requests: three('/v1/jobs', (i) => ({ source: { name: `many-${i}.survey.json`, text: many }, files: {} })),
    },
    { name: '3 × estimate of 2,000 questions × 50 scenarios', requests: three('/v1/estimates', () => twoThousandQuestions()) },
    {
      name: '3 × estimate of other hostile files, in turn',
      requests: three('/v1/estimates', (i) => {
        const file = hostile[i % hostile.length]!;
        return { source: { name: file.name, text: file.text }, files: {} };
      }).concat(hostile.slice(3).map((file) => ({ path: '/v1/estimates', submission: { source: { name: file.name, text: file.text }, files: {} } }))),
    },
    {
      name: '3 × estimate of a loop that runs away with one scenario',
      requests: three('/v1/estimates', () => ({ source: { name: loop.name, text: loop.text }, files: loop.files })),
    },
  ];
}

/** The server's resident set now, in MB (Linux /proc). */
function rssMb(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0; // the process has ended
  }
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[0]);
      }
    }, 20);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  return { child, url, key: readFileSync(join(dataDir, 'api-key'), 'utf8').trim() };
}

/** Health latencies (ms) measured one after another, with nothing else going on. */
async function idleHealth(health: () => Promise<number>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await health();
  const idle: number[] = [];
  for (let i = 0; i < 40; i++) idle.push(await health());
  return idle;
}

/** Runs one scenario on a server of its own, so each starts from the same memory. */
async function measure(scenario: Scenario): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-hostile-bench-'));
  const { child, url, key } = await startServe(dataDir);
  const pid = child.pid!;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const health = async (): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${url}/v1/health`, { headers });
    await response.arrayBuffer();
    return performance.now() - started;
  };
  try {
    const idle = await idleHealth(health);
    const bodies = scenario.requests.map((request) => ({ path: request.path, body: JSON.stringify(request.submission) }));
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      let busy = true;
      const polling = (async () => {
        while (busy && child.exitCode === null) {
          // A server that stopped answering (it ran out of memory) ends the polling.
          const latency = await health().catch(() => null);
          if (latency === null) break;
          latencies.push(latency);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      const replies = await Promise.all(
        bodies.map(({ path, body }) =>
          fetch(`${url}${path}`, { method: 'POST', headers, body }).then(
            async (r) => (await r.arrayBuffer(), r.status),
            () => 0,
          ),
        ),
      );
      busy = false;
      await polling;
      for (const status of replies) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    clearInterval(sampler);
    const exited = child.exitCode !== null || child.signalCode !== null;
    return {
      scenario: scenario.name,
      statuses: [...statuses].map(([status, count]) => `${count}×${status === 0 ? 'no reply' : status}`).join(' ') + (exited ? ' (server died)' : ''),
      seconds,
      idle_health_p50_ms: percentile(idle, 50),
      health_p50_ms: percentile(latencies, 50),
      health_p99_ms: percentile(latencies, 99),
      health_max_ms: latencies.length > 0 ? Math.max(...latencies) : null,
      rss_before_mb: before,
      rss_peak_mb: peak,
      rss_after_mb: exited ? 0 : rssMb(pid),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const report: Record<string, unknown>[] = [];
  for (const scenario of scenarios()) report.push(await measure(scenario));
  if (json) {
    console.log(JSON.stringify({ rounds, report }, null, 2));
    return;
  }
  console.log(`Hostile files: ${rounds} rounds of the requests at once per scenario, each on a fresh server; health asked every 25 ms meanwhile.\n`);
  const round = (value: unknown) => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(1)) : String(value));
  const columns = [
    'scenario',
    'statuses',
    'seconds',
    'idle_health_p50_ms',
    'health_p50_ms',
    'health_p99_ms',
    'health_max_ms',
    'rss_before_mb',
    'rss_peak_mb',
    'rss_after_mb',
  ];
  console.log(columns.join(' | '));
  for (const row of report) console.log(columns.map((column) => round(row[column])).join(' | '));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
