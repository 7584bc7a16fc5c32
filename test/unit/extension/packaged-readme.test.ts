import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { describe, test } from 'node:test';

// What `.vscodeignore` keeps in the .vsix: everything is ignored (`**`), then `!` lines keep files back.
const kept = readFileSync('.vscodeignore', 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('!'))
  .map((line) => line.slice(1).trim());
const packaged = (file: string) => kept.some((pattern) => matchesGlob(file, pattern));

describe('the packaged README', () => {
  test('every image it shows is in the .vsix, and exists', () => {
    const images = [...readFileSync('README.md', 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    assert.ok(images.length > 0, 'the README shows a screenshot');
    for (const image of images) {
      assert.ok(existsSync(image), `${image} exists`);
      assert.ok(packaged(image), `${image} is kept by .vscodeignore`);
    }
  });

  test('the docs stay out of the .vsix, the README and the bundles go in', () => {
    assert.equal(packaged('docs/architecture.md'), false);
    assert.equal(packaged('README.md'), true);
    assert.equal(packaged('dist/extension.js'), true);
  });
});
