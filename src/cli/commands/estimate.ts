// `fieldwork estimate FILE`: tokens and cost per model before running, with ranges and where the numbers come from.
import type { Estimate } from '../../api';
import { openSession } from '../connect';
import { EXIT } from '../failure';
import { count, table, usd } from '../format';
import type { Cli } from '../io';
import { checkSurveyFile } from '../local-check';

export async function estimateCommand(cli: Cli, file: string, opts: { json: boolean; server?: string | undefined }): Promise<number> {
  const check = checkSurveyFile(file, { env: cli.env });
  if (!check.ok) {
    for (const issue of check.issues) cli.err(issue);
    return EXIT.badInput;
  }
  const session = await openSession(cli, { server: opts.server, command: 'fieldwork estimate', resume: false });
  try {
    const estimate = await session.client.estimate(check.submission);
    cli.out(opts.json ? JSON.stringify(estimate, null, 2) : formatEstimate(estimate));
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

export function formatEstimate(estimate: Estimate): string {
  const range = (r: { low: number; expected: number; high: number }): string => `${count(r.low)} / ${count(r.expected)} / ${count(r.high)}`;
  const money = (r: { low: number; high: number } | null): string => (r ? `${usd(r.low)} – ${usd(r.high)}` : 'unknown');
  const rows = estimate.models.map((m) => [
    m.model,
    count(m.calls),
    count(m.cached_calls),
    count(m.input_tokens),
    range(m.output_tokens),
    money(m.usd),
    m.price_source,
  ]);
  const t = estimate.total;
  rows.push(['total', count(t.calls), count(t.cached_calls), count(t.input_tokens), range(t.output_tokens), money(t.usd), '']);
  const lines = [
    `${count(estimate.interviews)} interviews`,
    table(['model', 'calls', 'cached', 'input tokens', 'output tokens (low / expected / high)', 'USD', 'price source'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'left',
    ]),
  ];
  const tokenSources = [...new Set(estimate.models.map((m) => m.token_source))];
  if (tokenSources.length > 0) lines.push(`Token counts: ${tokenSources.join('; ')}.`);
  for (const note of estimate.notes) lines.push(`Note: ${note}`);
  return lines.join('\n');
}
