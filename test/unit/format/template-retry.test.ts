import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplate, renderTwice, TemplateRenderError } from '../../../src/format/template';

test('a render that fails once (a pause past the time limit on a busy machine) is tried again; twice, it fails', () => {
  let calls = 0;
  const once = renderTwice(() => {
    if (calls++ === 0) throw new Error('template render limit exceeded');
    return 'text';
  });
  assert.equal(once, 'text');
  assert.equal(calls, 2);
  calls = 0;
  const twice = renderTwice(() => {
    calls++;
    throw new Error('template render limit exceeded');
  });
  assert.equal(typeof twice === 'object' && twice.error instanceof Error ? twice.error.message : null, 'template render limit exceeded');
  assert.equal(calls, 2);
});

test('a template that always runs into a limit still fails, at its place', () => {
  const compiled = compileTemplate('Hi {% for x in (1..100000000) %}{{ x }}{% endfor %}');
  assert.ok(compiled.ok);
  assert.throws(
    () => compiled.template.render({}),
    (error: unknown) => error instanceof TemplateRenderError,
  );
});
