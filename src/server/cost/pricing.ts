// What a call costs: the server config's prices first, then the dated list prices of the service's provider
// (only for services that are the provider's own endpoint: a vLLM serving "gpt-4o" is not billed by OpenAI).
// An unknown price is reported as unknown (null), never guessed.
import type { ModelSpec } from '../../format';
import { PRICE_TABLES, priceKey } from './prices';

export interface Price {
  input_per_mtok: number;
  output_per_mtok: number;
  /** The date the price was taken; null when the server config gives none. */
  as_of: string | null;
  source: string;
}

/** Where a price comes from and how old it is, in words for an estimate. */
export function priceSource(price: Price): string {
  return price.as_of === null ? `${price.source}, undated` : `${price.source}, as of ${price.as_of}`;
}

export type ProviderKind = 'openai' | 'anthropic' | 'aleph-alpha' | 'test';

/** What pricing and estimates need to know of a service. */
export interface ServicePricing {
  provider: ProviderKind;
  /** True when the service is the provider's own API, so its list prices apply. */
  official: boolean;
}

const BUILT_IN: Record<string, Price> = {
  'test/test': { input_per_mtok: 0, output_per_mtok: 0, as_of: '2026-11-01', source: 'built-in test model (free)' },
};

/** Services named like a provider are that provider's official API unless the server says otherwise. */
const BY_NAME: Record<string, ServicePricing> = {
  openai: { provider: 'openai', official: true },
  anthropic: { provider: 'anthropic', official: true },
  'aleph-alpha': { provider: 'aleph-alpha', official: true },
  test: { provider: 'test', official: true },
};

export class Pricing {
  private readonly table: Map<string, Price>;
  private readonly services: Map<string, ServicePricing>;

  /** `overrides` by `service/model`; `services` by service name. */
  constructor(overrides: Record<string, Price> = {}, services: Record<string, ServicePricing> = {}) {
    this.table = new Map(Object.entries({ ...BUILT_IN, ...overrides }));
    this.services = new Map(Object.entries({ ...BY_NAME, ...services }));
  }

  price(model: Pick<ModelSpec, 'service' | 'model'>): Price | null {
    const configured = this.table.get(`${model.service}/${model.model}`);
    if (configured) return configured;
    const service = this.services.get(model.service);
    if (!service || !service.official || service.provider === 'test') return null;
    const list = PRICE_TABLES[service.provider];
    for (const key of priceKey(model.model)) {
      const entry = list.models[key];
      if (entry) return { ...entry, as_of: list.as_of, source: list.source };
    }
    return null;
  }

  /** The provider behind a service, when known: it decides the tokenizer of estimates. */
  providerOf(service: string): ProviderKind | null {
    return this.services.get(service)?.provider ?? null;
  }

  /** USD for the given usage, or null when the model's price is unknown. */
  cost(model: Pick<ModelSpec, 'service' | 'model'>, inputTokens: number, outputTokens: number): number | null {
    const price = this.price(model);
    if (!price) return null;
    return (inputTokens * price.input_per_mtok + outputTokens * price.output_per_mtok) / 1_000_000;
  }
}
