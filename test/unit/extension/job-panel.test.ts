// The job panel's host against the fake vscode API and a real server: it answers the panel's `ready` with a
// snapshot, then follows the job over its event stream alone — log, status, progress, cost and the results each
// progress event names — with no GET of the job after it opened.
import './fakes/install';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Job } from '../../../src/api';
import type { FieldworkClient } from '../../../src/client';
import type { ServerConnection } from '../../../src/extension/connection/connection';
import { activateJobsView, type JobsView } from '../../../src/extension/jobs/jobs-view';
import { JobPanels } from '../../../src/extension/panel/panels';
import type { HostMessage } from '../../../src/webview/messages';
import { useTestServer } from '../../support/test-server';
import { waitForJob } from '../../support/jobs';
import { connectedTo, type Connected } from './fakes/team-server';
import { fake, type FakeWebviewPanel } from './fakes/vscode';

const team = useTestServer('ext-panel');

const survey = (scenarios: number, latencyMs: number): string =>
  [
    'name: Coffee',
    `scenarios: [${Array.from({ length: scenarios }, (_, i) => `{ n: ${i} }`).join(', ')}]`,
    `models: [{ model: test, latency_ms: ${latencyMs} }]`,
    'questions:',
    '  - { question_name: why, question_type: free_text, question_text: "Why coffee {{ n }}?" }',
    '  - { question_name: cups, question_type: numerical, question_text: "How many cups {{ n }}?" }',
  ].join('\n');

type Posted<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

describe('the job panel host', () => {
  let connected: Connected;
  let jobsView: JobsView;
  let panels: JobPanels;
  /** Job ids the host read with GET /v1/jobs/{id}, in order. */
  let reads: string[];
  /** Jobs the host handed to the jobs view. */
  let told: Job[];

  beforeEach(async () => {
    fake.reset();
    connected = await connectedTo(team);
    const client = await connected.connection.client();
    reads = [];
    told = [];
    const counted = new Proxy(client, {
      get(target, property) {
        if (property === 'getJob') return (id: string, opts?: unknown) => (reads.push(id), target.getJob(id, opts as never));
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as FieldworkClient;
    jobsView = activateJobsView(connected.ctx.context, connected.connection, connected.log);
    const connection = { client: () => Promise.resolve(counted) } as unknown as ServerConnection;
    panels = new JobPanels({
      context: connected.ctx.context,
      connection,
      log: connected.log,
      run: () => Promise.resolve(undefined),
      onJob: (job) => {
        told.push(job);
        jobsView.upsert(job);
      },
      onFollow: (jobId) => jobsView.streaming(jobId),
    });
  });
  afterEach(() => {
    panels.dispose();
    connected.dispose();
  });

  const opened = (): FakeWebviewPanel => {
    const panel = fake.panels.at(-1);
    assert.ok(panel, 'a webview panel was created');
    return panel;
  };
  const posted = <T extends HostMessage['type']>(panel: FakeWebviewPanel, type: T): Posted<T>[] =>
    panel.webview.posted.filter((m) => m.type === type) as unknown as Posted<T>[];

  it('follows a running job from its submission to its end over the event stream alone', async () => {
    const submitted = await team.client.submitJob({ source: { name: 'coffee.survey.yaml', text: survey(6, 500) }, files: {} });
    // As Run does: the jobs view shows the new job (and would poll it), then its panel opens.
    jobsView.upsert(submitted);
    assert.equal(jobsView.nextPoll, 1500);
    await panels.openJob(submitted.id, submitted);
    const panel = opened();
    assert.equal(panel.title, 'Job: Coffee');
    assert.match(panel.webview.html, /Content-Security-Policy/);
    panel.webview.send({ type: 'ready' });
    const snapshot = posted(panel, 'snapshot')[0];
    assert.equal(snapshot?.job?.id, submitted.id);
    // While the panel follows the job, the jobs view leaves it to the panel.
    assert.equal(jobsView.nextPoll, 30_000);

    await panel.webview.waitFor((m) => m.type === 'results' && m['complete'] === true);
    const rows = posted(panel, 'results').flatMap((m) => m.rows);
    assert.equal(rows.length, 12, 'six interviews of two questions, each row sent once');
    assert.deepEqual(new Set(rows.map((row) => row.question)), new Set(['why', 'cups']));

    const jobs = posted(panel, 'job').map((m) => m.job);
    assert.ok(
      jobs.some((job) => job.status === 'running'),
      `the panel saw the job run: ${jobs.map((j) => j.status).join(', ')}`,
    );
    const last = jobs.at(-1)!;
    assert.equal(last.status, 'completed');
    assert.equal(last.progress.interviews_done, 6);
    assert.ok(last.finished_at);
    assert.equal(last.cost_by_model?.[0]?.calls, 12);
    assert.deepEqual(told.at(-1), last, 'the jobs view got the same view of the job');
    assert.deepEqual(reads, [], 'the job was given at open, and never read again');
    const logged = posted(panel, 'log').flatMap((m) => m.lines.map((line) => line.type));
    assert.deepEqual([logged[0], logged[1], logged.at(-1)], ['queued', 'started', 'completed']);
    assert.ok(posted(panel, 'progress').some((m) => (m.callsMade ?? 0) > 0));
    // The stream has ended: the job is finished, so nothing is polled often.
    assert.notEqual(jobsView.nextPoll, 1500);
  });

  it('reads a job opened from its id once, then shows its results', async () => {
    const submitted = await team.client.submitJob({ source: { name: 'done.survey.yaml', text: survey(3, 0) }, files: {} });
    await waitForJob(team.client, submitted.id);
    await panels.openJob(submitted.id);
    const panel = opened();
    panel.webview.send({ type: 'ready' });
    await panel.webview.waitFor((m) => m.type === 'results' && m['complete'] === true);
    assert.equal(posted(panel, 'results').flatMap((m) => m.rows).length, 6);
    assert.deepEqual(reads, [submitted.id]);
    assert.equal(posted(panel, 'snapshot').at(-1)?.job?.status, 'completed');
    // Opened again: the same panel, revealed, and no second read.
    await panels.openJob(submitted.id);
    assert.equal(fake.panels.length, 1);
    assert.equal(panel.reveals, 1);
    assert.deepEqual(reads, [submitted.id]);
  });

  it("turns the panel's buttons into commands on its job, and drops messages that are not the panel's", async () => {
    const submitted = await team.client.submitJob({ source: { name: 'buttons.survey.yaml', text: survey(1, 0) }, files: {} });
    await panels.openJob(submitted.id, submitted);
    const panel = opened();
    panel.webview.send({ type: 'ready' });
    panel.webview.send({ type: 'cancel' });
    panel.webview.send({ type: 'copyId' });
    panel.webview.send({ type: 'delete-everything' });
    assert.deepEqual(
      fake.executed.filter((e) => e.command.startsWith('fieldwork.')).map((e) => [e.command, e.args[0]]),
      [
        ['fieldwork.cancelJob', submitted.id],
        ['fieldwork.copyJobId', submitted.id],
      ],
    );
    assert.match(connected.log.text(), /warn dropped a message from the job panel: type: /);
    await panel.webview.waitFor((m) => m.type === 'results' && m['complete'] === true);
  });

  it('stops following when its panel is closed', async () => {
    const submitted = await team.client.submitJob({ source: { name: 'closed.survey.yaml', text: survey(20, 1000) }, files: {} });
    await panels.openJob(submitted.id, submitted);
    const panel = opened();
    panel.webview.send({ type: 'ready' });
    await panel.webview.waitFor((m) => m.type === 'log');
    jobsView.upsert(submitted);
    assert.notEqual(jobsView.nextPoll, 1500, 'followed by the panel');
    panel.dispose();
    assert.equal(panels.get(submitted.id), undefined);
    // The stream's end hands the job back to the jobs view's poll.
    await new Promise<void>((resolve) => {
      const check = (): void => (jobsView.nextPoll === 1500 ? resolve() : void setImmediate(check));
      check();
    });
    await team.client.cancelJob(submitted.id);
  });
});
