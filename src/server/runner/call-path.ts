// Every call goes cache → scheduler → provider. Identical calls in flight at once share one provider request.
import { createHash } from 'node:crypto';
import type { AnswerFormat, ModelSpec, Prompts, Question } from '../../format';
import { userScope, type CacheScopeOf } from '../cache-scope';
import type { CachedCall, Store, StoredCall } from '../store/store';
import { ProviderError, type CallReply, type EmbedReply, type EvaluateReply, type Provider } from '../providers/provider';
import type { Scheduler } from '../scheduler/scheduler';
import type { Pricing } from '../cost/pricing';
import { isStoreUnavailable, whileUnavailable } from '../store/unavailable';

export interface CallInput {
  jobId: string;
  user: string;
  /** The interview's index in the job: kept with a call it pays for (see Paid). */
  interview: number;
  paid: Paid;
  model: ModelSpec;
  prompts: Prompts;
  iteration: number;
  /** A survey call's question; an eval call's answer format instead (both only guide the test model). */
  question?: Question | undefined;
  answer_format?: AnswerFormat | undefined;
  fresh: boolean;
  signal: AbortSignal;
}

export interface CallOutcome {
  reply: CallReply;
  cached: boolean;
  cost_usd: number | null;
  latency_ms: number;
}

/**
 * The calls one run of an interview has put on its rows with their cost, by cache key. A call this job paid for
 * in this interview before a restart or a retry (its row was never written, or was taken back) is found in the
 * cache by the interview's next run: that run's row carries what was paid, once, so the rows add up to the job's
 * cost. Kept per run of an interview, so a prompt asked twice in it is still paid for once.
 */
export type Paid = Set<string>;

/** Calls in flight by scope, then key: a lookup on the hot path builds no joined string. */
class InFlight<T> {
  private readonly scopes = new Map<string, Map<string, Promise<T>>>();

  get(scope: string, key: string): Promise<T> | undefined {
    return this.scopes.get(scope)?.get(key);
  }

  /** Holds `pending` until it settles, and returns what settles after it is forgotten. */
  add<U extends T>(scope: string, key: string, pending: Promise<U>): Promise<U> {
    let calls = this.scopes.get(scope);
    if (!calls) this.scopes.set(scope, (calls = new Map()));
    const held = pending.finally(() => {
      calls.delete(key);
      if (calls.size === 0 && this.scopes.get(scope) === calls) this.scopes.delete(scope);
    });
    calls.set(key, held);
    return held;
  }
}

/** A cached call, if any: a database that is restarting is waited out; any other error is thrown. */
async function readCached(store: Store, scope: string, key: string, signal: AbortSignal): Promise<StoredCall | null> {
  try {
    return await store.getCachedCall(scope, key);
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    return whileUnavailable(() => store.getCachedCall(scope, key), { stopped: () => signal.aborted });
  }
}

/** True when the stored call was paid for by this interview of this job and no row of this run carries it yet. */
function paidHere(hit: StoredCall, key: string, input: { jobId: string; interview: number; paid: Paid }): boolean {
  return hit.paid_job === input.jobId && hit.paid_interview === input.interview && !input.paid.has(key);
}

/**
 * Content address of a call: model, parameters, prompts, the images it shows (by their content's hash, so a
 * changed picture under the same name is a new call) and iteration. Calls without images keep their old keys.
 */
export function cacheKey(model: ModelSpec, prompts: Prompts, iteration: number): string {
  const parts: unknown[] = [model.service, model.model, sortedEntries(model.parameters), prompts.system, prompts.user, iteration];
  if (prompts.images && prompts.images.length > 0) parts.push(prompts.images.map((image) => image.sha256));
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** What an image adds to a call's tokens, for the scheduler's admission only: providers bill ~85–1,600 per image. */
const IMAGE_TOKENS_GUESS = 1000;

function sortedEntries(parameters: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export class CallPath {
  /** Calls on their way to a provider: identical calls of one scope share one request. */
  private readonly inflight = new InFlight<CallOutcome>();

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly pricing: Pricing,
    private readonly scopeOf: CacheScopeOf = userScope,
    /** Told of every call answered, for progress counted in calls. */
    private readonly called: (jobId: string) => void = () => undefined,
  ) {}

  async call(input: CallInput): Promise<CallOutcome> {
    const scope = this.scopeOf(input.user);
    const key = cacheKey(input.model, input.prompts, input.iteration);
    // Read even when fresh: a fresh job must not pay twice for what it paid for before a restart.
    const hit = await readCached(this.store, scope, key, input.signal);
    if (hit && paidHere(hit, key, input)) {
      input.paid.add(key);
      // Billed to the job and its model when it was stored: counted once, here only on the row.
      return { ...fromCache(hit), cached: false, cost_usd: hit.cost_usd };
    }
    if (hit && !input.fresh) {
      this.store.countCacheHit(input.jobId, input.model.label);
      this.called(input.jobId);
      return fromCache(hit);
    }
    const shared = this.inflight.get(scope, key);
    if (shared) {
      return shared.then((outcome) => {
        this.store.countCacheHit(input.jobId, input.model.label);
        this.called(input.jobId);
        return { ...outcome, cached: true, cost_usd: 0, latency_ms: 0 };
      });
    }
    return this.inflight.add(scope, key, this.callProvider(scope, key, input));
  }

  private async callProvider(scope: string, key: string, input: CallInput): Promise<CallOutcome> {
    const provider = this.providers.get(input.model.service);
    if (!provider) throw new ProviderError('fatal', `no service "${input.model.service}" is configured on this server`);
    const maxTokens = typeof input.model.parameters.max_tokens === 'number' ? input.model.parameters.max_tokens : 1000;
    const images = input.prompts.images ?? [];
    const inputTokens = Math.ceil((input.prompts.system.length + input.prompts.user.length) / 4) + images.length * IMAGE_TOKENS_GUESS;
    const ticket = {
      lane: `${input.model.service}/${input.model.model}`,
      user: input.user,
      jobId: input.jobId,
      tokens: inputTokens + maxTokens,
      inputTokens,
      outputTokens: maxTokens,
    };
    const started = performance.now();
    const reply = await this.scheduler.run(
      ticket,
      (attempt, early) =>
        provider.call({
          service: input.model.service,
          model: input.model.model,
          parameters: input.model.parameters,
          system: input.prompts.system,
          user: input.prompts.user,
          iteration: input.iteration,
          question: input.question,
          answer_format: input.answer_format,
          attempt,
          signal: input.signal,
          onLimits: early,
          ...(images.length > 0 ? { images: images.map((image) => ({ media_type: image.media_type, data: image.data })) } : {}),
        }),
      input.signal,
      (done) => ({ usage: { input: done.input_tokens, output: done.output_tokens }, limits: done.limits }),
    );
    const cost = this.pricing.cost(input.model, reply.input_tokens, reply.output_tokens);
    // Stored at once: a call that was paid for is never paid for again, even if the interview is not finished.
    this.store.putCachedCall(
      scope,
      { key, raw: reply.text, input_tokens: reply.input_tokens, output_tokens: reply.output_tokens, cost_usd: cost, model_version: reply.model_version },
      { job: input.jobId, model: input.model.label, interview: input.interview },
    );
    this.called(input.jobId);
    input.paid.add(key);
    return { reply, cached: false, cost_usd: cost, latency_ms: performance.now() - started };
  }
}

/** An eval scorer's call to a provider's evaluate or embed endpoint. */
export interface ScoringCallInput {
  jobId: string;
  user: string;
  interview: number;
  paid: Paid;
  model: ModelSpec;
  fresh: boolean;
  signal: AbortSignal;
}

export interface ScoringOutcome<T> {
  reply: T;
  cached: boolean;
  cost_usd: number | null;
}

/**
 * evaluate and embed take the same road as completions — cache, scheduler, billed once — keyed by what they
 * read. They live beside CallPath's `call` so the cache and the ledger stay in one place.
 */
/** Content address of an evaluate or embed call: the model and what it reads. */
export function scoringCacheKey(model: ModelSpec, content: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([model.service, model.model, sortedEntries(model.parameters), ...content]))
    .digest('base64url');
}

export class ScoringCalls {
  /** Epochs of one sample run at once and read the same target: one provider call serves them all. */
  private readonly inflight = new InFlight<unknown>();

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly pricing: Pricing,
    private readonly scopeOf: CacheScopeOf = userScope,
    /** Told of every call answered, for progress counted in calls. */
    private readonly called: (jobId: string) => void = () => undefined,
  ) {}

  evaluate(input: ScoringCallInput, prompt: string, expected: string): Promise<ScoringOutcome<EvaluateReply>> {
    return this.run(input, ['evaluate', prompt, expected], prompt.length + expected.length, (provider, signal) => {
      if (!provider.evaluate) throw new ProviderError('fatal', `service "${input.model.service}" cannot evaluate log-probabilities`);
      return provider.evaluate({ model: input.model.model, prompt, expected, signal });
    });
  }

  embed(input: ScoringCallInput, text: string): Promise<ScoringOutcome<EmbedReply>> {
    return this.run(input, ['embed', text], text.length, (provider, signal) => {
      if (!provider.embed) throw new ProviderError('fatal', `service "${input.model.service}" cannot embed text`);
      return provider.embed({ model: input.model.model, text, signal });
    });
  }

  private async run<T extends { input_tokens: number }>(
    input: ScoringCallInput,
    content: string[],
    characters: number,
    send: (provider: Provider, signal: AbortSignal) => Promise<T>,
  ): Promise<ScoringOutcome<T>> {
    const { model } = input;
    const scope = this.scopeOf(input.user);
    const key = scoringCacheKey(model, content);
    const hit = await readCached(this.store, scope, key, input.signal);
    if (hit && paidHere(hit, key, input)) {
      input.paid.add(key);
      return { reply: JSON.parse(hit.raw) as T, cached: false, cost_usd: hit.cost_usd };
    }
    if (hit && !input.fresh) {
      this.store.countCacheHit(input.jobId, model.label);
      this.called(input.jobId);
      return { reply: JSON.parse(hit.raw) as T, cached: true, cost_usd: 0 };
    }
    const shared = this.inflight.get(scope, key) as Promise<ScoringOutcome<T>> | undefined;
    if (shared) {
      const outcome = await shared;
      this.store.countCacheHit(input.jobId, model.label);
      this.called(input.jobId);
      return { ...outcome, cached: true, cost_usd: 0 };
    }
    return this.inflight.add(scope, key, this.callProvider(scope, key, input, characters, send));
  }

  private async callProvider<T extends { input_tokens: number }>(
    scope: string,
    key: string,
    input: ScoringCallInput,
    characters: number,
    send: (provider: Provider, signal: AbortSignal) => Promise<T>,
  ): Promise<ScoringOutcome<T>> {
    const { model } = input;
    const provider = this.providers.get(model.service);
    if (!provider) throw new ProviderError('fatal', `no service "${model.service}" is configured on this server`);
    const ticket = { lane: `${model.service}/${model.model}`, user: input.user, jobId: input.jobId, tokens: Math.ceil(characters / 4) + 1 };
    const reply = await this.scheduler.run(ticket, () => send(provider, input.signal), input.signal, (done) => ({ usage: done.input_tokens }));
    const cost = this.pricing.cost(model, reply.input_tokens, 0);
    this.store.putCachedCall(
      scope,
      { key, raw: JSON.stringify(reply), input_tokens: reply.input_tokens, output_tokens: 0, cost_usd: cost, model_version: null },
      { job: input.jobId, model: model.label, interview: input.interview },
    );
    this.called(input.jobId);
    input.paid.add(key);
    return { reply, cached: false, cost_usd: cost };
  }
}

function fromCache(hit: CachedCall): CallOutcome {
  return {
    reply: { text: hit.raw, input_tokens: hit.input_tokens, output_tokens: hit.output_tokens, model_version: hit.model_version },
    cached: true,
    cost_usd: 0,
    latency_ms: 0,
  };
}
