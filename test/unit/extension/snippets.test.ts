// Every question snippet, with its placeholders at their defaults, is a question the parser accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSurvey } from '../../../src/format';

const file = join(__dirname, '../../../media/snippets/survey-questions.code-snippets');
const snippets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { prefix: string; body: string[] }>;

test('each question snippet expands to a valid question of its type', () => {
  assert.ok(Object.keys(snippets).length >= 12);
  for (const [name, snippet] of Object.entries(snippets)) {
    const question = snippet.body
      .join('\n')
      .replace(/\$\{\d+:([^}]*)\}/g, '$1')
      .replace(/^/gm, '  ');
    const text = `name: Snippets\nmodels: [test]\nscenarios: [{ topic: tea, text: "Ada, 36" }]\nquestions:\n${question}\n`;
    const parsed = parseSurvey({ name: 'snippets.survey.yaml', text }, () => {
      throw new Error('no files');
    });
    assert.ok(parsed.ok, `${name}: ${parsed.ok ? '' : JSON.stringify(parsed.issues.map((i) => i.message))}\n${text}`);
  }
});
