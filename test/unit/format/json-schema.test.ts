import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { QUESTION_TYPES, surveyJsonSchema } from '../../../src/format';
import { SCHEMA_FILE, schemaFileText } from '../../../src/format/schema-file';

type Schema = { [key: string]: unknown };

describe('surveyJsonSchema', () => {
  const schema = surveyJsonSchema() as Schema;

  test('is draft-07 JSON Schema generated from the zod schemas', () => {
    assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema['additionalProperties'], false);
    const properties = schema['properties'] as Record<string, Schema>;
    assert.deepEqual(Object.keys(properties).sort(), [
      '$schema',
      'agents',
      'description',
      'fresh',
      'iterations',
      'memory',
      'models',
      'name',
      'questions',
      'scenarios',
    ]);
    assert.deepEqual(schema['required'], ['questions']);
  });

  test('describes every question type, strictly, with defaults and docs', () => {
    const questions = (schema['properties'] as Record<string, Schema>)['questions'] as Schema;
    const variants = (questions['items'] as Schema)['oneOf'] as Schema[];
    const types = variants.map((variant) => ((variant['properties'] as Record<string, Schema>)['question_type'] as Schema)['const']);
    assert.deepEqual(types, QUESTION_TYPES);
    for (const variant of variants) {
      assert.equal(variant['additionalProperties'], false);
      assert.deepEqual(variant['required'], ['question_name', 'question_text', 'question_type', ...(variant['required'] as string[]).slice(3)]);
    }
    const yesNo = variants[QUESTION_TYPES.indexOf('yes_no')]!['properties'] as Record<string, Schema>;
    assert.deepEqual(yesNo['question_options']?.['default'], ['Yes', 'No']);
    assert.match(String(yesNo['skip_if']?.['description']), /earlier questions/);
  });

  test('media/survey.schema.json is up to date (regenerate: npx tsx src/format/schema-file.ts --write)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaFileText());
  });

  test('callers get their own copy', () => {
    (surveyJsonSchema() as Schema)['title'] = 'changed';
    assert.notEqual((surveyJsonSchema() as Schema)['title'], 'changed');
  });
});
