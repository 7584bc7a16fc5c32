// The mock provider's behaviour without a transport: given a call at a time, what the provider answers and when.
// The HTTP server and the benchmark's simulation both drive this, so a simulated run is what the wire would do.
import type { MockConfig, RetryAfterForm } from './config';
import { admissionCosts, ProviderLimiter, type Costs } from './limiter';
import { seededRandom } from '../random/seeded-random';
import { heavyTail } from './random';
import { MockStats } from './stats';
import { concurrencyBody, errorBody, limitHeaders, rateLimitBody, replyBody, retryAfterHeaders, type Flavor, type Headers } from './wire';

export interface MockCall {
  flavor: Flavor;
  model: string;
  /** Prompt tokens as the provider counts them. */
  inputTokens: number;
  maxTokens: number;
  /** Who is calling (the API key's tail), for per-key counts. */
  key: string;
}

export type MockOutcome =
  | {
      kind: 'reply';
      afterMs: number;
      /** When a streamed reply's headers go out (its first token); the whole reply comes at `afterMs`. */
      headersAfterMs?: number;
      status: number;
      headers: Headers;
      body: unknown;
      raw?: string;
      finish?: (now: number) => void;
    }
  | { kind: 'hang'; afterMs: number };

/** Time a rejection or an injected error takes to come back. */
const QUICK_MS = 20;

export class MockEngine {
  readonly stats = new MockStats();
  readonly limiter: ProviderLimiter;
  private readonly random: () => number;
  private nextId = 1;
  /** Calls admitted and not yet finished, by admission, with when each is due back. */
  private readonly inflight = new Map<number, number>();

  constructor(
    readonly config: MockConfig,
    start: number,
  ) {
    this.limiter = new ProviderLimiter(config, start);
    this.random = seededRandom(config.seed);
  }

  /** `now` drives the limits (monotonic ms); `wallNow` only dates Anthropic's reset headers. */
  handle(now: number, wallNow: number, call: MockCall): MockOutcome {
    const { faults } = this.config;
    const key = this.stats.key(call.key);
    const draw = this.random();
    if (draw < faults.timeout) return this.fault('timeout', { kind: 'hang', afterMs: faults.timeout_ms });
    if (draw < faults.timeout + faults.server_error) {
      return this.fault('server_error', { kind: 'reply', afterMs: QUICK_MS, status: 500, headers: {}, body: errorBody(call.flavor, 500) });
    }
    if (draw < faults.timeout + faults.server_error + faults.overloaded) {
      const status = call.flavor === 'anthropic' ? 529 : 503;
      return this.fault('overloaded', { kind: 'reply', afterMs: QUICK_MS, status, headers: {}, body: errorBody(call.flavor, status) });
    }

    const charged = admissionCosts(call.inputTokens, call.maxTokens);
    const busy = this.config.concurrency;
    if (busy && this.inflight.size >= busy.max) return this.tooMany(now, call, charged.tokens, busy.max, busy.status);
    const admission = this.limiter.admit(now, charged);
    if (!admission.admitted) {
      this.stats.rejected++;
      key.rejected++;
      this.stats.rejected_by_dimension[admission.dimension] = (this.stats.rejected_by_dimension[admission.dimension] ?? 0) + 1;
      this.stats.tokens_charged_to_rejected += charged.tokens;
      const headers: Headers = this.config.strip_headers ? {} : limitHeaders(call.flavor, admission.state, wallNow);
      if (!this.config.strip_headers) Object.assign(headers, retryAfterHeaders(this.retryForm(call.flavor), admission.retryAfterMs));
      const body = rateLimitBody(call.flavor, call.model, admission, this.config.quiet_rate_limits, this.hint());
      return { kind: 'reply', afterMs: QUICK_MS, status: 429, headers, body };
    }

    this.stats.admitted++;
    key.admitted++;
    this.stats.tokens_charged += charged.tokens;
    this.stats.first_admitted_at ??= now;
    const [low, high] = this.config.output_share;
    const outputTokens = Math.max(1, Math.round(call.maxTokens * (low + (high - low) * this.random())));
    const { latency } = this.config;
    const slowness = heavyTail(this.random, latency.tail_probability, 1.5, latency.tail_cap);
    const afterMs = (latency.ttft_ms + latency.per_token_ms * outputTokens) * slowness;
    const headersAfterMs = latency.ttft_ms * slowness;
    const used: Costs = admissionCosts(call.inputTokens, outputTokens);
    this.inflight.set(admission.id, now + afterMs);
    const finish = (at: number) => {
      this.inflight.delete(admission.id);
      this.limiter.correct(at, charged, used, admission.id);
      this.stats.tokens_used += used.tokens;
      this.stats.input_tokens_used += used.input_tokens;
      this.stats.output_tokens_used += used.output_tokens;
      this.stats.last_finished_at = at;
    };
    const headers = this.config.strip_headers ? {} : limitHeaders(call.flavor, admission.state, wallNow);
    const id = String(this.nextId++).padStart(8, '0');
    if (this.random() < this.config.faults.malformed) {
      this.stats.faults.malformed = (this.stats.faults.malformed ?? 0) + 1;
      return { kind: 'reply', afterMs, headersAfterMs, status: 200, headers, body: null, raw: '{"choices": [{"message": {"content": "tru', finish };
    }
    const text = mockAnswer(outputTokens);
    return {
      kind: 'reply',
      afterMs,
      headersAfterMs,
      status: 200,
      headers,
      body: replyBody(call.flavor, call.model, id, text, call.inputTokens, outputTokens, false),
      finish,
    };
  }

  /** How a 429 says when to retry: as configured, else as each provider does (Anthropic a header, OpenAI its message). */
  private retryForm(flavor: Flavor): RetryAfterForm {
    return this.config.retry_after ?? (flavor === 'anthropic' ? 'seconds' : 'message');
  }

  /** The message's retry hint: the provider's own when unconfigured, else only when the form is `message`. */
  private hint(): 'exact' | 'none' | undefined {
    const form = this.config.retry_after;
    return form === undefined ? undefined : form === 'message' ? 'exact' : 'none';
  }

  /** Too many calls in flight: turned away at once, a 429 saying when the next call is due back, or a 503. */
  private tooMany(now: number, call: MockCall, tokens: number, max: number, status: 429 | 503): MockOutcome {
    if (status === 503) {
      this.stats.busy++;
      return { kind: 'reply', afterMs: QUICK_MS, status, headers: {}, body: errorBody(call.flavor, status) };
    }
    this.stats.rejected++;
    this.stats.key(call.key).rejected++;
    this.stats.rejected_by_dimension.concurrency = (this.stats.rejected_by_dimension.concurrency ?? 0) + 1;
    this.stats.tokens_charged_to_rejected += tokens;
    const wait = Math.max(1, Math.min(...this.inflight.values()) - now);
    const form = this.retryForm(call.flavor);
    const headers = this.config.strip_headers ? {} : retryAfterHeaders(form, wait);
    return { kind: 'reply', afterMs: QUICK_MS, status, headers, body: concurrencyBody(call.flavor, call.model, max, form === 'message' ? wait : null) };
  }

  private fault(name: string, outcome: MockOutcome): MockOutcome {
    this.stats.faults[name] = (this.stats.faults[name] ?? 0) + 1;
    return outcome;
  }
}

/** A short plausible answer (a free-text question accepts it); the token count reported is what the limits see. */
function mockAnswer(outputTokens: number): string {
  return outputTokens < 5 ? 'Yes.' : 'A mock answer: the mock provider does not read the question.';
}

/** Prompt tokens as the mock counts them: about four characters per token plus a small per-request overhead. */
export function countTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0) + 7;
}
