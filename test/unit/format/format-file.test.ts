// checkFormatFile reads a file's document once and takes the files it names from it: what it loads and what it finds
// are the same as loading the file and parsing it apart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFormatFile, fileKind, formatFileKind, loadFormatFile, parseFormatFile } from '../../../src/format';
import { ROOT } from '../../support/processes';

function apart(path: string): { kind: string; files: Record<string, string>; result: unknown } {
  const loaded = loadFormatFile(path);
  return { kind: loaded.kind, files: loaded.files, result: parseFormatFile(loaded.kind, loaded.source, loaded.readFile).result };
}

function together(path: string): { kind: string; files: Record<string, string>; result: unknown } {
  const { loaded, parsed } = checkFormatFile(path);
  return { kind: loaded.kind, files: loaded.files, result: parsed.result };
}

describe('a format file by its kind', () => {
  test('the kind comes from the name: an eval by *.eval.*, anything else read as a survey', () => {
    assert.equal(fileKind('dir/a.eval.yml'), 'eval');
    assert.equal(fileKind('A.EVAL.JSON'), 'eval');
    assert.equal(fileKind('a.survey.yaml'), 'survey');
    assert.equal(fileKind('notes.yaml'), 'survey');
    assert.equal(formatFileKind('notes.yaml'), null);
  });

  test('every example: checked in one read, the same files and the same result as loaded and parsed apart', () => {
    const examples = readdirSync(join(ROOT, 'examples')).filter((name) => formatFileKind(name) !== null);
    assert.ok(examples.length >= 6);
    for (const name of examples) {
      const path = join(ROOT, 'examples', name);
      const checked = together(path);
      assert.deepEqual(checked, apart(path), name);
      assert.equal((checked.result as { ok: boolean }).ok, true, name);
    }
  });

  test('files with problems: the same problems, and the same files named, either way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldwork-format-file-'));
    try {
      const files: Record<string, string> = {
        'missing.survey.yaml': 'scenarios: nowhere.csv\nquestions:\n  - { question_name: q, question_type: free_text, question_text: "Hi {{ x }}" }\n',
        'syntax.survey.yaml': 'questions: [\n',
        'dataset.eval.yaml': 'dataset: { file: rows.csv }\nscorers: [exact]\n',
        'inline.eval.yaml': 'dataset:\n  - { input: "2+2?", target: "4" }\nscorers: [exact, nope]\n',
      };
      writeFileSync(join(dir, 'rows.csv'), 'input,target\n"1+1?",2\n');
      for (const [name, text] of Object.entries(files)) {
        writeFileSync(join(dir, name), text);
        assert.deepEqual(together(join(dir, name)), apart(join(dir, name)), name);
      }
      assert.deepEqual(Object.keys(together(join(dir, 'dataset.eval.yaml')).files), ['rows.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
