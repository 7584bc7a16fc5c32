// `fieldwork jobs compare A B` (or `A --models x,y`): two runs side by side, per question with a test of the
// difference and its p-value, and for evals each scorer's paired difference.
import { compareRuns, type FieldworkClient } from '../../client';
import type { Comparison, Result } from '../../api';
import { EXIT, UsageError } from '../failure';
import { count, table } from '../format';
import type { Cli } from '../io';
import { withClient } from './jobs';

export interface CompareOptions {
  server?: string | undefined;
  models?: [string, string] | undefined;
  json: boolean;
}

export function jobsCompare(cli: Cli, a: string, b: string | undefined, opts: CompareOptions): Promise<number> {
  if (!b && !opts.models) throw new UsageError('compare needs two jobs (`fieldwork jobs compare A B`) or two models of one job (`--models x,y`)');
  return withClient(cli, { server: opts.server, command: 'fieldwork jobs compare', jobId: a }, async (client) => {
    const first = await allResults(client, a);
    const second = b ? await allResults(client, b) : first;
    const [ma, mb] = opts.models ?? [undefined, undefined];
    const pick = (results: Result[], model: string | undefined): Result[] => (model ? results.filter((r) => r.model === model) : results);
    const labels: [string, string] = [ma ? `${a} ${ma}` : a, mb ? `${b ?? a} ${mb}` : (b ?? a)];
    const comparison = compareRuns(pick(first, ma), pick(second, mb), labels);
    if (opts.json) cli.out(JSON.stringify(comparison, null, 2));
    else cli.out(describe(comparison));
    return EXIT.ok;
  });
}

async function allResults(client: FieldworkClient, id: string): Promise<Result[]> {
  const results: Result[] = [];
  for await (const result of client.allResults(id, { pageSize: 1000 })) results.push(result);
  return results;
}

export function describe(c: Comparison): string {
  const lines = [`A = ${c.labels[0]}`, `B = ${c.labels[1]}`, ''];
  if (c.questions.length > 0) {
    const rows = c.questions.map((q) => [
      q.question,
      q.kind,
      `${count(q.n[0])} / ${count(q.n[1])}`,
      q.kind === 'numbers' && q.means ? `${fixed(q.means[0])} vs ${fixed(q.means[1])}` : q.kind === 'categories' ? `${q.categories.length} answers` : '—',
      q.test ? `${q.test.test} ${fixed(q.test.statistic)} (df ${fixed(q.test.df)})` : '—',
      q.test ? pValue(q.test.p) : '—',
    ]);
    lines.push(table(['question', 'kind', 'n A / B', 'A vs B', 'test', 'p'], rows));
  }
  if (c.scorers.length > 0) {
    const rows = c.scorers.map((s) => [
      s.scorer,
      `${fixed(s.means[0])} vs ${fixed(s.means[1])}`,
      fixed(s.difference),
      s.stderr === null ? '—' : fixed(s.stderr),
      count(s.n),
    ]);
    lines.push(table(['scorer', 'A vs B', 'A − B', '± paired SE', 'samples'], rows));
  }
  if (c.questions.length === 0 && c.scorers.length === 0) lines.push('Nothing to compare: the runs share no questions or scored samples.');
  return lines.join('\n');
}

function fixed(n: number): string {
  return Number.isFinite(n) ? (Number.isInteger(n) ? String(n) : n.toFixed(3)) : '—';
}

function pValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
