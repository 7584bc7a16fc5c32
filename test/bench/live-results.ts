// The panel's live results at scale: a 100,000-result survey (25,000 interviews × 4 questions, `test` model at zero
// latency) followed as the panel follows it — the event stream, then LiveResults fetching each named range. Prints
// how many rows had arrived when the job ended, how long the rest took, and how many requests it cost.
//   npm run -s bench:live [-- --interviews N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import { ProgressEventData } from '../../src/api';
import { LiveResults } from '../../src/extension/panel/live-results';
import { toResultRow } from '../../src/webview/messages';

const args = process.argv.slice(2);
const at = args.indexOf('--interviews');
const interviews = at >= 0 ? Number(args[at + 1]) : 25_000;

const survey = [
  'name: Live benchmark',
  'scenarios: scenarios.csv',
  'models: [test]',
  'questions:',
  '  - { question_name: pick, question_type: multiple_choice, question_text: "Which {{ thing }}?", question_options: [red, green, blue] }',
  '  - { question_name: amount, question_type: numerical, question_text: "How many {{ thing }}?" }',
  '  - { question_name: agree, question_type: yes_no, question_text: "Is {{ thing }} good?" }',
  '  - { question_name: score, question_type: linear_scale, question_text: "Rate {{ thing }}", question_options: [1, 2, 3, 4, 5] }',
].join('\n');
const csv = ['thing', ...Array.from({ length: interviews }, (_, i) => `item ${i}`)].join('\n');

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-live-'));
  const server = await startServer({ dataDir, port: 0 });
  try {
    const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    let requests = 0;
    let messages = 0;
    const live = new LiveResults({
      fetch: (range) => {
        requests++;
        return client.allResults(job.id, { interviews: range, pageSize: 1000 });
      },
      toRow: toResultRow,
      send: () => void messages++,
    });
    const started = performance.now();
    const job = await client.submitJob({ source: { name: 'live.survey.yaml', text: survey }, files: { 'scenarios.csv': csv } });
    let progressEvents = 0;
    let endedAt = 0;
    let rowsAtEnd = 0;
    for await (const event of client.events(job.id)) {
      if (event.type === 'progress') {
        progressEvents++;
        live.stored(ProgressEventData.parse(event.data).stored ?? []);
      }
      if (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled') {
        endedAt = performance.now();
        rowsAtEnd = live.rows.length;
      }
    }
    await live.drained();
    const done = performance.now();
    const expected = interviews * 4;
    console.log(`results: ${live.rows.length.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}`);
    console.log(
      `job ran ${((endedAt - started) / 1000).toFixed(1)} s; rows already shown when it ended: ${rowsAtEnd.toLocaleString('en-US')} (${((rowsAtEnd / expected) * 100).toFixed(0)}%)`,
    );
    console.log(`the rest arrived ${((done - endedAt) / 1000).toFixed(1)} s after the end`);
    console.log(`progress events ${progressEvents}, range requests ${requests}, messages to the panel ${messages}`);
    if (live.rows.length !== expected) process.exitCode = 1;
    await client.close();
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
