import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { QUESTION_TYPES } from '../../../src/format';
import { REFERENCE_FILE, referenceFromSchemaFiles, referenceText } from '../../../src/format/reference-file';

describe('docs/format-reference.md', () => {
  test('is up to date with the JSON Schemas (regenerate: npm run schema)', () => {
    assert.equal(readFileSync(REFERENCE_FILE, 'utf8'), referenceFromSchemaFiles());
  });

  test('has a table for every question type and shows defaults and required fields', () => {
    const text = referenceFromSchemaFiles();
    for (const type of QUESTION_TYPES) assert.match(text, new RegExp(`### \`questions\\[\\]\` — question_type: ${type}\\n`));
    assert.match(text, /\| `iterations` \| integer 1–10000 \| `1` \| How often each interview runs\. \|/);
    assert.match(text, /\| `questions` \(required\) \|/);
  });

  test('renders a schema it was not written for: nested objects, enums, pipes escaped', () => {
    const schema = {
      description: 'A made-up kind.',
      required: ['a'],
      properties: {
        a: { type: 'string', enum: ['x', 'y'], description: 'one | two' },
        b: { type: 'array', items: { type: 'object', properties: { c: { type: 'integer', minimum: 2, default: 3 } } } },
      },
    };
    const text = referenceText(schema, { properties: {} });
    assert.match(text, /\| `a` \(required\) \| `"x"` or `"y"` \| {2}\| one \\\| two \|/);
    assert.match(
      text,
      /### `b\[\]`\n\n\| field \| type \| default \| description \|\n\| --- \| --- \| --- \| --- \|\n\| `b\[\]\.c` \| integer ≥ 2 \| `3` \| {2}\|/,
    );
  });
});
