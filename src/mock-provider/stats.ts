// What the mock provider admitted, rejected and charged: served at GET /_mock/stats.
export interface KeyStats {
  admitted: number;
  rejected: number;
}

export class MockStats {
  admitted = 0;
  rejected = 0;
  rejected_by_dimension: Record<string, number> = {};
  /** Tokens charged at admission to calls that ran, and after correction. */
  tokens_charged = 0;
  tokens_used = 0;
  /** Of `tokens_used`, the prompts' and the replies' (for providers that limit them apart). */
  input_tokens_used = 0;
  output_tokens_used = 0;
  /** Tokens the rejected calls asked for (charged too when `charge_rejected` is set). */
  tokens_charged_to_rejected = 0;
  /** Calls turned away with 503 for too many in flight. */
  busy = 0;
  faults: Record<string, number> = {};
  per_key: Record<string, KeyStats> = {};
  first_admitted_at: number | null = null;
  last_finished_at: number | null = null;

  key(name: string): KeyStats {
    return (this.per_key[name] ??= { admitted: 0, rejected: 0 });
  }

  toJSON(): Record<string, unknown> {
    const { per_key, faults, rejected_by_dimension, ...counts } = this;
    return { ...counts, rejected_by_dimension, faults, per_key };
  }
}
