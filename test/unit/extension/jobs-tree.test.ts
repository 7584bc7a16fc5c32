// The jobs tree against the fake vscode API and a real server: what it lists, when it redraws, and when it polls.
import './fakes/install';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Job } from '../../../src/api';
import { activateJobsView, type JobsNode, type JobsView } from '../../../src/extension/jobs/jobs-view';
import { useTestServer } from '../../support/test-server';
import { waitForJob } from '../../support/jobs';
import { connectedTo, type Connected } from './fakes/team-server';
import { fake, type TreeItem } from './fakes/vscode';

const team = useTestServer('ext-tree');

const SURVEY = ['name: Coffee', 'models: [test]', 'questions:', '  - { question_name: q, question_type: free_text, question_text: "Why coffee?" }'].join('\n');

describe('the jobs tree', () => {
  let connected: Connected;
  let view: JobsView;

  beforeEach(async () => {
    fake.reset();
    connected = await connectedTo(team);
    view = activateJobsView(connected.ctx.context, connected.connection, connected.log);
  });
  afterEach(() => connected.dispose());

  const items = async (): Promise<TreeItem[]> => (await view.getChildren()).map((node: JobsNode) => view.getTreeItem(node) as unknown as TreeItem);

  it('says when the server has no jobs yet, for the welcome view', async () => {
    assert.deepEqual(await view.getChildren(), []);
    assert.equal(fake.contexts.get('fieldwork.jobsEmpty'), true);
    assert.equal(connected.connection.state, 'connected');
  });

  it("lists the server's jobs, newest first, each opening its panel", async () => {
    const first = await team.client.submitJob({ source: { name: 'a.survey.yaml', text: SURVEY }, files: {} });
    const second = await team.client.submitJob({ source: { name: 'b.survey.yaml', text: SURVEY }, files: {} });
    await waitForJob(team.client, first.id);
    await waitForJob(team.client, second.id);
    await view.refresh();
    const shown = await items();
    assert.deepEqual(
      shown.map((item) => item.id),
      [second.id, first.id],
    );
    assert.equal(shown[0]!.label, 'Coffee');
    assert.equal(shown[0]!.contextValue, 'job-completed');
    assert.deepEqual(shown[0]!.command, { command: 'fieldwork.openJob', title: 'Open', arguments: [second.id] });
    assert.equal(fake.contexts.get('fieldwork.jobsEmpty'), false);
  });

  it('redraws when a job changes, as a panel following it says', async () => {
    const [node] = await view.getChildren();
    assert.ok(node && node.kind === 'job');
    let redraws = 0;
    let told: readonly Job[] = [];
    view.onDidChangeTreeData(() => redraws++);
    view.onDidChangeJobs((jobs) => (told = jobs));
    view.upsert({ ...node.job, status: 'running' });
    assert.equal(redraws, 1);
    assert.equal(told.find((job) => job.id === node.job.id)?.status, 'running');
    const [item] = await items();
    assert.equal(item!.contextValue, 'job-running');
  });

  it('polls a running job every 1.5 s, but not while a panel follows its stream', async () => {
    const [node] = await view.getChildren();
    assert.ok(node && node.kind === 'job');
    view.upsert({ ...node.job, status: 'running' });
    assert.equal(view.nextPoll, 1500);
    const stream = view.streaming(node.job.id);
    assert.equal(view.nextPoll, 30_000, 'only the idle refresh of the first page is left');
    const second = view.streaming(node.job.id);
    stream.dispose();
    assert.equal(view.nextPoll, 30_000, 'a second panel still follows it');
    second.dispose();
    assert.equal(view.nextPoll, 1500, 'a stream that ended before its job leaves the job to the poll');
  });

  it('reloads when the server or its key changes', async () => {
    await view.getChildren();
    let redraws = 0;
    view.onDidChangeTreeData(() => redraws++);
    await connected.ctx.secrets.store(`fieldwork.apiKey:${team.server.url}`, team.server.apiKey);
    await new Promise<void>((resolve) => view.onDidChangeTreeData(() => resolve()));
    assert.ok(redraws >= 1);
  });

  it('shows no jobs and marks the server unreachable when it cannot be reached', async () => {
    fake.settings.set('fieldwork.server', 'http://127.0.0.1:9');
    await connected.ctx.secrets.store('fieldwork.apiKey:http://127.0.0.1:9', 'a-key-that-is-long-enough');
    await view.refresh();
    assert.deepEqual(await view.getChildren(), []);
    assert.equal(connected.connection.state, 'unreachable');
    assert.equal(fake.contexts.get('fieldwork.connection'), 'unreachable');
    assert.match(connected.log.text(), /Could not list jobs on http:\/\/127\.0\.0\.1:9/);
    assert.ok(!connected.log.text().includes('a-key-that-is-long-enough'));
  });
});
