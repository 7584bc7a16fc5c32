// Images in survey files: read from beside the survey as base64, checked with positions, shown as "[image N]".
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CompiledSurvey, imageFiles, loadSurveyFiles, parseSurvey, type Survey } from '../../../src/format';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

describe('images in surveys', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldwork-spec-images-'));
    mkdirSync(join(dir, 'photos'));
    writeFileSync(join(dir, 'photos/cat.png'), PNG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const parsed = (path: string): { survey: Survey; files: Record<string, string> } => {
    const loaded = loadSurveyFiles(path);
    const result = parseSurvey(loaded.source, loaded.readFile);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    return { survey: result.value, files: loaded.files };
  };

  it('reads each image once as base64; a question that names it shows "[image 1]" and carries the picture', () => {
    const path = write(
      'pets.survey.yaml',
      [
        'scenarios:',
        '  - { photo: { image: photos/cat.png }, other: { image: photos/cat.png }, name: Tom }',
        'questions:',
        '  - { question_name: what, question_type: free_text, question_text: "What is in {{ photo }} and {{ scenario.other }}, {{ name }}?" }',
        '  - { question_name: plain, question_type: free_text, question_text: "Is {{ name }} a good name?" }',
      ].join('\n'),
    );
    const { survey, files } = parsed(path);
    assert.deepEqual(Object.keys(files), ['photos/cat.png']);
    assert.equal(files['photos/cat.png'], `base64:${PNG.toString('base64')}`);
    const images = imageFiles(survey.scenarios, files);
    assert.ok(images.ok);
    const compiled = new CompiledSurvey(survey, images.images);
    const ref = compiled.interviewAt(0);
    const shown = compiled.prompts(ref, 0, new Map());
    assert.match(shown.user, /^What is in \[image 1\] and \[image 2\], Tom\?/);
    assert.equal(shown.images?.length, 2);
    assert.equal(shown.images![0]!.media_type, 'image/png');
    assert.equal(shown.images![0]!.data, PNG.toString('base64'));
    assert.equal(compiled.prompts(ref, 1, new Map()).images, undefined, 'a question that does not name the image shows none');
    // Without the files (a preview), the text is the same and no picture is attached.
    const preview = new CompiledSurvey(survey).prompts(ref, 0, new Map());
    assert.equal(preview.user, shown.user);
    assert.equal(preview.images, undefined);
  });

  it('names images in a JSONL scenarios file too', () => {
    write('rows.jsonl', '{"photo": {"image": "photos/cat.png"}}\n');
    const { files } = parsed(
      write('rows.survey.yaml', 'scenarios: rows.jsonl\nquestions:\n  - { question_name: q, question_type: free_text, question_text: "See {{ photo }}" }\n'),
    );
    assert.ok(files['photos/cat.png']?.startsWith('base64:'));
  });

  it('a missing image is reported at its line and column; one outside the folder or too large says why', () => {
    const text = [
      'scenarios:',
      '  - { photo: { image: photos/cat.png } }',
      '  - { photo: { image: photos/dog.png } }',
      'questions:',
      '  - { question_name: q, question_type: free_text, question_text: "See {{ photo }}" }',
    ].join('\n');
    let loaded = loadSurveyFiles(write('missing.survey.yaml', text));
    let result = parseSurvey(loaded.source, loaded.readFile);
    assert.ok(!result.ok);
    assert.equal(result.issues.length, 1);
    assert.deepEqual([result.issues[0]!.line, result.issues[0]!.column], [3, 23]);
    assert.match(result.issues[0]!.message, /scenario 2: image file "photos\/dog\.png" was not found; the path is relative to this survey file/);

    loaded = loadSurveyFiles(write('outside.survey.yaml', text.replace('photos/dog.png', '../dog.png')));
    result = parseSurvey(loaded.source, loaded.readFile);
    assert.ok(!result.ok);
    assert.match(result.issues[0]!.message, /must be inside the survey's folder/);

    writeFileSync(join(dir, 'photos/dog.png'), '');
    truncateSync(join(dir, 'photos/dog.png'), 21 * 1024 * 1024); // sparse: nothing is written
    loaded = loadSurveyFiles(write('large.survey.yaml', text));
    assert.equal(loaded.files['photos/dog.png'], undefined, 'a too-large image is not read');
    result = parseSurvey(loaded.source, loaded.readFile);
    assert.ok(!result.ok);
    assert.equal(result.issues[0]!.line, 3);
    assert.match(result.issues[0]!.message, /it is 21\.0 MB; images are limited to 20\.0 MB/);
  });

  it('the server side refuses images that are not sent, not base64, or too large', () => {
    const scenarios = [{ photo: { image: 'a.png' } }];
    assert.match((imageFiles(scenarios, {}) as { message: string }).message, /was not sent with the survey/);
    assert.match((imageFiles(scenarios, { 'a.png': 'iVBOR' }) as { message: string }).message, /must be sent base64-encoded/);
    assert.match((imageFiles(scenarios, { 'a.png': 'base64:not base64!' }) as { message: string }).message, /not valid base64/);
    assert.match(
      (imageFiles(scenarios, { 'a.png': `base64:${'A'.repeat(28 * 1024 * 1024)}` }) as { message: string }).message,
      /images are limited to 20\.0 MB/,
    );
    assert.ok(imageFiles(scenarios, { 'a.png': `base64:${PNG.toString('base64')}` }).ok);
  });
});
