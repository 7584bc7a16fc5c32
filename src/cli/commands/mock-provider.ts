// `fieldwork mock-provider`: an OpenAI- and Anthropic-compatible provider on loopback that enforces rate limits
// and injects faults — to try a big job offline, and for the scheduler benchmark.
import { readFileSync } from 'node:fs';
import { MockConfig, type MockConfigInput } from '../../mock-provider/config';
import { presetConfig, randomProviderConfig, type PresetName } from '../../mock-provider/presets';
import { startMockProvider } from '../../mock-provider/server';
import { EXIT, UsageError } from '../failure';
import type { Cli } from '../io';

export interface MockProviderOptions {
  port?: number | undefined;
  rpm?: number | undefined;
  tpm?: number | undefined;
  mode?: string | undefined;
  seed?: number | undefined;
  stripHeaders?: boolean | undefined;
  config?: string | undefined;
  /** A provider as it counts its limits (presets.ts), changed by the config file and the other flags. */
  preset?: PresetName | undefined;
  /** A provider drawn at random from this seed, changed likewise. */
  randomProvider?: number | undefined;
}

export async function mockProviderCommand(cli: Cli, opts: MockProviderOptions): Promise<number> {
  const base = (opts.preset ? presetConfig(opts.preset) : opts.randomProvider !== undefined ? randomProviderConfig(opts.randomProvider) : {}) as Record<
    string,
    unknown
  >;
  let file: Record<string, unknown> = {};
  if (opts.config) {
    try {
      file = JSON.parse(readFileSync(opts.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`cannot read the mock provider config ${opts.config}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // The file changes the preset field by field; limits and enforcement dimension by dimension.
  const input: Record<string, unknown> = { ...base, ...file };
  for (const key of ['limits', 'enforcement']) {
    if (base[key] !== undefined && file[key] !== undefined)
      input[key] = { ...(base[key] as Record<string, unknown>), ...(file[key] as Record<string, unknown>) };
  }
  const limits = { ...(input.limits as Record<string, unknown> | undefined) };
  if (opts.rpm !== undefined) limits.requests_per_minute = opts.rpm;
  if (opts.tpm !== undefined) limits.tokens_per_minute = opts.tpm;
  const merged: Record<string, unknown> = { ...input, ...(Object.keys(limits).length > 0 ? { limits } : {}) };
  if (opts.port !== undefined) merged.port = opts.port;
  if (opts.mode !== undefined) merged.mode = opts.mode;
  if (opts.seed !== undefined) merged.seed = opts.seed;
  if (opts.stripHeaders) merged.strip_headers = true;
  const parsed = MockConfig.safeParse(merged as MockConfigInput);
  if (!parsed.success) {
    throw new UsageError(`mock provider config: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ')}`);
  }
  const mock = await startMockProvider(parsed.data);
  const l = parsed.data.limits;
  cli.out(`Mock provider: ${mock.url}/v1 (OpenAI chat completions and Anthropic messages)`);
  const counted = (dimension: keyof typeof parsed.data.enforcement) => {
    const rule = parsed.data.enforcement[dimension];
    return rule ? `${rule.kind} ${rule.window_s} s` : parsed.data.mode;
  };
  const limited = [
    l.requests_per_minute !== undefined ? `${l.requests_per_minute} requests/min (${counted('requests')})` : null,
    l.tokens_per_minute !== undefined ? `${l.tokens_per_minute} tokens/min (${counted('tokens')})` : null,
    l.input_tokens_per_minute !== undefined ? `${l.input_tokens_per_minute} input tokens/min (${counted('input_tokens')})` : null,
    l.output_tokens_per_minute !== undefined ? `${l.output_tokens_per_minute} output tokens/min (${counted('output_tokens')})` : null,
  ].filter((part) => part !== null);
  cli.out(`Limits: ${limited.join(', ') || 'none'}; stats at ${mock.url}/_mock/stats`);
  cli.out(`Use it from a server's services file: { name: mock, provider: openai, base_url: ${mock.url}/v1 }`);
  await new Promise<void>((resolve) => {
    const stop = cli.onInterrupt(() => {
      stop();
      resolve();
    });
  });
  await mock.close();
  return EXIT.ok;
}
