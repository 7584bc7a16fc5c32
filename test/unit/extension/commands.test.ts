// The commands against the fake vscode API and a real server: run refuses what is not a survey with a clear message
// and submits what is; the key commands keep keys in SecretStorage and out of messages and the log; job commands
// say which job they need.
import './fakes/install';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type * as vscode from 'vscode';
import type { Job } from '../../../src/api';
import { RunHistory } from '../../../src/extension/codelens/run-history';
import { registerCommands } from '../../../src/extension/commands/command';
import { jobCommands } from '../../../src/extension/commands/job-commands';
import { serverCommands } from '../../../src/extension/commands/server-commands';
import { specCommands } from '../../../src/extension/commands/format-commands';
import { JobsView } from '../../../src/extension/jobs/jobs-view';
import { JobPanels } from '../../../src/extension/panel/panels';
import { useTestServer } from '../../support/test-server';
import { connectedTo, type Connected } from './fakes/team-server';
import { commands, fake, Uri } from './fakes/vscode';

const team = useTestServer('ext-commands');
const folder = mkdtempSync(join(tmpdir(), 'fieldwork-commands-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const SURVEY = ['name: Coffee', 'models: [test]', 'questions:', '  - { question_name: why, question_type: free_text, question_text: "Why coffee?" }'].join(
  '\n',
);

function file(name: string, text: string): Uri {
  const path = join(folder, name);
  writeFileSync(path, text);
  return Uri.file(path);
}

describe('the commands', () => {
  let connected: Connected;
  let panels: JobPanels;
  let jobsView: JobsView;

  beforeEach(async () => {
    fake.reset();
    connected = await connectedTo(team);
    const { context } = connected.ctx;
    // Not wired to the connection's changes: switching to the local server must not start one here.
    jobsView = new JobsView(connected.connection, connected.log);
    panels = new JobPanels({
      context,
      connection: connected.connection,
      log: connected.log,
      run: () => Promise.resolve(undefined),
      onJob: (job) => jobsView.upsert(job),
    });
    const history = new RunHistory(context.workspaceState);
    const deps = { context, connection: connected.connection, secrets: connected.secrets, log: connected.log, jobsView, panels, history };
    registerCommands(context, connected.log, [...specCommands(deps), ...jobCommands(deps), ...serverCommands(deps)]);
  });
  afterEach(() => {
    panels.dispose();
    jobsView.dispose();
    connected.dispose();
  });

  const errors = (): string[] => fake.messages.filter((m) => m.level === 'error').map((m) => m.text);

  it('refuses to run a file that is not a survey or an eval, saying which file and what it should be', async () => {
    const before = (await team.client.listJobs({ limit: 200 })).jobs.length;
    const result = await commands.executeCommand('fieldwork.run', file('notes.txt', 'just notes'));
    assert.equal(result, undefined);
    assert.deepEqual(errors(), ['Could not run the file: notes.txt is not a survey or eval file (*.survey.yaml, *.eval.yaml, …)']);
    assert.deepEqual(fake.messages[0]?.items, ['Show Log']);
    assert.equal((await team.client.listJobs({ limit: 200 })).jobs.length, before, 'nothing was submitted');
    assert.equal(fake.panels.length, 0);
  });

  it('refuses a survey with a mistake with its line and column, and a way to the Problems panel', async () => {
    const before = (await team.client.listJobs({ limit: 200 })).jobs.length;
    fake.messageAnswers.push('Show Problems');
    await commands.executeCommand('fieldwork.run', file('broken.survey.yaml', SURVEY.replace('free_text', 'free_txt')));
    const [message] = fake.messages;
    assert.equal(message?.level, 'error');
    assert.match(message?.text ?? '', /^The server found 1 problem in the file: broken\.survey\.yaml:4:\d+ .*"free_txt"\. Did you mean "free_text"\?/);
    assert.deepEqual(message?.items, ['Show Problems']);
    assert.ok(fake.executed.some((e) => e.command === 'workbench.actions.view.problems'));
    assert.equal((await team.client.listJobs({ limit: 200 })).jobs.length, before, 'nothing was stored');
  });

  it('runs a survey file: submits it, opens its panel and remembers the run', async () => {
    const uri = file('coffee.survey.yaml', SURVEY);
    const job = (await commands.executeCommand('fieldwork.run', uri)) as Job;
    assert.equal(job.name, 'Coffee');
    assert.equal((await team.client.getJob(job.id)).source_name, 'coffee.survey.yaml');
    assert.deepEqual(errors(), []);
    assert.equal(fake.panels.length, 1);
    assert.equal(fake.panels[0]!.title, 'Job: Coffee');
    assert.equal(panels.get(job.id)?.job?.id, job.id);
    assert.equal(new RunHistory(connected.ctx.context.workspaceState).get(uri as unknown as vscode.Uri)?.jobId, job.id);
  });

  it('does not run files in an untrusted workspace, and says how to trust it', async () => {
    fake.trusted = false;
    fake.messageAnswers.push('Manage Workspace Trust');
    await commands.executeCommand('fieldwork.run', file('trusted.survey.yaml', SURVEY));
    assert.equal(fake.messages[0]?.level, 'warning');
    assert.match(fake.messages[0]?.text ?? '', /trust this folder to run trusted\.survey\.yaml/);
    assert.ok(fake.executed.some((e) => e.command === 'workbench.trust.manage'));
    assert.equal(fake.panels.length, 0);
  });

  it('stores an API key in SecretStorage for the team server, never in a message or the log', async () => {
    const key = 'fw-secret-key-0123456789';
    fake.inputBoxAnswers.push(key);
    await commands.executeCommand('fieldwork.setApiKey');
    assert.equal(connected.ctx.secrets.values.get(`fieldwork.apiKey:${team.server.url}`), key);
    assert.equal(fake.inputBoxes[0]?.password, true);
    assert.deepEqual(
      fake.messages.map((m) => m.text),
      [`Fieldwork: API key saved for ${team.server.url}.`],
    );
    assert.ok(!connected.log.text().includes(key));
    assert.equal(fake.settings.get('fieldwork.server'), team.server.url, 'the setting holds the URL, not the key');
  });

  it('keeps the stored key when the one typed is too short to be a key', async () => {
    fake.inputBoxAnswers.push('short');
    await commands.executeCommand('fieldwork.setApiKey');
    assert.equal(connected.ctx.secrets.values.get(`fieldwork.apiKey:${team.server.url}`), team.server.apiKey);
    assert.deepEqual(fake.messages, []);
  });

  it('says which job a job command needs when none is given', async () => {
    await commands.executeCommand('fieldwork.cancelJob');
    assert.deepEqual(errors(), ['Could not cancel the job: no job was given; pick one in the Fieldwork jobs view']);
  });

  it('switches to the local server, which needs no key to clear', async () => {
    fake.quickPickAnswers.push((items: { value: string }[]) => items.find((item) => item.value === 'local'));
    await commands.executeCommand('fieldwork.switchServer');
    assert.equal(fake.settings.get('fieldwork.server'), 'local');
    assert.deepEqual(connected.connection.target, { kind: 'local' });
    await commands.executeCommand('fieldwork.clearApiKey');
    assert.deepEqual(
      fake.messages.map((m) => m.text),
      ['The local server needs no API key: nothing to clear.'],
    );
  });
});
