// `fieldwork cache stats|clear`: the server's cache of model calls (every user's and team's), read from its data directory.
// Clearing it makes the next runs call the models again (and pay again); results already stored stay.
import { EXIT } from '../failure';
import { count } from '../format';
import type { Cli } from '../io';
import { withLocalStore } from '../local-store';

export async function cacheStats(cli: Cli, opts: { dataDir: string; json: boolean }): Promise<number> {
  const stats = await withLocalStore(cli, opts.dataDir, {}, (store) => store.cacheStats());
  cli.out(opts.json ? JSON.stringify(stats) : `${count(stats.entries)} cached calls, ${megabytes(stats.bytes)} (in ${opts.dataDir})`);
  return EXIT.ok;
}

export async function cacheClear(cli: Cli, opts: { dataDir: string }): Promise<number> {
  const removed = await withLocalStore(cli, opts.dataDir, {}, (store) => store.clearCache());
  cli.out(`Removed ${count(removed)} cached calls: the next runs call the models again.`);
  return EXIT.ok;
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
