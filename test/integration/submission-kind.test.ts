// A submission's kind: sent by today's clients, decided where the file is loaded; inferred from the file's name for
// older clients that send none; and, when sent, what the server parses the file as.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { submissionFromFile, ValidationError } from '../../src/client';
import type { JobSubmission } from '../../src/api';
import { ROOT } from '../support/processes';
import { waitForJob } from '../support/jobs';
import { useTestServer } from '../support/test-server';

const example = (name: string): string => join(ROOT, 'examples', name);

/** What a client from before `kind` sends. */
function withoutKind(submission: JobSubmission): JobSubmission {
  const { kind: _kind, ...older } = submission;
  return older;
}

describe('the kind of a submission', () => {
  const held = useTestServer('submission-kind');

  test('a file loaded from disk carries its kind', () => {
    assert.equal(submissionFromFile(example('arithmetic.eval.yaml')).kind, 'eval');
    assert.equal(submissionFromFile(example('coffee.survey.yaml')).kind, 'survey');
  });

  test('a submission without a kind is read by its file name, as before', async () => {
    const evalJob = await held.client.submitJob(withoutKind(submissionFromFile(example('arithmetic.eval.yaml'))));
    assert.equal(evalJob.kind, 'eval');
    const surveyJob = await held.client.submitJob(withoutKind(submissionFromFile(example('coffee.survey.yaml'))));
    assert.equal(surveyJob.kind, 'survey');
    const done = await waitForJob(held.client, evalJob.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.ok((done.metrics ?? []).length > 0, 'a finished eval has its metrics');
    const estimate = await held.client.estimate(withoutKind(submissionFromFile(example('arithmetic.eval.yaml'))));
    assert.equal(estimate.interviews, evalJob.progress.interviews_total);
  });

  test('the kind sent decides how the file is read, whatever its name', async () => {
    const evalFile = submissionFromFile(example('arithmetic.eval.yaml'));
    const renamed: JobSubmission = { ...evalFile, source: { ...evalFile.source, name: 'arithmetic.survey.yaml' } };
    const job = await held.client.submitJob(renamed);
    assert.equal(job.kind, 'eval');
    await assert.rejects(held.client.submitJob({ ...renamed, kind: 'survey' }), (error: unknown) => {
      assert.ok(error instanceof ValidationError, String(error));
      return true;
    });
  });
});
