// Reply bodies and headers exactly as OpenAI's chat completions and Anthropic's messages API send them.
import type { RetryAfterForm } from './config';
import type { Dimension, LimitState } from './limiter';

export type Flavor = 'openai' | 'anthropic';
export type Headers = Record<string, string>;

/** Go's duration format, as OpenAI's reset headers use it: `12ms`, `9.816s`, `6m0s`. */
export function goDuration(ms: number): string {
  const rounded = Math.max(0, Math.round(ms));
  if (rounded < 1000) return `${rounded}ms`;
  if (rounded < 60_000) return `${Number((rounded / 1000).toFixed(3))}s`;
  const minutes = Math.floor(rounded / 60_000);
  return `${minutes}m${Number(((rounded - minutes * 60_000) / 1000).toFixed(3))}s`;
}

const OPENAI_NAMES: Partial<Record<Dimension, string>> = { requests: 'requests', tokens: 'tokens' };
const ANTHROPIC_NAMES: Record<Dimension, string> = { requests: 'requests', tokens: 'tokens', input_tokens: 'input-tokens', output_tokens: 'output-tokens' };

export function limitHeaders(flavor: Flavor, state: LimitState, wallNow: number): Headers {
  const headers: Headers = {};
  for (const [dimension, reading] of Object.entries(state) as [Dimension, NonNullable<LimitState[Dimension]>][]) {
    if (flavor === 'openai') {
      const name = OPENAI_NAMES[dimension];
      if (!name) continue;
      headers[`x-ratelimit-limit-${name}`] = String(Math.round(reading.limit));
      headers[`x-ratelimit-remaining-${name}`] = String(Math.floor(reading.remaining));
      if (reading.resetMs !== undefined) headers[`x-ratelimit-reset-${name}`] = goDuration(reading.resetMs);
    } else {
      const name = ANTHROPIC_NAMES[dimension];
      // Anthropic rounds token counts down to thousands; requests are exact.
      const remaining = dimension === 'requests' ? Math.floor(reading.remaining) : Math.floor(reading.remaining / 1000) * 1000;
      headers[`anthropic-ratelimit-${name}-limit`] = String(Math.round(reading.limit));
      headers[`anthropic-ratelimit-${name}-remaining`] = String(remaining);
      if (reading.resetMs !== undefined)
        headers[`anthropic-ratelimit-${name}-reset`] = new Date(wallNow + reading.resetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
  }
  return headers;
}

/** `retry-after` in whole seconds (rounded up, at least 1) and Azure's `retry-after-ms` (rounded up), as asked. */
export function retryAfterHeaders(form: RetryAfterForm, ms: number): Headers {
  const headers: Headers = {};
  if (form === 'seconds' || form === 'both') headers['retry-after'] = String(Math.max(1, Math.ceil(ms / 1000)));
  if (form === 'ms' || form === 'both') headers['retry-after-ms'] = String(Math.max(1, Math.ceil(ms)));
  return headers;
}

const OPENAI_UNITS: Record<Dimension, string> = {
  requests: 'requests per min (RPM)',
  tokens: 'tokens per min (TPM)',
  input_tokens: 'tokens per min (TPM)',
  output_tokens: 'tokens per min (TPM)',
};

export function rateLimitBody(
  flavor: Flavor,
  model: string,
  rejection: { dimension: Dimension; limit: number; used: number; requested: number; retryAfterMs: number },
  quiet = false,
  /**
   * "Please try again in …": `rounded` as OpenAI writes it (to the nearest millisecond), `exact` rounded up so a
   * call sent then fits, `none` without. Anthropic's messages carry no hint unless asked.
   */
  hint: 'rounded' | 'exact' | 'none' = flavor === 'openai' ? 'rounded' : 'none',
): unknown {
  const tryAgain = hint === 'none' ? '' : ` Please try again in ${goDuration(hint === 'exact' ? Math.ceil(rejection.retryAfterMs) : rejection.retryAfterMs)}.`;
  if (quiet) {
    const message = `Requests to ${model} have exceeded the rate limit of your current tier. Please retry later.`;
    return flavor === 'openai'
      ? { error: { message, type: 'rate_limit', param: null, code: '429' } }
      : { type: 'error', error: { type: 'rate_limit_error', message } };
  }
  if (flavor === 'openai') {
    return {
      error: {
        message:
          `Rate limit reached for ${model} in organization org-mock on ${OPENAI_UNITS[rejection.dimension]}: Limit ${Math.round(rejection.limit)}, ` +
          `Used ${rejection.used}, Requested ${rejection.requested}.${tryAgain} ` +
          'Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: rejection.dimension === 'requests' ? 'requests' : 'tokens',
        param: null,
        code: 'rate_limit_exceeded',
      },
    };
  }
  return {
    type: 'error',
    error: {
      type: 'rate_limit_error',
      message: `This request would exceed the rate limit for your organization of ${Math.round(rejection.limit)} ${ANTHROPIC_NAMES[rejection.dimension]} per minute.${tryAgain} For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
    },
  };
}

/** A 429 for too many calls in flight, as gateways word it; it names no rate limit. */
export function concurrencyBody(flavor: Flavor, model: string, max: number, retryAfterMs: number | null): unknown {
  const message = `Too many concurrent requests to ${model}: at most ${max} at a time.${retryAfterMs === null ? '' : ` Please try again in ${goDuration(Math.ceil(retryAfterMs))}.`}`;
  return flavor === 'openai'
    ? { error: { message, type: 'requests', param: null, code: 'concurrency_limit_exceeded' } }
    : { type: 'error', error: { type: 'rate_limit_error', message } };
}

export function errorBody(flavor: Flavor, status: number): unknown {
  if (flavor === 'anthropic') {
    const type = status === 529 ? 'overloaded_error' : 'api_error';
    return { type: 'error', error: { type, message: status === 529 ? 'Overloaded' : 'Internal server error' } };
  }
  return {
    error: {
      message:
        status === 503
          ? 'The engine is currently overloaded, please try again later.'
          : 'The server had an error while processing your request. Sorry about that!',
      type: status === 503 ? 'server_error' : 'server_error',
      param: null,
      code: null,
    },
  };
}

export function replyBody(flavor: Flavor, model: string, id: string, text: string, inputTokens: number, outputTokens: number, truncated: boolean): unknown {
  if (flavor === 'openai') {
    return {
      id: `chatcmpl-${id}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: truncated ? 'length' : 'stop' }],
      usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
    };
  }
  return {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: truncated ? 'max_tokens' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: outputTokens },
  };
}

/**
 * A reply as a stream of server-sent events, the way each API streams it: `first` goes out with the headers and the
 * first token, `rest` when the reply is done. A malformed reply (no body) breaks off inside an event.
 */
export function streamReply(flavor: Flavor, body: unknown): { first: string; rest: string } {
  return flavor === 'openai' ? openAiStream(body as OpenAiBody | null) : anthropicStream(body as AnthropicBody | null);
}

interface OpenAiBody {
  id: string;
  created: number;
  model: string;
  choices: { message: { content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

interface AnthropicBody {
  id: string;
  model: string;
  content: { type: 'text'; text: string }[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number };
}

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

function openAiStream(body: OpenAiBody | null): { first: string; rest: string } {
  const head = {
    id: body?.id ?? 'chatcmpl-malformed',
    object: 'chat.completion.chunk',
    created: body?.created ?? Math.floor(Date.now() / 1000),
    model: body?.model ?? 'mock',
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    sse({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
  const first = chunk({ role: 'assistant', content: '', refusal: null }, null);
  if (!body) return { first, rest: `data: {"id": "${head.id}", "choices": [{"index": 0, "delta": {"content": "tru\n\n` };
  const choice = body.choices[0]!;
  const rest =
    chunk({ content: choice.message.content }, null) + chunk({}, choice.finish_reason) + sse({ ...head, choices: [], usage: body.usage }) + 'data: [DONE]\n\n';
  return { first, rest };
}

function anthropicStream(body: AnthropicBody | null): { first: string; rest: string } {
  const message = {
    id: body?.id ?? 'msg_malformed',
    type: 'message',
    role: 'assistant',
    model: body?.model ?? 'mock',
    content: [],
    stop_reason: null,
    stop_sequence: null,
  };
  const first =
    sse({ type: 'message_start', message: { ...message, usage: { input_tokens: body?.usage.input_tokens ?? 0, output_tokens: 1 } } }, 'message_start') +
    sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
  if (!body)
    return { first, rest: `event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "tru\n\n` };
  const rest =
    sse(
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: body.content.map((block) => block.text).join('') } },
      'content_block_delta',
    ) +
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop') +
    sse(
      { type: 'message_delta', delta: { stop_reason: body.stop_reason, stop_sequence: null }, usage: { output_tokens: body.usage.output_tokens } },
      'message_delta',
    ) +
    sse({ type: 'message_stop' }, 'message_stop');
  return { first, rest };
}
