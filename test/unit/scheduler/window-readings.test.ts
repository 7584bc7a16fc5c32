// A fixed window's readings from inside it (a streamed reply's headers): the margin our estimates charged comes back
// before the window's last calls go, whatever order the provider admitted the calls in, and never too much.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowBucket } from '../../../src/server/scheduler/window-bucket';
import { WindowClock } from '../../../src/server/scheduler/window-clock';

/** A clock that has learned 1 s windows ending on whole seconds, and a bucket of 1,000 tokens a window at 3.1 s. */
function windowAt3s(): { clock: WindowClock; bucket: WindowBucket } {
  const clock = new WindowClock();
  for (let i = 0; i < 6; i++) clock.observe('tokens', 1_000 + i, 900 - 100 * i, 2_000, 60_000, 1);
  clock.observe('tokens', 2_050, 900, 3_000, 60_000, 1);
  clock.observe('tokens', 2_051, 800, 3_000, 60_000, 1);
  assert.ok(clock.windowed && clock.windowMs !== null && Math.abs(clock.windowMs - 1_000) < 2, `windows of ${clock.windowMs} ms`);
  return { clock, bucket: new WindowBucket(1_000, clock, 1_000, 3_100) };
}

/** A reading of `mark`'s window: what remained after the call, as its headers say. */
function read(bucket: WindowBucket, mark: ReturnType<WindowBucket['admit']>, remaining: number, now: number): void {
  bucket.observe(4_000, remaining, mark, 0, 1_000, now);
}

test('window readings: the margin charged to calls already read comes back', () => {
  const { bucket } = windowAt3s();
  // Charged 520 and 420; the provider counted 500 and 400.
  const a = bucket.admit(520, 3_100);
  const b = bucket.admit(420, 3_100);
  assert.equal(bucket.level(3_100), 60);
  read(bucket, a, 500, 3_500);
  assert.equal(bucket.level(3_500), 80, 'the first reading leaves the second call to our estimate');
  read(bucket, b, 100, 3_510);
  assert.equal(bucket.level(3_510), 100, 'both read: exactly what the provider has left');
  bucket.giveBack(90, 20, undefined, 3_700);
  assert.equal(bucket.level(3_700), 190, 'a refund seen later adds to it');
  assert.equal(bucket.level(4_100), 1_000, 'the next window opens whole');
});

test('window readings: calls the provider admitted in another order than they went', () => {
  const { bucket } = windowAt3s();
  const a = bucket.admit(520, 3_100);
  const b = bucket.admit(420, 3_100);
  // The provider took b first (600 left after it), then a (100 left).
  read(bucket, b, 600, 3_500);
  assert.equal(bucket.level(3_500), 80, 'a, sent at the same time, may not be counted yet: charged as estimated');
  read(bucket, a, 100, 3_510);
  assert.equal(bucket.level(3_510), 100, 'a read lower: it came last and counts both');
});

test('window readings: a refund seen while the calls went out is not taken twice, and a call not yet read is charged', () => {
  const { bucket } = windowAt3s();
  const a = bucket.admit(520, 3_100);
  // Seen 10 ms after a went out: the provider may have credited it before admitting a, so a's reading has it.
  bucket.giveBack(100, 0, undefined, 3_110);
  const b = bucket.admit(420, 3_300);
  read(bucket, a, 600, 3_500);
  assert.equal(bucket.level(3_500), 180, '600 left after a (with the refund), less b as estimated');
  read(bucket, b, 200, 3_700);
  assert.equal(bucket.level(3_700), 200);
  const c = bucket.admit(150, 3_800);
  assert.equal(bucket.level(3_800), 50, 'a call not read yet is charged as estimated');
  assert.ok(c.slot);
});

test('window readings: a window a 429 said was spent trusts no reading before it', () => {
  const { bucket } = windowAt3s();
  const a = bucket.admit(520, 3_100);
  read(bucket, a, 480, 3_500);
  assert.equal(bucket.level(3_500), 480);
  bucket.clamp(0, 3_600);
  assert.equal(bucket.level(3_600), 0);
  assert.equal(bucket.level(4_100), 1_000, 'until the next window');
});
