// Rate-limit headers of every provider → one RateLimitSnapshot, and `retry-after` in its three spellings.
// OpenAI says when a bucket is full again as a Go duration ("6m0s"); Anthropic says when it resets as an RFC 3339 time.
import type { LimitReading, RateLimitSnapshot } from './provider';

export type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const GO_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go duration (`1s`, `6m0s`, `12ms`, `9.816s`, `1h2m3.5s`) in milliseconds; null when it is not one. */
export function parseGoDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '0') return trimmed === '0' ? 0 : null;
  const part = /(\d+(?:\.\d+)?|\.\d+)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let at = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * GO_UNITS[match[2]!]!;
    at = part.lastIndex;
  }
  return at === trimmed.length && at > 0 ? total : null;
}

/** Milliseconds until an RFC 3339 / HTTP date, never negative; null when it is not a date. */
export function untilDate(text: string, now: number): number | null {
  const at = Date.parse(text.trim());
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A reset header: a Go duration, plain seconds, or a date. */
function parseReset(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text) * 1000;
  return parseGoDuration(text) ?? untilDate(text, now) ?? undefined;
}

function parseCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

function reading(headers: HeaderBag, prefix: string, suffix: (kind: 'limit' | 'remaining' | 'reset') => string, now: number): LimitReading | undefined {
  const limit = parseCount(header(headers, prefix + suffix('limit')));
  const remaining = parseCount(header(headers, prefix + suffix('remaining')));
  const resetMs = parseReset(header(headers, prefix + suffix('reset')), now);
  if (limit === undefined && remaining === undefined && resetMs === undefined) return undefined;
  return { limit, remaining, resetMs };
}

function snapshot(parts: RateLimitSnapshot): RateLimitSnapshot | undefined {
  const present = Object.entries(parts).filter(([, value]) => value !== undefined);
  return present.length === 0 ? undefined : (Object.fromEntries(present) as RateLimitSnapshot);
}

/** OpenAI (and Azure, vLLM gateways…): `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`. */
export function openAiLimits(headers: HeaderBag, now = Date.now()): RateLimitSnapshot | undefined {
  return snapshot({
    requests: reading(headers, 'x-ratelimit-', (kind) => `${kind}-requests`, now),
    tokens: reading(headers, 'x-ratelimit-', (kind) => `${kind}-tokens`, now),
  });
}

/** Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`. */
export function anthropicLimits(headers: HeaderBag, now = Date.now()): RateLimitSnapshot | undefined {
  return snapshot({
    requests: reading(headers, 'anthropic-ratelimit-requests-', (kind) => kind, now),
    tokens: reading(headers, 'anthropic-ratelimit-tokens-', (kind) => kind, now),
    input_tokens: reading(headers, 'anthropic-ratelimit-input-tokens-', (kind) => kind, now),
    output_tokens: reading(headers, 'anthropic-ratelimit-output-tokens-', (kind) => kind, now),
  });
}

/** How long the provider asks us to wait: `retry-after-ms` (Azure), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: HeaderBag, now = Date.now()): number | null {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const after = header(headers, 'retry-after');
  if (after === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(after.trim())) return Number(after) * 1000;
  return untilDate(after, now);
}

const MESSAGE_DIMENSIONS: Record<string, keyof RateLimitSnapshot> = {
  requests: 'requests',
  tokens: 'tokens',
  'input tokens': 'input_tokens',
  'input-tokens': 'input_tokens',
  'output tokens': 'output_tokens',
  'output-tokens': 'output_tokens',
};

function messageCount(text: string): number {
  return Number(text.replace(/,/g, ''));
}

/**
 * The limit a 429 message names, for providers that send no headers: OpenAI's "on tokens per min (TPM): Limit
 * 30000, Used 29937, Requested 385. Please try again in 644ms" and Anthropic's "of 50,000 input tokens per
 * minute". Per-minute limits only: a per-day quota is not a rate to pace at.
 */
export function limitsInMessage(message: string, retryMs: number | null): RateLimitSnapshot | null {
  const openai =
    /\bon (requests|tokens|input tokens|output tokens) per min(?:ute)? \((?:RPM|TPM|ITPM|OTPM)\): Limit (\d+(?:,\d{3})*)(?:, Used (\d+(?:,\d{3})*))?(?:, Requested (\d+(?:,\d{3})*))?/i.exec(
      message,
    );
  const anthropic = openai ? null : /\bof (\d+(?:,\d{3})*) (requests|tokens|input[ -]tokens|output[ -]tokens) per minute\b/i.exec(message);
  const [name, limitText, usedText, requestedText] = openai ? [openai[1]!, openai[2]!, openai[3], openai[4]] : anthropic ? [anthropic[2]!, anthropic[1]!] : [];
  const dimension = name === undefined ? undefined : MESSAGE_DIMENSIONS[name.toLowerCase()];
  if (!dimension || limitText === undefined) return null;
  const limit = messageCount(limitText);
  if (!Number.isFinite(limit) || limit <= 0) return null;
  const reading: LimitReading = { limit };
  if (usedText !== undefined) reading.used = messageCount(usedText);
  if (requestedText !== undefined) reading.requested = messageCount(requestedText);
  if (retryMs !== null) reading.resetMs = retryMs;
  return { [dimension]: reading };
}

/** "Please try again in 644ms" / "in 1.5s" / "in 6m0s" in an OpenAI rate-limit message. */
export function retryHintInMessage(message: string): number | null {
  const match = /try again in ((?:\d+(?:\.\d+)?(?:ms|us|µs|ns|h|m|s))+)/i.exec(message);
  return match ? parseGoDuration(match[1]!) : null;
}
