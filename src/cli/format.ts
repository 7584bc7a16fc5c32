// Numbers and tables as the terminal shows them.
import Table from 'cli-table3';

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

export function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** A plain table (no colours, so output is the same in a pipe and at a terminal). */
export function table(head: string[], rows: (string | number)[][], align?: ('left' | 'right')[]): string {
  const t = new Table({ head, style: { head: [], border: [] }, ...(align ? { colAligns: align } : {}) });
  for (const row of rows) t.push(row.map(String));
  return t.toString();
}

/** Key/value lines for one object. */
export function details(rows: [string, string][]): string {
  const t = new Table({ style: { head: [], border: [] } });
  for (const [key, value] of rows) t.push({ [key]: value });
  return t.toString();
}
