// The spec pool ends a worker that runs out of memory or time and refuses the file, replaces it for the next one,
// and refuses work beyond its queue: a hostile file costs one worker, never the server.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecPool, SpecPoolError, type SpecPoolOptions } from '../../../src/server/format-pool/pool';
import type { SpecTask } from '../../../src/server/format-pool/messages';
import { fileKind } from '../../../src/format';

const dir = mkdtempSync(join(tmpdir(), 'fieldwork-pool-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A stand-in worker: its source text says what to do — answer, hoard memory, or spin.
const script = join(dir, 'worker.js');
writeFileSync(
  script,
  `const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, task }) => {
  if (task.source.text === 'hoard') { const kept = []; for (;;) kept.push(new Array(1e6).fill(Math.random())); }
  if (task.source.text === 'spin') for (;;);
  parentPort.postMessage({ id, reply: { ok: false, issues: [], message: 'checked ' + task.source.name } });
});`,
);

const task = (name: string, text: string): SpecTask => ({ kind: fileKind(name), source: { name, text }, files: {}, maxQuestions: 10 });
const pool = (options: Partial<SpecPoolOptions> = {}) =>
  new SpecPool({ size: 1, heapMb: 32, timeoutMs: 5_000, maxQueued: 4, idleMs: 1_000, log: () => {}, script, ...options });

describe('SpecPool', () => {
  test('answers in order, one worker at a time', async () => {
    const specs = pool();
    const replies = await Promise.all(['a', 'b', 'c'].map((name) => specs.check(task(name, 'ok'))));
    assert.deepEqual(
      replies.map((reply) => (reply.ok ? null : reply.message)),
      ['checked a', 'checked b', 'checked c'],
    );
    assert.equal(specs.workers, 1);
    await specs.close();
  });

  test('a worker out of memory refuses its file; the next file gets a new worker', async () => {
    const specs = pool();
    await assert.rejects(
      specs.check(task('big', 'hoard')),
      (error: unknown) => error instanceof SpecPoolError && error.kind === 'memory' && /32 MB/.test(error.message),
    );
    const next = await specs.check(task('small', 'ok'));
    assert.equal(next.ok ? null : next.message, 'checked small');
    await specs.close();
  });

  test('a worker out of time is stopped and its file refused', async () => {
    // Long enough that a new worker answers a quick file in time on a loaded machine; a spinning one never does.
    const specs = pool({ timeoutMs: 2_000 });
    await assert.rejects(specs.check(task('slow', 'spin')), (error: unknown) => error instanceof SpecPoolError && error.kind === 'timeout');
    const next = await specs.check(task('quick', 'ok'));
    assert.equal(next.ok ? null : next.message, 'checked quick');
    await specs.close();
  });

  test('beyond its queue it says it is busy, and after close it takes nothing', async () => {
    const specs = pool({ maxQueued: 1, timeoutMs: 2_000 });
    const spinning = specs.check(task('slow', 'spin')).catch((error: unknown) => error);
    const queued = specs.check(task('waits', 'ok'));
    await assert.rejects(specs.check(task('more', 'ok')), (error: unknown) => error instanceof SpecPoolError && error.kind === 'busy');
    assert.equal(((await spinning) as SpecPoolError).kind, 'timeout');
    assert.equal((await queued).ok, false);
    await specs.close();
    await assert.rejects(specs.check(task('late', 'ok')), (error: unknown) => error instanceof SpecPoolError && error.kind === 'closed');
  });
});
