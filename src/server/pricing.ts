// Prices per million tokens, dated. An unknown price is reported as unknown (null), never guessed.
import type { ModelSpec } from '../spec';

export interface Price {
  input_per_mtok: number;
  output_per_mtok: number;
  as_of: string;
  source: string;
}

const BUILT_IN: Record<string, Price> = {
  'test/test': { input_per_mtok: 0, output_per_mtok: 0, as_of: '2026-11-01', source: 'built-in test model (free)' },
};

export class Pricing {
  private readonly table: Map<string, Price>;

  constructor(overrides: Record<string, Price> = {}) {
    this.table = new Map(Object.entries({ ...BUILT_IN, ...overrides }));
  }

  price(model: Pick<ModelSpec, 'service' | 'model'>): Price | null {
    return this.table.get(`${model.service}/${model.model}`) ?? null;
  }

  /** USD for the given usage, or null when the model's price is unknown. */
  cost(model: Pick<ModelSpec, 'service' | 'model'>, inputTokens: number, outputTokens: number): number | null {
    const price = this.price(model);
    if (!price) return null;
    return (inputTokens * price.input_per_mtok + outputTokens * price.output_per_mtok) / 1_000_000;
  }
}
