// The window clock: how a lane tells a provider that counts in fixed windows from a continuous bucket, from the
// headers' reset instants and from 429 messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/server/scheduler/bucket';
import { learnFromHeaders } from '../../../src/server/scheduler/header-learning';
import type { Dimension } from '../../../src/server/scheduler/dimensions';
import { WindowBucket } from '../../../src/server/scheduler/window-bucket';
import { WindowClock } from '../../../src/server/scheduler/window-clock';

test('window clock: reset instants that stand still while remaining falls mean windows; the length comes from rollovers', () => {
  // A continuous bucket: the "full at" instant moves later by what was taken, so nothing is recognised.
  const bucket = new WindowClock();
  let remaining = 60_000;
  for (let at = 0; at < 10_000; at += 500) {
    remaining = Math.min(60_000, remaining + 500) - 700;
    bucket.observe('tokens', at, remaining, at + (60_000 - remaining), 60_000, 1);
  }
  assert.equal(bucket.windowed, false);
  // Fixed 10 s windows: every reading in a window names the same reset instant while remaining falls.
  const windows = new WindowClock();
  for (let at = 0; at < 10_000; at += 1000) windows.observe('tokens', at, 9_000 - at, 10_000, 60_000, 1);
  assert.equal(windows.windowed, true);
  assert.equal(windows.windowMs, null, 'one window seen: its length is not known yet');
  assert.equal(windows.lengthMs(), 10_000, 'from the first call to the first end');
  assert.equal(windows.endAt(9_000), 10_000);
  assert.equal(windows.endAt(10_002), 10_000, 'a call right after the end may still land in the old window');
  assert.equal(windows.endAt(10_010), 20_000);
  // A window without readings in between: the gap is two windows until a closer pair shows the length.
  windows.observe('tokens', 22_000, 9_000, 30_000.4, 60_000, 1);
  assert.equal(windows.windowMs, 20_000.4);
  windows.observe('tokens', 35_000, 9_000, 39_999.6, 60_000, 1);
  assert.ok(Math.abs(windows.windowMs! - 10_000) < 0.5, `rounding averaged out over the span: ${windows.windowMs}`);
  // A limit that changes between two readings can line their instants up by chance: that is not a window.
  const drop = new WindowClock();
  drop.observe('tokens', 0, 50_000, 10_000, 60_000, 1);
  drop.observe('tokens', 1_000, 20_000, 10_000, 30_000, 0.5);
  assert.equal(drop.windowed, false);
});

test('window clock: windows that hold one call each are recognised from ends on a lattice, low remaining and short waits', () => {
  // 1 s windows of 716 tokens (43,000 a minute): one call per window, so remaining never falls at one instant.
  const rate = 43_000 / 60_000;
  const windows = new WindowClock();
  for (let k = 1; k <= 5; k++) {
    assert.equal(windows.windowed, false, `${k - 1} ends seen`);
    const end = 1192 + k * 1000;
    windows.observe('requests', end - 700, 6, end + 1, 430, 430 / 60_000);
    windows.observe('tokens', end - 700, 300, end + 1, 43_000, rate);
  }
  assert.equal(windows.windowed, true, 'five ends a second apart');
  assert.ok(Math.abs(windows.lengthMs() - 1000) < 1, `length ${windows.lengthMs()}`);
  // A per-minute bucket with a call every second: ends on a lattice too, but with so little left it is a minute
  // from full, not less than a second.
  const busy = new WindowClock();
  for (let k = 1; k <= 10; k++) busy.observe('tokens', k * 1000, 300, k * 1000 + (43_000 - 300) / rate, 43_000, rate);
  assert.equal(busy.windowed, false);
  // Nearly full, it is less than a second from full, but has far more left than a second's share.
  const idle = new WindowClock();
  for (let k = 1; k <= 10; k++) idle.observe('tokens', k * 1000, 42_800, k * 1000 + 200 / rate, 43_000, rate);
  assert.equal(idle.windowed, false);
});

test('window clock: one reading that states its limit and would be full again too soon for a continuous bucket means windows', () => {
  // 1 s windows of 1,000 tokens (60,000 a minute): the first call's reading, 607 left and full again in 600 ms.
  const windows = new WindowClock();
  windows.observe('tokens', 0, 607, 1_000, 60_000, 1, 60_000);
  assert.equal(windows.windowed, true, 'a continuous bucket with 607 of 60,000 left is a minute from full');
  assert.equal(windows.lengthMs(), 1_000);
  // The same numbers without a stated limit (a limit from configuration only) wait for the lattice.
  const unstated = new WindowClock();
  unstated.observe('tokens', 0, 607, 1_000, 60_000, 1);
  assert.equal(unstated.windowed, false);
  // Continuous buckets, nearly empty or nearly full: remaining and the refill until full add up to the limit.
  const empty = new WindowClock();
  empty.observe('tokens', 0, 300, 59_700, 60_000, 1, 60_000);
  const full = new WindowClock();
  full.observe('tokens', 0, 59_800, 200, 60_000, 1, 60_000);
  assert.equal(empty.windowed || full.windowed, false);
  // Anthropic rounds what remains down to thousands and its reset to seconds: 999 of 4,000 left reads as 0, full in 45 s.
  const rounded = new WindowClock();
  rounded.observe('tokens', 0, 0, 45_000, 4_000, 4_000 / 60_000, 4_000);
  assert.equal(rounded.windowed, false);
  // A limit that halved: what remains may exceed the new limit, and the bucket is full at once.
  const halved = new WindowClock();
  halved.observe('tokens', 0, 31_000, 0, 30_000, 0.5, 30_000);
  assert.equal(halved.windowed, false);
});

test('window clock: a call sent just after the end that still landed before it widens the margin', () => {
  const clock = new WindowClock();
  clock.observe('requests', 0, 9, 1_000, 600, 0.01);
  clock.observe('requests', 100, 5, 1_000, 600, 0.01);
  assert.equal(clock.marginMs, 5);
  clock.landed(1_030, 2_000, 1_000);
  assert.equal(clock.marginMs, 60);
  clock.landed(1_600, 3_000, 1_000);
  assert.equal(clock.marginMs, 60, 'half a window off is a wrong length, not a late clock');
});

test("window clock: ends that differ by their requests' travel are one end, and a window bucket still turns over", () => {
  // 1 s windows of 6 requests. Each reading's end is our send time plus the provider's reset, which it counted from
  // when the request reached it: on a loaded machine the six ends of one window spread over 60 ms.
  const clock = new WindowClock();
  const ends = [1_940.7, 1_976.6, 1_950.2, 2_000, 1_961.3, 1_990.4];
  ends.forEach((end, i) => clock.observe('requests', 1_000 + i, 5 - i, end, 360, 0.006));
  assert.equal(clock.windowed, true);
  assert.equal(clock.windowMs, null, `one window's end seen, not a window of tens of milliseconds: ${clock.windowMs}`);
  assert.ok(clock.skewMs >= 35 && clock.skewMs <= 60, `skew ${clock.skewMs}`);
  assert.ok(clock.same(1_950, 2_000), 'within the skew: the same instant');
  const bucket = new WindowBucket(6, clock, 0, 1_100);
  assert.ok(bucket.waitFor(1, 1_100) > 800, 'the window is spent');
  assert.equal(bucket.level(2_100), 6, 'the next window opens with the whole quota');
  // The next window's ends, with the same spread: a length near a second, not the spread.
  clock.observe('requests', 2_050, 5, 2_962.8, 360, 0.006);
  clock.observe('requests', 2_051, 4, 3_001.2, 360, 0.006);
  assert.ok(clock.windowMs !== null && Math.abs(clock.windowMs - 1_000) < 2, `window ${clock.windowMs}`);
  bucket.take(6, 2_100);
  assert.equal(bucket.level(3_100), 6, 'and the one after');
});

test('window clock from 429 messages: room left of the minute, or long waits a whole number of windows apart', () => {
  // 10 s windows of a 60 000-per-minute limit: 9 600 used and 500 more turned away leaves most of the minute.
  const room = new WindowClock();
  room.sent(0);
  room.turnedAway(9_300, 10_000, 60_000, 9_600, 500);
  assert.equal(room.windowed, true);
  assert.equal(room.lengthMs(), 10_000, 'from our first call to the end, within what the message allows');
  assert.equal(room.endAt(12_000), 20_000);
  // A continuous bucket turns a call away with a hair less than it asked for left, and names a short wait.
  const bucket = new WindowClock();
  bucket.turnedAway(5_000, 5_100, 60_000, 59_542, 542);
  bucket.turnedAway(9_000, 9_300, 60_000, 59_700, 600);
  bucket.turnedAway(19_000, 19_300, 60_000, 59_700, 600);
  assert.equal(bucket.windowed, false);
  // 60 s windows look like a bucket at the limit, but the waits are far longer than its rate needs; one wait
  // per window (a lane pauses after a 429) is enough once two ends are a window apart.
  const minute = new WindowClock();
  minute.sent(0);
  minute.turnedAway(7_264, 60_000, 60_000, 59_976, 490);
  assert.equal(minute.windowed, false, 'one long wait could be another tenant');
  minute.turnedAway(62_623, 120_000, 60_000, 59_545, 600);
  assert.equal(minute.windowed, true);
  assert.equal(minute.windowMs, 60_000);
  assert.equal(minute.endAt(130_000), 180_000);
  // Long waits whose ends fit no window the messages allow are not windows.
  const tenant = new WindowClock();
  tenant.turnedAway(1_000, 30_000, 60_000, 59_900, 500);
  tenant.turnedAway(40_000, 77_000, 60_000, 59_900, 500);
  assert.equal(tenant.windowed, false);
});

test('429 messages from a continuous bucket: two calls of different sizes told to come back at one instant are not windows', () => {
  // A bucket's wait lasts until the call fits, so a smaller call after a larger one can name the same instant with
  // less left. Read as a window's end, the falling room would look like windows (it once did).
  const clock = new WindowClock();
  const lane = {
    buckets: new Map<Dimension, TokenBucket>(),
    configured: {} as Partial<Record<Dimension, number>>,
    charged: { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0 },
    windowsOf: (_dimension: Dimension) => clock,
  };
  const mark = (at: number) => ({ at, charged: { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0 } });
  learnFromHeaders(lane, { tokens: { limit: 60_000, used: 59_702, requested: 559, resetMs: 261 } }, mark(7_630), 7_700);
  learnFromHeaders(lane, { tokens: { limit: 60_000, used: 59_873, requested: 382, resetMs: 255 } }, mark(7_639), 7_700);
  assert.equal(lane.windowsOf('tokens').windowed, false);
  assert.ok(lane.buckets.get('tokens') instanceof TokenBucket);
  assert.equal(lane.buckets.get('tokens')!.capacity, 60_000);
});
