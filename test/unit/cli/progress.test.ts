import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressView } from '../../../src/cli/progress';
import { aJob, anEvent } from '../client/wire-server';
import { fakeCli } from './fake-cli';

const progressEvent = (id: number, done: number) =>
  anEvent(id, {
    type: 'progress',
    data: {
      progress: { interviews_total: 4, interviews_done: done, interviews_failed: 0, calls_done: done * 2, calls_cached: 0, calls_failed: 0 },
      cost: { usd: 0.5, input_tokens: 1, output_tokens: 1 },
      calls_per_second: 3.5,
    },
  });

describe('progress view', () => {
  it('draws a bar on a terminal, with notes above it', () => {
    const cli = fakeCli();
    Object.assign(cli.stderr, { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    const view = progressView(cli, aJob(), { quiet: false });
    view.event(progressEvent(1, 2));
    view.event(anEvent(2, { type: 'warning', message: 'prices are a year old' }));
    view.stop();
    const text = cli.stderrText();
    assert.match(text, /2\/4 interviews \| 3\.5 calls\/s \| \$0\.50/);
    assert.match(text, /warning: prices are a year old/);
  });

  it('prints plain lines in a pipe, and caps repeated interview failures', () => {
    const cli = fakeCli();
    const view = progressView(cli, aJob(), { quiet: false });
    view.event(progressEvent(1, 2));
    for (let i = 0; i < 8; i++) view.event(anEvent(10 + i, { type: 'interview_failed', message: `interview ${i} failed` }));
    view.event(anEvent(30, { type: 'completed', message: 'Completed.' }));
    view.stop();
    const lines = cli.stderrText().trim().split('\n');
    assert.equal(lines[0], '2/4 interviews, 3.5 calls/s, $0.50');
    assert.equal(lines.filter((l) => l.startsWith('interview_failed')).length, 5);
    assert.ok(lines.includes('(more interviews failed; see `fieldwork jobs logs`)'));
    assert.equal(lines.at(-1), 'completed: Completed.');
    assert.ok(!cli.stderrText().includes('\u001b['));
  });

  it('--quiet shows nothing but notes it must', () => {
    const cli = fakeCli();
    const view = progressView(cli, aJob(), { quiet: true });
    view.event(progressEvent(1, 2));
    view.event(anEvent(2, { type: 'completed', message: 'Completed.' }));
    view.note('Cancelling job job_1…');
    view.stop();
    assert.equal(cli.stderrText(), 'Cancelling job job_1…\n');
  });
});
