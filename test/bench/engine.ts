// The engine benchmark: one 100,000-interview survey on the `test` model at zero latency, submitted over HTTP
// to an in-process server, through scheduler, cache and SQLite store. Prints calls per second end to end and
// the process's peak memory.   npm run bench:engine [-- --json] [-- --interviews N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import { isFinished } from '../../src/api';

const args = process.argv.slice(2);
const json = args.includes('--json');
const interviewsArg = args.indexOf('--interviews');
const interviews = interviewsArg >= 0 ? Number(args[interviewsArg + 1]) : 100_000;
const agents = 100;
const scenarios = Math.ceil(interviews / agents);

function surveyText(): string {
  const agentLines = Array.from({ length: agents }, (_, i) => `  - { name: a${i}, traits: { age: ${18 + (i % 60)}, panel: ${i} } }`);
  return [
    'name: Engine benchmark',
    'scenarios: scenarios.csv',
    'agents:',
    ...agentLines,
    'models: [test]',
    'questions:',
    '  - { question_name: pick, question_type: multiple_choice, question_text: "Which {{ thing }} do you prefer?", question_options: [red, green, blue, yellow] }',
    '  - { question_name: amount, question_type: numerical, question_text: "How many {{ thing }} would you buy?", min_value: 0, max_value: 100 }',
    '  - { question_name: agree, question_type: yes_no, question_text: "Is {{ thing }} worth {{ price }}?" }',
  ].join('\n');
}

function scenariosCsv(): string {
  const rows = ['thing,price'];
  for (let i = 0; i < scenarios; i++) rows.push(`item ${i},${(i % 97) + 0.5}`);
  return rows.join('\n');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const server = await startServer({ dataDir, port: 0 });
  try {
    const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    const started = performance.now();
    const submitted = await client.submitJob({
      source: { name: 'engine.survey.yaml', text: surveyText() },
      files: { 'scenarios.csv': scenariosCsv() },
    });
    let job = submitted;
    while (!isFinished(job.status)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = await client.getJob(submitted.id);
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
    const report = {
      calls_per_second: Math.round(job.progress.calls_done / seconds),
      peak_rss_mb: Math.round(peakRss / 1024 / 1024),
      calls: job.progress.calls_done,
      interviews: job.progress.interviews_done,
      seconds: Math.round(seconds * 100) / 100,
      status: job.status,
    };
    if (json) {
      console.log(JSON.stringify(report));
    } else {
      console.log(`engine benchmark: ${interviews.toLocaleString('en-US')} interviews × 3 questions on the test model (latency 0)`);
      console.log(`  status            ${report.status}`);
      console.log(`  calls             ${report.calls.toLocaleString('en-US')}`);
      console.log(`  wall time         ${report.seconds} s`);
      console.log(`  calls per second  ${report.calls_per_second.toLocaleString('en-US')}   (target ≥ 10,000)`);
      console.log(`  peak RSS          ${report.peak_rss_mb} MB   (target ≤ 300 MB)`);
    }
    if (job.status !== 'completed') process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
