// Counting a call's input tokens before it runs: OpenAI's own encodings (js-tiktoken) for OpenAI models, counted
// the way OpenAI's cookbook counts chat messages; a stated approximation for everyone else.
/* eslint-disable @typescript-eslint/no-require-imports */
import type { Tiktoken } from 'js-tiktoken/lite';
import type { ProviderKind } from './pricing';
import { approximateTokens } from '../providers/test-model';

export interface TokenCounter {
  /** Input tokens of a call with these system and user prompts. */
  count(system: string, user: string): number;
  /** Where the count comes from, for `token_source`. */
  readonly source: string;
  /** Relative error of `count` against what the provider reports, as stated to users (0.02 = ±2 %). */
  readonly accuracy: number;
}

type Encoding = 'o200k_base' | 'cl100k_base';

/** Which OpenAI encoding a model uses (tiktoken's model table); null for non-OpenAI models. */
export function openAiEncoding(model: string): Encoding | null {
  const name = model.toLowerCase();
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss)/.test(name)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada)/.test(name)) return 'cl100k_base';
  return null;
}

const encoders = new Map<Encoding, Tiktoken>();

/** Loaded on first use: the rank tables are large and only estimates of OpenAI models need them. */
function encoder(encoding: Encoding): Tiktoken {
  let found = encoders.get(encoding);
  if (!found) {
    const { Tiktoken: Encoder } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
    type Ranks = ConstructorParameters<typeof Encoder>[0];
    // CommonJS exports the table itself; an ES-module interop may wrap it in `default`.
    const loaded = (encoding === 'o200k_base' ? require('js-tiktoken/ranks/o200k_base') : require('js-tiktoken/ranks/cl100k_base')) as
      Ranks | { default: Ranks };
    found = new Encoder('pat_str' in loaded ? loaded : loaded.default);
    encoders.set(encoding, found);
  }
  return found;
}

/** Tokens per message (`<|start|>role<|message|>…<|end|>`) and the reply's priming, per OpenAI's cookbook. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

class OpenAiCounter implements TokenCounter {
  readonly source: string;
  readonly accuracy = 0.02;
  /** Prompts repeat (a system prompt per agent, a user prompt per model): count each once, within a bound. */
  private readonly seen = new Map<string, number>();
  private readonly encode: (text: string) => number;

  constructor(encoding: Encoding) {
    const tiktoken = encoder(encoding);
    this.encode = (text) => tiktoken.encode(text).length;
    this.source = `${encoding} tokenizer (js-tiktoken), chat message overhead as in OpenAI's cookbook`;
  }

  count(system: string, user: string): number {
    // Each message costs its role ("system", "user": one token each) and the message overhead.
    const total = REPLY_PRIMING + TOKENS_PER_MESSAGE + 1 + this.tokens(user);
    return system === '' ? total : total + TOKENS_PER_MESSAGE + 1 + this.tokens(system);
  }

  private tokens(text: string): number {
    let tokens = this.seen.get(text);
    if (tokens === undefined) {
      tokens = this.encode(text);
      if (this.seen.size >= 50_000) this.seen.clear();
      this.seen.set(text, tokens);
    }
    return tokens;
  }
}

/** One per encoding: models that share an encoding share the counts of prompts they share. */
const counters = new Map<Encoding, OpenAiCounter>();

const approximate = (perToken: number, source: string, accuracy: number): TokenCounter => ({
  count: (system, user) => Math.ceil((system.length + user.length) / perToken) + 7,
  source,
  accuracy,
});

/** The best counter for a model of a service backed by `provider` (null: unknown, guessed from the names). */
export function tokenCounter(provider: ProviderKind | null, service: string, model: string): TokenCounter {
  if (provider === 'test' || (provider === null && service === 'test')) {
    return {
      count: (system, user) => approximateTokens(system) + approximateTokens(user) + 7,
      source: "the test model's own count (characters / 4)",
      accuracy: 0,
    };
  }
  const encoding = openAiEncoding(model);
  if (encoding && (provider === 'openai' || provider === null)) {
    let counter = counters.get(encoding);
    if (!counter) counters.set(encoding, (counter = new OpenAiCounter(encoding)));
    return counter;
  }
  if (provider === 'anthropic' || /^claude/i.test(model)) {
    // Anthropic's tokenizer is not published; its count runs about 3.5 characters per token for English prose.
    return approximate(3.5, 'approximation: characters / 3.5 (Anthropic publishes no tokenizer), ±20%', 0.2);
  }
  return approximate(4, "approximation: characters / 4 (this model's tokenizer is not known here), ±25%", 0.25);
}
