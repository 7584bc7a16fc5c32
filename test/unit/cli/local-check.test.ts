// Reading a survey or eval file before it is sent: a file too large is told apart from a wrong path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSurveyFile } from '../../../src/cli/local-check';
import { exitCodeForError, UsageError } from '../../../src/cli/failure';

test('a file over the limit: its size, the limit and what to do, never "check the path"; a wrong path still says so', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-local-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const survey = join(dir, 'big.survey.yaml');
  const evalFile = join(dir, 'big.eval.yaml');
  for (const file of [survey, evalFile]) {
    writeFileSync(file, '');
    truncateSync(file, 45 * 1024 * 1024); // sparse: no 45 MB written
  }
  const failure = (path: string): Error => {
    try {
      checkSurveyFile(path);
    } catch (error) {
      assert.ok(error instanceof UsageError);
      assert.equal(exitCodeForError(error), 2);
      return error;
    }
    throw new Error(`${path} was accepted`);
  };
  assert.equal(
    failure(survey).message,
    `${survey} is 45.0 MB; survey files are limited to 10.0 MB. Move the scenarios into a CSV or JSONL file beside it and name it with \`scenarios: FILE\``,
  );
  assert.match(failure(evalFile).message, /is 45\.0 MB; eval files are limited to 10\.0 MB\. Move the samples into a dataset file/);
  assert.equal(failure(join(dir, 'nowhere.survey.yaml')).message, `cannot read ${join(dir, 'nowhere.survey.yaml')}: no such file — check the path`);
});
