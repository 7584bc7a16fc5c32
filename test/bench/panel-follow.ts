// What following a running job costs the extension: the job panel's host (with the fake vscode API of the unit tests)
// and the jobs view follow a survey on a real server, as after Run; every call they make to the client is counted.
// Prints the calls by method, how many events the stream carried, and what the panel was sent.
//   npm run -s bench:panel [-- --interviews N --latency MS]
import '../unit/extension/fakes/install';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { startServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import type { ServerConnection } from '../../src/extension/connection/connection';
import { JobsView } from '../../src/extension/jobs/jobs-view';
import { JobPanel } from '../../src/extension/panel/job-panel';
import { fakeContext } from '../unit/extension/fakes/context';
import { memoryLog } from '../unit/extension/fakes/log';
import { fake, window } from '../unit/extension/fakes/vscode';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const interviews = option('--interviews', 40);
const latencyMs = option('--latency', 400);

const survey = [
  'name: Followed',
  'scenarios: scenarios.csv',
  `models: [{ model: test, latency_ms: ${latencyMs} }]`,
  'questions:',
  '  - { question_name: why, question_type: free_text, question_text: "Why {{ thing }}?" }',
  '  - { question_name: cups, question_type: numerical, question_text: "How many {{ thing }}?" }',
].join('\n');
const csv = ['thing', ...Array.from({ length: interviews }, (_, i) => `item ${i}`)].join('\n');

/** The client, with each call of its methods counted by name. */
function counted(client: FieldworkClient, calls: Map<string, number>): FieldworkClient {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      return (...rest: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, rest);
      };
    },
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-panel-'));
  const server = await startServer({ dataDir, port: 0 });
  const ctx = fakeContext();
  const log = memoryLog();
  try {
    const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    const panelCalls = new Map<string, number>();
    const treeCalls = new Map<string, number>();
    const connectionOf = (calls: Map<string, number>) =>
      ({
        client: () => Promise.resolve(counted(client, calls)),
        report: () => undefined,
        describe: () => server.url,
        state: 'connected',
        onDidChangeTarget: () => ({ dispose() {} }),
      }) as unknown as ServerConnection;
    const jobsView = new JobsView(connectionOf(treeCalls), log);
    jobsView.visible = true;
    await jobsView.refresh();
    const started = performance.now();
    const job = await client.submitJob({ source: { name: 'followed.survey.yaml', text: survey }, files: { 'scenarios.csv': csv } });
    jobsView.upsert(job);
    const webviewPanel = window.createWebviewPanel('fieldwork.job', 'Job');
    const panel = new JobPanel(webviewPanel as unknown as vscode.WebviewPanel, {
      context: ctx.context,
      connection: connectionOf(panelCalls),
      log,
      run: () => Promise.resolve(undefined),
      onJob: (j) => jobsView.upsert(j),
      onFollow: (id) => jobsView.streaming(id),
    });
    webviewPanel.webview.send({ type: 'ready' });
    panel.showJob(job);
    await webviewPanel.webview.waitFor((m) => m.type === 'results' && m['complete'] === true);
    const seconds = (performance.now() - started) / 1000;
    const events = (await client.eventPage(job.id, { limit: 1000 })).events;
    const posted = new Map<string, number>();
    for (const m of webviewPanel.webview.posted) posted.set(m.type, (posted.get(m.type) ?? 0) + 1);
    const list = (calls: Map<string, number>): string => [...calls].map(([name, n]) => `${name} ${n}`).join(', ') || 'none';
    console.log(
      `job of ${interviews} interviews ran and was shown in ${seconds.toFixed(1)} s; its log has ${events.length} events (${events.filter((e) => e.type === 'progress').length} progress)`,
    );
    console.log(`panel host's client calls: ${list(panelCalls)}`);
    console.log(`jobs view's client calls meanwhile: ${list(treeCalls)}`);
    console.log(`messages to the panel: ${list(posted)}`);
    panel.dispose();
    jobsView.dispose();
    await client.close();
  } finally {
    ctx.dispose();
    fake.reset();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
