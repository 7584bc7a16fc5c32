// A job is compiled once per process: the compile at submit is the one its run starts from; a job stored by an
// earlier process is compiled again when this one starts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFinished } from '../../../src/api';
import { submissionFromFile } from '../../../src/client';
import { Pricing } from '../../../src/server/cost/pricing';
import { checkSpec } from '../../../src/server/format-pool/check';
import type { SpecTask } from '../../../src/server/format-pool/messages';
import { JobService } from '../../../src/server/jobs/job-service';
import { TestModel } from '../../../src/server/providers/test-model';
import { Scheduler } from '../../../src/server/scheduler/scheduler';
import { openSqliteStore } from '../../../src/server/store/sqlite';
import type { Store } from '../../../src/server/store/store';
import { ROOT } from '../../support/processes';

function service(store: Store, checked: string[]): JobService {
  return new JobService({
    store,
    providers: new Map([['test', new TestModel()]]),
    pricing: new Pricing(),
    scheduler: new Scheduler({}),
    maxInterviews: 100_000,
    maxQuestions: 100,
    specs: { check: async (task: SpecTask) => (checked.push(task.source.name), checkSpec(task)) },
    maxRunningJobs: 2,
    interviewsInFlight: 4,
    log: () => undefined,
  });
}

async function finished(jobs: JobService, id: string): Promise<string> {
  for (;;) {
    const job = await jobs.get('alice', id);
    if (isFinished(job.status)) return job.status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a submitted job runs from the compile made at submit; a job left by another process is compiled when it starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-compile-once-'));
  const store = openSqliteStore(join(dir, 'fieldwork.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const checked: string[] = [];
  const first = service(store, checked);
  for (const name of ['coffee.survey.yaml', 'arithmetic.eval.yaml']) {
    const { job } = await first.submit('alice', submissionFromFile(join(ROOT, 'examples', name)), null);
    assert.equal(await finished(first, job.id), 'completed');
  }
  assert.deepEqual(checked, ['coffee.survey.yaml', 'arithmetic.eval.yaml'], 'each file checked once, at submit');

  // Queued here, started by the next process, which has not compiled it.
  const queued = service(store, []);
  await queued.close();
  const { job } = await queued.submit('alice', submissionFromFile(join(ROOT, 'examples', 'coffee.survey.yaml')), null);
  const next: string[] = [];
  const resumed = service(store, next);
  await resumed.resume();
  assert.equal(await finished(resumed, job.id), 'completed');
  await resumed.close();
  await first.close();
  assert.deepEqual(next, ['coffee.survey.yaml']);
});
