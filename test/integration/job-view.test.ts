// The job panel keeps a job's view from its event stream alone: the job as submitted (or read once), then each
// event applied. Here against a real server: the view the stream builds is the job a GET returns at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJobEvent, isFinished, StatusEventData, type Job, type JobEvent } from '../../src/api';
import { useTestServer } from '../support/test-server';
import { waitForJob } from '../support/jobs';

const local = useTestServer('job-view');

const survey = (latencyMs: number, scenarios: number): string =>
  [
    'name: Followed',
    `scenarios: [${Array.from({ length: scenarios }, (_, i) => `{ n: ${i} }`).join(', ')}]`,
    `models: [{ model: test, latency_ms: ${latencyMs} }]`,
    'questions:',
    '  - { question_name: a, question_type: free_text, question_text: "A {{ n }}?" }',
    '  - { question_name: b, question_type: free_text, question_text: "B {{ n }}?" }',
  ].join('\n');

/** The fields a follower shows: what a GET says and the stream must say too. */
const shown = (job: Job) => ({
  status: job.status,
  error: job.error,
  progress: job.progress,
  cost: job.cost,
  cost_by_model: job.cost_by_model,
  started: job.started_at !== null,
  finished: job.finished_at !== null,
});

async function follow(
  start: Job,
  onEvent?: (event: JobEvent, view: Job) => void | Promise<void>,
): Promise<{ view: Job; events: JobEvent[]; statuses: string[] }> {
  let view = start;
  const events: JobEvent[] = [];
  const statuses = [view.status as string];
  for await (const event of local.client.events(start.id)) {
    events.push(event);
    view = applyJobEvent(view, event);
    if (statuses.at(-1) !== view.status) statuses.push(view.status);
    await onEvent?.(event, view);
  }
  return { view, events, statuses };
}

test('the stream alone takes a job from its submission to the state a GET reads at its end', async () => {
  const submitted = await local.client.submitJob({ source: { name: 'followed.survey.yaml', text: survey(700, 6) }, files: {} });
  const { view, events, statuses } = await follow(submitted);
  assert.ok(events.filter((e) => e.type === 'progress').length >= 2, 'the job should run long enough for several progress events');
  assert.deepEqual(statuses, ['queued', 'running', 'completed']);
  const read = await local.client.getJob(submitted.id);
  assert.deepEqual(shown(view), shown(read));
  assert.equal(view.progress.interviews_done, 6);
  assert.ok(view.cost_by_model && view.cost_by_model[0]?.calls === 12, `cost per model from the progress events: ${JSON.stringify(view.cost_by_model)}`);
  // Every status change of this server says the status, the progress and the cost in its data.
  for (const event of events.filter((e) => e.type === 'started' || e.type === 'completed')) {
    assert.ok(StatusEventData.safeParse(event.data).success, `${event.type} event without the job's state: ${JSON.stringify(event.data)}`);
  }
});

test('a job cancelled while it runs reads cancelled from the stream, with what it had spent', async () => {
  const submitted = await local.client.submitJob({ source: { name: 'cancelled.survey.yaml', text: survey(400, 40) }, files: {} });
  let asked = false;
  const { view, statuses } = await follow(submitted, async (event) => {
    if (event.type === 'progress' && !asked) {
      asked = true;
      await local.client.cancelJob(submitted.id);
    }
  });
  assert.ok(asked);
  assert.deepEqual(statuses, ['queued', 'running', 'cancelling', 'cancelled']);
  const read = await local.client.getJob(submitted.id);
  assert.deepEqual(shown(view), shown(read));
  assert.ok(view.progress.interviews_done < 40);
});

test("replaying a finished job's log over the job as read never shows it older than it is", async () => {
  const submitted = await local.client.submitJob({ source: { name: 'replayed.survey.yaml', text: survey(100, 4) }, files: {} });
  const finished = await waitForJob(local.client, submitted.id);
  assert.ok(isFinished(finished.status));
  const seen: Job[] = [];
  const { view } = await follow(finished, (_event, job) => void seen.push(job));
  assert.ok(seen.length > 3);
  for (const job of seen) assert.deepEqual(shown(job), shown(finished));
  assert.deepEqual(shown(view), shown(finished));
});
