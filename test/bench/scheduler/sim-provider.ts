// The mock provider's engine on the event clock, its replies read by the real providers' parsing: a simulated
// call fails or succeeds exactly as the same call over HTTP would.
import { MockEngine, type MockCall } from '../../../src/mock-provider/engine';
import type { MockConfig } from '../../../src/mock-provider/config';
import { ProviderError, type CallReply, type RateLimitSnapshot } from '../../../src/server/providers/provider';
import { anthropicLimits, openAiLimits, type HeaderBag } from '../../../src/server/providers/rate-limit-headers';
import { errorDetails, failure, Wire } from '../../../src/server/providers/wire';
import type { EventClock } from './event-clock';

/**
 * The wall clock the simulated provider dates its headers by (Anthropic's RFC 3339 resets, retry-after dates): a
 * fixed instant plus virtual time, so a run is the same whenever it is made (the real clock's sub-second phase moved
 * resets rounded to seconds, and with them a run's makespan by up to a third).
 */
const WALL_EPOCH = Date.UTC(2026, 0, 1);

export class SimProvider {
  readonly engine: MockEngine;
  private readonly wire = new Wire({ service: 'mock', baseUrl: 'http://mock.invalid/v1', apiKey: null, headers: {}, timeoutMs: 60_000 });

  constructor(
    private readonly clock: EventClock,
    config: MockConfig,
  ) {
    this.engine = new MockEngine(config, clock.now());
  }

  private wall(): number {
    return WALL_EPOCH + this.clock.now();
  }

  /** `early`: a streamed call, told its headers with its first token. */
  async call(call: MockCall, early?: (limits: RateLimitSnapshot | null) => void): Promise<CallReply> {
    const outcome = this.engine.handle(this.clock.now(), this.wall(), call);
    const readFirst = early && outcome.kind === 'reply' && outcome.status === 200 && outcome.headersAfterMs !== undefined ? outcome.headersAfterMs : null;
    if (readFirst !== null && outcome.kind === 'reply') {
      await this.clock.sleep(readFirst);
      const headers = outcome.headers as HeaderBag;
      early!((call.flavor === 'openai' ? openAiLimits(headers, this.wall()) : anthropicLimits(headers, this.wall())) ?? null);
    }
    await this.clock.sleep(outcome.afterMs - (readFirst ?? 0));
    if (outcome.kind === 'hang') throw new ProviderError('transient', 'mock: no reply in time');
    outcome.finish?.(this.clock.now());
    const headers = outcome.headers as HeaderBag;
    const limits = (call.flavor === 'openai' ? openAiLimits(headers, this.wall()) : anthropicLimits(headers, this.wall())) ?? null;
    if (outcome.status !== 200) {
      const text = JSON.stringify(outcome.body);
      throw failure({
        wire: this.wire,
        status: outcome.status,
        headers,
        ...errorDetails({ status: outcome.status, headers, json: outcome.body, text, events: null }),
        limits,
        now: this.wall(),
      });
    }
    if (outcome.raw !== undefined) throw new ProviderError('transient', 'mock: malformed reply', null, 200);
    // OpenAI's usage names prompt and completion tokens, Anthropic's input and output.
    const usage = (outcome.body as { usage: { prompt_tokens?: number; completion_tokens?: number; input_tokens?: number; output_tokens?: number } }).usage;
    const input = usage.prompt_tokens ?? usage.input_tokens ?? 0;
    const output = usage.completion_tokens ?? usage.output_tokens ?? 0;
    return { text: '', input_tokens: input, output_tokens: output, model_version: null, limits: limits ?? undefined };
  }

  close(): Promise<void> {
    return this.wire.close();
  }
}
