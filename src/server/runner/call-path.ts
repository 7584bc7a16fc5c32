// Every call goes cache → scheduler → provider. Identical calls in flight at once share one provider request.
import { createHash } from 'node:crypto';
import type { AnswerFormat, ModelSpec, Prompts, Question } from '../../format';
import { userScope, type CacheScopeOf } from '../cache-scope';
import type { CachedCall, Store, StoredCall } from '../store/store';
import { ProviderError, type CallReply, type EmbedReply, type EvaluateReply, type Provider } from '../providers/provider';
import type { EarlyLimits, Outcome, Scheduler } from '../scheduler/scheduler';
import type { TicketCosts } from '../scheduler/dimensions';
import type { Pricing } from '../cost/pricing';
import { isStoreUnavailable, whileUnavailable } from '../store/unavailable';

/** Who asks, for which interview, of which model: what every call carries (a scorer's evaluate and embed calls only this). */
export interface ScoringCallInput {
  jobId: string;
  user: string;
  /** The interview's index in the job: kept with a call it pays for (see Paid). */
  interview: number;
  paid: Paid;
  model: ModelSpec;
  fresh: boolean;
  signal: AbortSignal;
}

export interface CallInput extends ScoringCallInput {
  prompts: Prompts;
  iteration: number;
  /** A survey call's question; an eval call's answer format instead (both only guide the test model). */
  question?: Question | undefined;
  answer_format?: AnswerFormat | undefined;
}

export interface CallOutcome<R = CallReply> {
  reply: R;
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

/** One provider request as the call path carries it: its cache key, what the scheduler admits, and how its reply is kept. */
interface ProviderCall<R> extends TicketCosts {
  readonly key: string;
  send(provider: Provider, attempt: number, early: EarlyLimits): Promise<R>;
  /** What the reply used, for the scheduler's models. */
  usage(reply: R): Outcome;
  /** The reply as the cache stores it (its cost is set by the path), and back. */
  stored(reply: R): CachedCall;
  fromStore(hit: CachedCall): R;
}

/**
 * The one road of every call — completions, and a scorer's evaluate and embed calls alike: the cache (a call this
 * interview paid for before is carried once on its row), a call already in flight for the same key, the scheduler's
 * lane, the provider, and the store, where a paid call is kept and billed at once.
 */
export class CallPath {
  /** Calls on their way to a provider: identical calls of one scope share one request. */
  private readonly inflight = new InFlight<CallOutcome<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly pricing: Pricing,
    private readonly scopeOf: CacheScopeOf = userScope,
    /** Told of every call answered, for progress counted in calls. */
    private readonly called: (jobId: string) => void = () => undefined,
  ) {}

  call(input: CallInput): Promise<CallOutcome> {
    return this.through(input, new Completion(input));
  }

  /** A log-probability scorer's call to the provider's evaluate endpoint. */
  evaluate(input: ScoringCallInput, prompt: string, expected: string): Promise<CallOutcome<EvaluateReply>> {
    return this.through(
      input,
      scoringCall(
        ['evaluate', prompt, expected],
        input.model,
        prompt.length + expected.length,
        (provider, signal) => {
          if (!provider.evaluate) throw new ProviderError('fatal', `service "${input.model.service}" cannot evaluate log-probabilities`);
          return provider.evaluate({ model: input.model.model, prompt, expected, signal });
        },
        input.signal,
      ),
    );
  }

  /** An embedding scorer's call to the provider's embed endpoint. */
  embed(input: ScoringCallInput, text: string): Promise<CallOutcome<EmbedReply>> {
    return this.through(
      input,
      scoringCall(
        ['embed', text],
        input.model,
        text.length,
        (provider, signal) => {
          if (!provider.embed) throw new ProviderError('fatal', `service "${input.model.service}" cannot embed text`);
          return provider.embed({ model: input.model.model, text, signal });
        },
        input.signal,
      ),
    );
  }

  private async through<R>(input: ScoringCallInput, call: ProviderCall<R>): Promise<CallOutcome<R>> {
    const scope = this.scopeOf(input.user);
    const { key } = call;
    // Read even when fresh: a fresh job must not pay twice for what it paid for before a restart.
    const hit = await readCached(this.store, scope, key, input.signal);
    if (hit && paidHere(hit, key, input)) {
      input.paid.add(key);
      // Billed to the job and its model when it was stored: counted once, here only on the row.
      return { reply: call.fromStore(hit), cached: false, cost_usd: hit.cost_usd, latency_ms: 0 };
    }
    if (hit && !input.fresh) {
      this.store.countCacheHit(input.jobId, input.model.label);
      this.called(input.jobId);
      return { reply: call.fromStore(hit), cached: true, cost_usd: 0, latency_ms: 0 };
    }
    const shared = this.inflight.get(scope, key) as Promise<CallOutcome<R>> | undefined;
    if (shared) {
      return shared.then((outcome) => {
        this.store.countCacheHit(input.jobId, input.model.label);
        this.called(input.jobId);
        return { ...outcome, cached: true, cost_usd: 0, latency_ms: 0 };
      });
    }
    return this.inflight.add(scope, key, this.callProvider(scope, input, call));
  }

  private async callProvider<R>(scope: string, input: ScoringCallInput, call: ProviderCall<R>): Promise<CallOutcome<R>> {
    const { model } = input;
    const provider = this.providers.get(model.service);
    if (!provider) throw new ProviderError('fatal', `no service "${model.service}" is configured on this server`);
    const ticket = {
      lane: `${model.service}/${model.model}`,
      user: input.user,
      jobId: input.jobId,
      tokens: call.tokens,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
    };
    const started = performance.now();
    const reply = await this.scheduler.run(ticket, (attempt, early) => call.send(provider, attempt, early), input.signal, call.usage);
    const stored = call.stored(reply);
    const cost = this.pricing.cost(model, stored.input_tokens, stored.output_tokens);
    stored.cost_usd = cost;
    // Stored at once: a call that was paid for is never paid for again, even if the interview is not finished.
    this.store.putCachedCall(scope, stored, { job: input.jobId, model: model.label, interview: input.interview });
    this.called(input.jobId);
    input.paid.add(call.key);
    return { reply, cached: false, cost_usd: cost, latency_ms: performance.now() - started };
  }
}

/** Content address of an evaluate or embed call: the model and what it reads. */
export function scoringCacheKey(model: ModelSpec, content: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([model.service, model.model, sortedEntries(model.parameters), ...content]))
    .digest('base64url');
}

/** evaluate and embed, keyed by what they read; their replies are kept as JSON and bill input tokens only. */
function scoringCall<R extends { input_tokens: number }>(
  content: string[],
  model: ModelSpec,
  characters: number,
  send: (provider: Provider, signal: AbortSignal) => Promise<R>,
  signal: AbortSignal,
): ProviderCall<R> {
  const key = scoringCacheKey(model, content);
  return {
    key,
    tokens: Math.ceil(characters / 4) + 1,
    send: (provider) => send(provider, signal),
    usage: (reply) => ({ usage: reply.input_tokens }),
    stored: (reply) => ({ key, raw: JSON.stringify(reply), input_tokens: reply.input_tokens, output_tokens: 0, cost_usd: 0, model_version: null }),
    fromStore: (hit) => JSON.parse(hit.raw) as R,
  };
}

/** A completion on the call path: one object per call, its steps on the prototype (the hot path of every survey). */
class Completion implements ProviderCall<CallReply> {
  readonly key: string;
  readonly tokens: number;
  readonly inputTokens: number;
  readonly outputTokens: number;

  constructor(private readonly input: CallInput) {
    const { model, prompts } = input;
    const maxTokens = typeof model.parameters.max_tokens === 'number' ? model.parameters.max_tokens : 1000;
    const images = prompts.images?.length ?? 0;
    this.inputTokens = Math.ceil((prompts.system.length + prompts.user.length) / 4) + images * IMAGE_TOKENS_GUESS;
    this.outputTokens = maxTokens;
    this.tokens = this.inputTokens + maxTokens;
    this.key = cacheKey(model, prompts, input.iteration);
  }

  send(provider: Provider, attempt: number, early: EarlyLimits): Promise<CallReply> {
    const { input } = this;
    const { model, prompts } = input;
    const images = prompts.images ?? [];
    return provider.call({
      service: model.service,
      model: model.model,
      parameters: model.parameters,
      system: prompts.system,
      user: prompts.user,
      iteration: input.iteration,
      question: input.question,
      answer_format: input.answer_format,
      attempt,
      signal: input.signal,
      onLimits: early,
      ...(images.length > 0 ? { images: images.map((image) => ({ media_type: image.media_type, data: image.data })) } : {}),
    });
  }

  usage(done: CallReply): Outcome {
    return { usage: { input: done.input_tokens, output: done.output_tokens }, limits: done.limits };
  }

  stored(reply: CallReply): CachedCall {
    return {
      key: this.key,
      raw: reply.text,
      input_tokens: reply.input_tokens,
      output_tokens: reply.output_tokens,
      cost_usd: 0,
      model_version: reply.model_version,
    };
  }

  fromStore(hit: CachedCall): CallReply {
    return { text: hit.raw, input_tokens: hit.input_tokens, output_tokens: hit.output_tokens, model_version: hit.model_version };
  }
}
