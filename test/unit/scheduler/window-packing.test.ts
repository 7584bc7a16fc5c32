// Packing fixed windows: the mock provider's engine on the event clock, 1-second windows of 1,000 tokens.
// A provider gives back what a call did not use only in the window the call finishes in, so when calls take
// longer than a window, the call that fills a window is held until just before its end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mockConfig } from '../../../src/mock-provider/config';
import { Scheduler, type CallTicket } from '../../../src/server/scheduler/scheduler';
import { EventClock } from '../../bench/scheduler/event-clock';
import { SimProvider } from '../../bench/scheduler/sim-provider';

interface Run {
  /** When each call was admitted (ms), and what it was charged at admission. */
  admitted: { at: number; tokens: number }[];
  /** What the provider counted as used in each whole window, net of refunds. */
  usedPerWindow: number[];
  makespanMs: number;
  rejected: number;
}

async function run(latencyMs: number, inputs: number[]): Promise<Run> {
  const clock = new EventClock();
  const provider = new SimProvider(
    clock,
    mockConfig({
      mode: 'window-1s',
      limits: { requests_per_minute: 6000, tokens_per_minute: 60_000 },
      latency: { ttft_ms: latencyMs, per_token_ms: 0, tail_probability: 0 },
      output_share: [0.5, 0.5],
    }),
  );
  const scheduler = new Scheduler({ clock, limitsFor: () => ({ requestsPerMinute: 6000, tokensPerMinute: 60_000 }), random: () => 0.5 });
  const admitted: Run['admitted'] = [];
  const used = new Map<number, number>();
  const count = (at: number, tokens: number) => used.set(Math.floor(at / 1000), (used.get(Math.floor(at / 1000)) ?? 0) + tokens);
  const never = new AbortController().signal;
  await clock.run(
    Promise.all(
      inputs.map((input) => {
        const ticket: CallTicket = { lane: 'mock/model', user: 'u', jobId: 'j', tokens: input + 200, inputTokens: input, outputTokens: 200 };
        return scheduler.run(
          ticket,
          async () => {
            const at = clock.now();
            const reply = await provider.call({ flavor: 'openai', model: 'model', inputTokens: input, maxTokens: 200, key: 'u' });
            admitted.push({ at, tokens: input + 200 });
            count(at, input + 200);
            count(clock.now(), -(200 - reply.output_tokens));
            return reply;
          },
          never,
          (reply) => ({ usage: { input: reply.input_tokens, output: reply.output_tokens }, limits: reply.limits }),
        );
      }),
    ),
  );
  await provider.close();
  const last = Math.max(...used.keys());
  const usedPerWindow = [...used.entries()].filter(([window]) => window >= 3 && window < last - 3).map(([, tokens]) => tokens);
  return { admitted, usedPerWindow, makespanMs: clock.now(), rejected: provider.engine.stats.rejected };
}

// Calls of 350 to 650 tokens at admission (100 of them given back when they finish): one or two fill a window.
const inputs = Array.from({ length: 120 }, (_, i) => 150 + ((i * 37) % 300));

test('calls slower than a window: the call that fills a window goes just before its end, with the refunds in', async () => {
  const slow = await run(1500, inputs);
  const late = slow.admitted.filter(({ at }) => at > 3000 && at % 1000 >= 900).length;
  assert.ok(late >= 30, `${late} of ${slow.admitted.length} calls admitted in the last tenth of a window`);
  const mean = slow.usedPerWindow.reduce((a, b) => a + b, 0) / slow.usedPerWindow.length;
  assert.ok(mean >= 900, `the provider counted ${mean.toFixed(0)} of each window's 1,000 tokens used`);
  assert.ok(slow.rejected <= 2, `${slow.rejected} calls turned away`);
});

test('calls back well within a window are not held: they go as the window opens or as refunds make room', async () => {
  const fast = await run(100, inputs);
  const held = fast.admitted.filter(({ at }) => at > 3000 && at % 1000 >= 200);
  assert.deepEqual(held, [], 'no call waits for the end of its window');
  assert.ok(fast.rejected <= 2, `${fast.rejected} calls turned away`);
});
