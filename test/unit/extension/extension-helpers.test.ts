import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issueRange } from '../../../src/extension/diagnostics/ranges';
import { apiKeyFromDotEnv } from '../../../src/extension/secrets/dotenv';
import { specIssues, specKind } from '../../../src/extension/format-files';
import { atLeast } from '../../../src/extension/connection/runtime';

describe('extension helpers', () => {
  it('reads FIELDWORK_API_KEY from a .env file', () => {
    assert.equal(apiKeyFromDotEnv('A=1\nFIELDWORK_API_KEY=fw_abc\n'), 'fw_abc');
    assert.equal(apiKeyFromDotEnv('export FIELDWORK_API_KEY="fw quoted"'), 'fw quoted');
    assert.equal(apiKeyFromDotEnv("FIELDWORK_API_KEY='x' \n"), 'x');
    assert.equal(apiKeyFromDotEnv('FIELDWORK_API_KEY=fw_1 # comment'), 'fw_1');
    assert.equal(apiKeyFromDotEnv('# FIELDWORK_API_KEY=nope\nOTHER=1'), undefined);
  });

  it("turns the core's 1-based issues into 0-based ranges", () => {
    const lines = ['questions:', '  - question_name: q1', '    question_options: [red]'];
    assert.deepEqual(issueRange({ file: 'f', line: 3, column: 23, end_line: 3, end_column: 28, path: [], message: 'm' }, lines), {
      startLine: 2,
      startCharacter: 22,
      endLine: 2,
      endCharacter: 27,
    });
    assert.deepEqual(issueRange({ file: 'f', line: 2, column: 20, path: [], message: 'm' }, lines), {
      startLine: 1,
      startCharacter: 19,
      endLine: 1,
      endCharacter: 21,
    });
  });

  it('knows surveys from evals and reports a broken survey at its line', () => {
    assert.equal(specKind('/w/coffee.survey.yaml'), 'survey');
    assert.equal(specKind('/w/trivia.eval.yml'), 'eval');
    assert.equal(specKind('/w/notes.yaml'), null);
    const issues = specIssues(
      'survey',
      '/nowhere/broken.survey.yaml',
      'name: Broken\nmodels: [test]\nquestions:\n  - question_name: colour\n    question_type: multiple_choice\n    question_text: Which colour?\n    question_options: [red]\n',
    );
    assert.ok(issues.length > 0);
    assert.equal(issues[0]?.line, 7);
    assert.match(issues[0]?.message ?? '', /question_options/);
  });

  it('compares Node versions for the local server runtime', () => {
    assert.equal(atLeast('22.13.0', [22, 13]), true);
    assert.equal(atLeast('22.12.9', [22, 13]), false);
    assert.equal(atLeast('24.0.0', [22, 13]), true);
    assert.equal(atLeast('20.20.2', [22, 13]), false);
  });
});
