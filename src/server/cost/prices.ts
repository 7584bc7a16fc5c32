// Published list prices, USD per million tokens (standard tier, no batch or cache discounts), by provider and model.
// Dated: prices change. A server's config overrides any of them; a model not here has an unknown price (null),
// which estimates and results show as unknown — never a guess.
export interface PriceEntry {
  input_per_mtok: number;
  output_per_mtok: number;
}

export interface PriceTable {
  as_of: string;
  source: string;
  models: Readonly<Record<string, PriceEntry>>;
}

export const PRICE_TABLES: Readonly<Record<'openai' | 'anthropic' | 'aleph-alpha', PriceTable>> = {
  openai: {
    as_of: '2025-08-07',
    source: 'OpenAI price list, https://openai.com/api/pricing',
    models: {
      'gpt-5': { input_per_mtok: 1.25, output_per_mtok: 10 },
      'gpt-5-mini': { input_per_mtok: 0.25, output_per_mtok: 2 },
      'gpt-5-nano': { input_per_mtok: 0.05, output_per_mtok: 0.4 },
      'gpt-4.1': { input_per_mtok: 2, output_per_mtok: 8 },
      'gpt-4.1-mini': { input_per_mtok: 0.4, output_per_mtok: 1.6 },
      'gpt-4.1-nano': { input_per_mtok: 0.1, output_per_mtok: 0.4 },
      'gpt-4o': { input_per_mtok: 2.5, output_per_mtok: 10 },
      'gpt-4o-mini': { input_per_mtok: 0.15, output_per_mtok: 0.6 },
      o3: { input_per_mtok: 2, output_per_mtok: 8 },
      'o4-mini': { input_per_mtok: 1.1, output_per_mtok: 4.4 },
      'o3-mini': { input_per_mtok: 1.1, output_per_mtok: 4.4 },
      o1: { input_per_mtok: 15, output_per_mtok: 60 },
      'gpt-4-turbo': { input_per_mtok: 10, output_per_mtok: 30 },
      'gpt-4': { input_per_mtok: 30, output_per_mtok: 60 },
      'gpt-3.5-turbo': { input_per_mtok: 0.5, output_per_mtok: 1.5 },
    },
  },
  anthropic: {
    as_of: '2025-08-07',
    source: 'Anthropic price list, https://www.anthropic.com/pricing#api',
    models: {
      'claude-opus-4-1': { input_per_mtok: 15, output_per_mtok: 75 },
      'claude-opus-4': { input_per_mtok: 15, output_per_mtok: 75 },
      'claude-sonnet-4': { input_per_mtok: 3, output_per_mtok: 15 },
      'claude-3-7-sonnet': { input_per_mtok: 3, output_per_mtok: 15 },
      'claude-3-5-sonnet': { input_per_mtok: 3, output_per_mtok: 15 },
      'claude-3-5-haiku': { input_per_mtok: 0.8, output_per_mtok: 4 },
      'claude-3-haiku': { input_per_mtok: 0.25, output_per_mtok: 1.25 },
      'claude-3-opus': { input_per_mtok: 15, output_per_mtok: 75 },
    },
  },
  // Aleph Alpha prices depend on the contract (and are quoted in EUR): configure them per server.
  'aleph-alpha': { as_of: '2025-08-07', source: 'no public list price; set prices in the server config', models: {} },
};

/** `gpt-4o-2024-08-06` → `gpt-4o`, `claude-sonnet-4-20250514` → `claude-sonnet-4`, `claude-3-5-haiku-latest` → … */
export function priceKey(model: string): string[] {
  const bare = model.toLowerCase();
  const undated = bare.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, '');
  return undated === bare ? [bare] : [bare, undated];
}
