// The services a server offers: from its config file and the environment, with zero-config defaults
// (OPENAI_API_KEY → `openai`, ANTHROPIC_API_KEY → `anthropic`, AA_TOKEN or ALEPH_ALPHA_API_KEY → `aleph-alpha`,
// and always `test`). Builds the providers, prices, lane limits and the /v1/models catalog from them.
import type { ModelInfo } from '../../api';
import type { ModelSpec } from '../../format';
import { AlephAlphaProvider } from '../providers/aleph-alpha';
import { AnthropicProvider } from '../providers/anthropic';
import { OpenAiProvider } from '../providers/openai';
import type { Provider } from '../providers/provider';
import { TestModel } from '../providers/test-model';
import { Pricing, type Price, type ProviderKind, type ServicePricing } from '../cost/pricing';
import { PRICE_TABLES } from '../cost/prices';
import type { LaneLimits } from '../scheduler/scheduler';
import type { LimitOverride, ServiceEntry, ServicesFile } from './config';
import { gated, Readiness, readinessUrl } from './readiness';

const OFFICIAL_URLS: Record<Exclude<ProviderKind, 'test'>, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  'aleph-alpha': 'https://api.aleph-alpha.com',
};

/** The default timeout of a call: Aleph Alpha closes requests after 300 s; others are quicker or similar. */
const DEFAULT_TIMEOUT_S = 300;

interface ServiceRuntime {
  entry: ServiceEntry;
  baseUrl: string;
  official: boolean;
  /** Why calls cannot work (no key in the environment), or null. */
  unusable: string | null;
  readiness: Readiness | null;
  close: () => Promise<void>;
}

/** Zero-config services from the environment; a config file's service of the same name wins. */
export function environmentServices(env: NodeJS.ProcessEnv): ServiceEntry[] {
  const entries: ServiceEntry[] = [];
  const set = (name: string) => typeof env[name] === 'string' && env[name] !== '';
  if (set('OPENAI_API_KEY')) {
    entries.push({ name: 'openai', provider: 'openai', api_key_env: 'OPENAI_API_KEY', ...(set('OPENAI_BASE_URL') ? { base_url: env.OPENAI_BASE_URL! } : {}) });
  }
  if (set('ANTHROPIC_API_KEY')) {
    entries.push({
      name: 'anthropic',
      provider: 'anthropic',
      api_key_env: 'ANTHROPIC_API_KEY',
      ...(set('ANTHROPIC_BASE_URL') ? { base_url: env.ANTHROPIC_BASE_URL! } : {}),
    });
  }
  const aaKey = set('AA_TOKEN') ? 'AA_TOKEN' : set('ALEPH_ALPHA_API_KEY') ? 'ALEPH_ALPHA_API_KEY' : null;
  if (aaKey) {
    entries.push({
      name: 'aleph-alpha',
      provider: 'aleph-alpha',
      api_key_env: aaKey,
      ...(set('ALEPH_ALPHA_BASE_URL') ? { base_url: env.ALEPH_ALPHA_BASE_URL! } : {}),
    });
  }
  entries.push({ name: 'test', provider: 'test' });
  return entries;
}

export class ServiceSet {
  readonly providers = new Map<string, Provider>();
  readonly pricing: Pricing;
  private readonly runtimes = new Map<string, ServiceRuntime>();

  constructor(config: ServicesFile | null, env: NodeJS.ProcessEnv, log: (line: string) => void = () => {}) {
    const entries = [...(config?.services ?? [])];
    for (const fallback of environmentServices(env)) if (!entries.some((entry) => entry.name === fallback.name)) entries.push(fallback);

    const overrides: Record<string, Price> = {};
    const pricingOf: Record<string, ServicePricing> = {};
    for (const entry of entries) {
      const runtime = this.build(entry, env, log);
      this.runtimes.set(entry.name, runtime);
      pricingOf[entry.name] = { provider: entry.provider, official: runtime.official };
      for (const [model, price] of Object.entries(entry.prices ?? {})) {
        overrides[`${entry.name}/${model}`] = { ...price, as_of: entry.prices_as_of ?? null, source: `set in the server's config (service ${entry.name})` };
      }
    }
    this.pricing = new Pricing(overrides, pricingOf);
  }

  /** Lane limits from the config: lane is `service/model`; a service's `*` entry applies to each of its models. */
  limitsFor(lane: string): LaneLimits | null {
    const slash = lane.indexOf('/');
    const runtime = this.runtimes.get(lane.slice(0, slash));
    const limits = runtime?.entry.limits;
    const chosen: LimitOverride | undefined = limits?.[lane.slice(slash + 1)] ?? limits?.['*'];
    if (!chosen) return null;
    // Input/output dimensions are passed for schedulers that know them (Anthropic limits them separately).
    return {
      requestsPerMinute: chosen.requests_per_minute,
      tokensPerMinute: chosen.tokens_per_minute,
      maxConcurrency: chosen.max_concurrency,
      ...{ inputTokensPerMinute: chosen.input_tokens_per_minute, outputTokensPerMinute: chosen.output_tokens_per_minute },
    };
  }

  /** Why this model cannot run on this server, in words that say what to do; null when it can. */
  refusal(model: ModelSpec, needsImages: boolean): string | null {
    const runtime = this.runtimes.get(model.service);
    if (!runtime) {
      return `model "${model.label}": this server has no service "${model.service}" (it offers: ${[...this.runtimes.keys()].join(', ')}). Use one of those, or configure the service on the server.`;
    }
    if (runtime.unusable) return `model "${model.label}": ${runtime.unusable}`;
    const offered = runtime.entry.models;
    if (offered && !offered.includes(model.model) && runtime.entry.provider !== 'test') {
      return `model "${model.label}": service "${model.service}" offers ${offered.map((m) => `${model.service}/${m}`).join(', ')}, not "${model.model}".`;
    }
    if (needsImages && !this.capabilities(model.service, model.model).includes('images')) {
      return `model "${model.label}": this survey shows images, and ${model.service}/${model.model} does not accept images on this server. Use a model that does (see \`GET /v1/models\`, capability "images"), or add "images" to its capabilities in the server config if it does.`;
    }
    return null;
  }

  capabilities(service: string, model: string): string[] {
    const runtime = this.runtimes.get(service);
    if (!runtime) return [];
    const { entry } = runtime;
    const found = new Set<string>(entry.capabilities?.[model] ?? entry.capabilities?.['*'] ?? []);
    if (entry.provider === 'test') ['offline', 'deterministic', 'images'].forEach((c) => found.add(c));
    if (entry.provider === 'aleph-alpha') {
      found.add('log-probs');
      found.add('embeddings');
      if (/^luminous-(base|extended)/.test(model)) found.add('images');
    }
    if (runtime.official && entry.provider === 'openai' && /^(gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|o1(?!-mini)|o3(?!-mini)|o4)/.test(model)) found.add('images');
    if (runtime.official && entry.provider === 'anthropic' && /^claude-/.test(model)) found.add('images');
    return [...found];
  }

  models(): ModelInfo[] {
    const list: ModelInfo[] = [];
    for (const [name, runtime] of this.runtimes) {
      const { entry } = runtime;
      const listed = entry.provider === 'test' ? ['test'] : (entry.models ?? (runtime.official ? Object.keys(PRICE_TABLES[entry.provider].models) : ['*']));
      for (const model of listed) {
        const price = this.pricing.price({ service: name, model });
        const limits = this.limitsFor(`${name}/${model}`);
        list.push({
          id: entry.provider === 'test' && name === 'test' ? 'test' : `${name}/${model}`,
          service: name,
          provider: entry.provider,
          model,
          price: price
            ? { input_per_mtok: price.input_per_mtok, output_per_mtok: price.output_per_mtok, as_of: price.as_of ?? 'undated', source: price.source }
            : null,
          limits: limits
            ? {
                requests_per_minute: limits.requestsPerMinute ?? null,
                tokens_per_minute: limits.tokensPerMinute ?? null,
                input_tokens_per_minute: entry.limits?.[model]?.input_tokens_per_minute ?? entry.limits?.['*']?.input_tokens_per_minute ?? null,
                output_tokens_per_minute: entry.limits?.[model]?.output_tokens_per_minute ?? entry.limits?.['*']?.output_tokens_per_minute ?? null,
              }
            : null,
          capabilities: this.capabilities(name, model === '*' ? '' : model),
          ready: runtime.unusable ? false : runtime.readiness ? runtime.readiness.state === 'ready' : true,
        });
      }
    }
    return list;
  }

  async close(): Promise<void> {
    for (const runtime of this.runtimes.values()) runtime.readiness?.stop();
    await Promise.allSettled([...this.runtimes.values()].map((runtime) => runtime.close()));
  }

  private build(entry: ServiceEntry, env: NodeJS.ProcessEnv, log: (line: string) => void): ServiceRuntime {
    if (entry.provider === 'test') {
      this.providers.set(entry.name, entry.name === 'test' ? new TestModel() : renamed(new TestModel(), entry.name));
      return { entry, baseUrl: '', official: true, unusable: null, readiness: null, close: async () => {} };
    }
    const baseUrl = entry.base_url ?? OFFICIAL_URLS[entry.provider];
    const official = new URL(baseUrl).host === new URL(OFFICIAL_URLS[entry.provider]).host;
    const keyName = entry.api_key_env;
    const apiKey = keyName ? (env[keyName] ?? '') : '';
    const unusable =
      keyName && apiKey === ''
        ? `service "${entry.name}" has no key: set ${keyName} in the environment of the server and restart it.`
        : !keyName && official
          ? `service "${entry.name}" has no key: name the environment variable that holds it with api_key_env in the server config.`
          : null;
    const endpoint = {
      service: entry.name,
      baseUrl,
      apiKey: apiKey || null,
      headers: entry.headers ?? {},
      timeoutMs: (entry.timeout_s ?? DEFAULT_TIMEOUT_S) * 1000,
    };
    const streaming = entry.stream === undefined ? {} : { stream: entry.stream };
    const provider =
      entry.provider === 'openai'
        ? new OpenAiProvider({ ...endpoint, ...(entry.auth ? { auth: entry.auth } : {}), ...streaming })
        : entry.provider === 'anthropic'
          ? new AnthropicProvider({ ...endpoint, ...streaming })
          : new AlephAlphaProvider(endpoint);
    // Local servers start slowly (a model loading): probe them unless told not to; cloud APIs only when asked.
    const readinessConfig =
      entry.readiness ?? (isLocal(baseUrl) ? { path: entry.provider === 'aleph-alpha' ? '/models_available' : '/models', timeout_s: 120 } : false);
    const readiness =
      readinessConfig === false || unusable
        ? null
        : new Readiness({ service: entry.name, url: readinessUrl(baseUrl, readinessConfig.path), capMs: readinessConfig.timeout_s * 1000, log });
    this.providers.set(entry.name, readiness ? gated(provider, readiness) : provider);
    return { entry, baseUrl, official, unusable, readiness, close: () => provider.close() };
  }
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || host.startsWith('127.') || host.endsWith('.local') || host.endsWith('.internal');
}

function renamed(provider: TestModel, service: string): Provider {
  return { service, call: (request) => provider.call(request) };
}
