// The mock provider's ways of counting a limit: boundaries of admission, exact retry-after, remaining and reset forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mockConfig, type EnforcementRuleInput, type MockConfigInput } from '../../../src/mock-provider/config';
import { admissionCosts, ProviderLimiter, type Costs } from '../../../src/mock-provider/limiter';
import { seededRandom } from '../../../src/random/seeded-random';

const limiter = (input: MockConfigInput) => new ProviderLimiter(mockConfig(input), 0);
const requests = (rule: EnforcementRuleInput, rpm = 600, extra: MockConfigInput = {}) =>
  limiter({ limits: { requests_per_minute: rpm }, enforcement: { requests: rule }, ...extra });
const one = admissionCosts(1, 1);

function rejected(admission: ReturnType<ProviderLimiter['admit']>): number {
  assert.equal(admission.admitted, false, 'turned away');
  return admission.admitted ? NaN : admission.retryAfterMs;
}

test('sliding log: an entry counts until a window after its admission, and the retry-after is when enough have left', () => {
  const l = requests({ kind: 'sliding-log', window_s: 10 });
  for (let i = 0; i < 100; i++) assert.equal(l.admit(i * 10, one).admitted, true, `call ${i}`);
  assert.equal(rejected(l.admit(1000, one)), 9000, 'the first entry leaves at 10 s');
  assert.equal(l.admit(9999, one).admitted, false);
  assert.equal(l.admit(10_000, one).admitted, true);
  assert.equal(rejected(l.admit(10_000, one)), 10, 'the second entry leaves at 10.01 s');
});

test('sliding log: refunds lower an entry still in the window; a large call waits for several entries to leave', () => {
  const l = limiter({ limits: { tokens_per_minute: 6000 }, enforcement: { tokens: { kind: 'sliding-log', window_s: 60, reset: 'oldest' } } });
  const costs = (tokens: number): Costs => ({ requests: 1, tokens, input_tokens: 0, output_tokens: 0 });
  const first = l.admit(0, costs(4000));
  assert.ok(first.admitted);
  assert.ok(l.admit(1000, costs(2000)).admitted);
  assert.equal(rejected(l.admit(2000, costs(1000))), 58_000, 'the 4000-token entry has to leave');
  assert.equal(rejected(l.admit(2000, costs(4000))), 58_000);
  assert.equal(rejected(l.admit(2000, costs(4001))), 59_000, 'both have to leave');
  assert.equal(l.state(2000).tokens?.resetMs, 58_000, 'reset: when the oldest entry leaves');
  l.correct(3000, costs(4000), costs(1000), first.id);
  assert.equal(l.state(3000).tokens?.remaining, 3000);
  assert.ok(l.admit(3000, costs(3000)).admitted);
  assert.equal(l.admit(3000, costs(1)).admitted, false);
});

test('sliding counter: the previous window counts by the share of it still overlapping', () => {
  const l = requests({ kind: 'sliding-counter', window_s: 10 });
  for (let i = 0; i < 100; i++) assert.ok(l.admit(5000, one).admitted);
  // At 10 s the previous window overlaps whole: 100 of 100.
  const wait = rejected(l.admit(10_000, one));
  assert.ok(Math.abs(wait - 100) < 1e-6, `wait ${wait}: at 10.1 s the estimate is 99`);
  assert.ok(l.admit(10_000 + wait, one).admitted);
  assert.equal(l.admit(10_000 + wait, one).admitted, false);
  // Half-way into the next window, half the previous count is left: 50 + 1 used.
  assert.ok(Math.abs(l.state(15_000).requests!.remaining - 49) < 1e-9);
  assert.equal(l.state(15_000).requests!.resetMs, 5000, 'reset: the fixed window ends');
});

test('sliding counter: a window full on its own clears a share of the way into the next', () => {
  const l = requests({ kind: 'sliding-counter', window_s: 10, reset: 'full' });
  for (let i = 0; i < 100; i++) assert.ok(l.admit(1000, one).admitted);
  const wait = rejected(l.admit(2000, one));
  assert.ok(Math.abs(2000 + wait - 10_100) < 1e-6, `fits again at 10.1 s, not ${2000 + wait}`);
  assert.equal(l.state(2000).requests!.resetMs, 18_000, 'full again when the next window ends');
});

test('fixed windows of any length: allowance = per-minute limit × window / 60, remaining in either unit', () => {
  const l = requests({ kind: 'fixed', window_s: 10, remaining_units: 'per-minute' });
  for (let i = 0; i < 40; i++) assert.ok(l.admit(2500, one).admitted);
  const state = l.state(2500).requests!;
  assert.equal(state.remaining, 360, '60 left of 100 per 10 s is 360 per minute');
  assert.equal(state.limit, 600);
  assert.equal(state.resetMs, 7500);
  for (let i = 0; i < 60; i++) assert.ok(l.admit(2600, one).admitted);
  assert.equal(rejected(l.admit(2600, one)), 7400);
  const odd = requests({ kind: 'fixed', window_s: 7, reset: 'none' }, 60);
  for (let i = 0; i < 7; i++) assert.ok(odd.admit(0, one).admitted);
  assert.equal(odd.admit(0, one).admitted, false);
  assert.equal(odd.state(0).requests!.resetMs, undefined);
});

test('a bucket holding a window of 10 s: a tenth of a minute at once, refilled at the per-minute rate', () => {
  const l = requests({ kind: 'bucket', window_s: 10 });
  for (let i = 0; i < 100; i++) assert.ok(l.admit(0, one).admitted);
  assert.equal(rejected(l.admit(0, one)), 100);
  assert.ok(l.admit(100, one).admitted);
  assert.equal(l.state(10_100).requests!.remaining, 100);
  assert.equal(l.state(5100).requests!.resetMs, 5000);
});

test('per-minute remaining of a sliding 10 s window: (allowance − used) × 6', () => {
  const l = requests({ kind: 'sliding-log', window_s: 10, remaining_units: 'per-minute' }, 900);
  assert.ok(l.admit(0, one).admitted);
  assert.equal(l.state(0).requests!.remaining, 894);
  assert.equal(l.state(4000).requests!.resetMs, 6000);
});

test('another tenant holds its share of a sliding window; a limit change applies to every kind', () => {
  const tenant = requests({ kind: 'sliding-log', window_s: 10 }, 600, { other_tenant_share: 0.25 });
  let admitted = 0;
  for (let i = 0; i < 100; i++) if (tenant.admit(0, one).admitted) admitted++;
  assert.equal(admitted, 75);
  for (const kind of ['bucket', 'fixed', 'sliding-log', 'sliding-counter'] as const) {
    const l = requests({ kind, window_s: 10 }, 600, { limit_changes: [{ at_s: 60, scale: 0.5 }] });
    admitted = 0;
    for (let i = 0; i < 100; i++) if (l.admit(120_000, one).admitted) admitted++;
    assert.equal(admitted, 50, kind);
  }
});

// Random traffic on every kind: whenever a call is turned away, the same call at now + retry-after is admitted if
// nothing else happens, and (retry-after beyond the bucket's millisecond floor) not a moment sooner.
for (const kind of ['bucket', 'fixed', 'sliding-log', 'sliding-counter'] as const) {
  test(`${kind}: retry-after is exact`, () => {
    for (let seed = 1; seed <= 6; seed++) {
      const random = seededRandom(seed);
      const window_s = [1, 7, 10, 60][seed % 4]!;
      const config: MockConfigInput = {
        limits: { requests_per_minute: 300, tokens_per_minute: 30_000 },
        enforcement: { requests: { kind, window_s }, tokens: { kind: seed % 2 ? kind : 'sliding-log', window_s: 60 - window_s / 2 } },
        other_tenant_share: seed % 3 === 0 ? 0.3 : 0,
        limit_changes: seed % 2 === 0 ? [{ at_s: 20, scale: 0.6 }] : [],
      };
      type Event = { at: number; costs: Costs } | { at: number; charged: Costs; used: Costs; id: number };
      const events: Event[] = [];
      const replay = () => {
        const l = limiter(config);
        for (const event of events)
          if ('costs' in event) l.admit(event.at, event.costs);
          else l.correct(event.at, event.charged, event.used, event.id);
        return l;
      };
      const live = limiter(config);
      const running: { due: number; charged: Costs; used: Costs; id: number }[] = [];
      let now = 0;
      let checked = 0;
      for (let i = 0; i < 400; i++) {
        now += random() * 300;
        for (const call of running.filter((c) => c.due <= now)) {
          live.correct(call.due, call.charged, call.used, call.id);
          events.push({ at: call.due, charged: call.charged, used: call.used, id: call.id });
        }
        running.splice(0, running.length, ...running.filter((c) => c.due > now));
        const costs = admissionCosts(100 + Math.floor(random() * 400), 200);
        const admission = live.admit(now, costs);
        events.push({ at: now, costs });
        if (admission.admitted) {
          running.push({
            due: now + 500 + random() * 3000,
            charged: costs,
            used: admissionCosts(costs.input_tokens, 20 + Math.floor(random() * 180)),
            id: admission.id,
          });
          running.sort((a, b) => a.due - b.due);
          continue;
        }
        if (checked++ % 5 !== 0) continue;
        const at = now + admission.retryAfterMs;
        assert.ok(replay().admit(at, costs).admitted, `seed ${seed}: admitted ${admission.retryAfterMs} ms after ${now}`);
        if (admission.retryAfterMs > 1.001) assert.equal(replay().admit(at - 0.001, costs).admitted, false, `seed ${seed}: not before`);
      }
      assert.ok(checked > 10, `seed ${seed}: only ${checked} rejections`);
    }
  });
}

test('earliest admission: the instant a call fits, for the zero-latency bound', () => {
  const l = requests({ kind: 'sliding-log', window_s: 10 }, 60);
  for (let i = 0; i < 10; i++) assert.ok(l.admit(i * 100, one).admitted);
  assert.equal(l.earliestAdmission(1000, one), 10_000);
  assert.equal(l.earliestAdmission(50_000, one), 50_000);
});

test('rules are validated: reset forms that do not apply to a kind are refused, windows must be positive', () => {
  assert.throws(() => mockConfig({ enforcement: { requests: { kind: 'bucket', reset: 'window-end' } } }));
  assert.throws(() => mockConfig({ enforcement: { requests: { kind: 'sliding-log', window_s: 0 } } }));
  assert.throws(() => mockConfig({ enforcement: { requests: { kind: 'fixed', extra: 1 } as never } }));
  assert.throws(() => mockConfig({ concurrency: { max: 2, status: 500 as never } }));
  assert.equal(mockConfig({ enforcement: { tokens: { kind: 'fixed' } } }).enforcement.tokens?.window_s, 60);
});
