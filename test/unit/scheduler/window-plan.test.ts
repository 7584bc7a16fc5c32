// Choosing a fixed window's early calls for the room they leave its last ones, and forecasting the refunds that
// come in meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefundForecast } from '../../../src/server/scheduler/refund-forecast';
import { leftover, planWindow, type RefundOutlook } from '../../../src/server/scheduler/window-plan';

/** Refunds of exactly `tokens`, or of 0 or `tokens` with even chances. */
const certain = (tokens: number): RefundOutlook => ({ step: tokens, chances: [0, 1] });
const coin = (tokens: number): RefundOutlook => ({ step: tokens, chances: [0.5, 0.5] });
const all = (costs: number[]) => costs.map(() => true);

test('leftover: the best one or two calls fill a room, the largest first while two more fit', () => {
  assert.equal(leftover(1000, [380, 400, 600, 620]), 0, '380 + 620');
  assert.equal(leftover(700, [380, 400, 650]), 50, 'no pair fits 700: 650 alone');
  assert.equal(leftover(300, [380, 400]), 300, 'nothing fits');
  assert.equal(leftover(1000, [380, 400, 620], 2), 220, 'without 620: 380 + 400');
  assert.equal(leftover(1700, [380, 400, 600, 620]), 80, '620 first, then 600 + 400 of the 1,080 left');
});

test('a call that leaves a room the last calls can fill goes first, not the queue head', () => {
  // Holding: 350 of the 400 coming back find a charge, and no pair makes 1,000. Sending 490 leaves 560 for 550.
  const costs = [420, 490, 650, 480, 550];
  assert.equal(planWindow(650, 350, certain(400), costs, all(costs)), 1);
});

test('refunds that may not come are not bet on: with even chances of none the window holds', () => {
  // Sent now, 490 leaves 160 unfillable when nothing comes back; held, 650 is filled by 650 itself.
  const costs = [420, 490, 650, 480, 550];
  assert.equal(planWindow(650, 350, coin(400), costs, all(costs)), -1);
});

test('a window with nothing charged yet sends a call: held, the refunds on their way would find nothing to reduce', () => {
  const costs = [400, 380, 620, 600];
  const pick = planWindow(1000, 0, certain(300), costs, all(costs));
  assert.notEqual(pick, -1);
  assert.ok(costs[pick]! >= 600, `sent ${costs[pick]}: 600 or 620 leave 700 or 680 for the other; 400 or 380 leave 900, which no pair fills`);
  assert.equal(planWindow(1000, 0, certain(300), costs, [true, true, false, false]), 0, 'of the calls that can go now');
});

test('before any call is back, a tie between holding and sending sends: an empty outlook is not knowledge', () => {
  // No refunds forecast: 554 now and 438 at the end leave what 554 + 438 at the end would, so the losses tie.
  const costs = [554, 465, 438];
  assert.equal(planWindow(1000, 0, certain(0), costs, all(costs)), -1, 'with refunds known to be none, the window holds');
  assert.equal(planWindow(1000, 0, certain(0), costs, all(costs), false), 0, 'knowing nothing yet, the queue head goes');
  // Of the calls that can go now: 465 would leave 535, which 438 fills to 97; 438 leaves 562 for 554, as holding would.
  assert.equal(planWindow(1000, 0, certain(0), costs, [false, true, true], false), 2);
});

test('refund forecast: what a call in flight gives back by a time, given how long it has been out', () => {
  const forecast = new RefundForecast();
  // Half the calls come back after 1 s with half their max_tokens unused, half after 3 s with a tenth unused.
  for (let i = 0; i < 10; i++) {
    forecast.observe(1000, 0.5);
    forecast.observe(3000, 0.1);
  }
  const chance = (outlook: RefundOutlook, tokens: number) => outlook.chances[Math.round(tokens / outlook.step)] ?? 0;
  const young = forecast.outlook([{ at: 0, allowance: 200 }], 0, 2000);
  assert.ok(Math.abs(chance(young, 100) - 0.5) < 1e-9 && Math.abs(chance(young, 0) - 0.5) < 1e-9, JSON.stringify(young));
  // Out for 1.5 s already: it is one of the slow ones, back only after 3 s.
  const old = forecast.outlook([{ at: 0, allowance: 200 }], 1500, 2000);
  assert.ok(Math.abs(chance(old, 0) - 1) < 1e-9, JSON.stringify(old));
  const later = forecast.outlook([{ at: 0, allowance: 200 }], 1500, 3500);
  assert.ok(Math.abs(chance(later, 20) - 1) < 1e-9, JSON.stringify(later));
  // Two young calls: none, one or both back by 2 s.
  const two = forecast.outlook(
    [
      { at: 0, allowance: 200 },
      { at: 0, allowance: 200 },
    ],
    0,
    2000,
  );
  assert.deepEqual(
    [chance(two, 0), chance(two, 100), chance(two, 200)].map((p) => Math.round(p * 100) / 100),
    [0.25, 0.5, 0.25],
  );
});
