// Where the lenses go: on the first line with content (after comments and blank lines), so they sit above the spec.
export function lensLine(text: string): number {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line === '---' || line.startsWith('%')) continue;
    return i;
  }
  return 0;
}

export interface LastRun {
  jobId: string;
  status: string;
  createdAt: string;
  costUsd: number | null;
}

/** "Last run: completed · 5 min ago · $0.0012" */
export function lastRunTitle(run: LastRun, now = Date.now()): string {
  const parts = [`Last run: ${run.status.replace('_', ' ')}`, age(Date.parse(run.createdAt), now)];
  if (run.costUsd !== null) parts.push(formatUsd(run.costUsd));
  return parts.join(' · ');
}

export function age(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
