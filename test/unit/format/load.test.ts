import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssue, loadSurveyFiles, parseSurvey, referencedFiles } from '../../../src/format';
import { specIssues } from '../../../src/extension/format-files';
import { lines } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'fieldwork-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const surveyUsing = (path: string) =>
  lines(`scenarios: ${path}`, 'questions:', '  - { question_name: q, question_type: free_text, question_text: "{{ product }}?" }');

describe('loadSurveyFiles', () => {
  test('reads the survey and the scenario file it names, relative to it', () => {
    mkdirSync(join(dir, 'one', 'data'), { recursive: true });
    writeFileSync(join(dir, 'one', 'coffee.survey.yaml'), surveyUsing('data/products.csv'));
    writeFileSync(join(dir, 'one', 'data', 'products.csv'), 'product\nespresso\n');
    const loaded = loadSurveyFiles(join(dir, 'one', 'coffee.survey.yaml'));
    assert.equal(loaded.source.name, 'coffee.survey.yaml');
    assert.deepEqual(loaded.files, { 'data/products.csv': 'product\nespresso\n' });
    const parsed = parseSurvey(loaded.source, (path) => loaded.files[path]);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.scenarios, [{ product: 'espresso' }]);
  });

  test('leaves a missing file out, so parseSurvey reports it with its position', () => {
    mkdirSync(join(dir, 'two'));
    writeFileSync(join(dir, 'two', 'a.survey.yaml'), surveyUsing('missing.csv'));
    const loaded = loadSurveyFiles(join(dir, 'two', 'a.survey.yaml'));
    assert.deepEqual(loaded.files, {});
    const parsed = parseSurvey(loaded.source, loaded.readFile);
    assert.ok(!parsed.ok);
    assert.equal(formatIssue(parsed.issues[0]!), 'a.survey.yaml:1:12 scenarios file "missing.csv" was not found; the path is relative to this survey file');
  });

  test('does not read an oversized scenario file, and its reader says why', () => {
    mkdirSync(join(dir, 'three'));
    writeFileSync(join(dir, 'three', 'a.survey.yaml'), surveyUsing('huge.csv'));
    writeFileSync(join(dir, 'three', 'huge.csv'), '');
    truncateSync(join(dir, 'three', 'huge.csv'), 300 * 1024 * 1024); // sparse: no disk used
    const loaded = loadSurveyFiles(join(dir, 'three', 'a.survey.yaml'));
    assert.deepEqual(loaded.files, {});
    const parsed = parseSurvey(loaded.source, loaded.readFile);
    assert.ok(!parsed.ok);
    assert.match(parsed.issues[0]?.message ?? '', /could not be read: it is 300\.0 MB; scenario files are limited to 200\.0 MB/);
  });

  test('never reads outside the survey folder', () => {
    mkdirSync(join(dir, 'four'));
    writeFileSync(join(dir, 'secret.csv'), 'product\nsecret\n');
    writeFileSync(join(dir, 'four', 'a.survey.yaml'), surveyUsing('../secret.csv'));
    assert.deepEqual(loadSurveyFiles(join(dir, 'four', 'a.survey.yaml')).files, {});
  });

  test('refuses a link that leads out of the folder exactly as it refuses "..", and reads one that stays inside', () => {
    const folder = join(dir, 'five');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'outside.csv'), 'product\nsecret\n');
    writeFileSync(join(folder, 'inside.csv'), 'product\ntea\n');
    symlinkSync(join(dir, 'outside.csv'), join(folder, 'sub', 'link.csv'));
    symlinkSync('/etc/passwd', join(folder, 'sub', 'passwd.csv'));
    symlinkSync('../inside.csv', join(folder, 'sub', 'near.csv'));
    symlinkSync(dir, join(folder, 'up'));
    const refusal = (path: string) => {
      writeFileSync(join(folder, 'a.survey.yaml'), surveyUsing(path));
      const loaded = loadSurveyFiles(join(folder, 'a.survey.yaml'));
      assert.deepEqual(loaded.files, {}, `${path} is not read`);
      const parsed = parseSurvey(loaded.source, loaded.readFile);
      assert.ok(!parsed.ok);
      return formatIssue(parsed.issues[0]!).replace(path, 'PATH');
    };
    const dotDot = refusal('../outside.csv');
    assert.equal(
      dotDot,
      'a.survey.yaml:1:12 scenarios file "PATH" must be inside the survey\'s folder: use a relative path without "..", and no link that leads out of the folder',
    );
    for (const path of ['sub/link.csv', 'sub/passwd.csv', 'up/outside.csv']) assert.equal(refusal(path), dotDot, path);

    writeFileSync(join(folder, 'a.survey.yaml'), surveyUsing('sub/near.csv'));
    const near = loadSurveyFiles(join(folder, 'a.survey.yaml'));
    assert.deepEqual(near.files, { 'sub/near.csv': 'product\ntea\n' });
  });

  test('refuses an image behind a link that leads out of the folder, with the same words as the scenarios', () => {
    const folder = join(dir, 'six');
    mkdirSync(folder);
    writeFileSync(join(dir, 'photo.png'), 'not really a png');
    symlinkSync(join(dir, 'photo.png'), join(folder, 'photo.png'));
    writeFileSync(
      join(folder, 'a.survey.yaml'),
      lines(
        'scenarios:',
        '  - { photo: { image: photo.png } }',
        'questions:',
        '  - { question_name: q, question_type: free_text, question_text: "{{ photo }}?" }',
      ),
    );
    const loaded = loadSurveyFiles(join(folder, 'a.survey.yaml'));
    assert.deepEqual(loaded.files, {});
    const parsed = parseSurvey(loaded.source, loaded.readFile);
    assert.ok(!parsed.ok);
    assert.match(
      parsed.issues[0]!.message,
      /image "photo\.png" must be inside the survey's folder: use a relative path without "\.\.", and no link that leads out of the folder/,
    );
  });

  test("the editor's checks refuse a link out of the folder the same way", () => {
    const folder = join(dir, 'seven');
    mkdirSync(folder);
    writeFileSync(join(dir, 'outside7.csv'), 'product\nsecret\n');
    symlinkSync(join(dir, 'outside7.csv'), join(folder, 'link.csv'));
    const [issue] = specIssues('survey', join(folder, 'a.survey.yaml'), surveyUsing('link.csv'));
    assert.match(issue?.message ?? '', /scenarios file "link\.csv" must be inside the survey's folder: .*no link that leads out of the folder/);
  });
});

describe('referencedFiles', () => {
  test('names the scenario file, or nothing', () => {
    assert.deepEqual(referencedFiles({ name: 'a.survey.yaml', text: surveyUsing('data/p.jsonl') }), ['data/p.jsonl']);
    assert.deepEqual(referencedFiles({ name: 'a.survey.json', text: '{"scenarios": "p.csv", "questions": []}' }), ['p.csv']);
    assert.deepEqual(referencedFiles({ name: 'a.survey.yaml', text: 'scenarios: [{ a: 1 }]' }), []);
  });

  test('never throws, whatever the text', () => {
    for (const text of ['', '{', '- a', 'scenarios: *x', `a: ${'['.repeat(100_000)}`, '\u0000']) {
      assert.deepEqual(referencedFiles({ name: 'a.survey.yaml', text }), []);
    }
  });
});
