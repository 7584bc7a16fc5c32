// `npm run fieldwork` builds before it runs: with --quiet, bundles newer than every source are not built again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/processes';

const quietBuild = () => spawnSync(process.execPath, ['esbuild.config.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });

test('a quiet build with nothing changed leaves the bundles as they are', () => {
  const first = quietBuild();
  assert.equal(first.status, 0, first.stderr);
  const stamp = JSON.parse(readFileSync(join(ROOT, 'dist', '.build-stamp'), 'utf8')) as { production: boolean };
  assert.equal(stamp.production, false);
  const built = statSync(join(ROOT, 'dist', 'fieldwork.js')).mtimeMs;
  const second = quietBuild();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(statSync(join(ROOT, 'dist', 'fieldwork.js')).mtimeMs, built, 'dist/fieldwork.js was written again');
});
