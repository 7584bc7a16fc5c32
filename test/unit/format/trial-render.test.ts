import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuestionRenderError } from '../../../src/format/render-error';
import { renderTwice } from '../../../src/format/trial-render';

const context = { question: 0, questionName: 'q', scenarioIndex: 0, agentIndex: 0 };
const limit = () => new QuestionRenderError(context, 3, 'template render limit exceeded', null);

test('a render that runs into a limit once (a pause on a busy machine) is no problem; twice, it is', () => {
  let calls = 0;
  assert.equal(
    renderTwice(() => {
      if (calls++ === 0) throw limit();
    }),
    null,
  );
  assert.equal(calls, 2);
  calls = 0;
  const failure = renderTwice(() => {
    calls++;
    throw limit();
  });
  assert.ok(failure instanceof QuestionRenderError);
  assert.equal(failure.offset, 3);
  assert.equal(calls, 2);
  assert.throws(() => renderTwice(() => { throw new TypeError('a bug, not the template'); }), TypeError);
});
